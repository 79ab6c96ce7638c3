// Softmax cross-entropy on logits, optionally class-weighted.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/tensor.h"

namespace kiln::nn {

struct LossResult {
  double loss = 0.0;  // weighted mean of -log p(label) over the batch
  int correct = 0;    // samples whose highest logit is their label
  Tensor grad;        // d(loss)/d(logits), same shape as the logits
};

// `logits` is [batch, classes]. With weights w (one per class; empty = all 1) the loss is
// sum_i w[y_i] * CE_i / sum_i w[y_i], so weighting changes the balance between classes but not
// the scale of the loss. Throws kiln::Error on a label out of range.
LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int32_t> labels,
                                 std::span<const float> class_weights = {});

// Index of the largest value of each row (the first one on ties).
std::vector<int32_t> argmax_rows(const Tensor& scores);

}  // namespace kiln::nn
