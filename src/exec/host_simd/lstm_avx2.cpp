// UNIDIRECTIONAL_SEQUENCE_LSTM int8 with AVX2 (lstm_avx2_kernel.h). The arithmetic after the
// products is that of rt::lstm_int8_fast (runtime/lstm_fast.cpp), 8 units per vector: see the
// proofs there for the table interpolation and the mirrored roundings.
#include "exec/host_simd/avx2_util.h"
#include "exec/host_simd/lstm_avx2_kernel.h"

namespace kiln::exec::host_simd {

namespace {

constexpr int kGates = 4;

struct Bounds {
  __m256i zero, int16_min, int16_max, int8_min, int8_max;
};

// sigmoid in Q0.15 of Q3.12 lanes: r = 3x on the table axis (512 steps per entry, |r| < 255 *
// 512), entry and step from one gathered word and one vpmaddwd, mirrored for r < 0.
KILN_AVX2_INLINE __m256i sigmoid_gate(__m256i q312, const uint32_t* pairs) {
  const __m256i r = _mm256_add_epi32(q312, _mm256_slli_epi32(q312, 1));
  const __m256i magnitude = _mm256_abs_epi32(r);
  const __m256i words = _mm256_i32gather_epi32(reinterpret_cast<const int*>(pairs),
                                               _mm256_srli_epi32(magnitude, 9), 4);
  const __m256i v = _mm256_or_si256(_mm256_and_si256(magnitude, _mm256_set1_epi32(0x1FF)),
                                    _mm256_set1_epi32(512 << 16));
  const __m256i rounded = _mm256_srli_epi32(
      _mm256_add_epi32(_mm256_madd_epi16(words, v), _mm256_set1_epi32((1 << 24) + 512)), 10);
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), r);
  return _mm256_blendv_epi8(rounded, _mm256_sub_epi32(_mm256_set1_epi32(32768), rounded), negative);
}

// tanh in Q0.15 of r on the table axis read with 256 steps per entry, clamped at the last entry.
KILN_AVX2_INLINE __m256i tanh_on_axis(__m256i r, const uint32_t* pairs) {
  const __m256i magnitude = _mm256_min_epu32(_mm256_abs_epi32(r), _mm256_set1_epi32(255 << 8));
  const __m256i words = _mm256_i32gather_epi32(reinterpret_cast<const int*>(pairs),
                                               _mm256_srli_epi32(magnitude, 8), 4);
  const __m256i v = _mm256_or_si256(_mm256_and_si256(magnitude, _mm256_set1_epi32(0xFF)),
                                    _mm256_set1_epi32(256 << 16));
  const __m256i rounded =
      _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(words, v), _mm256_set1_epi32(128)), 8);
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), r);
  return _mm256_blendv_epi8(rounded, _mm256_sub_epi32(_mm256_setzero_si256(), rounded), negative);
}

KILN_AVX2_INLINE __m256i clamp16(__m256i v, const Bounds& b) {
  return _mm256_min_epi32(_mm256_max_epi32(v, b.int16_min), b.int16_max);
}

// acc[g] += row . filter of gate g for one block of 8 units.
KILN_AVX2_INLINE void multiply_gates(const int16_t* row, int32_t pairs, const int32_t* filter,
                                     ptrdiff_t gate_stride, __m256i acc[kGates]) {
  for (int32_t p = 0; p < pairs; ++p) {
    const __m256i pair = broadcast_pair(row + 2 * p);
    const int32_t* w = filter + static_cast<ptrdiff_t>(p) * 8;
#pragma GCC unroll 4
    for (int g = 0; g < kGates; ++g)
      acc[g] = _mm256_add_epi32(acc[g], _mm256_madd_epi16(pair, load8(w + g * gate_stride)));
  }
}

// The requantized, clamped W x + b of every gate and block of every row of the sequence
// (v.input_parts, [row][gate][block]): they do not depend on the recurrence, so they are
// computed ahead of it, where the rows' long dependency chains overlap freely.
void input_parts(const LstmInt8Avx2View& v, const Bounds& b, const int8_t* input) {
  const ptrdiff_t gate_stride = static_cast<ptrdiff_t>(v.unit_blocks) * v.input_pairs * 8;
  const int32_t rows = v.batch * v.time_steps;
  __m256i* out = reinterpret_cast<__m256i*>(v.input_parts);
  for (int32_t row = 0; row < rows; ++row) {
    widen_row_with_offset(input + static_cast<ptrdiff_t>(row) * v.input_size, v.widened_input,
                          v.input_size, 0);
    for (int32_t block = 0; block < v.unit_blocks; ++block) {
      __m256i acc[kGates] = {b.zero, b.zero, b.zero, b.zero};
      multiply_gates(v.widened_input, v.input_pairs,
                     v.input_filter + static_cast<ptrdiff_t>(block) * v.input_pairs * 8,
                     gate_stride, acc);
      for (int g = 0; g < kGates; ++g) {
        const int32_t at = g * v.unit_blocks + block;
        _mm256_store_si256(
            out + at, requantize8(acc[g], v.input_requant[at], b.zero, b.int16_min, b.int16_max));
      }
    }
    out += kGates * v.unit_blocks;
  }
}

void row_step(const LstmInt8Avx2View& v, const Bounds& b, const __m256i* input_part, int8_t* hidden,
              int16_t* cell, int8_t* output) {
  widen_row_with_offset(hidden, v.widened_hidden, v.state_size, 0);
  const ptrdiff_t state_gate_stride = static_cast<ptrdiff_t>(v.unit_blocks) * v.state_pairs * 8;
  const __m256i hidden_offset = _mm256_set1_epi32(v.hidden_zero_point);
  const __m256i tanh_multiplier = _mm256_set1_epi32(v.cell_tanh_multiplier);
  const __m256i tanh_rounding =
      _mm256_set1_epi32(v.cell_tanh_shift > 0 ? (1 << (v.cell_tanh_shift - 1)) : 0);
  const __m128i tanh_shift = _mm_cvtsi32_si128(v.cell_tanh_shift);
  const __m256i clip_hi = _mm256_set1_epi32(v.use_cell_clip ? v.cell_clip : 32767);
  const __m256i clip_lo = _mm256_set1_epi32(v.use_cell_clip ? -v.cell_clip : -32768);

  __m256i* const gates = reinterpret_cast<__m256i*>(v.gates);  // [gate][block]
  // Stage 1: the Q3.12 pre-activations of every gate and block.
  for (int32_t block = 0; block < v.unit_blocks; ++block) {
    __m256i from_hidden[kGates] = {b.zero, b.zero, b.zero, b.zero};
    multiply_gates(v.widened_hidden, v.state_pairs,
                   v.recurrent_filter + static_cast<ptrdiff_t>(block) * v.state_pairs * 8,
                   state_gate_stride, from_hidden);
    for (int g = 0; g < kGates; ++g) {
      const int32_t at = g * v.unit_blocks + block;
      const __m256i x = _mm256_load_si256(input_part + at);
      const __m256i h =
          requantize8(from_hidden[g], v.recurrent_requant[at], b.zero, b.int16_min, b.int16_max);
      _mm256_store_si256(gates + at, clamp16(_mm256_add_epi32(x, h), b));
    }
  }
  // Stage 2: the activations, in place.
  for (int32_t at = 0; at < kGates * v.unit_blocks; ++at) {
    const __m256i pre = _mm256_load_si256(gates + at);
    const bool cell_gate = at / v.unit_blocks == 2;
    _mm256_store_si256(
        gates + at,
        cell_gate && v.tanh_cell_gate
            ? tanh_on_axis(_mm256_add_epi32(pre, _mm256_slli_epi32(pre, 1)), v.sigmoid_pairs)
            : sigmoid_gate(pre, v.sigmoid_pairs));
  }
  // Stage 3: cell state and hidden state of every block.
  for (int32_t block = 0; block < v.unit_blocks; ++block) {
    const __m256i input_gate = _mm256_load_si256(gates + block);
    const __m256i forget_gate = _mm256_load_si256(gates + v.unit_blocks + block);
    const __m256i cell_gate = _mm256_load_si256(gates + 2 * v.unit_blocks + block);
    const __m256i output_gate = _mm256_load_si256(gates + 3 * v.unit_blocks + block);

    // The block's cell values (the last block may be partial: staged through a zeroed buffer).
    const int32_t first = block * 8;
    const int32_t count = v.state_size - first < 8 ? v.state_size - first : 8;
    alignas(16) int16_t staged[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    const int16_t* cell_at = cell + first;
    if (count < 8) {
      std::memcpy(staged, cell_at, static_cast<size_t>(count) * sizeof(int16_t));
      cell_at = staged;
    }
    const __m256i old_cell =
        _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(cell_at)));
    const __m256i kept = requantize8(_mm256_mullo_epi32(forget_gate, old_cell),
                                     *v.forget_cell_requant, b.zero, b.int16_min, b.int16_max);
    const __m256i added = requantize8(_mm256_mullo_epi32(input_gate, cell_gate),
                                      *v.input_cell_requant, b.zero, b.int16_min, b.int16_max);
    const __m256i new_cell = _mm256_min_epi32(
        _mm256_max_epi32(clamp16(_mm256_add_epi32(kept, added), b), clip_lo), clip_hi);
    const __m256i cell_words = _mm256_packs_epi32(new_cell, new_cell);
    const __m128i cell_values = _mm_unpacklo_epi64(_mm256_castsi256_si128(cell_words),
                                                   _mm256_extracti128_si256(cell_words, 1));
    if (count == 8) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cell + first), cell_values);
    } else {
      _mm_store_si128(reinterpret_cast<__m128i*>(staged), cell_values);
      std::memcpy(cell + first, staged, static_cast<size_t>(count) * sizeof(int16_t));
    }

    const __m256i axis = _mm256_sra_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(new_cell, tanh_multiplier), tanh_rounding), tanh_shift);
    const __m256i cell_tanh = tanh_on_axis(axis, v.sigmoid_pairs);
    const __m256i h = requantize8(_mm256_mullo_epi32(cell_tanh, output_gate), *v.hidden_requant,
                                  hidden_offset, b.int8_min, b.int8_max);
    store_int8x8(output + first, h, count);
  }
  std::memcpy(hidden, output, static_cast<size_t>(v.state_size));
}

}  // namespace

void lstm_int8_avx2(const LstmInt8Avx2View& v, const int8_t* input, int8_t* hidden, int16_t* cell,
                    int8_t* output) {
  const Bounds b = {_mm256_setzero_si256(), _mm256_set1_epi32(-32768), _mm256_set1_epi32(32767),
                    _mm256_set1_epi32(-128), _mm256_set1_epi32(127)};
  input_parts(v, b, input);
  const __m256i* parts = reinterpret_cast<const __m256i*>(v.input_parts);
  // Rows in the reference's order (they are independent, so any order gives the same bytes).
  for (int32_t outer = 0; outer < (v.time_major ? v.time_steps : v.batch); ++outer)
    for (int32_t inner = 0; inner < (v.time_major ? v.batch : v.time_steps); ++inner) {
      const int32_t batch = v.time_major ? inner : outer;
      const ptrdiff_t row =
          static_cast<ptrdiff_t>(outer) * (v.time_major ? v.batch : v.time_steps) + inner;
      row_step(v, b, parts + row * kGates * v.unit_blocks,
               hidden + static_cast<ptrdiff_t>(batch) * v.state_size,
               cell + static_cast<ptrdiff_t>(batch) * v.state_size, output + row * v.state_size);
    }
}

}  // namespace kiln::exec::host_simd
