#include "exec/ops/quantize.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"
#include "exec/executor.h"
#include "exec/ops/dequantize.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

TEST(QuantizePrepare, FromFloatUsesOutputQuantization) {
  ArithModel b;
  const int32_t in = b.tensor({4}, DType::kFloat32);
  const int32_t out = b.tensor({4}, DType::kInt8, 0.5f, -3);
  const ir::Model& m = b.op(ir::OpType::kQuantize, {in}, out);
  const QuantizePrepared p = prepare_quantize(m, b.first_op());
  EXPECT_EQ(p.from_float.size, 4);
  EXPECT_EQ(p.from_float.scale, 0.5f);
  EXPECT_EQ(p.from_float.zero_point, -3);
}

TEST(QuantizePrepare, RequantizeMultiplier) {
  ArithModel b;
  const int32_t in = b.tensor({4}, DType::kInt8, 1.0f, 2);
  const int32_t out = b.tensor({4}, DType::kInt16, 0.5f, 0);
  const ir::Model& m = b.op(ir::OpType::kQuantize, {in}, out);
  const QuantizePrepared p = prepare_quantize(m, b.first_op());
  EXPECT_EQ(p.requantize.multiplier, 1 << 30);  // 2 = 0.5 * 2^2
  EXPECT_EQ(p.requantize.shift, 2);
  EXPECT_EQ(p.requantize.input_zero_point, 2);
}

TEST(QuantizePrepare, RejectsUnsupportedPairsAndPerChannel) {
  {
    ArithModel b;
    const int32_t in = b.tensor({4}, DType::kInt16, 1.0f, 0);
    const int32_t out = b.tensor({4}, DType::kUInt8, 1.0f, 0);
    const ir::Model& m = b.op(ir::OpType::kQuantize, {in}, out);
    EXPECT_THROW(prepare_quantize(m, b.first_op()), Error);
  }
  {
    ArithModel b;
    const int32_t in = b.tensor({2, 2}, DType::kFloat32);
    const int32_t out = b.tensor({2, 2}, DType::kInt8, 1.0f, 0);
    b.at(out).quant.scale = {1.0f, 2.0f};
    b.at(out).quant.zero_point = {0, 0};
    const ir::Model& m = b.op(ir::OpType::kQuantize, {in}, out);
    EXPECT_THROW(prepare_quantize(m, b.first_op()), Error);
  }
}

TEST(QuantizePrepare, FloatRoundTripThroughExecutor) {
  // QUANTIZE then DEQUANTIZE of exactly representable values returns them unchanged.
  ArithModel b;
  const int32_t in = b.tensor({4}, DType::kFloat32);
  const int32_t mid = b.tensor({4}, DType::kInt8, 0.25f, 10);
  const int32_t out = b.tensor({4}, DType::kFloat32);
  b.op(ir::OpType::kQuantize, {in}, mid);
  ir::Operator deq;
  deq.type = ir::OpType::kDequantize;
  deq.inputs = {mid};
  deq.outputs = {out};
  ir::Model m = b.model();
  m.operators.push_back(deq);
  m.outputs = {out};
  Executor ex(m);
  const float x[] = {0.0f, -2.5f, 1.75f, 29.25f};
  ex.set_input(0, {reinterpret_cast<const uint8_t*>(x), sizeof(x)});
  ex.invoke();
  const float* y = reinterpret_cast<const float*>(ex.output(0).data());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], x[i]) << i;
}

}  // namespace
}  // namespace kiln::exec
