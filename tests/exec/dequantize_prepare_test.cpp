#include "exec/ops/dequantize.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

TEST(DequantizePrepare, InputQuantization) {
  ArithModel b;
  const int32_t in = b.tensor({3}, DType::kInt16, 0.125f, -7);
  const int32_t out = b.tensor({3}, DType::kFloat32);
  const ir::Model& m = b.op(ir::OpType::kDequantize, {in}, out);
  const DequantizePrepared p = prepare_dequantize(m, b.first_op());
  EXPECT_EQ(p.input_dtype, DType::kInt16);
  EXPECT_EQ(p.params.scale, 0.125f);
  EXPECT_EQ(p.params.zero_point, -7);
  EXPECT_EQ(p.params.size, 3);
  b.at(out).dtype = DType::kInt8;
  EXPECT_THROW(prepare_dequantize(m, b.first_op()), Error);
}

}  // namespace
}  // namespace kiln::exec
