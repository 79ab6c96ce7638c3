// The description of one layer as kiln.json spells it, e.g.
//   {"type": "conv1d", "filters": 8, "kernel": 3, "padding": "same", "activation": "relu"}.
// Types: dense, conv1d, conv2d, depthwise_conv2d, max_pool1d, max_pool2d, average_pool1d,
// average_pool2d, global_average_pool, flatten, reshape, dropout, batchnorm, relu, relu6, softmax.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/tensor.h"

namespace kiln::nn {

struct LayerSpec {
  std::string type;
  int units = 0;                  // dense
  int filters = 0;                // conv1d, conv2d
  std::vector<int> kernel;        // conv: one entry (1-D or square) or [h, w]
  std::vector<int> strides;       // conv (default 1), pooling (default = pool)
  std::vector<int> pool;          // pooling window, one entry or [h, w]
  std::string padding = "valid";  // "same" or "valid"
  int depth_multiplier = 1;       // depthwise_conv2d
  std::string activation;         // dense/conv: "", "relu", "relu6" or "softmax", as its own layer
  float rate = 0.0f;              // dropout
  Shape shape;                    // reshape target per sample, one -1 allowed
  float momentum = 0.99f;         // batchnorm
  float epsilon = 1e-3f;          // batchnorm

  bool operator==(const LayerSpec&) const = default;
};

// Reads one layer; `where` names it in errors ("model.layers[2]"). Unknown types, unknown or
// misplaced keys and out-of-range values throw kiln::Error naming the field.
LayerSpec layer_spec_from_json(const nlohmann::json& json, const std::string& where);
std::vector<LayerSpec> layer_specs_from_json(const nlohmann::json& json, const std::string& where);
// Only the keys that matter for the type.
nlohmann::json layer_spec_to_json(const LayerSpec& spec);

}  // namespace kiln::nn
