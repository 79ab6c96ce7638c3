// RESHAPE, SQUEEZE and EXPAND_DIMS on the device: the element bytes stay as they are and only
// the shape that describes them changes, so the kernel is a plain copy (skipped when the
// compiler has placed input and output in the same buffer).
#ifndef KILN_RUNTIME_RESHAPE_H_
#define KILN_RUNTIME_RESHAPE_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct ReshapeParams {
  int32_t num_bytes;  // size of the input (and output) tensor in bytes
};

Status reshape(const ReshapeParams& params, const void* input, void* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_RESHAPE_H_
