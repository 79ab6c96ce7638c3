#include "exec/host_simd/lstm_int8.h"

#include <cstdint>
#include <initializer_list>

#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/int8_output_stage.h"
#include "exec/host_simd/planning.h"
#include "runtime/lstm_fast.h"

namespace kiln::exec::host_simd {

namespace {

bool gate_complete(const rt::LstmInt8Gate& g) {
  return g.input_weights && g.input_bias && g.recurrent_weights;
}

// Appends the gate's blocks: per-gate multiplier and shift, the folded biases per unit (zero
// when absent).
bool append_gate_blocks(int32_t units, int32_t multiplier, int32_t shift, const int32_t* bias,
                        std::vector<Int8RequantBlock>* all) {
  std::vector<Int8RequantBlock> blocks;
  if (!build_requant_blocks(units, &multiplier, &shift, 0, bias, &blocks)) return false;
  all->insert(all->end(), blocks.begin(), blocks.end());
  return true;
}

}  // namespace

std::unique_ptr<LstmInt8> LstmInt8::create(const rt::LstmInt8Params& params,
                                           const rt::LstmInt8Weights& weights, bool allow_vnni) {
  if (!avx2_available()) return nullptr;
  const rt::LstmDims& d = params.dims;
  // The portable kernel's own argument checks (it accepts these dimensions) and the rest of
  // what it validates before running.
  if (d.batch < 1 || d.time_steps < 1 || d.input_size < 1 || d.state_size < 1) return nullptr;
  if (rt::lstm_int8_scratch_bytes(d) == 0) return nullptr;
  const rt::LstmInt8Gate* gates[4] = {&weights.input_gate, &weights.forget_gate, &weights.cell_gate,
                                      &weights.output_gate};
  for (const rt::LstmInt8Gate* g : gates)
    if (!gate_complete(*g)) return nullptr;
  if (!rt::int16_activation_params_valid(params.cell_tanh)) return nullptr;
  if (params.cell_activation != rt::kLstmCellTanh && params.cell_activation != rt::kLstmCellSigmoid)
    return nullptr;
  const int64_t input_parts = static_cast<int64_t>(d.batch) * d.time_steps * 4 * 8 *
                              ((static_cast<int64_t>(d.state_size) + 7) / 8);
  if (input_parts > kMaxScratchValues ||
      static_cast<int64_t>(d.state_size) * d.input_size > kMaxScratchValues ||
      static_cast<int64_t>(d.state_size) * d.state_size > kMaxScratchValues)
    return nullptr;

  std::unique_ptr<LstmInt8> plan(new LstmInt8());
  const rt::LstmInt8GateScales* scales[4] = {&params.input_gate, &params.forget_gate,
                                             &params.cell_gate, &params.output_gate};
  for (int g = 0; g < 4; ++g) {
    const std::vector<int32_t> in =
        pack_gemm_filter(d.state_size, d.input_size, gates[g]->input_weights, 0);
    const std::vector<int32_t> rec =
        pack_gemm_filter(d.state_size, d.state_size, gates[g]->recurrent_weights, 0);
    plan->input_filter_.insert(plan->input_filter_.end(), in.begin(), in.end());
    plan->recurrent_filter_.insert(plan->recurrent_filter_.end(), rec.begin(), rec.end());
    if (!append_gate_blocks(d.state_size, scales[g]->input_multiplier, scales[g]->input_shift,
                            gates[g]->input_bias, &plan->input_requant_) ||
        !append_gate_blocks(d.state_size, scales[g]->recurrent_multiplier,
                            scales[g]->recurrent_shift, gates[g]->recurrent_bias,
                            &plan->recurrent_requant_))
      return nullptr;
  }
  // One block of 8 identical lanes each, no bias.
  const int32_t cell_multiplier[3] = {params.forget_cell_multiplier, params.input_cell_multiplier,
                                      params.hidden_multiplier};
  const int32_t cell_shift[3] = {params.forget_cell_shift, params.input_cell_shift,
                                 params.hidden_shift};
  for (int k = 0; k < 3; ++k)
    if (!append_gate_blocks(8, cell_multiplier[k], cell_shift[k], nullptr, &plan->cell_requant_))
      return nullptr;

  LstmInt8Avx2View& v = plan->view_;
  v.batch = d.batch;
  v.time_steps = d.time_steps;
  v.input_size = d.input_size;
  v.state_size = d.state_size;
  v.time_major = d.time_major;
  v.use_vnni = allow_vnni && vnni_enabled();
  v.left_shifts = false;
  for (const std::vector<Int8RequantBlock>* blocks :
       {&plan->input_requant_, &plan->recurrent_requant_, &plan->cell_requant_})
    for (const Int8RequantBlock& block : *blocks)
      for (const int32_t shift : block.left_shift) v.left_shifts = v.left_shifts || shift != 0;
  v.unit_blocks = (d.state_size + 7) / 8;
  v.input_pairs = (d.input_size + 1) / 2;
  v.state_pairs = (d.state_size + 1) / 2;
  v.input_filter = plan->input_filter_.data();
  v.recurrent_filter = plan->recurrent_filter_.data();
  v.input_requant = plan->input_requant_.data();
  v.recurrent_requant = plan->recurrent_requant_.data();
  v.forget_cell_requant = &plan->cell_requant_[0];
  v.input_cell_requant = &plan->cell_requant_[1];
  v.hidden_requant = &plan->cell_requant_[2];
  v.hidden_zero_point = params.hidden_zero_point;
  v.cell_tanh_multiplier = params.cell_tanh.input_multiplier;
  v.cell_tanh_shift = params.cell_tanh.input_right_shift;
  v.tanh_cell_gate = params.cell_activation == rt::kLstmCellTanh;
  v.use_cell_clip = params.use_cell_clip;
  v.cell_clip = params.cell_clip;
  v.sigmoid_pairs = rt::kLstmSigmoidPairs;
  plan->widened_.assign(2 * static_cast<size_t>(v.input_pairs), 0);
  v.widened_input = plan->widened_.data();
  // 16 values per block: both rows of a batch.
  plan->hidden_rows_.assign(static_cast<size_t>(d.batch) * v.unit_blocks, Int16Lanes{});
  v.hidden_rows = plan->hidden_rows_[0].value;
  plan->output_gates_.assign(static_cast<size_t>(v.unit_blocks), Lanes{});
  v.output_gates = plan->output_gates_[0].value;
  plan->cell_lanes_.assign(static_cast<size_t>(d.batch) * v.unit_blocks, Lanes{});
  v.cell_lanes = plan->cell_lanes_[0].value;
  plan->input_parts_.resize(static_cast<size_t>(d.batch) * d.time_steps * 4 * v.unit_blocks);
  v.input_parts = plan->input_parts_[0].value;
  return plan;
}

void LstmInt8::run(const int8_t* input, int8_t* hidden_state, int16_t* cell_state, int8_t* output) {
  lstm_int8_avx2(view_, input, hidden_state, cell_state, output);
}

#if !defined(KILN_HOST_SIMD_AVX2)
// Builds without the AVX2 kernels: create() returns null, so this is never called.
void lstm_int8_avx2(const LstmInt8Avx2View&, const int8_t*, int8_t*, int16_t*, int8_t*) {}
#endif

}  // namespace kiln::exec::host_simd
