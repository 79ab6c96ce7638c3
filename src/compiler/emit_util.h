// Small spelling helpers shared by the operator emitters: device structs as aggregate
// initializers and per-operator constant arrays.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/c_literals.h"
#include "compiler/op_emitter.h"
#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln::compiler {

inline std::string literal(const rt::Shape4& s) {
  return fmt::format("{{{}, {}, {}, {}}}", s.n, s.h, s.w, s.c);
}

inline std::string literal(const rt::Window2D& w) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}}}", w.stride_h, w.stride_w, w.dilation_h,
                     w.dilation_w, w.pad_h, w.pad_w);
}

inline std::string literal(bool b) {
  return b ? "true" : "false";
}

// Defines `const TYPE PREFIX_NAME = VALUE;` and returns the constant's name.
inline std::string define_constant(EmittedOp& out, const std::string& prefix,
                                   const std::string& type, const std::string& name,
                                   const std::string& value) {
  const std::string id = prefix + "_" + name;
  out.constants += fmt::format("const {} {} = {};\n", type, id, value);
  return id;
}

// Defines a const int32_t array and returns its name (counted in the constant bytes).
inline std::string define_int32_array(EmittedOp& out, const std::string& prefix,
                                      const std::string& name, const std::vector<int32_t>& values) {
  const std::string id = prefix + "_" + name;
  const std::vector<int32_t> padded = values.empty() ? std::vector<int32_t>{0} : values;
  out.constants += fmt::format("const int32_t {}[{}] = {};\n", id, padded.size(), int_list(padded));
  out.constant_bytes += static_cast<int64_t>(padded.size() * sizeof(int32_t));
  return id;
}

// A shape or window-parameter constant of the operator, defined as define_constant does. In a
// patch stage's band loop (ctx.in_band) the call must use a copy adjusted to the band: `adjust`
// is the statement that does it, with {0} for the copy's name and the band's BandStep as `step`.
inline std::string geometry_constant(const EmitContext& ctx, EmittedOp& out,
                                     const std::string& type, const std::string& name,
                                     const std::string& value, const std::string& adjust) {
  const std::string id = define_constant(out, ctx.prefix, type, name, value);
  if (!ctx.in_band) return id;
  const std::string local = "band_" + name;
  out.band_setup += fmt::format("    {} {} = {};\n    {}\n    (void){};\n", type, local, id,
                                fmt::format(fmt::runtime(adjust), local), local);
  return local;
}
inline constexpr const char* kBandInputRows = "{0}.h = step.in_rows;";
inline constexpr const char* kBandOutputRows = "{0}.h = step.out_rows;";
inline constexpr const char* kBandTopPadding = "{0}.window.pad_h = step.pad_top;";

inline std::string optional_input(const EmitContext& ctx, size_t i, const std::string& c_type) {
  if (i >= ctx.op.inputs.size() || ctx.op.inputs[i] == ir::kNoTensor) return "0";
  return ctx.input(ctx.op.inputs[i], c_type);
}

}  // namespace kiln::compiler
