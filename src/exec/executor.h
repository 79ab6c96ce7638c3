// Host execution of an IR model with Kiln's device kernels: the reference every other path
// (generated code, the device) must match bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"

namespace kiln::exec {

class Executor {
 public:
  // Prepares every operator; throws kiln::Error if any is unsupported or inconsistent.
  // The model must outlive the executor (constants are used in place).
  explicit Executor(const ir::Model& model);

  size_t num_inputs() const { return model_.inputs.size(); }
  size_t num_outputs() const { return model_.outputs.size(); }
  const ir::Tensor& input_tensor(size_t i) const;
  const ir::Tensor& output_tensor(size_t i) const;

  // Copies raw little-endian bytes into input i; throws on a size mismatch.
  void set_input(size_t i, std::span<const uint8_t> bytes);
  std::span<uint8_t> input(size_t i);
  std::span<const uint8_t> output(size_t i) const;

  // Runs all operators in order.
  void invoke();
  // Zeroes state tensors (variable tensors), as after loading.
  void reset();

 private:
  const ir::Model& model_;
  std::vector<KernelPtr> kernels_;
  std::vector<std::vector<uint8_t>> buffers_;  // storage of non-constant tensors (aligned below)
  TensorMemory memory_;
};

}  // namespace kiln::exec
