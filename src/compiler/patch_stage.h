// Patch-based execution of a memory-dominant chain of window operators (as in MCUNetV2), in
// row bands: instead of computing each tensor of the chain whole, the generated code loops over
// bands of the chain's last output and computes, for each band, just the rows of every
// intermediate tensor that band needs. Only one band of each intermediate exists at a time, in a
// small region of the arena; the rows a band's window reaches into its neighbour (the halo) are
// computed twice, the price in time.
//
// Why a band is exact: output rows [a, e) of a window operator with stride s, padding p and
// filter reach k read input rows [a*s - p, (e-1)*s - p + k). Clipped to the input they are
// [r0, r1). Run the same kernel on those r1 - r0 rows as its whole input, with top padding
// r0 - (a*s - p) (zero when the band starts inside), and e - a output rows: every output reads
// exactly the input values it read in the whole tensor, and treats as padding exactly the rows
// that were padding there, because clipping happened only at the tensor's real edges. The kernels
// are the unchanged runtime/ kernels; bands span the full width, so every band of every tensor is
// contiguous NHWC memory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/fold_pad.h"
#include "ir/model.h"

namespace kiln::compiler {

// One operator's share of one band.
struct BandStep {
  int32_t in_row = 0;    // first input row the band reads (r0)
  int32_t in_rows = 0;   // rows read (r1 - r0)
  int32_t pad_top = 0;   // padding rows above in_row the band's window still covers
  int32_t out_row = 0;   // first output row computed
  int32_t out_rows = 0;  // output rows computed
};

struct PatchStage {
  int32_t first_op = 0;  // the chain: operators first_op..last_op (inclusive)
  int32_t last_op = 0;
  int32_t input = -1;   // tensor the chain starts from (whole, alive through the stage)
  int32_t output = -1;  // tensor the chain ends with (whole, written band by band)
  int32_t rows_per_band = 0;
  std::vector<std::vector<BandStep>> steps;  // [band][operator - first_op]
  // Per intermediate tensor (output of first_op + j, j < last_op - first_op): row bytes and the
  // largest number of rows a band holds.
  std::vector<int64_t> row_bytes;
  std::vector<int32_t> max_rows;
  int64_t macs = 0;        // multiply-accumulates of the chain computed whole
  int64_t extra_macs = 0;  // recomputed in the halos
};

// True if operator `op` can take part in a stage: a CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D
// or MAX_POOL_2D of batch 1 whose only non-constant input is its first.
bool patchable_op(const ir::Model& model, int32_t op);

// The stage running operators first_op..last_op in bands of `rows_per_band` output rows, or
// nothing if the operators are not a chain of patchable operators (each intermediate read only
// by the next operator and not a model output) or the bands would not be smaller than whole
// tensors.
std::optional<PatchStage> make_patch_stage(const ir::Model& model, int32_t first_op,
                                           int32_t last_op, int32_t rows_per_band);

// The stage that gives the smallest arena (`arena_of` plans the model with it), if smaller than
// `baseline`: chains of up to kMaxStageOps operators starting among the first kStageStarts
// (patching pays where activations are largest, early), bands of 1 to 8 output rows, and no more
// than kMaxExtraMacs of the model's MACs recomputed. Operators with a folded PAD (`padded`)
// stay out. On equal arenas the fewer recomputed MACs win.
inline constexpr int32_t kStageStarts = 8;
inline constexpr int32_t kMaxStageOps = 10;
inline constexpr double kMaxExtraMacs = 0.25;
std::optional<PatchStage> choose_patch_stage(
    const ir::Model& model, const std::map<int32_t, ExplicitPadding>& padded,
    const std::function<int64_t(const PatchStage&)>& arena_of, int64_t baseline);

// Bytes of the band buffer for intermediate j.
int64_t band_buffer_bytes(const PatchStage& stage, size_t j);

// A one-line description for comments and the memory report.
std::string describe_patch_stage(const ir::Model& model, const PatchStage& stage);

}  // namespace kiln::compiler
