#include "nn/layer_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"

namespace kiln::nn {

namespace {

using Keys = std::set<std::string>;

// The keys each layer type accepts besides "type".
const std::map<std::string, Keys>& allowed_keys() {
  static const std::map<std::string, Keys> keys = {
      {"dense", {"units", "activation"}},
      {"conv1d", {"filters", "kernel", "strides", "padding", "activation"}},
      {"conv2d", {"filters", "kernel", "strides", "padding", "activation"}},
      {"depthwise_conv2d", {"kernel", "strides", "padding", "depth_multiplier", "activation"}},
      {"max_pool1d", {"pool", "strides", "padding"}},
      {"max_pool2d", {"pool", "strides", "padding"}},
      {"average_pool1d", {"pool", "strides", "padding"}},
      {"average_pool2d", {"pool", "strides", "padding"}},
      {"global_average_pool", {}},
      {"flatten", {}},
      {"reshape", {"shape"}},
      {"dropout", {"rate"}},
      {"batchnorm", {"momentum", "epsilon"}},
      {"relu", {}},
      {"relu6", {}},
      {"softmax", {}},
  };
  return keys;
}

bool is_1d(const std::string& type) {
  return type == "conv1d" || type == "max_pool1d" || type == "average_pool1d";
}

int positive_int(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1 << 20)
    throw Error(fmt::format("{}: must be a positive integer", field));
  return v.get<int>();
}

// An integer or a list of one or two; 1-D layers take exactly one.
std::vector<int> window_sizes(const nlohmann::json& v, const std::string& field, bool one_d) {
  std::vector<int> sizes;
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i)
      sizes.push_back(positive_int(v[i], fmt::format("{}[{}]", field, i)));
  } else {
    sizes.push_back(positive_int(v, field));
  }
  if (sizes.empty() || sizes.size() > (one_d ? 1u : 2u))
    throw Error(fmt::format("{}: expected {}", field,
                            one_d ? "one integer" : "an integer or a list of two"));
  return sizes;
}

float number_in(const nlohmann::json& v, const std::string& field, float low, float high,
                bool low_open) {
  if (!v.is_number()) throw Error(fmt::format("{}: must be a number", field));
  const double x = v.get<double>();
  const bool ok = (low_open ? x > low : x >= low) && x < high;
  if (!ok)
    throw Error(
        fmt::format("{}: {} is outside {}{}, {})", field, x, low_open ? "(" : "[", low, high));
  return static_cast<float>(x);
}

std::string one_of(const nlohmann::json& v, const std::string& field,
                   std::initializer_list<const char*> choices) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    for (const char* c : choices)
      if (s == c) return s;
  }
  std::vector<std::string> quoted;
  for (const char* c : choices) quoted.push_back(fmt::format("\"{}\"", c));
  throw Error(fmt::format("{}: must be one of {}", field, fmt::join(quoted, ", ")));
}

}  // namespace

LayerSpec layer_spec_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw Error(fmt::format("{}: a layer must be a JSON object", where));
  if (!json.contains("type") || !json["type"].is_string())
    throw Error(fmt::format("{}.type: missing (a string such as \"dense\")", where));
  LayerSpec spec;
  spec.type = json["type"].get<std::string>();
  const auto found = allowed_keys().find(spec.type);
  if (found == allowed_keys().end())
    throw Error(fmt::format("{}.type: unknown layer type \"{}\"", where, spec.type));
  const Keys& keys = found->second;
  const bool one_d = is_1d(spec.type);

  for (const auto& [key, value] : json.items()) {
    if (key == "type") continue;
    const std::string field = fmt::format("{}.{}", where, key);
    if (!keys.contains(key))
      throw Error(fmt::format("{}: not a setting of a {} layer", field, spec.type));
    if (key == "units") {
      spec.units = positive_int(value, field);
    } else if (key == "filters") {
      spec.filters = positive_int(value, field);
    } else if (key == "kernel") {
      spec.kernel = window_sizes(value, field, one_d);
    } else if (key == "strides") {
      spec.strides = window_sizes(value, field, one_d);
    } else if (key == "pool") {
      spec.pool = window_sizes(value, field, one_d);
    } else if (key == "padding") {
      spec.padding = one_of(value, field, {"same", "valid"});
    } else if (key == "depth_multiplier") {
      spec.depth_multiplier = positive_int(value, field);
    } else if (key == "activation") {
      spec.activation = one_of(value, field, {"none", "relu", "relu6", "softmax"});
      if (spec.activation == "none") spec.activation.clear();
    } else if (key == "rate") {
      spec.rate = number_in(value, field, 0.0f, 1.0f, false);
    } else if (key == "shape") {
      if (!value.is_array() || value.empty())
        throw Error(fmt::format("{}: must be a non-empty list of sizes", field));
      for (size_t i = 0; i < value.size(); ++i) {
        const nlohmann::json& d = value[i];
        if (d.is_number_integer() && d.get<int64_t>() == -1)
          spec.shape.push_back(-1);
        else
          spec.shape.push_back(positive_int(d, fmt::format("{}[{}]", field, i)));
      }
      if (std::count(spec.shape.begin(), spec.shape.end(), -1) > 1)
        throw Error(fmt::format("{}: at most one size may be -1", field));
    } else if (key == "momentum") {
      spec.momentum = number_in(value, field, 0.0f, 1.0f, false);
    } else if (key == "epsilon") {
      spec.epsilon = number_in(value, field, 0.0f, 1.0f, true);
    }
  }

  auto require = [&](bool present, const char* key) {
    if (!present) throw Error(fmt::format("{}.{}: required for a {} layer", where, key, spec.type));
  };
  if (spec.type == "dense") require(spec.units > 0, "units");
  if (spec.type == "conv1d" || spec.type == "conv2d") require(spec.filters > 0, "filters");
  if (keys.contains("kernel")) require(!spec.kernel.empty(), "kernel");
  if (keys.contains("pool")) require(!spec.pool.empty(), "pool");
  if (spec.type == "reshape") require(!spec.shape.empty(), "shape");
  return spec;
}

std::vector<LayerSpec> layer_specs_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_array() || json.empty())
    throw Error(fmt::format("{}: must be a non-empty list of layers", where));
  std::vector<LayerSpec> specs;
  for (size_t i = 0; i < json.size(); ++i)
    specs.push_back(layer_spec_from_json(json[i], fmt::format("{}[{}]", where, i)));
  return specs;
}

nlohmann::json layer_spec_to_json(const LayerSpec& spec) {
  nlohmann::json json = {{"type", spec.type}};
  const auto found = allowed_keys().find(spec.type);
  if (found == allowed_keys().end())
    throw Error(fmt::format("unknown layer type \"{}\"", spec.type));
  auto sizes = [](const std::vector<int>& v) {
    return v.size() == 1 ? nlohmann::json(v[0]) : nlohmann::json(v);
  };
  for (const std::string& key : found->second) {
    if (key == "units") json[key] = spec.units;
    if (key == "filters") json[key] = spec.filters;
    if (key == "kernel") json[key] = sizes(spec.kernel);
    if (key == "strides" && !spec.strides.empty()) json[key] = sizes(spec.strides);
    if (key == "pool") json[key] = sizes(spec.pool);
    if (key == "padding") json[key] = spec.padding;
    if (key == "depth_multiplier") json[key] = spec.depth_multiplier;
    if (key == "activation" && !spec.activation.empty()) json[key] = spec.activation;
    if (key == "rate") json[key] = spec.rate;
    if (key == "shape") json[key] = spec.shape;
    if (key == "momentum") json[key] = spec.momentum;
    if (key == "epsilon") json[key] = spec.epsilon;
  }
  return json;
}

}  // namespace kiln::nn
