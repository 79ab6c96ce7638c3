#include "nn/layer_spec.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/presets.h"
#include "nn/sequential.h"

namespace kiln::nn {
namespace {

std::string error_of(const char* json) {
  try {
    layer_spec_from_json(nlohmann::json::parse(json), "model.layers[1]");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LayerSpec, ReadsAConvLayer) {
  const LayerSpec s = layer_spec_from_json(
      nlohmann::json::parse(R"({"type":"conv1d","filters":8,"kernel":3,"activation":"relu"})"),
      "x");
  EXPECT_EQ(s.type, "conv1d");
  EXPECT_EQ(s.filters, 8);
  EXPECT_EQ(s.kernel, (std::vector<int>{3}));
  EXPECT_EQ(s.activation, "relu");
  EXPECT_EQ(s.padding, "valid");
}

TEST(LayerSpec, ErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"type":"conv1d","filters":8,"kernel":3,"units":4})"),
            "model.layers[1].units: not a setting of a conv1d layer");
  EXPECT_EQ(error_of(R"({"type":"conv1d","filters":8,"kernel":[3, 3]})"),
            "model.layers[1].kernel: expected one integer");
  EXPECT_EQ(error_of(R"({"type":"dense"})"), "model.layers[1].units: required for a dense layer");
  EXPECT_EQ(error_of(R"({"type":"dropout","rate":1.5})"),
            "model.layers[1].rate: 1.5 is outside [0, 1)");
  EXPECT_EQ(error_of(R"({"type":"lstm"})"), "model.layers[1].type: unknown layer type \"lstm\"");
  EXPECT_EQ(error_of(R"({"type":"conv2d","filters":4,"kernel":3,"padding":"full"})"),
            "model.layers[1].padding: must be one of \"same\", \"valid\"");
}

TEST(LayerSpec, JsonRoundTripOfEveryPreset) {
  for (const std::string& name : preset_names()) {
    const Shape features = name == "dense" ? Shape{30} : Shape{20, 10};
    for (const LayerSpec& spec : preset_layers(name, features, 4)) {
      EXPECT_EQ(layer_spec_from_json(layer_spec_to_json(spec), name), spec)
          << name << " " << layer_spec_to_json(spec).dump();
    }
  }
}

TEST(LayerSpec, PresetsBuildWithTheExpectedShapes) {
  Sequential conv1d({637}, preset_layers("conv1d-small", {49, 13}, 10), 1);
  // Conv1D(8, k3) 13*3*8 + 8, Conv1D(16, k3) 8*3*16 + 16, Dense 13*16*10 + 10.
  EXPECT_EQ(conv1d.num_trainable_parameters(), 320 + 400 + 2090);
  EXPECT_EQ(conv1d.num_classes(), 10);
  EXPECT_THROW(preset_layers("conv1d-small", {637}, 10), Error);
  EXPECT_THROW(preset_layers("resnet", {49, 13}, 10), Error);
  Sequential ds_cnn({49, 10}, preset_layers("ds-cnn", {49, 10}, 12), 1);
  EXPECT_EQ(ds_cnn.num_classes(), 12);
}

TEST(LayerSpec, ModelMustEndInOneLogitPerClass) {
  LayerSpec reshape;
  reshape.type = "reshape";
  reshape.shape = {2, 2};
  EXPECT_THROW(Sequential({4}, {reshape}, 1), Error);  // samples [2, 2] are not class scores
  LayerSpec dense;
  dense.type = "dense";
  dense.units = 1;
  EXPECT_THROW(Sequential({4}, {dense}, 1), Error);  // one class
  LayerSpec pool;
  pool.type = "max_pool2d";
  pool.pool = {2};
  try {
    Sequential({8, 3}, {pool}, 1);  // 2-D pool on 1-D samples
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[0]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::nn
