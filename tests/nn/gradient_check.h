// Finite-difference checks of a layer's backward pass. The scalar checked is
// L = sum(forward(x) * R) for a fixed random R, so d(L)/d(output) = R; central differences of L
// (accumulated in double) are compared with what backward returns for the input and stores for
// every trainable parameter.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "nn/layer.h"
#include "nn/random.h"

namespace kiln::nn::testing {

inline Tensor random_tensor(Shape shape, Rng& rng, float low = -1.0f, float high = 1.0f) {
  Tensor t(std::move(shape));
  for (Eigen::Index i = 0; i < t.values.size(); ++i) t.values[i] = rng.uniform(low, high);
  return t;
}

// Values well away from the kinks of relu/relu6 (0 and 6) and never equal, so a step of `kStep`
// changes no comparison.
inline Tensor kink_free_tensor(Shape shape, Rng& rng, bool around_six = false) {
  Tensor t(std::move(shape));
  for (Eigen::Index i = 0; i < t.values.size(); ++i) {
    const float magnitude = rng.uniform(0.1f, 1.0f);
    float v = rng.uniform() < 0.5f ? -magnitude : magnitude;
    if (around_six && rng.uniform() < 0.5f) v += 6.0f;
    t.values[i] = v;
  }
  return t;
}

// A random permutation of 0.05 * {0, 1, ..., n-1} shifted to straddle 0: all values differ by
// at least 0.05, so max pooling picks the same element after any step of kStep.
inline Tensor distinct_tensor(Shape shape, Rng& rng) {
  Tensor t(std::move(shape));
  std::vector<int> order(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  rng.shuffle(order);
  for (size_t i = 0; i < order.size(); ++i)
    t.values[static_cast<Eigen::Index>(i)] =
        0.05f * static_cast<float>(order[i]) - 0.025f * static_cast<float>(order.size());
  return t;
}

constexpr float kStep = 1e-2f;

inline double weighted_sum(const Tensor& out, const Tensor& weights) {
  double total = 0.0;
  for (Eigen::Index i = 0; i < out.values.size(); ++i)
    total += static_cast<double>(out.values[i]) * static_cast<double>(weights.values[i]);
  return total;
}

// Compares two gradients: relative error of the whole vector below 1e-2 and every element within
// 1e-2 relative or 2e-3 absolute.
inline void expect_gradients_match(const Tensor& analytic, const std::vector<double>& numeric,
                                   const std::string& what) {
  ASSERT_EQ(static_cast<size_t>(analytic.size()), numeric.size()) << what;
  double diff2 = 0.0, a2 = 0.0, n2 = 0.0;
  for (size_t i = 0; i < numeric.size(); ++i) {
    const double a = analytic.values[static_cast<Eigen::Index>(i)], n = numeric[i];
    diff2 += (a - n) * (a - n);
    a2 += a * a;
    n2 += n * n;
    EXPECT_NEAR(a, n, 2e-3 + 1e-2 * std::max(std::abs(a), std::abs(n))) << what << " element " << i;
  }
  const double scale = std::sqrt(std::max(a2, n2));
  EXPECT_GT(scale, 1e-4) << what << ": gradient is all zero, the check would prove nothing";
  EXPECT_LT(std::sqrt(diff2) / scale, 1e-2) << what;
}

// Checks input and parameter gradients of an already built layer at `input`.
// `before_forward` runs before every forward (e.g. to reseed dropout).
inline void check_layer_gradients(Layer& layer, const Tensor& input, Rng& rng,
                                  const std::function<void()>& before_forward = {}) {
  auto run = [&](const Tensor& x) {
    if (before_forward) before_forward();
    return layer.forward(x, Mode::kTrain);
  };
  const Tensor out = run(input);
  const Tensor upstream = random_tensor(out.shape, rng);
  const Tensor input_grad = layer.backward(upstream);

  std::vector<Tensor> param_grads;
  for (Parameter* p : layer.parameters()) param_grads.push_back(p->grad);

  std::vector<double> numeric(static_cast<size_t>(input.size()));
  Tensor x = input;
  for (Eigen::Index i = 0; i < x.values.size(); ++i) {
    const float saved = x.values[i];
    x.values[i] = saved + kStep;
    const double plus = weighted_sum(run(x), upstream);
    x.values[i] = saved - kStep;
    const double minus = weighted_sum(run(x), upstream);
    x.values[i] = saved;
    numeric[static_cast<size_t>(i)] = (plus - minus) / (2.0 * kStep);
  }
  expect_gradients_match(input_grad, numeric, layer.name() + " input");

  const std::vector<Parameter*> params = layer.parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    Parameter& p = *params[k];
    if (!p.trainable) continue;
    std::vector<double> numeric_p(static_cast<size_t>(p.value.size()));
    for (Eigen::Index i = 0; i < p.value.values.size(); ++i) {
      const float saved = p.value.values[i];
      p.value.values[i] = saved + kStep;
      const double plus = weighted_sum(run(input), upstream);
      p.value.values[i] = saved - kStep;
      const double minus = weighted_sum(run(input), upstream);
      p.value.values[i] = saved;
      numeric_p[static_cast<size_t>(i)] = (plus - minus) / (2.0 * kStep);
    }
    expect_gradients_match(param_grads[k], numeric_p, p.name);
  }
}

}  // namespace kiln::nn::testing
