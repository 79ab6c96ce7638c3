#include "ir/op_stats.h"

#include <gtest/gtest.h>

#include "ir/example_model.h"

namespace kiln::ir {
namespace {

TEST(OpStatsTest, ExampleModelMacsByHand) {
  const Model m = make_example_model();
  // conv: 16x16x4 outputs x 3x3x1 taps; depthwise: 8x8x4 outputs x 3x3 taps; fc: 3 x 4.
  EXPECT_EQ(op_macs(m, m.operators[0]), 16 * 16 * 4 * 9);
  EXPECT_EQ(op_macs(m, m.operators[1]), 8 * 8 * 4 * 9);
  EXPECT_EQ(op_macs(m, m.operators[2]), 0);  // pooling has no multiply-accumulates
  EXPECT_EQ(op_macs(m, m.operators[4]), 3 * 4);
  const ModelStats s = model_stats(m);
  EXPECT_EQ(s.macs, 9216 + 2304 + 12);
  EXPECT_EQ(s.parameters, (36 + 4) + (36 + 4) + (12 + 3));
  // Weights are int8 (1 byte), biases and the reshape shape int32 (4 bytes).
  EXPECT_EQ(s.constant_bytes, 36 + 16 + 36 + 16 + 8 + 12 + 12);
}

TEST(ExampleModelTest, IsValidAndDeterministic) {
  EXPECT_NO_THROW(validate(make_example_model()));
  EXPECT_EQ(make_example_model(7), make_example_model(7));
  EXPECT_NE(make_example_model(7), make_example_model(8));
  EXPECT_EQ(make_example_input().size(), 256u);
}

}  // namespace
}  // namespace kiln::ir
