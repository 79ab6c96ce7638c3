#include "nn/fold.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::nn {

namespace {

void check_channels(const ChannelAffine& affine, const Tensor& bias) {
  if (affine.scale.size() != static_cast<size_t>(bias.size()) ||
      affine.shift.size() != static_cast<size_t>(bias.size()))
    throw Error(fmt::format("export: a batchnorm of {} channels follows a layer of {}",
                            affine.scale.size(), bias.size()));
}

void fold_bias(const ChannelAffine& affine, Tensor& bias) {
  for (Eigen::Index c = 0; c < bias.values.size(); ++c)
    bias.values[c] = bias.values[c] * affine.scale[static_cast<size_t>(c)] +
                     affine.shift[static_cast<size_t>(c)];
}

}  // namespace

void fold_into_rows(const ChannelAffine* affine, Tensor& weights, Tensor& bias) {
  if (affine == nullptr) return;
  check_channels(*affine, bias);
  const int64_t channels = bias.size();
  auto w = weights.matrix(channels, weights.size() / channels);
  for (int64_t c = 0; c < channels; ++c) w.row(c) *= affine->scale[static_cast<size_t>(c)];
  fold_bias(*affine, bias);
}

void fold_into_columns(const ChannelAffine* affine, Tensor& weights, Tensor& bias) {
  if (affine == nullptr) return;
  check_channels(*affine, bias);
  const int64_t channels = bias.size();
  auto w = weights.matrix(weights.size() / channels, channels);
  for (int64_t c = 0; c < channels; ++c) w.col(c) *= affine->scale[static_cast<size_t>(c)];
  fold_bias(*affine, bias);
}

}  // namespace kiln::nn
