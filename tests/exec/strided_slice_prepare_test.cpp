#include "exec/ops/strided_slice.h"

#include <gtest/gtest.h>

#include <numeric>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

struct SliceCase {
  std::vector<int32_t> input_shape;
  std::vector<int32_t> begin, end, strides;
  ir::StridedSliceOptions options;
  std::vector<int32_t> output_shape;
};

ir::Model& build(OpModelBuilder& b, const SliceCase& c, DType dtype = DType::kInt32) {
  const int32_t in = b.tensor(c.input_shape, dtype);
  const int32_t begin = b.constant_i32(c.begin);
  const int32_t end = b.constant_i32(c.end);
  const int32_t strides = b.constant_i32(c.strides);
  const int32_t out = b.tensor(c.output_shape, dtype);
  return b.op(OpType::kStridedSlice, {in, begin, end, strides}, out, c.options);
}

StridedSlicePrepared prepare(const SliceCase& c) {
  OpModelBuilder b;
  const ir::Model& m = build(b, c);
  return prepare_strided_slice(m, m.operators[0]);
}

// Runs the slice on an input holding 0, 1, 2, ... and returns the output values.
std::vector<int32_t> run(const SliceCase& c) {
  OpModelBuilder b;
  const ir::Model& m = build(b, c);
  Executor ex(m);
  std::vector<int32_t> data(static_cast<size_t>(m.tensor(m.inputs[0]).num_elements()));
  std::iota(data.begin(), data.end(), 0);
  ex.set_input(0, testing::bytes_of(data));
  ex.invoke();
  return testing::values_of<int32_t>(ex.output(0));
}

ir::StridedSliceOptions masks(int32_t begin, int32_t end, int32_t shrink = 0, int32_t ellipsis = 0,
                              int32_t new_axis = 0, bool offset = false) {
  ir::StridedSliceOptions o;
  o.begin_mask = begin;
  o.end_mask = end;
  o.shrink_axis_mask = shrink;
  o.ellipsis_mask = ellipsis;
  o.new_axis_mask = new_axis;
  o.offset = offset;
  return o;
}

TEST(StridedSlicePrepare, PlainRangeOnLastAxisPadsLeadingAxes) {
  const StridedSlicePrepared p = prepare({{4}, {1}, {3}, {1}, {}, {2}});
  for (int a = 0; a < 4; ++a) {
    EXPECT_EQ(p.params.input_shape[a], 1);
    EXPECT_EQ(p.params.count[a], 1);
  }
  EXPECT_EQ(p.params.input_shape[4], 4);
  EXPECT_EQ(p.params.start[4], 1);
  EXPECT_EQ(p.params.stride[4], 1);
  EXPECT_EQ(p.params.count[4], 2);
  EXPECT_EQ(run({{4}, {1}, {3}, {1}, {}, {2}}), (std::vector<int32_t>{1, 2}));
}

TEST(StridedSlicePrepare, NegativeIndicesCountFromTheBack) {
  // [-3, -1) on 5 elements = [2, 4).
  EXPECT_EQ(run({{5}, {-3}, {-1}, {1}, {}, {2}}), (std::vector<int32_t>{2, 3}));
}

TEST(StridedSlicePrepare, NegativeStride) {
  // begin -1 -> 3, end 0 (exclusive) going down: 3, 2, 1.
  EXPECT_EQ(run({{4}, {-1}, {0}, {-1}, {}, {3}}), (std::vector<int32_t>{3, 2, 1}));
  // With end_mask the walk runs to the front: 3, 2, 1, 0.
  EXPECT_EQ(run({{4}, {-1}, {0}, {-1}, masks(0, 1), {4}}), (std::vector<int32_t>{3, 2, 1, 0}));
  // Stride -2 from the back.
  EXPECT_EQ(run({{5}, {4}, {0}, {-2}, masks(0, 1), {3}}), (std::vector<int32_t>{4, 2, 0}));
}

TEST(StridedSlicePrepare, OutOfRangeIndicesAreClamped) {
  EXPECT_EQ(run({{5}, {-10}, {10}, {2}, {}, {3}}), (std::vector<int32_t>{0, 2, 4}));
  // Negative stride clamps begin to dim - 1 and end to -1.
  EXPECT_EQ(run({{3}, {10}, {-10}, {-1}, {}, {3}}), (std::vector<int32_t>{2, 1, 0}));
  // Empty result when end precedes begin.
  EXPECT_EQ(prepare({{5}, {3}, {1}, {1}, {}, {0}}).params.count[4], 0);
}

TEST(StridedSlicePrepare, BeginAndEndMasks) {
  // 3x4 input, begin_mask on axis 0 and end_mask on axis 1: rows [0, 2), columns [1, 4).
  EXPECT_EQ(run({{3, 4}, {1, 1}, {2, 3}, {1, 1}, masks(1, 2), {2, 3}}),
            (std::vector<int32_t>{1, 2, 3, 5, 6, 7}));
}

TEST(StridedSlicePrepare, ShrinkAxis) {
  // Row 1 of a 3x4 input, shrunk to a vector.
  EXPECT_EQ(run({{3, 4}, {1, 0}, {2, 4}, {1, 1}, masks(0, 0, 1), {4}}),
            (std::vector<int32_t>{4, 5, 6, 7}));
  // Negative begin on a shrunk axis (end is ignored): last column.
  EXPECT_EQ(run({{3, 4}, {0, -1}, {3, 0}, {1, 1}, masks(0, 0, 2), {3}}),
            (std::vector<int32_t>{3, 7, 11}));
  // Both axes shrunk: a scalar.
  EXPECT_EQ(run({{3, 4}, {2, 1}, {3, 2}, {1, 1}, masks(0, 0, 3), {}}), (std::vector<int32_t>{9}));
}

TEST(StridedSlicePrepare, OffsetMakesEndRelativeToBegin) {
  // begin 1, end 2 with offset: [1, 3).
  EXPECT_EQ(run({{5}, {1}, {2}, {1}, masks(0, 0, 0, 0, 0, true), {2}}),
            (std::vector<int32_t>{1, 2}));
}

TEST(StridedSlicePrepare, FewerEntriesThanAxesTakeWholeTrailingAxes) {
  EXPECT_EQ(run({{3, 2}, {1}, {2}, {1}, {}, {1, 2}}), (std::vector<int32_t>{2, 3}));
}

TEST(StridedSlicePrepare, EllipsisExpandsToWholeAxes) {
  // x[..., 1:3] on 2x3x4.
  const std::vector<int32_t> out =
      run({{2, 3, 4}, {0, 1}, {0, 3}, {1, 1}, masks(0, 0, 0, 1), {2, 3, 2}});
  std::vector<int32_t> expected;
  for (int i = 0; i < 6; ++i) {
    expected.push_back(i * 4 + 1);
    expected.push_back(i * 4 + 2);
  }
  EXPECT_EQ(out, expected);
}

TEST(StridedSlicePrepare, NewAxisAddsUnitDimension) {
  // x[newaxis, 0:2, :] on 2x3 -> 1x2x3.
  const StridedSlicePrepared p =
      prepare({{2, 3}, {0, 0, 0}, {0, 2, 3}, {1, 1, 1}, masks(0, 0, 0, 0, 1), {1, 2, 3}});
  EXPECT_EQ(p.output_shape, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(p.params.count[3], 2);
  EXPECT_EQ(p.params.count[4], 3);
}

TEST(StridedSlicePrepare, FiveDimensions) {
  // 2x2x3x2x4: reverse axis 0, every other element of axis 2, shrink axis 3 at -1, last axis 1:4:2.
  const SliceCase c{{2, 2, 3, 2, 4},  {-1, 0, 0, -1, 1}, {0, 2, 3, 0, 4},
                    {-1, 1, 2, 1, 2}, masks(1, 1, 8),    {2, 2, 2, 2}};
  const std::vector<int32_t> out = run(c);
  std::vector<int32_t> expected;
  for (int a : {1, 0})
    for (int b2 = 0; b2 < 2; ++b2)
      for (int c2 : {0, 2})
        for (int e : {1, 3}) expected.push_back((((a * 2 + b2) * 3 + c2) * 2 + 1) * 4 + e);
  EXPECT_EQ(out, expected);
}

TEST(StridedSlicePrepare, RejectsBadModels) {
  const auto throws = [](const SliceCase& c) {
    EXPECT_THROW(prepare(c), Error) << "output " << c.output_shape.size();
  };
  throws({{4}, {0}, {4}, {0}, {}, {4}});              // zero stride
  throws({{4}, {0}, {4}, {1}, {}, {3}});              // output shape disagrees
  throws({{4}, {4}, {5}, {1}, masks(0, 0, 1), {}});   // shrink begin out of range
  throws({{4}, {1}, {2}, {-1}, masks(0, 0, 1), {}});  // shrink with negative stride
  throws({{4}, {0, 0}, {1, 1}, {1, 1}, {}, {1}});     // more entries than axes
  throws({{1, 1, 1, 1, 1, 1}, {0}, {1}, {1}, {}, {1, 1, 1, 1, 1, 1}});  // rank 6
  throws({{2, 3}, {0, 0}, {1, 1}, {1, 1}, masks(0, 0, 0, 3), {1, 1}});  // two ellipses

  OpModelBuilder b;
  const int32_t in = b.tensor({4}, DType::kInt8, 1.0f, 0);
  const int32_t begin = b.tensor({1}, DType::kInt32);
  const int32_t end = b.constant_i32({2});
  const int32_t strides = b.constant_i32({1});
  const int32_t out = b.tensor({2}, DType::kInt8, 1.0f, 0);
  const ir::Model& m = b.op(OpType::kStridedSlice, {in, begin, end, strides}, out);
  try {
    prepare_strided_slice(m, m.operators[0]);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "STRIDED_SLICE: begin must be constant");
  }
}

TEST(StridedSliceKernel, Int8AndFloatThroughExecutor) {
  {
    OpModelBuilder b;
    const ir::Model& m =
        build(b, {{2, 3}, {0, 2}, {2, 0}, {1, -1}, masks(0, 2), {2, 3}}, DType::kInt8);
    Executor ex(m);
    ex.set_input(0, testing::bytes_of(std::vector<int8_t>{1, 2, 3, 4, 5, 6}));
    ex.invoke();
    EXPECT_EQ(testing::values_of<int8_t>(ex.output(0)), (std::vector<int8_t>{3, 2, 1, 6, 5, 4}));
  }
  {
    OpModelBuilder b;
    const ir::Model& m = build(b, {{4}, {1}, {4}, {2}, {}, {2}}, DType::kFloat32);
    Executor ex(m);
    ex.set_input(0, testing::bytes_of(std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f}));
    ex.invoke();
    EXPECT_EQ(testing::values_of<float>(ex.output(0)), (std::vector<float>{1.5f, 3.5f}));
  }
}

}  // namespace
}  // namespace kiln::exec
