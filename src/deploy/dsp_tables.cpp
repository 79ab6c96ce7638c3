#include "deploy/dsp_tables.h"

#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "compiler/c_literals.h"
#include "core/error.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/spectrogram.h"

namespace kiln::deploy {

namespace {

using compiler::float_list;
using compiler::int_list;

std::string float_array(const std::string& name, const float* values, size_t count) {
  return fmt::format("const float {}[{}] = {};\n", name, count,
                     float_list(std::span<const float>(values, count)));
}

template <typename T>
std::string int_array(const std::string& c_type, const std::string& name, const T* values,
                      size_t count) {
  const std::vector<int32_t> wide(values, values + count);
  return fmt::format("const {} {}[{}] = {};\n", c_type, name, count, int_list(wide));
}

// Pointers to the host-built tables of any audio block; null where the block has none.
struct BuiltTables {
  dsp::AudioTableSizes sizes{};
  const dsp::PowerSpectrumTables* spectrum = nullptr;
  const dsp::MelFilterbank* bank = nullptr;
  const float* dct = nullptr;
};

// The arrays, then `TYPE dsp_tables()` filling the struct field by field (`prefix` is the path of
// the power spectrum tables inside it: "t." for PowerSpectrumTables, "t.spectrum." otherwise).
DspTablesCode emit(const std::string& block, const std::string& type, const std::string& prefix,
                   const BuiltTables& b) {
  DspTablesCode out;
  out.present = true;
  out.type = type;
  std::string& d = out.definitions;
  const dsp::AudioTableSizes& z = b.sizes;
  d += fmt::format(
      "// {} constant tables, built by kiln deploy with the device code's own table builder\n"
      "// (the host computes with the same values).\n",
      block);
  d += float_array("kDspTwiddle", b.spectrum->twiddle, z.twiddle_floats);
  d += int_array("uint16_t", "kDspBitReverse", b.spectrum->bit_reverse, z.bit_reverse_count);
  if (z.window_floats > 0) d += float_array("kDspWindow", b.spectrum->window, z.window_floats);
  if (b.bank) {
    d += int_array("int32_t", "kDspMelEdges", b.bank->edges, z.mel_edges);
    d += int_array("int32_t", "kDspMelWeightStart", b.bank->weight_start, z.mel_weight_starts);
    d += float_array("kDspMelWeights", b.bank->weights, z.mel_weights);
  }
  if (b.dct) d += float_array("kDspDct", b.dct, z.dct_floats);
  std::string fields = fmt::format(
      "  {0}twiddle = kDspTwiddle;\n  {0}bit_reverse = kDspBitReverse;\n  {0}window = {1};\n",
      prefix, z.window_floats > 0 ? "kDspWindow" : "0");
  if (b.bank) {
    fields += fmt::format(
        "  t.bank.num_filters = {};\n  t.bank.edges = kDspMelEdges;\n"
        "  t.bank.weight_start = kDspMelWeightStart;\n  t.bank.weights = kDspMelWeights;\n",
        b.bank->num_filters);
  }
  if (b.dct) fields += "  t.dct = kDspDct;\n";
  d += fmt::format("{0} dsp_tables() {{\n  {0} t;\n{1}  return t;\n}}\n", type, fields);
  out.flash_bytes = static_cast<int64_t>(
      (z.twiddle_floats + z.window_floats + z.mel_weights + z.dct_floats) * sizeof(float) +
      z.bit_reverse_count * sizeof(uint16_t) +
      (z.mel_edges + z.mel_weight_starts) * sizeof(int32_t));
  return out;
}

// 8-byte aligned host memory for a table builder.
std::vector<uint64_t> table_memory(size_t bytes) {
  return std::vector<uint64_t>(bytes / sizeof(uint64_t) + 1);
}

DspTablesCode tables_code(const dsp::MfccParams& params) {
  BuiltTables b;
  if (!dsp::mfcc_table_sizes(params, &b.sizes)) throw Error("deploy: invalid MFCC parameters");
  std::vector<uint64_t> memory = table_memory(dsp::mfcc_tables_bytes(params));
  dsp::MfccTables t{};
  if (dsp::mfcc_tables_build(&t, params, memory.data(), memory.size() * sizeof(uint64_t)) !=
      rt::kOk) {
    throw Error("deploy: the MFCC tables cannot be built");
  }
  b.spectrum = &t.spectrum;
  b.bank = &t.bank;
  b.dct = t.dct;
  return emit("MFCC", "kiln::dsp::MfccTables", "t.spectrum.", b);
}

DspTablesCode tables_code(const dsp::MfeParams& params) {
  BuiltTables b;
  if (!dsp::mfe_table_sizes(params, &b.sizes)) throw Error("deploy: invalid MFE parameters");
  std::vector<uint64_t> memory = table_memory(dsp::mfe_tables_bytes(params));
  dsp::MfeTables t{};
  if (dsp::mfe_tables_build(&t, params, memory.data(), memory.size() * sizeof(uint64_t)) !=
      rt::kOk) {
    throw Error("deploy: the MFE tables cannot be built");
  }
  b.spectrum = &t.spectrum;
  b.bank = &t.bank;
  return emit("MFE", "kiln::dsp::MfeTables", "t.spectrum.", b);
}

DspTablesCode tables_code(const dsp::SpectrogramParams& params) {
  BuiltTables b;
  if (!dsp::spectrogram_table_sizes(params, &b.sizes)) {
    throw Error("deploy: invalid spectrogram parameters");
  }
  std::vector<uint64_t> memory = table_memory(dsp::spectrogram_tables_bytes(params));
  dsp::PowerSpectrumTables t{};
  if (dsp::spectrogram_tables_build(&t, params, memory.data(), memory.size() * sizeof(uint64_t)) !=
      rt::kOk) {
    throw Error("deploy: the spectrogram tables cannot be built");
  }
  b.spectrum = &t;
  return emit("Spectrogram", "kiln::dsp::PowerSpectrumTables", "t.", b);
}

}  // namespace

DspTablesCode dsp_tables_code(const DspPlan& plan) {
  return std::visit(
      [](const auto& params) -> DspTablesCode {
        using T = std::decay_t<decltype(params)>;
        if constexpr (std::is_same_v<T, dsp::MfccParams> || std::is_same_v<T, dsp::MfeParams> ||
                      std::is_same_v<T, dsp::SpectrogramParams>) {
          return tables_code(params);
        } else {
          return DspTablesCode{};
        }
      },
      plan.resolved.params);
}

}  // namespace kiln::deploy
