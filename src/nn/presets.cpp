#include "nn/presets.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace kiln::nn {

namespace {

LayerSpec layer(std::string type) {
  LayerSpec s;
  s.type = std::move(type);
  return s;
}

LayerSpec reshape(Shape shape) {
  LayerSpec s = layer("reshape");
  s.shape = std::move(shape);
  return s;
}

LayerSpec conv(const char* type, int filters, std::vector<int> kernel, std::vector<int> strides,
               const char* activation) {
  LayerSpec s = layer(type);
  s.filters = filters;
  s.kernel = std::move(kernel);
  s.strides = std::move(strides);
  s.padding = "same";
  s.activation = activation;
  return s;
}

LayerSpec pool(const char* type, std::vector<int> size) {
  LayerSpec s = layer(type);
  s.pool = std::move(size);
  s.padding = "same";
  return s;
}

LayerSpec dropout(float rate) {
  LayerSpec s = layer("dropout");
  s.rate = rate;
  return s;
}

LayerSpec dense(int units, const char* activation) {
  LayerSpec s = layer("dense");
  s.units = units;
  s.activation = activation;
  return s;
}

// [H, W] -> [H, W, 1]; [H, W, C] as it is.
Shape image_shape(const std::string& preset, const Shape& feature_shape) {
  if (feature_shape.size() == 2) return {feature_shape[0], feature_shape[1], 1};
  if (feature_shape.size() == 3) return feature_shape;
  throw Error(fmt::format("preset {} needs 2-D features ([H, W] or [H, W, C]), got {}", preset,
                          shape_text(feature_shape)));
}

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"conv1d-small", "conv1d-medium", "conv2d-small",
                                                 "dense", "ds-cnn"};
  return names;
}

std::vector<LayerSpec> preset_layers(const std::string& name, const Shape& feature_shape,
                                     int num_classes) {
  if (num_classes < 2)
    throw Error(fmt::format("a classifier needs 2 or more classes, got {}", num_classes));
  for (int d : feature_shape)
    if (d < 1)
      throw Error(
          fmt::format("feature shape {} has an empty dimension", shape_text(feature_shape)));
  if (name == "conv1d-small") {
    if (feature_shape.size() != 2)
      throw Error(
          fmt::format("preset conv1d-small needs features of shape [frames, coefficients], "
                      "got {}",
                      shape_text(feature_shape)));
    return {reshape(feature_shape),
            conv("conv1d", 8, {3}, {}, "relu"),
            pool("max_pool1d", {2}),
            dropout(0.25f),
            conv("conv1d", 16, {3}, {}, "relu"),
            pool("max_pool1d", {2}),
            dropout(0.25f),
            layer("flatten"),
            dense(num_classes, "")};
  }
  if (name == "conv1d-medium") {
    if (feature_shape.size() != 2)
      throw Error(
          fmt::format("preset conv1d-medium needs features of shape [frames, coefficients], "
                      "got {}",
                      shape_text(feature_shape)));
    std::vector<LayerSpec> layers = {reshape(feature_shape)};
    const int filters[] = {32, 64, 64};
    for (int i = 0; i < 3; ++i) {
      LayerSpec c = conv("conv1d", filters[i], {3}, {}, "");
      c.padding = "same";
      layers.push_back(c);
      layers.push_back(layer("batchnorm"));
      layers.push_back(layer("relu"));
      if (i < 2) layers.push_back(pool("max_pool1d", {2}));
    }
    layers.push_back(dropout(0.3f));
    layers.push_back(layer("global_average_pool"));
    layers.push_back(dense(num_classes, ""));
    return layers;
  }
  if (name == "conv2d-small") {
    return {reshape(image_shape(name, feature_shape)),
            conv("conv2d", 8, {3}, {}, "relu"),
            pool("max_pool2d", {2}),
            conv("conv2d", 16, {3}, {}, "relu"),
            pool("max_pool2d", {2}),
            dropout(0.25f),
            layer("flatten"),
            dense(num_classes, "")};
  }
  if (name == "dense") {
    return {layer("flatten"), dense(20, "relu"), dense(10, "relu"), dense(num_classes, "")};
  }
  if (name == "ds-cnn") {
    const Shape image = image_shape(name, feature_shape);
    const int filters = 64;
    std::vector<LayerSpec> layers = {
        reshape(image),
        conv("conv2d", filters, {std::min(10, image[0]), std::min(4, image[1])}, {2}, ""),
        layer("batchnorm"), layer("relu"), dropout(0.2f)};
    for (int block = 0; block < 4; ++block) {
      LayerSpec depthwise = layer("depthwise_conv2d");
      depthwise.kernel = {3};
      depthwise.padding = "same";
      layers.push_back(depthwise);
      layers.push_back(layer("batchnorm"));
      layers.push_back(layer("relu"));
      layers.push_back(conv("conv2d", filters, {1}, {}, ""));
      layers.push_back(layer("batchnorm"));
      layers.push_back(layer("relu"));
    }
    layers.push_back(dropout(0.4f));
    layers.push_back(layer("global_average_pool"));
    layers.push_back(dense(num_classes, ""));
    return layers;
  }
  throw Error(fmt::format("unknown model preset \"{}\" (known: {})", name,
                          fmt::join(preset_names(), ", ")));
}

}  // namespace kiln::nn
