// Float32 kernel benchmark firmware for the emulated Cortex-M4F (QEMU mps2-an386), run by
// bench/float_kernels_m4.sh. For each realistic layer shape it calls Kiln's float kernel and
// then a plain nested loop written here (the same math in the same summation order, compiled at
// -O2 with the firmware's flags), both from inside run_float_kernel_cases(), so the counting
// plugin samples each call: the cost of kernel A, then of plain loop B, for every case.
// Afterwards it compares the two outputs bit for bit and prints one line per case.
#include <stdint.h>
#include <string.h>

#include "kiln_probe.h"
#include "kiln_semihost.h"
#include "runtime/add.h"
#include "runtime/average_pool2d.h"
#include "runtime/broadcast.h"
#include "runtime/conv2d.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/float_math.h"
#include "runtime/fully_connected.h"
#include "runtime/softmax.h"

namespace {

using kiln::rt::Shape4;
using kiln::rt::Status;
using kiln::rt::Window2D;

// ---------------------------------------------------------------------------------------------
// Plain loops: the textbook form of each operator. noipa keeps GCC from specialising them on
// the constant shapes below, which Kiln's kernels (compiled separately) cannot see either.

#define KILN_PLAIN __attribute__((noipa))

float clamp(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Ordinary convolution (groups = 1), reference order: rows, columns, input channels.
KILN_PLAIN void plain_conv2d(const kiln::rt::Conv2DFloatParams& p, const Shape4& is,
                             const float* input, const Shape4& fs, const float* filter,
                             const float* bias, const Shape4& os, float* output) {
  for (int n = 0; n < os.n; ++n)
    for (int oy = 0; oy < os.h; ++oy)
      for (int ox = 0; ox < os.w; ++ox)
        for (int oc = 0; oc < os.c; ++oc) {
          float acc = 0.0f;
          for (int ky = 0; ky < fs.h; ++ky) {
            const int iy = oy * p.window.stride_h - p.window.pad_h + ky * p.window.dilation_h;
            if (iy < 0 || iy >= is.h) continue;
            for (int kx = 0; kx < fs.w; ++kx) {
              const int ix = ox * p.window.stride_w - p.window.pad_w + kx * p.window.dilation_w;
              if (ix < 0 || ix >= is.w) continue;
              for (int ic = 0; ic < is.c; ++ic)
                acc += input[((n * is.h + iy) * is.w + ix) * is.c + ic] *
                       filter[((oc * fs.h + ky) * fs.w + kx) * fs.c + ic];
            }
          }
          output[((n * os.h + oy) * os.w + ox) * os.c + oc] =
              clamp(acc + bias[oc], p.act_min, p.act_max);
        }
}

KILN_PLAIN void plain_depthwise_conv2d(const kiln::rt::DepthwiseConv2DFloatParams& p,
                                       const Shape4& is, const float* input, const Shape4& fs,
                                       const float* filter, const float* bias, const Shape4& os,
                                       float* output) {
  for (int n = 0; n < os.n; ++n)
    for (int oy = 0; oy < os.h; ++oy)
      for (int ox = 0; ox < os.w; ++ox)
        for (int ic = 0; ic < is.c; ++ic)
          for (int m = 0; m < p.depth_multiplier; ++m) {
            const int oc = ic * p.depth_multiplier + m;
            float acc = 0.0f;
            for (int ky = 0; ky < fs.h; ++ky) {
              const int iy = oy * p.window.stride_h - p.window.pad_h + ky * p.window.dilation_h;
              if (iy < 0 || iy >= is.h) continue;
              for (int kx = 0; kx < fs.w; ++kx) {
                const int ix = ox * p.window.stride_w - p.window.pad_w + kx * p.window.dilation_w;
                if (ix < 0 || ix >= is.w) continue;
                acc += input[((n * is.h + iy) * is.w + ix) * is.c + ic] *
                       filter[(ky * fs.w + kx) * fs.c + oc];
              }
            }
            output[((n * os.h + oy) * os.w + ox) * os.c + oc] =
                clamp(acc + bias[oc], p.act_min, p.act_max);
          }
}

KILN_PLAIN void plain_fully_connected(const kiln::rt::FullyConnectedFloatParams& p,
                                      const kiln::rt::FullyConnectedDims& d, const float* input,
                                      const float* filter, const float* bias, float* output) {
  for (int b = 0; b < d.batches; ++b)
    for (int o = 0; o < d.output_depth; ++o) {
      float acc = 0.0f;
      for (int i = 0; i < d.input_depth; ++i)
        acc += input[b * d.input_depth + i] * filter[o * d.input_depth + i];
      output[b * d.output_depth + o] = clamp(acc + bias[o], p.act_min, p.act_max);
    }
}

// Average over the part of the window inside the input; the divisor is that part's size.
KILN_PLAIN void plain_average_pool2d(const kiln::rt::Pool2DFloatParams& p, const Shape4& is,
                                     const float* input, const Shape4& os, float* output) {
  for (int n = 0; n < os.n; ++n)
    for (int oy = 0; oy < os.h; ++oy)
      for (int ox = 0; ox < os.w; ++ox)
        for (int c = 0; c < os.c; ++c) {
          float acc = 0.0f;
          int count = 0;
          for (int ky = 0; ky < p.filter_h; ++ky) {
            const int iy = oy * p.window.stride_h - p.window.pad_h + ky;
            if (iy < 0 || iy >= is.h) continue;
            for (int kx = 0; kx < p.filter_w; ++kx) {
              const int ix = ox * p.window.stride_w - p.window.pad_w + kx;
              if (ix < 0 || ix >= is.w) continue;
              acc += input[((n * is.h + iy) * is.w + ix) * is.c + c];
              ++count;
            }
          }
          output[((n * os.h + oy) * os.w + ox) * os.c + c] =
              clamp(acc / static_cast<float>(count), p.act_min, p.act_max);
        }
}

// Elementwise sum of two tensors of the same shape.
KILN_PLAIN void plain_add(const kiln::rt::FloatActivationParams& p, int size, const float* a,
                          const float* b, float* output) {
  for (int i = 0; i < size; ++i) output[i] = clamp(a[i] + b[i], p.activation_min, p.activation_max);
}

// Softmax over rows with Kiln's exp (the plain loop measures the loop structure, not exp).
KILN_PLAIN void plain_softmax(const kiln::rt::SoftmaxFloatParams& p, const float* input,
                              float* output) {
  for (int r = 0; r < p.outer_size; ++r) {
    const float* in = input + r * p.depth;
    float* out = output + r * p.depth;
    float max_value = in[0];
    for (int i = 1; i < p.depth; ++i)
      if (in[i] > max_value) max_value = in[i];
    float sum = 0.0f;
    for (int i = 0; i < p.depth; ++i) {
      out[i] = kiln::rt::exp_float((in[i] - max_value) * p.beta);
      sum += out[i];
    }
    for (int i = 0; i < p.depth; ++i) out[i] /= sum;
  }
}

// ---------------------------------------------------------------------------------------------
// Data: deterministic pseudo-random values in [-1, 1) with full 24-bit mantissas, so the
// roundings of every sum are exercised.

const int kInputFloats = 32 * 32 * 16;
const int kFilterFloats = 640 * 128;
const int kOutputFloats = 65536;  // all cases' outputs side by side

float g_input[kInputFloats];
float g_input2[kInputFloats];
float g_filter[kFilterFloats];
float g_bias[256];
float g_out_kiln[kOutputFloats];
float g_out_plain[kOutputFloats];

void fill(float* data, int count, uint32_t seed) {
  uint32_t state = seed;
  for (int i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    data[i] = static_cast<float>(static_cast<int32_t>(state >> 8) - (1 << 23)) * (1.0f / (1 << 23));
  }
}

// ---------------------------------------------------------------------------------------------
// Cases. Shapes follow KWS DS-CNN (49x10 MFCC input) and a small 32x32 image CNN.

enum Kind { kConv, kDepthwise, kFullyConnected, kAveragePool, kAdd, kSoftmax };

struct Case {
  Kind kind;
  const char* kernel;
  const char* shape;
  Shape4 input;
  // conv: [C_out, KH, KW, C_in]; depthwise: [1, KH, KW, C_out]; pool: [1, KH, KW, 1]
  Shape4 filter;
  Shape4 output;
  Window2D window;
  float act_min;
  float act_max;
};

Window2D window(int stride, int pad_h, int pad_w) {
  Window2D w;
  w.stride_h = stride;
  w.stride_w = stride;
  w.dilation_h = 1;
  w.dilation_w = 1;
  w.pad_h = pad_h;
  w.pad_w = pad_w;
  return w;
}

const float kRelu = 3.4e38f;

// Filled by main (C++11: no designated initialisers, and this keeps the table readable).
const int kCases = 14;
Case g_cases[kCases];
Status g_status[2 * kCases];
kiln::rt::BroadcastShape g_add_shape;

void define_cases() {
  // One case per line: kind, kernel, shape label, input, filter, output, window, clamp.
  // clang-format off
  const Case cases[kCases] = {
    {kConv, "conv2d_float", "kws 49x10x1 -> 25x5x64, 10x4 s2",
     {1, 49, 10, 1}, {64, 10, 4, 1}, {1, 25, 5, 64}, window(2, 4, 1), 0.0f, kRelu},
    {kDepthwise, "depthwise_conv2d_float", "25x5x64, 3x3 s1 same",
     {1, 25, 5, 64}, {1, 3, 3, 64}, {1, 25, 5, 64}, window(1, 1, 1), 0.0f, kRelu},
    {kConv, "conv2d_float", "pointwise 25x5x64 -> 64",
     {1, 25, 5, 64}, {64, 1, 1, 64}, {1, 25, 5, 64}, window(1, 0, 0), 0.0f, kRelu},
    {kConv, "conv2d_float", "32x32x8 -> 16, 3x3 s1 same",
     {1, 32, 32, 8}, {16, 3, 3, 8}, {1, 32, 32, 16}, window(1, 1, 1), 0.0f, kRelu},
    // SAME padding with stride 2: (16 - 1) * 2 + 3 - 32 = 1 padding row/column, all after.
    {kDepthwise, "depthwise_conv2d_float", "32x32x16, 3x3 s2 same",
     {1, 32, 32, 16}, {1, 3, 3, 16}, {1, 16, 16, 16}, window(2, 0, 0), 0.0f, 6.0f},
    {kFullyConnected, "fully_connected_float", "640 -> 128",
     {1, 1, 1, 640}, {128, 1, 1, 640}, {1, 1, 1, 128}, window(1, 0, 0), -kRelu, kRelu},
    {kAveragePool, "average_pool2d_float", "kws 25x5x64 -> 1x1x64",
     {1, 25, 5, 64}, {1, 25, 5, 1}, {1, 1, 1, 64}, window(1, 0, 0), -kRelu, kRelu},
    {kAveragePool, "average_pool2d_float", "32x32x16, 2x2 s2",
     {1, 32, 32, 16}, {1, 2, 2, 1}, {1, 16, 16, 16}, window(2, 0, 0), -kRelu, kRelu},
    {kAdd, "add_float", "25x5x64 + 25x5x64",
     {1, 25, 5, 64}, {1, 1, 1, 1}, {1, 25, 5, 64}, window(1, 0, 0), -kRelu, kRelu},
    // Odd sizes: blocks of channels plus leftovers, runs that are not multiples of 4.
    {kConv, "conv2d_float", "odd 12x12x3 -> 10, 3x3 s1 same",
     {1, 12, 12, 3}, {10, 3, 3, 3}, {1, 12, 12, 10}, window(1, 1, 1), -1.0f, 1.0f},
    {kDepthwise, "depthwise_conv2d_float", "odd 12x12x13, 3x3 s1 same",
     {1, 12, 12, 13}, {1, 3, 3, 13}, {1, 12, 12, 13}, window(1, 1, 1), -1.0f, 1.0f},
    {kFullyConnected, "fully_connected_float", "odd 250 -> 10",
     {1, 1, 1, 250}, {10, 1, 1, 250}, {1, 1, 1, 10}, window(1, 0, 0), -kRelu, kRelu},
    {kDepthwise, "depthwise_conv2d_float", "multiplier 2: 10x10x4 -> 8, 3x3",
     {1, 10, 10, 4}, {1, 3, 3, 8}, {1, 10, 10, 8}, window(1, 1, 1), -kRelu, kRelu},
    {kSoftmax, "softmax_float", "1x12",
     {1, 1, 1, 12}, {1, 1, 1, 1}, {1, 1, 1, 12}, window(1, 0, 0), 0.0f, 0.0f},
  };
  // clang-format on
  for (int i = 0; i < kCases; ++i) g_cases[i] = cases[i];
}

// Runs case `c` with Kiln's kernel (use_kiln) or the plain loop into `output`.
inline __attribute__((always_inline)) Status run_case(const Case& c, bool use_kiln, float* output) {
  switch (c.kind) {
    case kConv: {
      const kiln::rt::Conv2DFloatParams p = {c.window, c.act_min, c.act_max};
      if (use_kiln)
        return kiln::rt::conv2d_float(p, c.input, g_input, c.filter, g_filter, g_bias, c.output,
                                      output);
      plain_conv2d(p, c.input, g_input, c.filter, g_filter, g_bias, c.output, output);
      return kiln::rt::kOk;
    }
    case kDepthwise: {
      const kiln::rt::DepthwiseConv2DFloatParams p = {c.window, c.output.c / c.input.c, c.act_min,
                                                      c.act_max};
      if (use_kiln)
        return kiln::rt::depthwise_conv2d_float(p, c.input, g_input, c.filter, g_filter, g_bias,
                                                c.output, output);
      plain_depthwise_conv2d(p, c.input, g_input, c.filter, g_filter, g_bias, c.output, output);
      return kiln::rt::kOk;
    }
    case kFullyConnected: {
      const kiln::rt::FullyConnectedFloatParams p = {c.act_min, c.act_max};
      const kiln::rt::FullyConnectedDims d = {c.input.n, c.input.c, c.output.c};
      if (use_kiln) return kiln::rt::fully_connected_float(p, d, g_input, g_filter, g_bias, output);
      plain_fully_connected(p, d, g_input, g_filter, g_bias, output);
      return kiln::rt::kOk;
    }
    case kAveragePool: {
      const kiln::rt::Pool2DFloatParams p = {c.window, c.filter.h, c.filter.w, c.act_min,
                                             c.act_max};
      if (use_kiln) return kiln::rt::average_pool2d_float(p, c.input, g_input, c.output, output);
      plain_average_pool2d(p, c.input, g_input, c.output, output);
      return kiln::rt::kOk;
    }
    case kAdd: {
      const kiln::rt::FloatActivationParams p = {c.act_min, c.act_max};
      if (use_kiln) return kiln::rt::add_float(p, g_add_shape, g_input, g_input2, output);
      plain_add(p, kiln::rt::shape4_size(c.output), g_input, g_input2, output);
      return kiln::rt::kOk;
    }
    case kSoftmax: {
      const kiln::rt::SoftmaxFloatParams p = {c.input.n * c.input.h * c.input.w, c.input.c, 1.0f};
      if (use_kiln) return kiln::rt::softmax_float(p, g_input, output);
      plain_softmax(p, g_input, output);
      return kiln::rt::kOk;
    }
  }
  return kiln::rt::kUnsupported;
}

int32_t output_floats(const Case& c) {
  return kiln::rt::shape4_size(c.output);
}

}  // namespace

// The measured function: its call instructions are what the plugin samples. run_case is
// inlined into it, so the samples are exactly the kernel calls and the plain-loop calls, in
// case order (kernel, plain, kernel, plain, ...); the switch and argument set-up around each
// call add a handful of instructions to the neighbouring sample.
extern "C" __attribute__((noinline)) void run_float_kernel_cases(void) {
  int32_t offset = 0;
  for (int i = 0; i < kCases; ++i) {
    const Case& c = g_cases[i];
    g_status[2 * i] = run_case(c, true, g_out_kiln + offset);
    g_status[2 * i + 1] = run_case(c, false, g_out_plain + offset);
    offset += output_floats(c);
  }
}

namespace {

void write_u32(uint32_t value) {
  char text[12];
  int pos = 11;
  text[pos] = '\0';
  do {
    text[--pos] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  kiln_semihost_write(text + pos);
}

uint32_t case_macs(const Case& c) {
  const uint32_t outputs = static_cast<uint32_t>(output_floats(c));
  switch (c.kind) {
    case kConv:
      return outputs * static_cast<uint32_t>(c.filter.h * c.filter.w * c.filter.c);
    case kDepthwise:
      return outputs * static_cast<uint32_t>(c.filter.h * c.filter.w);
    case kFullyConnected:
      return outputs * static_cast<uint32_t>(c.input.c);
    case kAveragePool:
      return outputs * static_cast<uint32_t>(c.filter.h * c.filter.w);
    default:
      return outputs;
  }
}

}  // namespace

int main(void) {
  define_cases();
  fill(g_input, kInputFloats, 1u);
  fill(g_input2, kInputFloats, 2u);
  fill(g_filter, kFilterFloats, 3u);
  fill(g_bias, 256, 4u);
  // Different fill patterns: an element a kernel forgets to write cannot compare equal.
  memset(g_out_kiln, 0x7A, sizeof g_out_kiln);
  memset(g_out_plain, 0x7B, sizeof g_out_plain);
  int32_t total = 0;
  for (int i = 0; i < kCases; ++i) total += output_floats(g_cases[i]);
  if (total > kOutputFloats) {
    kiln_semihost_write("FLOATBENCH_ERROR output buffers too small\n");
    return 2;
  }
  const int32_t dims[4] = {1, 25, 5, 64};
  if (kiln::rt::broadcast_shape_init(dims, 4, dims, 4, &g_add_shape) != kiln::rt::kOk) return 2;

  kiln_profile_begin();
  run_float_kernel_cases();
  kiln_profile_end();

  int32_t offset = 0;
  int failures = 0;
  for (int i = 0; i < kCases; ++i) {
    const Case& c = g_cases[i];
    const int32_t n = output_floats(c);
    const bool ok = g_status[2 * i] == kiln::rt::kOk && g_status[2 * i + 1] == kiln::rt::kOk;
    const bool equal =
        ok && memcmp(g_out_kiln + offset, g_out_plain + offset, sizeof(float) * n) == 0;
    if (!equal) ++failures;
    // "FLOATBENCH <kernel>|<shape>|<macs>|<equal>"
    kiln_semihost_write("FLOATBENCH ");
    kiln_semihost_write(c.kernel);
    kiln_semihost_write("|");
    kiln_semihost_write(c.shape);
    kiln_semihost_write("|");
    write_u32(case_macs(c));
    kiln_semihost_write(equal ? "|yes\n" : "|NO\n");
    offset += n;
  }
  kiln_semihost_write("FLOATBENCH_DONE\n");
  return failures == 0 ? 0 : 1;
}
