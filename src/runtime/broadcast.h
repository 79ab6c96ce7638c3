// Index arithmetic of NumPy-style broadcasting for two-input elementwise operators
// (ADD, SUB, MUL).
//
// Both input shapes are aligned at their last dimension and padded with leading 1s to
// kMaxBroadcastRank. Along each axis the extents must be equal, or one of them 1; an input with
// extent 1 is then read with stride 0 so its single element repeats. The output is dense and
// row-major. The visiting order is the output's memory order, so a kernel's results do not
// depend on how the reference nests its loops.
#ifndef KILN_RUNTIME_BROADCAST_H_
#define KILN_RUNTIME_BROADCAST_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

// TFLM's reference ADD and SUB broadcast up to 6-D (MUL up to 4-D); one limit serves all three.
const int32_t kMaxBroadcastRank = 6;

struct BroadcastShape {
  int32_t dims[kMaxBroadcastRank];       // output extents, leading 1s for unused axes
  int32_t strides_a[kMaxBroadcastRank];  // element step of input a per output axis (0 = repeat)
  int32_t strides_b[kMaxBroadcastRank];  // the same for input b
};

// Fills `out` for inputs of shapes dims_a (rank_a) and dims_b (rank_b). Returns kBadArgument if
// a rank exceeds kMaxBroadcastRank, an extent is negative, the shapes are not broadcastable, or
// the element count does not fit in int32.
Status broadcast_shape_init(const int32_t* dims_a, int32_t rank_a, const int32_t* dims_b,
                            int32_t rank_b, BroadcastShape* out);

// Number of output elements.
int32_t broadcast_output_size(const BroadcastShape& shape);

// Checks a shape built by hand (e.g. emitted constants): extents non-negative, strides within
// what inputs of the implied sizes allow. Returns the element counts the inputs must have.
Status broadcast_shape_check(const BroadcastShape& shape, int32_t* size_a, int32_t* size_b);

// broadcast_shape_check plus non-null data pointers whenever there is any output element.
Status broadcast_check_operands(const BroadcastShape& shape, const void* input_a,
                                const void* input_b, const void* output);

// True if both inputs are read densely in output order (equal shapes, the common case), so the
// visit needs no index arithmetic.
inline bool broadcast_is_elementwise(const BroadcastShape& s) {
  int32_t dense = 1;
  for (int32_t axis = kMaxBroadcastRank - 1; axis >= 0; --axis) {
    if (s.dims[axis] != 1 && (s.strides_a[axis] != dense || s.strides_b[axis] != dense))
      return false;
    dense *= s.dims[axis];
  }
  return true;
}

// Calls visit(index_a, index_b, index_out) for every output element in memory order.
template <typename Visitor>
void broadcast_for_each(const BroadcastShape& s, Visitor visit) {
  const int32_t size = broadcast_output_size(s);
  if (size == 0) return;
  if (broadcast_is_elementwise(s)) {
    // Unrolled by four: the loop branch costs the M4 about as much as a float add.
    int32_t i = 0;
    for (; i + 4 <= size; i += 4) {
      visit(i, i, i);
      visit(i + 1, i + 1, i + 1);
      visit(i + 2, i + 2, i + 2);
      visit(i + 3, i + 3, i + 3);
    }
    for (; i < size; ++i) visit(i, i, i);
    return;
  }
  const int32_t last = kMaxBroadcastRank - 1;
  int32_t counter[kMaxBroadcastRank] = {0, 0, 0, 0, 0, 0};
  int32_t index_a = 0;
  int32_t index_b = 0;
  int32_t index_out = 0;
  for (;;) {
    // Innermost axis as a plain loop; the outer axes advance like an odometer.
    int32_t ia = index_a;
    int32_t ib = index_b;
    for (int32_t i = 0; i < s.dims[last]; ++i) {
      visit(ia, ib, index_out++);
      ia += s.strides_a[last];
      ib += s.strides_b[last];
    }
    int32_t axis = last - 1;
    for (; axis >= 0; --axis) {
      ++counter[axis];
      index_a += s.strides_a[axis];
      index_b += s.strides_b[axis];
      if (counter[axis] < s.dims[axis]) break;
      index_a -= s.strides_a[axis] * s.dims[axis];
      index_b -= s.strides_b[axis] * s.dims[axis];
      counter[axis] = 0;
    }
    if (axis < 0) return;
  }
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_BROADCAST_H_
