#include "quant/calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "exec/executor.h"

namespace kiln::quant {

namespace {

void widen(std::optional<TensorRange>& range, std::span<const float> values,
           const ir::Tensor& tensor) {
  for (float v : values) {
    if (!std::isfinite(v))
      throw Error(fmt::format("calibration: tensor '{}' took a non-finite value", tensor.name));
    if (!range) {
      range = TensorRange{v, v};
    } else {
      range->min = std::min(range->min, v);
      range->max = std::max(range->max, v);
    }
  }
}

std::vector<float> as_floats(std::span<const uint8_t> bytes) {
  std::vector<float> values(bytes.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

}  // namespace

std::vector<std::optional<TensorRange>> calibrate(const ir::Model& model,
                                                  std::span<const std::vector<float>> samples) {
  if (model.inputs.size() != 1)
    throw Error(
        fmt::format("calibration: the model has {} inputs, expected 1", model.inputs.size()));
  const int32_t input = model.inputs[0];
  const ir::Tensor& input_tensor = model.tensor(input);
  if (input_tensor.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("calibration: input '{}' is {}, expected float32", input_tensor.name,
                            ir::dtype_name(input_tensor.dtype)));
  if (samples.empty()) throw Error("calibration: no samples");

  // The executor only exposes model outputs, so calibrate a copy whose outputs are every tensor
  // an operator writes; each non-constant tensor has its own buffer, so all stay readable.
  ir::Model probe = model;
  probe.outputs.clear();
  for (const ir::Operator& op : model.operators)
    for (int32_t t : op.outputs)
      if (std::find(probe.outputs.begin(), probe.outputs.end(), t) == probe.outputs.end())
        probe.outputs.push_back(t);
  for (int32_t t : probe.outputs)
    if (model.tensor(t).dtype != ir::DType::kFloat32)
      throw Error(fmt::format("calibration: tensor '{}' is {}, expected float32",
                              model.tensor(t).name, ir::dtype_name(model.tensor(t).dtype)));
  exec::Executor executor(probe);

  std::vector<std::optional<TensorRange>> ranges(model.tensors.size());
  const auto expected = static_cast<size_t>(input_tensor.num_elements());
  for (size_t s = 0; s < samples.size(); ++s) {
    const std::vector<float>& sample = samples[s];
    if (sample.size() != expected)
      throw Error(fmt::format("calibration: sample {} has {} values, the input '{}' takes {}", s,
                              sample.size(), input_tensor.name, expected));
    widen(ranges[static_cast<size_t>(input)], sample, input_tensor);
    executor.set_input(0, std::span(reinterpret_cast<const uint8_t*>(sample.data()),
                                    sample.size() * sizeof(float)));
    executor.invoke();
    for (size_t o = 0; o < probe.outputs.size(); ++o) {
      const int32_t t = probe.outputs[o];
      widen(ranges[static_cast<size_t>(t)], as_floats(executor.output(o)), model.tensor(t));
    }
  }
  return ranges;
}

}  // namespace kiln::quant
