#include "nn/tensor.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::nn {

int64_t shape_size(const Shape& shape) {
  int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

std::string shape_text(const Shape& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

Tensor::Tensor(Shape dims) : shape(std::move(dims)) {
  for (int d : shape)
    if (d < 0)
      throw Error(fmt::format("tensor shape {} has a negative dimension", shape_text(shape)));
  values = Eigen::ArrayXf::Zero(static_cast<Eigen::Index>(shape_size(shape)));
}

Tensor Tensor::batch_of(int batch, const Shape& sample) {
  Shape dims{batch};
  dims.insert(dims.end(), sample.begin(), sample.end());
  return Tensor(std::move(dims));
}

int64_t Tensor::sample_size() const {
  if (shape.empty()) return 0;
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

MatrixView Tensor::matrix(int64_t rows, int64_t cols) {
  if (rows * cols != size())
    throw Error(fmt::format("cannot view {} values as a {}x{} matrix", size(), rows, cols));
  return MatrixView(values.data(), rows, cols);
}

ConstMatrixView Tensor::matrix(int64_t rows, int64_t cols) const {
  if (rows * cols != size())
    throw Error(fmt::format("cannot view {} values as a {}x{} matrix", size(), rows, cols));
  return ConstMatrixView(values.data(), rows, cols);
}

void check_batch_shape(const Tensor& t, const Shape& sample, const char* what) {
  const bool ok = !t.shape.empty() && t.shape.size() == sample.size() + 1 &&
                  std::equal(sample.begin(), sample.end(), t.shape.begin() + 1) &&
                  t.size() == shape_size(t.shape);
  if (!ok)
    throw Error(fmt::format("{}: expected a batch of {} samples, got a tensor of shape {}", what,
                            shape_text(sample), shape_text(t.shape)));
}

}  // namespace kiln::nn
