#include "runtime/mean.h"

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {

int32_t product(const int32_t* dims, int32_t rank) {
  int32_t p = 1;
  for (int32_t i = 0; i < rank; ++i) p *= dims[i];
  return p;
}

Status check_shape(const MeanShape& s) {
  if (s.kept_rank < 0 || s.kept_rank > kMeanMaxRank || s.reduced_rank < 0 ||
      s.reduced_rank > kMeanMaxRank) {
    return kBadArgument;
  }
  // The furthest input element any index reaches must stay within int32.
  int64_t reach = 0;
  int64_t count = 1;
  for (int32_t i = 0; i < s.kept_rank; ++i) {
    if (s.kept_dims[i] < 0 || s.kept_strides[i] < 0) return kBadArgument;
    reach += static_cast<int64_t>(s.kept_dims[i] > 0 ? s.kept_dims[i] - 1 : 0) * s.kept_strides[i];
    count *= s.kept_dims[i];
    if (reach > INT32_MAX || count > INT32_MAX) return kBadArgument;
  }
  count = 1;
  for (int32_t i = 0; i < s.reduced_rank; ++i) {
    if (s.reduced_dims[i] < 0 || s.reduced_strides[i] < 0) return kBadArgument;
    reach += static_cast<int64_t>(s.reduced_dims[i] > 0 ? s.reduced_dims[i] - 1 : 0) *
             s.reduced_strides[i];
    count *= s.reduced_dims[i];
    if (reach > INT32_MAX || count > INT32_MAX) return kBadArgument;
  }
  return kOk;
}

// Advances a multi-index over `dims` (innermost last) and returns the change of the flat input
// offset; sets *done when the index wraps around to all zeros.
int32_t step(int32_t* counter, const int32_t* dims, const int32_t* strides, int32_t rank,
             bool* done) {
  int32_t delta = 0;
  for (int32_t axis = rank - 1; axis >= 0; --axis) {
    ++counter[axis];
    delta += strides[axis];
    if (counter[axis] < dims[axis]) return delta;
    delta -= strides[axis] * dims[axis];
    counter[axis] = 0;
  }
  *done = true;
  return delta;
}

// For each output, sums its reduced inputs in row-major order (starting from `zero`) and calls
// finish(output_index, sum): the loop shared by the int8 and float kernels. Outputs along a
// contiguous innermost kept axis (the channels of an NHWC tensor averaged over its pixels) are
// summed kBlock at a time, so that one walk over the reduced positions adds a run of neighbouring
// inputs; each output still adds its own inputs in row-major order.
template <typename Acc, typename In, typename Finish>
void reduce_each(const MeanShape& s, const In* input, Acc zero, Finish finish) {
  const int32_t kBlock = 16;
  const int32_t outputs = mean_output_size(s);
  const int32_t count = mean_reduced_count(s);
  const bool runs = s.kept_rank > 0 && s.kept_strides[s.kept_rank - 1] == 1;
  const int32_t run = runs ? s.kept_dims[s.kept_rank - 1] : 1;
  const int32_t outer_rank = runs ? s.kept_rank - 1 : s.kept_rank;
  int32_t kept_counter[kMeanMaxRank] = {0, 0, 0, 0, 0, 0};
  int32_t base = 0;
  Acc sums[kBlock];
  for (int32_t o = 0; o < outputs; o += run) {
    for (int32_t b = 0; b < run; b += kBlock) {
      const int32_t n = run - b < kBlock ? run - b : kBlock;
      for (int32_t i = 0; i < n; ++i) sums[i] = zero;
      if (count > 0) {
        int32_t reduced_counter[kMeanMaxRank] = {0, 0, 0, 0, 0, 0};
        int32_t offset = base + b;
        bool done = false;
        while (!done) {
          const In* src = input + offset;
          for (int32_t i = 0; i < n; ++i) sums[i] = sums[i] + static_cast<Acc>(src[i]);
          offset += step(reduced_counter, s.reduced_dims, s.reduced_strides, s.reduced_rank, &done);
        }
      }
      for (int32_t i = 0; i < n; ++i) finish(o + b + i, sums[i]);
    }
    bool unused = false;
    base += step(kept_counter, s.kept_dims, s.kept_strides, outer_rank, &unused);
  }
}

}  // namespace

Status mean_shape_init(const int32_t* dims, int32_t rank, const uint8_t* reduce_axis,
                       MeanShape* out) {
  if (out == NULL || rank < 0 || rank > kMeanMaxRank) return kBadArgument;
  if (rank > 0 && (dims == NULL || reduce_axis == NULL)) return kBadArgument;
  int32_t strides[kMeanMaxRank];
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    if (dims[i] < 0) return kBadArgument;
    strides[i] = static_cast<int32_t>(stride);
    stride *= dims[i];
    if (stride > INT32_MAX) return kBadArgument;
  }
  out->kept_rank = 0;
  out->reduced_rank = 0;
  for (int32_t i = 0; i < kMeanMaxRank; ++i) {
    out->kept_dims[i] = out->reduced_dims[i] = 1;
    out->kept_strides[i] = out->reduced_strides[i] = 0;
  }
  for (int32_t i = 0; i < rank; ++i) {
    if (reduce_axis[i]) {
      out->reduced_dims[out->reduced_rank] = dims[i];
      out->reduced_strides[out->reduced_rank++] = strides[i];
    } else {
      out->kept_dims[out->kept_rank] = dims[i];
      out->kept_strides[out->kept_rank++] = strides[i];
    }
  }
  return kOk;
}

int32_t mean_output_size(const MeanShape& s) {
  return product(s.kept_dims, s.kept_rank);
}

int32_t mean_reduced_count(const MeanShape& s) {
  return product(s.reduced_dims, s.reduced_rank);
}

void mean_fold_count(int32_t count, int32_t* multiplier, int32_t* shift) {
  if (count <= 0) return;
  // floor(log2(count))
  const int log2_count = 31 - fxp::count_leading_zeros(static_cast<uint32_t>(count));
  int s = log2_count < 32 ? log2_count : 32;
  if (s > 31 + *shift) s = 31 + *shift;
  if (s < 0) s = 0;  // only for shifts below -31, which quantize_multiplier never produces
  *multiplier = static_cast<int32_t>((static_cast<int64_t>(*multiplier) << s) / count);
  *shift -= s;
}

Status mean_int8(const MeanInt8Params& p, const MeanShape& shape, const int8_t* input,
                 int8_t* output) {
  Status status = check_shape(shape);
  if (status != kOk) return status;
  if (p.mode != kMeanIntegerDivide && p.mode != kMeanRescale) return kBadArgument;
  if (p.shift < -31 || p.shift > 31) return kBadArgument;
  const int32_t outputs = mean_output_size(shape);
  const int32_t count = mean_reduced_count(shape);
  if (outputs > 0 && (output == NULL || (count > 0 && input == NULL))) return kBadArgument;
  if (count == 0) {
    // Nothing to average: the reference leaves its zero-initialised output.
    for (int32_t o = 0; o < outputs; ++o) output[o] = 0;
    return kOk;
  }
  // The int32 sum wraps like the reference's; summing in uint32 makes the wrap well defined.
  reduce_each<uint32_t>(shape, input, 0u, [&](int32_t o, uint32_t wrapped_sum) {
    const int32_t sum = static_cast<int32_t>(wrapped_sum);
    int32_t value;
    if (p.mode == kMeanIntegerDivide) {
      value = sum / count;  // C++ division truncates toward zero, as the reference's
    } else {
      const int64_t centred_wide =
          static_cast<int64_t>(sum) - static_cast<int64_t>(p.input_zero_point) * count;
      const int32_t centred = static_cast<int32_t>(static_cast<uint32_t>(centred_wide));
      value = fxp::wrapping_add(multiply_by_quantized_multiplier(centred, p.multiplier, p.shift),
                                p.output_zero_point);
      value = clamp_i32(value, -128, 127);
    }
    output[o] = static_cast<int8_t>(value);
  });
  return kOk;
}

Status mean_float(const MeanShape& shape, const float* input, float* output) {
  const Status status = check_shape(shape);
  if (status != kOk) return status;
  const int32_t outputs = mean_output_size(shape);
  const int32_t count = mean_reduced_count(shape);
  if (outputs > 0 && (output == NULL || (count > 0 && input == NULL))) return kBadArgument;
  if (count == 0) {
    for (int32_t o = 0; o < outputs; ++o) output[o] = 0.0f;
    return kOk;
  }
  const float divisor = static_cast<float>(count);
  reduce_each<float>(shape, input, 0.0f, [&](int32_t o, float sum) { output[o] = sum / divisor; });
  return kOk;
}

}  // namespace rt
}  // namespace kiln
