#include "nn/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kiln::nn {
namespace {

Parameter scalar(float value, bool trainable = true) {
  Parameter p{"w", Tensor({1}), Tensor({1}), trainable};
  p.value.values[0] = value;
  return p;
}

TEST(Optimizer, SgdMomentumTwoSteps) {
  Parameter p = scalar(1.0f);
  Sgd sgd(0.9f);
  p.grad.values[0] = 2.0f;
  sgd.step({&p}, 0.1f);
  EXPECT_FLOAT_EQ(p.value.values[0], 1.0f - 0.1f * 2.0f);  // v = 2
  sgd.step({&p}, 0.1f);
  EXPECT_FLOAT_EQ(p.value.values[0], 0.8f - 0.1f * (0.9f * 2.0f + 2.0f));  // v = 3.8
}

TEST(Optimizer, AdamTwoStepsMatchTheFormula) {
  Parameter p = scalar(1.0f);
  Adam adam(0.9f, 0.999f, 1e-7f);
  const double grads[2] = {2.0, -1.0};
  double w = 1.0, m = 0.0, v = 0.0;
  for (int t = 1; t <= 2; ++t) {
    const double g = grads[t - 1];
    p.grad.values[0] = static_cast<float>(g);
    adam.step({&p}, 0.1f);
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    w -= 0.1 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-7);
    EXPECT_NEAR(p.value.values[0], w, 1e-6) << "step " << t;
  }
  // By hand: step 1 moves by lr (m_hat / sqrt(v_hat) = 1); step 2 has m = 0.08, v = 0.004996,
  // m_hat = 0.421053, v_hat = 2.49925, so it moves by 0.1 * 0.421053 / 1.580901 = 0.0266337.
  EXPECT_NEAR(w, 1.0 - 0.1 - 0.0266337, 1e-6);
}

TEST(Optimizer, StateIsNotTrained) {
  Parameter running = scalar(5.0f, false);
  running.grad = Tensor();
  Parameter w = scalar(1.0f);
  w.grad.values[0] = 1.0f;
  Adam adam;
  adam.step({&running, &w}, 0.1f);
  EXPECT_EQ(running.value.values[0], 5.0f);
  EXPECT_LT(w.value.values[0], 1.0f);
}

}  // namespace
}  // namespace kiln::nn
