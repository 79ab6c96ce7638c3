#include "exec/ops/add.h"

#include <gtest/gtest.h>

#include <cstring>

#include "arith_model_builder.h"
#include "core/error.h"
#include "exec/executor.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

const ir::Model& add_model(ArithModel& b, DType t, std::vector<int32_t> s1, std::vector<int32_t> s2,
                           std::vector<int32_t> so, float sc1 = 0.5f, float sc2 = 0.25f,
                           float sco = 1.0f, ir::Activation act = ir::Activation::kNone) {
  const bool q = t != DType::kFloat32;
  const int32_t a = b.tensor(std::move(s1), t, q ? sc1 : 0.0f, q ? 3 : 0);
  const int32_t c = b.tensor(std::move(s2), t, q ? sc2 : 0.0f, q ? -4 : 0);
  const int32_t o = b.tensor(std::move(so), t, q ? sco : 0.0f, q ? 0 : 0);
  return b.op(ir::OpType::kAdd, {a, c}, o, ir::ElementwiseOptions{act});
}

TEST(AddPrepare, Int8MultipliersFromTwiceTheLargerScale) {
  ArithModel b;
  const ir::Model& m = add_model(b, DType::kInt8, {1, 4}, {1, 4}, {1, 4});
  const AddPrepared p = prepare_add(m, b.first_op());
  // Common scale 2 * 0.5 = 1: input ratios 1/2 and 1/4, output ratio 1 / 2^20.
  EXPECT_EQ(p.quantized.left_shift, 20);
  EXPECT_EQ(p.quantized.input1_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.input1_shift, 0);
  EXPECT_EQ(p.quantized.input2_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.input2_shift, -1);
  EXPECT_EQ(p.quantized.output_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.output_shift, -19);
  EXPECT_EQ(p.quantized.input1_offset, -3);
  EXPECT_EQ(p.quantized.input2_offset, 4);
  EXPECT_EQ(p.quantized.output_offset, 0);
  EXPECT_EQ(p.quantized.activation_min, -128);
  EXPECT_EQ(p.quantized.activation_max, 127);
}

TEST(AddPrepare, FusedRelu6BoundsInOutputDomain) {
  ArithModel b;
  const ir::Model& m =
      add_model(b, DType::kInt8, {4}, {4}, {4}, 0.5f, 0.5f, 0.5f, ir::Activation::kRelu6);
  const AddPrepared p = prepare_add(m, b.first_op());
  EXPECT_EQ(p.quantized.activation_min, 0);
  EXPECT_EQ(p.quantized.activation_max, 12);  // 6 / 0.5
}

TEST(AddPrepare, BroadcastShape) {
  ArithModel b;
  const ir::Model& m = add_model(b, DType::kFloat32, {2, 1, 3}, {4, 1}, {2, 4, 3});
  const AddPrepared p = prepare_add(m, b.first_op());
  EXPECT_EQ(rt::broadcast_output_size(p.shape), 24);
  // No bound means the largest finite float, as TFLM clamps.
  EXPECT_EQ(p.float_act.activation_max, std::numeric_limits<float>::max());
  EXPECT_EQ(p.float_act.activation_min, -std::numeric_limits<float>::max());
}

TEST(AddPrepare, RejectsInconsistentOperands) {
  {
    ArithModel b;
    const ir::Model& m = add_model(b, DType::kInt8, {2, 3}, {4, 3}, {2, 3});
    EXPECT_THROW(prepare_add(m, b.first_op()), Error);  // not broadcastable
  }
  {
    ArithModel b;
    const ir::Model& m = add_model(b, DType::kInt8, {2, 3}, {3}, {3, 2});
    EXPECT_THROW(prepare_add(m, b.first_op()), Error);  // wrong output shape
  }
  {
    ArithModel b;
    const ir::Model& m = add_model(b, DType::kInt16, {3}, {3}, {3});
    EXPECT_THROW(prepare_add(m, b.first_op()), Error);  // int16 not supported
  }
  {
    ArithModel b;
    const ir::Model& m = add_model(b, DType::kInt8, {3}, {3}, {3}, 1.0f, 1.0f, 1e-7f);
    EXPECT_THROW(prepare_add(m, b.first_op()), Error);  // output multiplier >= 1
  }
  {
    ArithModel b;
    const ir::Model& m = add_model(b, DType::kInt8, {3}, {3}, {3});
    b.at(1).dtype = DType::kFloat32;
    EXPECT_THROW(prepare_add(m, b.first_op()), Error);  // mixed types
  }
}

TEST(AddPrepare, RunsThroughTheExecutor) {
  ArithModel b;
  // Unit scales, zero points 3 and -4 on the inputs: out = (x - 3) + (y + 4).
  const ir::Model& m = add_model(b, DType::kInt8, {4}, {1}, {4}, 1.0f, 1.0f, 1.0f);
  Executor ex(m);
  const int8_t x[] = {3, 10, -20, 100};
  const int8_t y[] = {-4};
  ex.set_input(0, {reinterpret_cast<const uint8_t*>(x), 4});
  ex.set_input(1, {reinterpret_cast<const uint8_t*>(y), 1});
  ex.invoke();
  const auto out = ex.output(0);
  const int8_t want[] = {0, 7, -23, 97};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(static_cast<int8_t>(out[i]), want[i]) << i;
}

}  // namespace
}  // namespace kiln::exec
