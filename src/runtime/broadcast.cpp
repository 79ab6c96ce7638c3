#include "runtime/broadcast.h"

namespace kiln {
namespace rt {

namespace {

// Pads `dims` of `rank` with leading 1s to kMaxBroadcastRank.
bool pad_dims(const int32_t* dims, int32_t rank, int32_t* padded) {
  if (rank < 0 || rank > kMaxBroadcastRank || (rank > 0 && dims == NULL)) return false;
  const int32_t lead = kMaxBroadcastRank - rank;
  for (int32_t i = 0; i < kMaxBroadcastRank; ++i) {
    padded[i] = i < lead ? 1 : dims[i - lead];
    if (padded[i] < 0) return false;
  }
  return true;
}

// Dense row-major strides of `dims`, with 0 on axes of extent 1 (those never advance). Returns
// false if the element count overflows int32.
bool repeat_strides(const int32_t* dims, int32_t* strides) {
  int64_t step = 1;
  for (int32_t i = kMaxBroadcastRank - 1; i >= 0; --i) {
    strides[i] = dims[i] == 1 ? 0 : static_cast<int32_t>(step);
    step *= dims[i];
    if (step > INT32_MAX) return false;
  }
  return true;
}

}  // namespace

Status broadcast_shape_init(const int32_t* dims_a, int32_t rank_a, const int32_t* dims_b,
                            int32_t rank_b, BroadcastShape* out) {
  if (out == NULL) return kBadArgument;
  int32_t a[kMaxBroadcastRank];
  int32_t b[kMaxBroadcastRank];
  if (!pad_dims(dims_a, rank_a, a) || !pad_dims(dims_b, rank_b, b)) return kBadArgument;
  int64_t count = 1;
  for (int32_t i = 0; i < kMaxBroadcastRank; ++i) {
    if (a[i] != b[i] && a[i] != 1 && b[i] != 1) return kBadArgument;
    // An axis of extent 0 in either input empties the output (1 broadcasts to 0).
    out->dims[i] = a[i] == 1 ? b[i] : a[i];
    count *= out->dims[i];
    if (count > INT32_MAX) return kBadArgument;
  }
  if (!repeat_strides(a, out->strides_a) || !repeat_strides(b, out->strides_b)) {
    return kBadArgument;
  }
  return kOk;
}

int32_t broadcast_output_size(const BroadcastShape& shape) {
  int32_t size = 1;
  for (int32_t i = 0; i < kMaxBroadcastRank; ++i) size *= shape.dims[i];
  return size;
}

Status broadcast_shape_check(const BroadcastShape& shape, int32_t* size_a, int32_t* size_b) {
  int64_t count = 1;
  int64_t dense_a = 1;
  int64_t dense_b = 1;
  for (int32_t i = kMaxBroadcastRank - 1; i >= 0; --i) {
    const int32_t extent = shape.dims[i];
    if (extent < 0) return kBadArgument;
    count *= extent;
    if (count > INT32_MAX) return kBadArgument;
    // A moving input must advance by exactly its dense stride; anything else could read outside
    // the input.
    if (shape.strides_a[i] != 0) {
      if (shape.strides_a[i] != dense_a) return kBadArgument;
      dense_a *= extent;
    }
    if (shape.strides_b[i] != 0) {
      if (shape.strides_b[i] != dense_b) return kBadArgument;
      dense_b *= extent;
    }
  }
  if (size_a != NULL) *size_a = count == 0 ? 0 : static_cast<int32_t>(dense_a);
  if (size_b != NULL) *size_b = count == 0 ? 0 : static_cast<int32_t>(dense_b);
  return kOk;
}

Status broadcast_check_operands(const BroadcastShape& shape, const void* input_a,
                                const void* input_b, const void* output) {
  const Status status = broadcast_shape_check(shape, NULL, NULL);
  if (status != kOk) return status;
  if (broadcast_output_size(shape) > 0 && (input_a == NULL || input_b == NULL || output == NULL)) {
    return kBadArgument;
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
