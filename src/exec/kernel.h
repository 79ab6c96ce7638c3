// A prepared operator on the host: built once from the IR (validating shapes and computing every
// constant the device kernel needs), then run many times on tensor memory.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ir/model.h"
#include "runtime/common.h"

namespace kiln::exec {

// Where each IR tensor lives during an invocation, by tensor index. Constants point into the
// IR's data; activations into the executor's buffers. Absent optional inputs have no entry.
struct TensorMemory {
  std::vector<uint8_t*> data;

  template <typename T>
  T* get(int32_t index) const {
    return reinterpret_cast<T*>(data.at(static_cast<size_t>(index)));
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Runs the operator; throws kiln::Error if the device kernel reports a failure.
  virtual void run(const TensorMemory& memory) = 0;
};

using KernelPtr = std::unique_ptr<Kernel>;

// Builds the kernel for one operator. Throws kiln::Error naming the operator and types when it
// is unsupported or its tensors are inconsistent.
KernelPtr make_kernel(const ir::Model& model, const ir::Operator& op);

// Throws kiln::Error if a device kernel returned a failure status.
void check_status(rt::Status status, const ir::Operator& op);

// Operator families, each in its own file under exec/ops/. Each returns nullptr for operators
// it does not handle, so make_kernel can ask them in turn.
// Convolutions, fully connected, pooling.
KernelPtr make_conv_family_kernel(const ir::Model& model, const ir::Operator& op);
// Arithmetic: add/sub/mul, softmax, logistic, tanh, leaky relu, (de)quantize, mean.
KernelPtr make_arithmetic_family_kernel(const ir::Model& model, const ir::Operator& op);
// Data movement and clamps: reshape/squeeze/expand_dims, relu/relu6, pad, concat, slice,
// transpose.
KernelPtr make_shape_family_kernel(const ir::Model& model, const ir::Operator& op);
// Recurrent: unidirectional sequence LSTM.
KernelPtr make_lstm_family_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
