#include "exec/executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

#include "core/error.h"
#include "exec/ops/fully_connected.h"

namespace kiln::exec {

namespace {
constexpr size_t kAlignment = 16;
}

Executor::Executor(const ir::Model& model) : model_(model) {
  ir::validate(model_);
  const size_t n = model_.tensors.size();
  buffers_.resize(n);
  memory_.data.assign(n, nullptr);
  for (size_t i = 0; i < n; ++i) {
    const ir::Tensor& t = model_.tensors[i];
    if (t.is_constant() && !t.is_variable) {
      memory_.data[i] = const_cast<uint8_t*>(t.data.data());  // kernels never write inputs
      continue;
    }
    // Over-allocate so the tensor can start on an aligned address.
    buffers_[i].assign(static_cast<size_t>(t.num_bytes()) + kAlignment, 0);
    auto addr = reinterpret_cast<uintptr_t>(buffers_[i].data());
    memory_.data[i] = buffers_[i].data() + ((kAlignment - addr % kAlignment) % kAlignment);
  }
  reset();
  kernels_.reserve(model_.operators.size());
  for (size_t i = 0; i < model_.operators.size();) {
    // Only the inputs and outputs are visible, so operators may be fused where it pays.
    size_t fused = 0;
    if (KernelPtr chain = make_fully_connected_chain_kernel(model_, i, &fused)) {
      kernels_.push_back(std::move(chain));
      i += fused;
      continue;
    }
    kernels_.push_back(make_kernel(model_, model_.operators[i]));
    ++i;
  }
}

const ir::Tensor& Executor::input_tensor(size_t i) const {
  return model_.tensor(model_.inputs.at(i));
}
const ir::Tensor& Executor::output_tensor(size_t i) const {
  return model_.tensor(model_.outputs.at(i));
}

std::span<uint8_t> Executor::input(size_t i) {
  const int32_t index = model_.inputs.at(i);
  return {memory_.data[static_cast<size_t>(index)],
          static_cast<size_t>(model_.tensor(index).num_bytes())};
}

std::span<const uint8_t> Executor::output(size_t i) const {
  const int32_t index = model_.outputs.at(i);
  return {memory_.data[static_cast<size_t>(index)],
          static_cast<size_t>(model_.tensor(index).num_bytes())};
}

void Executor::set_input(size_t i, std::span<const uint8_t> bytes) {
  if (i >= num_inputs())
    throw Error(fmt::format("model has {} inputs, got input number {}", num_inputs(), i + 1));
  std::span<uint8_t> dst = input(i);
  const ir::Tensor& t = input_tensor(i);
  if (bytes.size() != dst.size())
    throw Error(fmt::format("input {} ('{}', {}[{}]) needs {} bytes, got {}", i, t.name,
                            ir::dtype_name(t.dtype), fmt::join(t.shape, "x"), dst.size(),
                            bytes.size()));
  std::memcpy(dst.data(), bytes.data(), bytes.size());
}

void Executor::invoke() {
  for (auto& k : kernels_) k->run(memory_);
}

void Executor::reset() {
  for (size_t i = 0; i < model_.tensors.size(); ++i) {
    const ir::Tensor& t = model_.tensors[i];
    if (!t.is_variable) continue;
    // State starts from the tensor's initial value, or zero when it has none.
    if (t.is_constant())
      std::memcpy(memory_.data[i], t.data.data(), t.data.size());
    else
      std::memset(memory_.data[i], 0, static_cast<size_t>(t.num_bytes()));
  }
}

}  // namespace kiln::exec
