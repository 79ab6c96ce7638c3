#include "runtime/pad.h"

#include <string.h>

namespace kiln {
namespace rt {

namespace {

bool valid(const PadParams& p, int32_t out_dims[kPadMaxRank]) {
  int64_t total = 1;
  for (int i = 0; i < kPadMaxRank; ++i) {
    if (p.input_shape[i] < 0 || p.before[i] < 0 || p.after[i] < 0) return false;
    const int64_t dim = static_cast<int64_t>(p.input_shape[i]) + p.before[i] + p.after[i];
    if (dim > INT32_MAX) return false;
    out_dims[i] = static_cast<int32_t>(dim);
    total *= dim;
    if (total > INT32_MAX) return false;
  }
  return true;
}

template <typename T>
void fill(T* out, int32_t count, T value) {
  for (int32_t i = 0; i < count; ++i) out[i] = value;
}

// Walks the output in memory order. Each innermost row is either entirely padding (when an
// outer index lies in a padded band) or [before pad | one input row | after pad], which is
// the same element order as the reference's per-element test, only faster.
template <typename T>
Status pad_impl(const PadParams& p, const T* input, T pad_value, T* output) {
  int32_t out_dims[kPadMaxRank];
  if (!valid(p, out_dims)) return kBadArgument;
  int64_t out_total = 1, in_total = 1;
  for (int i = 0; i < kPadMaxRank; ++i) {
    out_total *= out_dims[i];
    in_total *= p.input_shape[i];
  }
  if (out_total == 0) return kOk;
  if (output == NULL || (in_total > 0 && input == NULL)) return kBadArgument;

  const int32_t row = out_dims[4];
  const int32_t in_row = p.input_shape[4];
  const T* in = input;
  T* out = output;
  for (int32_t i0 = 0; i0 < out_dims[0]; ++i0) {
    const bool pad0 = i0 < p.before[0] || i0 >= p.before[0] + p.input_shape[0];
    for (int32_t i1 = 0; i1 < out_dims[1]; ++i1) {
      const bool pad1 = pad0 || i1 < p.before[1] || i1 >= p.before[1] + p.input_shape[1];
      for (int32_t i2 = 0; i2 < out_dims[2]; ++i2) {
        const bool pad2 = pad1 || i2 < p.before[2] || i2 >= p.before[2] + p.input_shape[2];
        for (int32_t i3 = 0; i3 < out_dims[3]; ++i3) {
          const bool pad3 = pad2 || i3 < p.before[3] || i3 >= p.before[3] + p.input_shape[3];
          if (pad3) {
            fill(out, row, pad_value);
          } else {
            fill(out, p.before[4], pad_value);
            if (in_row > 0) memcpy(out + p.before[4], in, static_cast<size_t>(in_row) * sizeof(T));
            fill(out + p.before[4] + in_row, p.after[4], pad_value);
            in += in_row;
          }
          out += row;
        }
      }
    }
  }
  return kOk;
}

}  // namespace

int32_t pad_output_size(const PadParams& params) {
  int32_t out_dims[kPadMaxRank];
  if (!valid(params, out_dims)) return -1;
  int32_t total = 1;
  for (int i = 0; i < kPadMaxRank; ++i) total *= out_dims[i];
  return total;
}

Status pad_int8(const PadParams& params, const int8_t* input, int8_t pad_value, int8_t* output) {
  return pad_impl(params, input, pad_value, output);
}

Status pad_int16(const PadParams& params, const int16_t* input, int16_t pad_value,
                 int16_t* output) {
  return pad_impl(params, input, pad_value, output);
}

Status pad_int32(const PadParams& params, const int32_t* input, int32_t pad_value,
                 int32_t* output) {
  return pad_impl(params, input, pad_value, output);
}

Status pad_float(const PadParams& params, const float* input, float pad_value, float* output) {
  return pad_impl(params, input, pad_value, output);
}

}  // namespace rt
}  // namespace kiln
