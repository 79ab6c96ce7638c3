#include "ir/example_model.h"

#include <cmath>
#include <cstring>

namespace kiln::ir {

namespace {

// xorshift32: tiny, portable and identical everywhere, so the example is byte-identical.
struct Xorshift32 {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  int8_t next_int8() { return static_cast<int8_t>(static_cast<int>(next() % 255) - 127); }
};

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

Quantization per_tensor(float scale, int64_t zero_point) {
  return {{scale}, {zero_point}, 0};
}

struct Builder {
  Model model;
  Xorshift32 rng;

  int32_t add(Tensor t) {
    model.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model.tensors.size() - 1);
  }
  int32_t activation(const char* name, std::vector<int32_t> shape, float scale, int64_t zp) {
    return add({name, std::move(shape), DType::kInt8, per_tensor(scale, zp), {}, false});
  }
  // int8 weights, symmetric per output channel along `axis`, and the matching int32 bias.
  std::pair<int32_t, int32_t> weights(const char* name, std::vector<int32_t> shape, int32_t axis,
                                      float input_scale) {
    Tensor w{name, shape, DType::kInt8, {}, {}, false};
    const int32_t channels = shape[static_cast<size_t>(axis)];
    std::vector<int8_t> values(static_cast<size_t>(w.num_elements()));
    for (auto& v : values) v = rng.next_int8();
    w.data = bytes_of(values);
    w.quant.axis = axis;
    std::vector<int32_t> bias(static_cast<size_t>(channels));
    for (int32_t c = 0; c < channels; ++c) {
      const float scale = 0.004f + 0.001f * static_cast<float>(c % 3);
      w.quant.scale.push_back(scale);
      w.quant.zero_point.push_back(0);
      bias[static_cast<size_t>(c)] = static_cast<int32_t>(rng.next() % 2001) - 1000;
    }
    Tensor b{std::string(name) + "_bias", {channels}, DType::kInt32, {}, bytes_of(bias), false};
    for (int32_t c = 0; c < channels; ++c) {
      b.quant.scale.push_back(input_scale * w.quant.scale[static_cast<size_t>(c)]);
      b.quant.zero_point.push_back(0);
    }
    b.quant.axis = 0;
    return {add(std::move(w)), add(std::move(b))};
  }
};

}  // namespace

Model make_example_model(uint32_t seed) {
  Builder b{{}, {seed == 0 ? 1u : seed}};
  b.model.description = "Kiln example: tiny int8 image classifier with generated weights";
  const float in_scale = 1.0f / 128.0f, act_scale = 0.02f;

  const int32_t input = b.activation("input", {1, 16, 16, 1}, in_scale, 0);
  auto [conv_w, conv_b] = b.weights("conv_weights", {4, 3, 3, 1}, 0, in_scale);
  const int32_t conv_out = b.activation("conv_out", {1, 16, 16, 4}, act_scale, -128);
  auto [dw_w, dw_b] = b.weights("depthwise_weights", {1, 3, 3, 4}, 3, act_scale);
  const int32_t dw_out = b.activation("depthwise_out", {1, 8, 8, 4}, act_scale, -128);
  const int32_t pool_out = b.activation("pool_out", {1, 1, 1, 4}, act_scale, -128);
  const int32_t shape =
      b.add({"reshape_shape", {2}, DType::kInt32, {}, bytes_of(std::vector<int32_t>{1, 4}), false});
  const int32_t flat = b.activation("flat", {1, 4}, act_scale, -128);
  auto [fc_w, fc_b] = b.weights("fc_weights", {3, 4}, 0, act_scale);
  // A fully connected layer takes one weight scale: keep channel 0's.
  b.model.tensors[static_cast<size_t>(fc_w)].quant = per_tensor(0.004f, 0);
  b.model.tensors[static_cast<size_t>(fc_b)].quant = per_tensor(act_scale * 0.004f, 0);
  const int32_t logits = b.activation("logits", {1, 3}, 0.1f, 0);
  const int32_t probs = b.activation("probabilities", {1, 3}, 1.0f / 256.0f, -128);

  auto& ops = b.model.operators;
  ops.push_back({OpType::kConv2D,
                 1,
                 {input, conv_w, conv_b},
                 {conv_out},
                 {},
                 Conv2DOptions{Padding::kSame, 1, 1, 1, 1, Activation::kRelu}});
  ops.push_back({OpType::kDepthwiseConv2D,
                 1,
                 {conv_out, dw_w, dw_b},
                 {dw_out},
                 {},
                 DepthwiseConv2DOptions{Padding::kSame, 2, 2, 1, 1, 1, Activation::kRelu6}});
  ops.push_back({OpType::kAveragePool2D,
                 1,
                 {dw_out},
                 {pool_out},
                 {},
                 Pool2DOptions{Padding::kValid, 8, 8, 8, 8, Activation::kNone}});
  ops.push_back({OpType::kReshape, 1, {pool_out, shape}, {flat}, {}, ReshapeOptions{{1, 4}}});
  ops.push_back({OpType::kFullyConnected,
                 1,
                 {flat, fc_w, fc_b},
                 {logits},
                 {},
                 FullyConnectedOptions{Activation::kNone, false, false}});
  ops.push_back({OpType::kSoftmax, 1, {logits}, {probs}, {}, SoftmaxOptions{1.0f}});
  b.model.inputs = {input};
  b.model.outputs = {probs};
  return b.model;
}

std::vector<uint8_t> make_example_input(uint32_t seed) {
  // A bright diagonal stripe on a noisy background: something a classifier can react to.
  Xorshift32 rng{seed == 0 ? 1u : seed};
  std::vector<uint8_t> bytes(16 * 16);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      int v = static_cast<int>(rng.next() % 41) - 20;
      if (std::abs(x - y) <= 1) v += 90;
      bytes[static_cast<size_t>(y * 16 + x)] = static_cast<uint8_t>(static_cast<int8_t>(v));
    }
  return bytes;
}

}  // namespace kiln::ir
