#include "nn/loss.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "nn/softmax.h"

namespace kiln::nn {

LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int32_t> labels,
                                 std::span<const float> class_weights) {
  if (logits.shape.size() != 2)
    throw Error(
        fmt::format("loss: logits must be [batch, classes], got {}", shape_text(logits.shape)));
  const int batch = logits.shape[0], classes = logits.shape[1];
  if (static_cast<size_t>(batch) != labels.size())
    throw Error(fmt::format("loss: {} labels for a batch of {}", labels.size(), batch));
  if (!class_weights.empty() && class_weights.size() != static_cast<size_t>(classes))
    throw Error(
        fmt::format("loss: {} class weights for {} classes", class_weights.size(), classes));

  LossResult result;
  result.grad = Tensor(logits.shape);
  auto probabilities = result.grad.matrix(batch, classes);
  const auto z = logits.matrix(batch, classes);
  softmax_rows(z, probabilities);

  double weight_sum = 0.0, weighted_loss = 0.0;
  for (int i = 0; i < batch; ++i) {
    const int32_t label = labels[static_cast<size_t>(i)];
    if (label < 0 || label >= classes)
      throw Error(fmt::format("loss: label {} is outside [0, {})", label, classes));
    const float w = class_weights.empty() ? 1.0f : class_weights[static_cast<size_t>(label)];
    // -log softmax computed from the logits (log-sum-exp), exact even when p underflows.
    const float max_value = z.row(i).maxCoeff();
    const double log_sum =
        std::log(static_cast<double>((z.row(i).array() - max_value).exp().sum()));
    weighted_loss += w * (log_sum - static_cast<double>(z(i, label) - max_value));
    weight_sum += w;
    Eigen::Index best = 0;
    z.row(i).maxCoeff(&best);
    if (best == label) ++result.correct;
    probabilities(i, label) -= 1.0f;
    probabilities.row(i) *= w;
  }
  result.loss = weight_sum > 0.0 ? weighted_loss / weight_sum : 0.0;
  if (weight_sum > 0.0) result.grad.values /= static_cast<float>(weight_sum);
  return result;
}

std::vector<int32_t> argmax_rows(const Tensor& scores) {
  const int rows = scores.batch();
  const int64_t cols = rows > 0 ? scores.size() / rows : 0;
  std::vector<int32_t> best(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    Eigen::Index at = 0;
    scores.matrix(rows, cols).row(r).maxCoeff(&at);
    best[static_cast<size_t>(r)] = static_cast<int32_t>(at);
  }
  return best;
}

}  // namespace kiln::nn
