// The AVX2 int8 kernels' entry points and the plain-data views they run on. The views point into
// buffers owned by the planning classes (conv2d_int8.h, depthwise_conv2d_int8.h,
// fully_connected_int8.h), which build them once per operator; the kernels only read constants
// and write the scratch buffers they are given.
//
// This header holds no inline code: the *_avx2.cpp files are compiled with -mavx2, and an inline
// function instantiated there could be chosen by the linker for code that runs on CPUs without
// AVX2. For the same reason the AVX2 files include no header with inline functions besides
// <immintrin.h> and <cstring>.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::exec::host_simd {

// Output-stage constants of 8 consecutive output channels, one array lane per channel, so the
// kernels requantize 8 accumulators with a few vector instructions. Channels past the real
// count are padding (multiplier 0) whose results are never stored.
struct alignas(32) Int8RequantBlock {
  int32_t bias[8];            // bias plus any constant correction, added with 32-bit wrap-around
  int32_t multiplier[8];      // Q0.31 mantissa
  int32_t left_shift[8];      // max(shift, 0)
  int32_t right_shift[8];     // max(-shift, 0)
  int32_t remainder_mask[8];  // 2^right_shift - 1
  int32_t half_mask[8];       // remainder_mask >> 1: the rounding threshold for x >= 0
};

struct Int8OutputStage {
  const Int8RequantBlock* blocks;  // ceil(channels / 8) blocks
  int32_t output_offset;
  int32_t act_min;  // within [-128, 127]
  int32_t act_max;
};

// Products of rows of int16 values with int8 filters widened to int16, requantized to int8:
// out[r * out_stride + o] for output channel o < channels. A row holds 2 * k_pairs values in
// `segments` pieces of 2 * segment_pairs values, piece s starting segment_stride values after
// piece s - 1 (one piece for a contiguous row; a convolution window read in place has one per
// filter row). The filter is packed as [block of 8 channels][k_pair][channel lane][2 values],
// zero past the real channels and the real depth, so each 32-bit lane of a filter vector meets
// one broadcast pair.
struct Int8GemmView {
  int32_t k_pairs;  // segments * segment_pairs
  int32_t segments;
  int32_t segment_pairs;
  ptrdiff_t segment_stride;
  int32_t channels;
  int32_t channel_blocks;        // ceil(channels / 8)
  const int32_t* packed_filter;  // channel_blocks * k_pairs * 8 words of int16 pairs
  Int8OutputStage output;
};
void int8_gemm_avx2(const Int8GemmView& gemm, const int16_t* const* rows, int32_t row_count,
                    int8_t* output, ptrdiff_t output_stride);

// CONV_2D with one group. The input plus input_offset is widened into `padded`, an int16 image
// of padded_h x padded_w x input_c whose border (zero) is written once at planning. When a
// window's rows are contiguous runs of an even number of values (no column dilation) the product
// reads them in place, one segment per filter row; otherwise each window is first gathered
// into an im2col row.
struct Conv2DInt8View {
  int32_t batches;
  int32_t input_h, input_w, input_c;
  int32_t output_h, output_w;
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w, dilation_h, dilation_w;
  int32_t pad_h, pad_w;
  int32_t padded_h, padded_w;
  int32_t input_offset;
  // Windows read in place: `rows` holds, from planning on, the origin of every output
  // position's window in `padded`, and gemm has one segment per filter row.
  bool rows_in_place;
  int32_t tile_rows;     // otherwise: output positions gathered per product
  int16_t* padded;       // padded_h * padded_w * input_c
  int16_t* im2col;       // tile_rows * 2 * gemm.k_pairs, the odd padding value kept 0
  const int16_t** rows;  // output_h * output_w entries in place, else tile_rows
  Int8GemmView gemm;
};
void conv2d_int8_avx2(const Conv2DInt8View& view, const int8_t* input, int8_t* output);

// DEPTHWISE_CONV_2D. The input plus input_offset is widened into `padded` with each input channel
// repeated depth_multiplier times, so output channel o reads lane o: padded_h x padded_w x
// padded_c (output channels rounded up to 8; border and extra lanes zero). Filter taps are
// taken in pairs: tap_offsets[2q], tap_offsets[2q + 1] are the int16 offsets of pair q's taps
// from a window's origin (an odd last tap is paired with itself and zero weights). The packed
// filter holds, per chunk of 16 channels and tap pair, two vectors of (tap a, tap b) weight pairs
// in the lane order of unpacklo/unpackhi (channels 0-3, 8-11 then 4-7, 12-15); a final chunk of
// 8 channels holds one vector per pair in natural order.
struct DepthwiseConv2DInt8View {
  int32_t batches;
  int32_t input_h, input_w, input_c;
  int32_t depth_multiplier;
  int32_t output_h, output_w, output_c;
  int32_t stride_h, stride_w;
  int32_t pad_h, pad_w;
  int32_t padded_h, padded_w, padded_c;
  int32_t input_offset;
  int32_t tap_pairs;
  const int32_t* tap_offsets;    // 2 * tap_pairs
  const int32_t* packed_filter;  // (padded_c / 8) * tap_pairs * 8 words of int16 pairs
  int16_t* padded;
  Int8OutputStage output;
};
void depthwise_conv2d_int8_avx2(const DepthwiseConv2DInt8View& view, const int8_t* input,
                                int8_t* output);

// FULLY_CONNECTED: each input row plus input_offset is widened into `rows_buffer` (zero past
// input_depth) and multiplied by the filter packed with its filter_offset added.
//
// Small layers (input_depth <= kSmallFullyConnectedDepth) take a direct path instead: each row's
// raw int8 values are loaded into a register and its int16 pairs formed there, the input offset
// being folded into the output stage's bias (bias + input_offset * sum of the filter row with its
// offset, modulo 2^32 like the accumulation), so no row is stored and read back.
constexpr int32_t kSmallFullyConnectedDepth = 16;
struct FullyConnectedInt8View {
  int32_t batches;
  int32_t input_depth;
  int32_t input_offset;
  bool small;            // the direct path; gemm.output has the folded bias
  bool plain_requant;    // one multiplier for all channels, no left shift (requantize8's options)
  int32_t tile_rows;     // rows widened per product
  int16_t* rows_buffer;  // tile_rows * 2 * gemm.k_pairs
  const int16_t** rows;  // tile_rows entries
  Int8GemmView gemm;
};
void fully_connected_int8_avx2(const FullyConnectedInt8View& view, const int8_t* input,
                               int8_t* output);

// A chain of small layers (each `small`, one row, at most 16 output channels, each layer's
// input the previous layer's output): the rows between layers stay in registers, only the last
// layer's output is stored. With a first_table, the first layer has a single input value and
// its output for value x is looked up at first_table[(x + 128) * 16] (16 bytes per row).
void fully_connected_chain_avx2(const FullyConnectedInt8View* const* layers, int32_t count,
                                const int8_t* first_table, const int8_t* input, int8_t* output);

}  // namespace kiln::exec::host_simd
