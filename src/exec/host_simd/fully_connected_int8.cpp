#include "exec/host_simd/fully_connected_int8.h"

#include <algorithm>

#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/int8_output_stage.h"
#include "exec/host_simd/planning.h"
#include "runtime/conv_common.h"

namespace kiln::exec::host_simd {

namespace {

// Input rows widened per product.
constexpr int32_t kTileRows = 64;

}  // namespace

std::unique_ptr<FullyConnectedInt8> FullyConnectedInt8::create(
    const rt::FullyConnectedParams& params, const rt::FullyConnectedDims& dims,
    const int32_t* output_multiplier, const int32_t* output_shift, const int8_t* filter,
    const int32_t* bias) {
  if (!avx2_available() || !output_multiplier || !output_shift || !filter) return nullptr;
  if (dims.batches < 1 || dims.input_depth < 1 || dims.output_depth < 1) return nullptr;
  if (static_cast<int64_t>(dims.batches) * dims.input_depth > INT32_MAX ||
      static_cast<int64_t>(dims.output_depth) * dims.input_depth > INT32_MAX ||
      static_cast<int64_t>(dims.batches) * dims.output_depth > INT32_MAX)
    return nullptr;
  if (!rt::int8_offset_valid(params.input_offset) || !rt::int8_offset_valid(params.filter_offset))
    return nullptr;
  if (!int8_clamp_supported(params.act_min, params.act_max)) return nullptr;

  std::unique_ptr<FullyConnectedInt8> plan(new FullyConnectedInt8());
  const bool small = dims.input_depth <= kSmallFullyConnectedDepth;
  // The small path reads raw input values: the input offset's share of each sum, input_offset
  // times the sum of the filter row plus filter_offset, goes into the bias (modulo 2^32, as the
  // int32 accumulation wraps).
  std::vector<int32_t> folded_bias;
  if (small) {
    folded_bias.resize(static_cast<size_t>(dims.output_depth));
    for (int32_t o = 0; o < dims.output_depth; ++o) {
      uint32_t sum = bias ? static_cast<uint32_t>(bias[o]) : 0u;
      for (int32_t i = 0; i < dims.input_depth; ++i) {
        const int32_t weight =
            filter[static_cast<ptrdiff_t>(o) * dims.input_depth + i] + params.filter_offset;
        sum += static_cast<uint32_t>(params.input_offset) * static_cast<uint32_t>(weight);
      }
      folded_bias[static_cast<size_t>(o)] = static_cast<int32_t>(sum);
    }
  }
  if (!build_requant_blocks(dims.output_depth, output_multiplier, output_shift,
                            params.per_channel ? 1 : 0, small ? folded_bias.data() : bias,
                            &plan->requant_))
    return nullptr;
  plan->packed_filter_ =
      pack_gemm_filter(dims.output_depth, dims.input_depth, filter, params.filter_offset);

  FullyConnectedInt8View& v = plan->view_;
  v.batches = dims.batches;
  v.input_depth = dims.input_depth;
  v.input_offset = params.input_offset;
  v.small = small;
  v.plain_requant = !params.per_channel && output_shift[0] <= 0;
  v.tile_rows = std::min(dims.batches, kTileRows);
  v.gemm.k_pairs = (dims.input_depth + 1) / 2;
  v.gemm.segments = 1;
  v.gemm.segment_pairs = v.gemm.k_pairs;
  v.gemm.segment_stride = 0;
  v.gemm.channels = dims.output_depth;
  v.gemm.channel_blocks = (dims.output_depth + 7) / 8;
  v.gemm.packed_filter = plan->packed_filter_.data();
  v.gemm.output = {plan->requant_.data(), params.output_offset, params.act_min, params.act_max};
  // Zero-initialized: values past input_depth are never written again.
  plan->rows_buffer_.assign(static_cast<size_t>(v.tile_rows) * 2 * v.gemm.k_pairs, 0);
  plan->rows_.assign(static_cast<size_t>(v.tile_rows), nullptr);
  v.rows_buffer = plan->rows_buffer_.data();
  v.rows = plan->rows_.data();
  return plan;
}

void FullyConnectedInt8::run(const int8_t* input, int8_t* output) {
  fully_connected_int8_avx2(view_, input, output);
}

bool FullyConnectedInt8::chainable() const {
  return view_.small && view_.batches == 1 && view_.gemm.channels <= 16;
}

std::unique_ptr<FullyConnectedChainInt8> FullyConnectedChainInt8::create(
    std::vector<std::unique_ptr<FullyConnectedInt8>> layers) {
  if (layers.size() < 2) return nullptr;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i] || !layers[i]->chainable()) return nullptr;
    if (i > 0 && layers[i]->view().input_depth != layers[i - 1]->view().gemm.channels)
      return nullptr;
  }
  std::unique_ptr<FullyConnectedChainInt8> chain(new FullyConnectedChainInt8());
  for (const auto& layer : layers) chain->views_.push_back(&layer->view());
  if (layers[0]->view().input_depth == 1) {
    chain->first_table_.assign(256 * 16, 0);
    for (int32_t x = -128; x <= 127; ++x) {
      const auto value = static_cast<int8_t>(x);
      layers[0]->run(&value, &chain->first_table_[static_cast<size_t>(x + 128) * 16]);
    }
  }
  chain->layers_ = std::move(layers);
  return chain;
}

void FullyConnectedChainInt8::run(const int8_t* input, int8_t* output) {
  fully_connected_chain_avx2(views_.data(), static_cast<int32_t>(views_.size()),
                             first_table_.empty() ? nullptr : first_table_.data(), input, output);
}

}  // namespace kiln::exec::host_simd
