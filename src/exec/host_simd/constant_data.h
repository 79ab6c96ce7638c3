// Constant tensors the AVX2 plans may read ahead of time (filters, biases).
#pragma once

#include <cstdint>

#include "ir/model.h"

namespace kiln::exec::host_simd {

// The data of tensor `index` when it is a constant with all its bytes (fixed once the model is
// loaded, so a plan may pack it), else null. Null for kNoTensor.
template <class T>
const T* constant_data(const ir::Model& model, int32_t index) {
  if (index == ir::kNoTensor) return nullptr;
  const ir::Tensor& t = model.tensor(index);
  if (!t.is_constant() || t.is_variable || ir::dtype_size(t.dtype) != sizeof(T)) return nullptr;
  if (static_cast<int64_t>(t.data.size()) != t.num_bytes()) return nullptr;
  return reinterpret_cast<const T*>(t.data.data());
}

}  // namespace kiln::exec::host_simd
