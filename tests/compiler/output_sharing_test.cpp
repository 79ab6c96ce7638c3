// The shifted-output analysis: hand-checked deltas for small layers, and the window kernels
// run on overlapping memory at the delta it finds (and below) giving exactly what they give on
// separate buffers.
#include "compiler/output_sharing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "runtime/average_pool2d.h"
#include "runtime/conv2d.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/max_pool2d.h"

namespace kiln::compiler {
namespace {

WindowReads reads(rt::Shape4 in, rt::Shape4 out, rt::Window2D w, int32_t fh, int32_t fw,
                  int32_t outputs_per_group, int32_t inputs_per_group, int64_t element_bytes = 1) {
  return {in, out, w, fh, fw, outputs_per_group, inputs_per_group, element_bytes, element_bytes};
}

constexpr rt::Window2D kUnit = {1, 1, 1, 1, 0, 0};

TEST(ShiftedOutputTest, PointwiseSameDepth) {
  // 3 pixels of 4 channels. Output (p, c) is written after reading pixel p; (p, c + 1) still
  // reads pixel p from byte 4p, so (p, 2) at delta + 4p + 2 must end by 4p: delta <= -3.
  // The last channel of a pixel only has to end before pixel p + 1: delta <= 0.
  EXPECT_EQ(shifted_output_max_delta(reads({1, 1, 3, 4}, {1, 1, 3, 4}, kUnit, 1, 1, 4, 4)), -3);
  // The same in float: every byte count times 4.
  EXPECT_EQ(shifted_output_max_delta(reads({1, 1, 3, 4}, {1, 1, 3, 4}, kUnit, 1, 1, 4, 4, 4)), -12);
}

TEST(ShiftedOutputTest, PointwiseGrowing) {
  // 2 -> 4 channels over 3 pixels: (p, c) for c <= 2 must end by 2p (pixel p's start):
  // delta + 4p + c + 1 <= 2p, worst at p = 2, c = 2: delta <= -7.
  EXPECT_EQ(shifted_output_max_delta(reads({1, 1, 3, 2}, {1, 1, 3, 4}, kUnit, 1, 1, 4, 2)), -7);
}

TEST(ShiftedOutputTest, Depthwise3x3SameStride1) {
  // 3x3 image, one channel, 3x3 window with one pixel of padding. Output (1, 0) at delta + 3
  // must end before (1, 1) reads pixel (0, 0), byte 0: delta <= -4; likewise (1, 1) before
  // (1, 2) reads (0, 1) = byte 1, (2, 0) before (2, 1) reads (1, 0) = byte 3, ... all -4.
  const rt::Window2D same = {1, 1, 1, 1, 1, 1};
  EXPECT_EQ(shifted_output_max_delta(reads({1, 3, 3, 1}, {1, 3, 3, 1}, same, 3, 3, 1, 1)), -4);
}

TEST(ShiftedOutputTest, GlobalPoolMayStartAtItsInput) {
  // 2x2x2 averaged to 1x1x2: channel 0's result at delta + 0 must end before channel 1 reads
  // byte 1: delta <= 0.
  const rt::Window2D valid = {2, 2, 1, 1, 0, 0};
  EXPECT_EQ(shifted_output_max_delta(reads({1, 2, 2, 2}, {1, 1, 1, 2}, valid, 2, 2, 1, 1)), 0);
}

// A random window layer with TFLite SAME or VALID geometry.
struct Geometry {
  rt::Shape4 input, output;
  rt::Window2D window;
  int32_t fh, fw;
};

bool random_geometry(std::mt19937& rng, int32_t out_channels, int32_t in_channels, bool dilate,
                     Geometry& g) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = pick(1, 2), h = pick(1, 8), w = pick(1, 8);
  const int fh = pick(1, 3), fw = pick(1, 3), stride = pick(1, 3), dil = dilate ? pick(1, 2) : 1;
  const int eh = (fh - 1) * dil + 1, ew = (fw - 1) * dil + 1;
  int oh, ow, ph = 0, pw = 0;
  if (pick(0, 1)) {
    oh = (h + stride - 1) / stride;
    ow = (w + stride - 1) / stride;
    ph = std::max((oh - 1) * stride + eh - h, 0) / 2;
    pw = std::max((ow - 1) * stride + ew - w, 0) / 2;
  } else {
    if (h < eh || w < ew) return false;
    oh = (h - eh) / stride + 1;
    ow = (w - ew) / stride + 1;
  }
  g = {{n, h, w, in_channels},
       {n, oh, ow, out_channels},
       {stride, stride, dil, dil, ph, pw},
       fh,
       fw};
  return true;
}

// Runs `kernel(input, output)` with the output at input + delta inside one buffer and returns
// the output.
template <typename T>
std::vector<T> run_overlapped(const std::vector<T>& input, size_t output_elements, int64_t delta,
                              const std::function<void(const T*, T*)>& kernel) {
  const int64_t e = sizeof(T);
  const int64_t in_bytes = static_cast<int64_t>(input.size()) * e;
  const int64_t out_bytes = static_cast<int64_t>(output_elements) * e;
  const int64_t base = std::max<int64_t>(0, -delta);  // input's byte position
  std::vector<T> memory(
      static_cast<size_t>((base + std::max(in_bytes, delta + out_bytes)) / e + 1));
  T* in = memory.data() + base / e;
  std::memcpy(in, input.data(), static_cast<size_t>(in_bytes));
  T* out = in + delta / e;
  kernel(in, out);
  return std::vector<T>(out, out + output_elements);
}

std::vector<int8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  return v;
}

size_t count(const rt::Shape4& s) {
  return static_cast<size_t>(s.n) * s.h * s.w * s.c;
}

// Checks one layer at the analysed delta and below it; `step` keeps float outputs aligned.
template <typename T>
void expect_overlap_safe(const char* what, const WindowReads& r, const std::vector<T>& input,
                         const std::function<void(const T*, T*)>& kernel, int64_t step) {
  std::vector<T> expected(count(r.output));
  kernel(input.data(), expected.data());
  const int64_t delta = shifted_output_max_delta(r);
  for (int64_t d : {delta, delta - step, delta - 5 * step}) {
    ASSERT_EQ(run_overlapped<T>(input, expected.size(), d, kernel), expected)
        << what << " delta " << d << " input " << r.input.n << "x" << r.input.h << "x" << r.input.w
        << "x" << r.input.c << " output " << r.output.h << "x" << r.output.w << "x" << r.output.c
        << " filter " << r.filter_h << "x" << r.filter_w << " stride " << r.window.stride_h;
  }
}

TEST(ShiftedOutputTest, WindowKernelsAreExactOnOverlappingMemory) {
  std::mt19937 rng(31337);
  const int32_t mult[8] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};
  const int32_t shift[8] = {-3, -2, -4, -3, -1, -5, -2, -3};
  int layers = 0;
  for (int trial = 0; layers < 600; ++trial) {
    const int kind = trial % 5;
    Geometry g;
    const int32_t cin = 1 + static_cast<int32_t>(rng() % 4);
    const int32_t groups = kind == 0 && cin % 2 == 0 ? 2 : 1;
    const int32_t dm = 1 + static_cast<int32_t>(rng() % 2);
    const int32_t cout = kind == 0   ? groups * (1 + static_cast<int32_t>(rng() % 3))
                         : kind == 1 ? cin * dm
                         : kind == 4 ? 1 + static_cast<int32_t>(rng() % 4)
                                     : cin;
    if (!random_geometry(rng, cout, cin, kind <= 1 || kind == 4, g)) continue;
    ++layers;
    const std::vector<int8_t> input = random_bytes(count(g.input), rng);
    if (kind == 0) {  // CONV_2D int8, possibly grouped
      const rt::Shape4 fshape = {cout, g.fh, g.fw, cin / groups};
      const std::vector<int8_t> filter = random_bytes(count(fshape), rng);
      const rt::Conv2DParams p = {g.window, 3, -2, -128, 127};
      expect_overlap_safe<int8_t>(
          "conv", reads(g.input, g.output, g.window, g.fh, g.fw, cout / groups, cin / groups),
          input,
          [&](const int8_t* in, int8_t* out) {
            ASSERT_EQ(rt::conv2d_int8(p, mult, shift, g.input, in, fshape, filter.data(), nullptr,
                                      g.output, out),
                      rt::kOk);
          },
          1);
    } else if (kind == 1) {  // DEPTHWISE_CONV_2D int8
      const rt::Shape4 fshape = {1, g.fh, g.fw, cout};
      const std::vector<int8_t> filter = random_bytes(count(fshape), rng);
      const rt::DepthwiseConv2DParams p = {g.window, dm, 5, 1, -128, 127};
      expect_overlap_safe<int8_t>(
          "depthwise", reads(g.input, g.output, g.window, g.fh, g.fw, dm, 1), input,
          [&](const int8_t* in, int8_t* out) {
            ASSERT_EQ(rt::depthwise_conv2d_int8(p, mult, shift, g.input, in, fshape, filter.data(),
                                                nullptr, g.output, out),
                      rt::kOk);
          },
          1);
    } else if (kind == 2 || kind == 3) {  // pooling int8 (no dilation)
      const rt::Pool2DParams p = {g.window, g.fh, g.fw, -128, 127};
      const bool average = kind == 2;
      expect_overlap_safe<int8_t>(
          average ? "average pool" : "max pool",
          reads(g.input, g.output, g.window, g.fh, g.fw, 1, 1), input,
          [&](const int8_t* in, int8_t* out) {
            const rt::Status s = average ? rt::average_pool2d_int8(p, g.input, in, g.output, out)
                                         : rt::max_pool2d_int8(p, g.input, in, g.output, out);
            ASSERT_EQ(s, rt::kOk);
          },
          1);
    } else {  // CONV_2D float: 4-byte elements
      const rt::Shape4 fshape = {cout, g.fh, g.fw, cin};
      std::vector<float> in_f(count(g.input)), filter(count(fshape));
      for (auto& x : in_f) x = static_cast<float>(static_cast<int>(rng() % 200) - 100) / 37.0f;
      for (auto& x : filter) x = static_cast<float>(static_cast<int>(rng() % 200) - 100) / 53.0f;
      const rt::Conv2DFloatParams p = {g.window, -1e30f, 1e30f};
      expect_overlap_safe<float>(
          "conv float", reads(g.input, g.output, g.window, g.fh, g.fw, cout, cin, 4), in_f,
          [&](const float* in, float* out) {
            ASSERT_EQ(
                rt::conv2d_float(p, g.input, in, fshape, filter.data(), nullptr, g.output, out),
                rt::kOk);
          },
          4);
    }
  }
}

}  // namespace
}  // namespace kiln::compiler
