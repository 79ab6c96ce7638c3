// kiln inspect MODEL.tflite [--json]: what a model takes, returns and costs.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "ir/model.h"
#include "ir/op_stats.h"
#include "tflite/reader.h"

namespace kiln::cli {

namespace {

std::string type_and_shape(const ir::Tensor& t) {
  return fmt::format("{}[{}]", ir::dtype_name(t.dtype), fmt::join(t.shape, "x"));
}

std::string quant_text(const ir::Tensor& t) {
  if (t.quant.empty()) return "";
  if (t.quant.per_channel())
    return fmt::format("per-channel ({} scales, axis {})", t.quant.scale.size(), t.quant.axis);
  return fmt::format("scale {:.9g} zero_point {}", t.quant.scale[0], t.quant.zero_point[0]);
}

nlohmann::json tensor_json(const ir::Tensor& t) {
  nlohmann::json j{{"name", t.name},
                   {"dtype", ir::dtype_name(t.dtype)},
                   {"shape", t.shape},
                   {"bytes", t.num_bytes()}};
  if (!t.quant.empty()) {
    j["scale"] = t.quant.scale;
    j["zero_point"] = t.quant.zero_point;
    if (t.quant.per_channel()) j["quantized_dimension"] = t.quant.axis;
  }
  return j;
}

std::string operand_list(const ir::Model& m, const std::vector<int32_t>& indices) {
  std::vector<std::string> parts;
  for (int32_t i : indices) parts.push_back(i == ir::kNoTensor ? "-" : type_and_shape(m.tensor(i)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

void inspect(const std::string& path, bool json) {
  const ir::Model m = tflite::read_model_file(path);
  const ir::ModelStats stats = ir::model_stats(m);
  if (json) {
    nlohmann::json j;
    j["model"] = path;
    j["description"] = m.description;
    for (int32_t i : m.inputs) j["inputs"].push_back(tensor_json(m.tensor(i)));
    for (int32_t i : m.outputs) j["outputs"].push_back(tensor_json(m.tensor(i)));
    j["operators"] = nlohmann::json::array();
    for (const ir::Operator& op : m.operators) {
      nlohmann::json o{{"op", ir::op_name(op.type)}, {"macs", ir::op_macs(m, op)}};
      for (int32_t i : op.inputs)
        o["inputs"].push_back(i == ir::kNoTensor ? nlohmann::json() : tensor_json(m.tensor(i)));
      for (int32_t i : op.outputs) o["outputs"].push_back(tensor_json(m.tensor(i)));
      j["operators"].push_back(o);
    }
    j["totals"] = {{"operators", m.operators.size()},
                   {"parameters", stats.parameters},
                   {"weight_bytes", stats.constant_bytes},
                   {"macs", stats.macs}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("model: {}\n", path);
  if (!m.description.empty()) fmt::print("description: {}\n", m.description);
  fmt::print("inputs:\n");
  for (size_t k = 0; k < m.inputs.size(); ++k) {
    const ir::Tensor& t = m.tensor(m.inputs[k]);
    fmt::print("  {}  {:<24} {:<20} {}\n", k, t.name, type_and_shape(t), quant_text(t));
  }
  fmt::print("outputs:\n");
  for (size_t k = 0; k < m.outputs.size(); ++k) {
    const ir::Tensor& t = m.tensor(m.outputs[k]);
    fmt::print("  {}  {:<24} {:<20} {}\n", k, t.name, type_and_shape(t), quant_text(t));
  }
  fmt::print("operators:\n");
  for (size_t k = 0; k < m.operators.size(); ++k) {
    const ir::Operator& op = m.operators[k];
    fmt::print("  {:>3}  {:<30} {} -> {}  MACs {}\n", k, ir::op_name(op.type),
               operand_list(m, op.inputs), operand_list(m, op.outputs), ir::op_macs(m, op));
  }
  fmt::print("totals: {} operators, {} parameters, {} weight bytes, {} MACs\n", m.operators.size(),
             stats.parameters, stats.constant_bytes, stats.macs);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inspect", "Show a .tflite model's inputs, outputs, operators (shapes, MACs) and totals");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("MODEL", *path, "model file (.tflite)")->required();
  cmd->add_flag("--json", *json, "print machine-readable JSON");
  cmd->callback([path, json] { inspect(*path, *json); });
}

}  // namespace kiln::cli
