#include "nn/layer.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace kiln::nn {

Shape Layer::build(const Shape& input_shape, const std::string& name, Rng& init_rng) {
  name_ = name;
  for (int d : input_shape)
    if (d < 1)
      throw Error(
          fmt::format("{}: input shape {} has an empty dimension", name, shape_text(input_shape)));
  input_shape_ = input_shape;
  output_shape_ = do_build(input_shape, init_rng);
  for (int d : output_shape_)
    if (d < 1)
      throw Error(fmt::format("{}: input {} gives an empty output {}", name,
                              shape_text(input_shape), shape_text(output_shape_)));
  return output_shape_;
}

void Layer::export_to(ExportGraph&, const Fusion&) const {
  throw Error(fmt::format("{}: a {} layer cannot be exported to TFLite", name_, type()));
}

void Layer::check_input(const Tensor& input) const {
  check_batch_shape(input, input_shape_, name_.c_str());
}

void Layer::check_output_grad(const Tensor& grad, int batch) const {
  check_batch_shape(grad, output_shape_, name_.c_str());
  if (grad.batch() != batch)
    throw Error(fmt::format("{}: backward got a batch of {} after a forward of {}", name_,
                            grad.batch(), batch));
}

void glorot_uniform(Tensor& weights, int64_t fan_in, int64_t fan_out, Rng& rng) {
  const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  for (Eigen::Index i = 0; i < weights.values.size(); ++i)
    weights.values[i] = rng.uniform(-limit, limit);
}

}  // namespace kiln::nn
