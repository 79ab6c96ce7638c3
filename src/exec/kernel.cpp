#include "exec/kernel.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::exec {

namespace {
std::string describe(const ir::Model& model, const ir::Operator& op) {
  std::string types;
  for (int32_t i : op.inputs) {
    if (i == ir::kNoTensor) continue;
    if (!types.empty()) types += ", ";
    types += ir::dtype_name(model.tensor(i).dtype);
  }
  return fmt::format("{} with inputs ({})", ir::op_name(op.type), types);
}
}  // namespace

KernelPtr make_kernel(const ir::Model& model, const ir::Operator& op) {
  try {
    if (auto k = make_conv_family_kernel(model, op)) return k;
    if (auto k = make_arithmetic_family_kernel(model, op)) return k;
    if (auto k = make_shape_family_kernel(model, op)) return k;
    if (auto k = make_lstm_family_kernel(model, op)) return k;
  } catch (const Error& e) {
    const std::string prefix = std::string(ir::op_name(op.type)) + ":";
    if (std::string_view(e.what()).starts_with(prefix)) throw;
    throw Error(fmt::format("{} {}", prefix, e.what()));
  }
  throw Error(fmt::format("unsupported operator {}", describe(model, op)));
}

void check_status(rt::Status status, const ir::Operator& op) {
  if (status != rt::kOk)
    throw Error(fmt::format("{} kernel failed with status {}", ir::op_name(op.type),
                            static_cast<int>(status)));
}

}  // namespace kiln::exec
