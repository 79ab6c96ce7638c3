#include "runtime/reshape.h"

#include <string.h>

namespace kiln {
namespace rt {

Status reshape(const ReshapeParams& params, const void* input, void* output) {
  if (params.num_bytes < 0) return kBadArgument;
  if (params.num_bytes == 0 || input == output) return kOk;
  if (input == NULL || output == NULL) return kBadArgument;
  // memmove rather than memcpy: a planner may overlap the two buffers without aliasing them
  // exactly, and memmove stays correct then.
  memmove(output, input, static_cast<size_t>(params.num_bytes));
  return kOk;
}

}  // namespace rt
}  // namespace kiln
