#include "exec/ops/pool2d.h"

#include <gtest/gtest.h>

#include "conv_test_models.h"
#include "core/error.h"
#include "exec/executor.h"

namespace kiln {
namespace {

using ir::DType;
using testing::ModelBuilder;

// An int8 pooling operator: input 1x7x7x4 and output 1x4x4x4 sharing scale 0.5, zero point 3;
// 3x3 window, SAME padding, stride 2.
struct Int8Pool {
  ModelBuilder b;
  int32_t input, output;
  ir::Pool2DOptions options;

  Int8Pool() {
    input = b.tensor("in", {1, 7, 7, 4}, DType::kInt8, {0.5f}, {3});
    output = b.tensor("out", {1, 4, 4, 4}, DType::kInt8, {0.5f}, {3});
    options.padding = ir::Padding::kSame;
    options.stride_h = options.stride_w = 2;
    options.filter_h = options.filter_w = 3;
    options.activation = ir::Activation::kRelu6;
  }
  exec::Pool2DPrepared prepare(ir::OpType type = ir::OpType::kAveragePool2D) {
    b.op(type, {input}, {output}, options);
    return exec::prepare_pool2d(b.model, b.model.operators.back());
  }
};

TEST(PreparePool2D, Int8Constants) {
  Int8Pool pool;
  const exec::Pool2DPrepared p = pool.prepare(ir::OpType::kMaxPool2D);
  EXPECT_EQ(p.type, ir::OpType::kMaxPool2D);
  EXPECT_EQ(p.dtype, DType::kInt8);
  EXPECT_EQ(p.params.filter_h, 3);
  EXPECT_EQ(p.params.window.stride_w, 2);
  EXPECT_EQ(p.params.window.pad_h, 1);  // 3 * 2 + 3 - 7 = 2 total
  EXPECT_EQ(p.params.window.dilation_h, 1);
  EXPECT_EQ(p.params.act_min, 3);       // real 0
  EXPECT_EQ(p.params.act_max, 3 + 12);  // real 6 / 0.5
}

void expect_error(Int8Pool& pool, const std::string& fragment) {
  try {
    pool.prepare();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PreparePool2D, RejectsInconsistentOperators) {
  {
    Int8Pool pool;
    pool.b.model.tensors[pool.output].quant.scale = {0.25f};
    expect_error(pool, "must have the same scale and zero point");
  }
  {
    Int8Pool pool;
    pool.b.model.tensors[pool.output].quant.zero_point = {4};
    expect_error(pool, "must have the same scale and zero point");
  }
  {
    Int8Pool pool;
    pool.b.model.tensors[pool.output].shape = {1, 4, 4, 5};
    expect_error(pool, "differ from the input's");
  }
  {
    Int8Pool pool;
    pool.options.padding = ir::Padding::kValid;
    expect_error(pool, "gives 3x3");
  }
  {
    Int8Pool pool;
    pool.options.filter_w = 0;
    expect_error(pool, "must be positive");
  }
  {
    Int8Pool pool;
    pool.b.model.tensors[pool.output].dtype = DType::kFloat32;
    expect_error(pool, "output 'out' must be int8, got float32");
  }
}

TEST(Pool2DKernel, AverageAndMaxRunThroughTheExecutor) {
  // 1x2x2x1 input [1 2; 3 6], one 2x2 VALID window: mean 3, max 6.
  for (const auto type : {ir::OpType::kAveragePool2D, ir::OpType::kMaxPool2D}) {
    ModelBuilder b;
    const int32_t in = b.tensor("in", {1, 2, 2, 1}, DType::kInt8, {1.0f}, {0});
    const int32_t out = b.tensor("out", {1, 1, 1, 1}, DType::kInt8, {1.0f}, {0});
    ir::Pool2DOptions options;
    options.filter_h = options.filter_w = 2;
    b.op(type, {in}, {out}, options);
    exec::Executor executor(b.model);
    executor.set_input(0, testing::raw_bytes(std::vector<int8_t>{1, 2, 3, 6}));
    executor.invoke();
    EXPECT_EQ(static_cast<int8_t>(executor.output(0)[0]),
              type == ir::OpType::kAveragePool2D ? 3 : 6);
  }
}

}  // namespace
}  // namespace kiln
