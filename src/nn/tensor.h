// The training engine's tensor: a float32 batch stored row-major (NHWC for images, NWC for
// sequences, NC for vectors) in an Eigen array, so layers can view it as matrices without copying.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::nn {

// Dimensions of one sample (no batch axis) or of a whole batch (batch first), by context.
using Shape = std::vector<int>;

int64_t shape_size(const Shape& shape);      // product of the dimensions (1 for an empty shape)
std::string shape_text(const Shape& shape);  // "[49, 13]"

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixView = Eigen::Map<RowMatrix>;
using ConstMatrixView = Eigen::Map<const RowMatrix>;

struct Tensor {
  Shape shape;            // batch first
  Eigen::ArrayXf values;  // shape_size(shape) floats, last axis fastest

  Tensor() = default;
  explicit Tensor(Shape dims);  // zero-filled
  // A batch of `batch` samples of `sample` shape, zero-filled.
  static Tensor batch_of(int batch, const Shape& sample);

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  int batch() const { return shape.empty() ? 0 : shape[0]; }
  int64_t sample_size() const;  // elements per sample
  float* data() { return values.data(); }
  const float* data() const { return values.data(); }

  // The data as a rows x cols row-major matrix; rows * cols must equal size().
  MatrixView matrix(int64_t rows, int64_t cols);
  ConstMatrixView matrix(int64_t rows, int64_t cols) const;
  // All values as one row (biases, per-channel vectors).
  Eigen::Map<Eigen::RowVectorXf> row_vector() { return {values.data(), values.size()}; }
  Eigen::Map<const Eigen::RowVectorXf> row_vector() const { return {values.data(), values.size()}; }
  // One row per sample.
  MatrixView rows() { return matrix(batch(), sample_size()); }
  ConstMatrixView rows() const { return matrix(batch(), sample_size()); }
};

// Throws kiln::Error unless `t` holds a batch of samples of shape `sample`.
void check_batch_shape(const Tensor& t, const Shape& sample, const char* what);

}  // namespace kiln::nn
