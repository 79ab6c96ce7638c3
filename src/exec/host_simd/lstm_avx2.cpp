// UNIDIRECTIONAL_SEQUENCE_LSTM int8 with AVX2 (lstm_avx2_kernel.h). The arithmetic after the
// products is that of rt::lstm_int8_fast (runtime/lstm_fast.cpp), 8 units per vector: see the
// proofs there for the table interpolation and the mirrored roundings.
#include "exec/host_simd/avx2_util.h"
#include "exec/host_simd/lstm_avx2_kernel.h"

namespace kiln::exec::host_simd {

namespace {

constexpr int kGates = 4;

// The output step with this kernel's blocks, whose real lanes all share one multiplier (the
// parameters are per gate, not per unit; see lstm_avx2_kernel.h for the padding lanes); the
// left shift only where some block has one.
template <bool kLeftShift>
KILN_AVX2_INLINE __m256i requantize(__m256i acc, const Int8RequantBlock& q, __m256i output_offset,
                                    __m256i act_min, __m256i act_max) {
  return requantize8<kLeftShift, true>(acc, q, output_offset, act_min, act_max);
}

// Clamp bounds, set up once per call. (Zero is written as _mm256_setzero_si256() where used, so
// the compiler drops the additions of a zero output offset.)
struct Bounds {
  __m256i int16_min, int16_max, int8_min, int8_max;
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

// acc + the sums of the pairwise int16 products of `pair` and the 8 words at w, per 32-bit
// lane: vpmaddwd and vpaddd, or the single AVX-VNNI vpdpwssd doing both. Both wrap modulo 2^32
// (vpdpwssd is the non-saturating form), so they give the same lanes.
template <bool kVnni>
KILN_AVX2_INLINE __m256i add_pair_products(__m256i acc, __m256i pair, const int32_t* w) {
  if constexpr (kVnni) {
    // Inline assembly, since this file is compiled for AVX2 only; run only where
    // avx_vnni_available().
    asm("%{vex%} vpdpwssd %2, %1, %0"
        : "+x"(acc)
        : "x"(pair), "m"(*reinterpret_cast<const __m256i*>(w)));
    return acc;
  } else {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pair, load8(w)));
  }
}

// acc[g] += row . filter of gate g for one block of 8 units. Four named accumulators, so that
// they stay in registers across the loop (with the inline assembly an array was kept in memory).
template <bool kVnni>
KILN_AVX2_INLINE void multiply_gates(const int16_t* row, int32_t pairs, const int32_t* filter,
                                     ptrdiff_t gate_stride, __m256i acc[kGates]) {
  __m256i a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  for (int32_t p = 0; p < pairs; ++p) {
    const __m256i pair = broadcast_pair(row + 2 * p);
    const int32_t* w = filter + static_cast<ptrdiff_t>(p) * 8;
    a0 = add_pair_products<kVnni>(a0, pair, w);
    a1 = add_pair_products<kVnni>(a1, pair, w + gate_stride);
    a2 = add_pair_products<kVnni>(a2, pair, w + 2 * gate_stride);
    a3 = add_pair_products<kVnni>(a3, pair, w + 3 * gate_stride);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

// multiply_gates for two neighbouring blocks (block_stride words apart) at once.
template <bool kVnni>
KILN_AVX2_INLINE void multiply_gates_two_blocks(const int16_t* row, int32_t pairs,
                                                const int32_t* filter, ptrdiff_t block_stride,
                                                ptrdiff_t gate_stride, __m256i acc[2][kGates]) {
  __m256i a0 = acc[0][0], a1 = acc[0][1], a2 = acc[0][2], a3 = acc[0][3];
  __m256i b0 = acc[1][0], b1 = acc[1][1], b2 = acc[1][2], b3 = acc[1][3];
  for (int32_t p = 0; p < pairs; ++p) {
    const __m256i pair = broadcast_pair(row + 2 * p);
    const int32_t* w = filter + static_cast<ptrdiff_t>(p) * 8;
    const int32_t* x = w + block_stride;
    a0 = add_pair_products<kVnni>(a0, pair, w);
    a1 = add_pair_products<kVnni>(a1, pair, w + gate_stride);
    a2 = add_pair_products<kVnni>(a2, pair, w + 2 * gate_stride);
    a3 = add_pair_products<kVnni>(a3, pair, w + 3 * gate_stride);
    b0 = add_pair_products<kVnni>(b0, pair, x);
    b1 = add_pair_products<kVnni>(b1, pair, x + gate_stride);
    b2 = add_pair_products<kVnni>(b2, pair, x + 2 * gate_stride);
    b3 = add_pair_products<kVnni>(b3, pair, x + 3 * gate_stride);
  }
  acc[0][0] = a0;
  acc[0][1] = a1;
  acc[0][2] = a2;
  acc[0][3] = a3;
  acc[1][0] = b0;
  acc[1][1] = b1;
  acc[1][2] = b2;
  acc[1][3] = b3;
}

// The requantized, clamped W x + b of every gate and block of every row of the sequence
// (v.input_parts, [row][gate][block]): they do not depend on the recurrence, so they are
// computed ahead of it, where the rows' long dependency chains overlap freely.
template <bool kVnni, bool kLeftShift>
void input_parts(const LstmInt8Avx2View& v, const Bounds& b, const int8_t* input) {
  const ptrdiff_t gate_stride = static_cast<ptrdiff_t>(v.unit_blocks) * v.input_pairs * 8;
  const int32_t rows = v.batch * v.time_steps;
  __m256i* out = reinterpret_cast<__m256i*>(v.input_parts);
  for (int32_t row = 0; row < rows; ++row) {
    widen_row_with_offset(input + static_cast<ptrdiff_t>(row) * v.input_size, v.widened_input,
                          v.input_size, 0);
    int32_t block = 0;
    // Two blocks at a time: each broadcast pair serves eight filter vectors.
    for (; block + 2 <= v.unit_blocks; block += 2) {
      __m256i acc[2][kGates] = {{_mm256_setzero_si256(), _mm256_setzero_si256(),
                                 _mm256_setzero_si256(), _mm256_setzero_si256()},
                                {_mm256_setzero_si256(), _mm256_setzero_si256(),
                                 _mm256_setzero_si256(), _mm256_setzero_si256()}};
      multiply_gates_two_blocks<kVnni>(
          v.widened_input, v.input_pairs,
          v.input_filter + static_cast<ptrdiff_t>(block) * v.input_pairs * 8,
          static_cast<ptrdiff_t>(v.input_pairs) * 8, gate_stride, acc);
      for (int k = 0; k < 2; ++k)
        for (int g = 0; g < kGates; ++g) {
          const int32_t at = g * v.unit_blocks + block + k;
          _mm256_store_si256(
              out + at, requantize<kLeftShift>(acc[k][g], v.input_requant[at],
                                               _mm256_setzero_si256(), b.int16_min, b.int16_max));
        }
    }
    if (block < v.unit_blocks) {
      __m256i acc[kGates] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                             _mm256_setzero_si256()};
      multiply_gates<kVnni>(v.widened_input, v.input_pairs,
                            v.input_filter + static_cast<ptrdiff_t>(block) * v.input_pairs * 8,
                            gate_stride, acc);
      for (int g = 0; g < kGates; ++g) {
        const int32_t at = g * v.unit_blocks + block;
        _mm256_store_si256(
            out + at, requantize<kLeftShift>(acc[g], v.input_requant[at], _mm256_setzero_si256(),
                                             b.int16_min, b.int16_max));
      }
    }
    out += kGates * v.unit_blocks;
  }
}

// Per-call constants of the recurrence, set up once per call.
struct StepConstants {
  __m256i hidden_offset, tanh_multiplier, tanh_rounding, clip_lo, clip_hi;
  __m128i tanh_shift;
  ptrdiff_t state_gate_stride;  // words between two gates' recurrent filters
  ptrdiff_t block_words;        // words of one block's recurrent filter of one gate
};

// Gates and new cell state of blocks [first, first + N): each step done for all N blocks before
// the next, so the blocks' chains interleave. The output gates are kept for stage 2.
template <bool kVnni, bool kLeftShift, int N>
KILN_AVX2_INLINE void gates_and_cell(const LstmInt8Avx2View& v, const Bounds& b,
                                     const StepConstants& c, int32_t first,
                                     const __m256i* input_part, const int16_t* old_hidden,
                                     __m256i* cell_lanes, __m256i* output_gates) {
  // The Q3.12 pre-activations of the blocks' four gates.
  __m256i gate[N][kGates];
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    __m256i acc[kGates] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                           _mm256_setzero_si256()};
    multiply_gates<kVnni>(old_hidden, v.state_pairs,
                          v.recurrent_filter + (first + k) * c.block_words, c.state_gate_stride,
                          acc);
#pragma GCC unroll 4
    for (int g = 0; g < kGates; ++g) gate[k][g] = acc[g];
  }
#pragma GCC unroll 4
  for (int g = 0; g < kGates; ++g)
#pragma GCC unroll 3
    for (int k = 0; k < N; ++k) {
      const int32_t at = g * v.unit_blocks + first + k;
      const __m256i h = requantize<kLeftShift>(gate[k][g], v.recurrent_requant[at],
                                               _mm256_setzero_si256(), b.int16_min, b.int16_max);
      gate[k][g] = clamp16(_mm256_add_epi32(_mm256_load_si256(input_part + at), h), b);
    }
  __m256i input_gate[N], forget_gate[N], cell_gate[N], output_gate[N];
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    input_gate[k] = sigmoid_gate(gate[k][0], v.sigmoid_pairs);
    forget_gate[k] = sigmoid_gate(gate[k][1], v.sigmoid_pairs);
    cell_gate[k] =
        v.tanh_cell_gate
            ? tanh_on_axis(_mm256_add_epi32(gate[k][2], _mm256_slli_epi32(gate[k][2], 1)),
                           v.sigmoid_pairs)
            : sigmoid_gate(gate[k][2], v.sigmoid_pairs);
    output_gate[k] = sigmoid_gate(gate[k][3], v.sigmoid_pairs);
  }
  // Cell state (lanes past the real units hold values never written back).
  __m256i kept[N], added[N];
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    const __m256i old_cell = _mm256_load_si256(cell_lanes + first + k);
    kept[k] =
        requantize<kLeftShift>(_mm256_mullo_epi32(forget_gate[k], old_cell), *v.forget_cell_requant,
                               _mm256_setzero_si256(), b.int16_min, b.int16_max);
    added[k] = requantize<kLeftShift>(_mm256_mullo_epi32(input_gate[k], cell_gate[k]),
                                      *v.input_cell_requant, _mm256_setzero_si256(), b.int16_min,
                                      b.int16_max);
  }
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    const __m256i new_cell = _mm256_min_epi32(
        _mm256_max_epi32(clamp16(_mm256_add_epi32(kept[k], added[k]), b), c.clip_lo), c.clip_hi);
    _mm256_store_si256(cell_lanes + first + k, new_cell);
    _mm256_store_si256(output_gates + first + k, output_gate[k]);
  }
}

// Hidden values of blocks [first, first + N), interleaved like gates_and_cell: the row for the
// next step's product (int16, one 16-byte store per block) and the output.
template <bool kLeftShift, int N>
KILN_AVX2_INLINE void hidden_values(const LstmInt8Avx2View& v, const Bounds& b,
                                    const StepConstants& c, int32_t first,
                                    const __m256i* cell_lanes, const __m256i* output_gates,
                                    int16_t* new_hidden, int8_t* output) {
  __m256i cell_tanh[N];
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    const __m256i axis = _mm256_sra_epi32(
        _mm256_add_epi32(
            _mm256_mullo_epi32(_mm256_load_si256(cell_lanes + first + k), c.tanh_multiplier),
            c.tanh_rounding),
        c.tanh_shift);
    cell_tanh[k] = tanh_on_axis(axis, v.sigmoid_pairs);
  }
#pragma GCC unroll 3
  for (int k = 0; k < N; ++k) {
    const __m256i h = requantize<kLeftShift>(
        _mm256_mullo_epi32(cell_tanh[k], _mm256_load_si256(output_gates + first + k)),
        *v.hidden_requant, c.hidden_offset, b.int8_min, b.int8_max);
    const __m256i words = _mm256_packs_epi32(h, h);  // per 128-bit half: h0-3 h0-3 | h4-7 h4-7
    const __m128i ordered =
        _mm_unpacklo_epi64(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    const int32_t unit = (first + k) * 8;
    _mm_store_si128(reinterpret_cast<__m128i*>(new_hidden + unit), ordered);
    store_bytes_partial(output + unit, _mm_packs_epi16(ordered, ordered), v.state_size - unit);
  }
}

// One row (one batch at one time step), all of it per block of 8 units while the block's
// values are in registers. The recurrent product reads the previous hidden values of this
// batch, widened (`old_hidden`); the new ones go to `new_hidden` (the other of the batch's two
// rows), so every block reads the old values. The cell state is kept as int32 lanes
// (`cell_lanes`) for the whole call.
template <bool kVnni, bool kLeftShift>
void row_step(const LstmInt8Avx2View& v, const Bounds& b, const StepConstants& c,
              const __m256i* input_part, const int16_t* old_hidden, int16_t* new_hidden,
              __m256i* cell_lanes, int8_t* output) {
  __m256i* const output_gates = reinterpret_cast<__m256i*>(v.output_gates);
  // Stage 1: gates and cell state of every block, up to three blocks interleaved step by step
  // so that their independent dependency chains run side by side.
  int32_t block = 0;
  for (; block + 3 <= v.unit_blocks; block += 3)
    gates_and_cell<kVnni, kLeftShift, 3>(v, b, c, block, input_part, old_hidden, cell_lanes,
                                         output_gates);
  for (; block + 2 <= v.unit_blocks; block += 2)
    gates_and_cell<kVnni, kLeftShift, 2>(v, b, c, block, input_part, old_hidden, cell_lanes,
                                         output_gates);
  if (block < v.unit_blocks)
    gates_and_cell<kVnni, kLeftShift, 1>(v, b, c, block, input_part, old_hidden, cell_lanes,
                                         output_gates);
  // Stage 2: the hidden values of every block, interleaved likewise.
  for (block = 0; block + 3 <= v.unit_blocks; block += 3)
    hidden_values<kLeftShift, 3>(v, b, c, block, cell_lanes, output_gates, new_hidden, output);
  for (; block + 2 <= v.unit_blocks; block += 2)
    hidden_values<kLeftShift, 2>(v, b, c, block, cell_lanes, output_gates, new_hidden, output);
  if (block < v.unit_blocks)
    hidden_values<kLeftShift, 1>(v, b, c, block, cell_lanes, output_gates, new_hidden, output);
}

template <bool kVnni, bool kLeftShift>
void run_lstm(const LstmInt8Avx2View& v, const int8_t* input, int8_t* hidden, int16_t* cell,
              int8_t* output) {
  const Bounds b = {_mm256_set1_epi32(-32768), _mm256_set1_epi32(32767), _mm256_set1_epi32(-128),
                    _mm256_set1_epi32(127)};
  StepConstants c;
  c.hidden_offset = _mm256_set1_epi32(v.hidden_zero_point);
  c.tanh_multiplier = _mm256_set1_epi32(v.cell_tanh_multiplier);
  c.tanh_rounding = _mm256_set1_epi32(v.cell_tanh_shift > 0 ? (1 << (v.cell_tanh_shift - 1)) : 0);
  c.tanh_shift = _mm_cvtsi32_si128(v.cell_tanh_shift);
  c.clip_hi = _mm256_set1_epi32(v.use_cell_clip ? v.cell_clip : 32767);
  c.clip_lo = _mm256_set1_epi32(v.use_cell_clip ? -v.cell_clip : -32768);
  c.block_words = static_cast<ptrdiff_t>(v.state_pairs) * 8;
  c.state_gate_stride = static_cast<ptrdiff_t>(v.unit_blocks) * c.block_words;

  // Per batch: two widened hidden rows (old and new alternate with the time step) and the cell
  // lanes, loaded from the states now and written back at the end.
  const ptrdiff_t row_values = static_cast<ptrdiff_t>(v.unit_blocks) * 8;
  __m256i* const cell_lanes = reinterpret_cast<__m256i*>(v.cell_lanes);
  for (int32_t batch = 0; batch < v.batch; ++batch) {
    const int8_t* h = hidden + static_cast<ptrdiff_t>(batch) * v.state_size;
    const int16_t* s = cell + static_cast<ptrdiff_t>(batch) * v.state_size;
    int16_t* row = v.hidden_rows + 2 * batch * row_values;
    int32_t* lanes = v.cell_lanes + batch * row_values;
    for (int32_t i = 0; i < v.state_size; ++i) {
      row[i] = h[i];
      lanes[i] = s[i];
    }
  }

  input_parts<kVnni, kLeftShift>(v, b, input);
  const __m256i* parts = reinterpret_cast<const __m256i*>(v.input_parts);
  // Rows in the reference's order (they are independent, so any order gives the same bytes).
  for (int32_t outer = 0; outer < (v.time_major ? v.time_steps : v.batch); ++outer)
    for (int32_t inner = 0; inner < (v.time_major ? v.batch : v.time_steps); ++inner) {
      const int32_t batch = v.time_major ? inner : outer;
      const int32_t step = v.time_major ? outer : inner;
      const ptrdiff_t row =
          static_cast<ptrdiff_t>(outer) * (v.time_major ? v.batch : v.time_steps) + inner;
      int16_t* rows = v.hidden_rows + 2 * batch * row_values;
      row_step<kVnni, kLeftShift>(v, b, c, parts + row * kGates * v.unit_blocks,
                                  rows + (step & 1) * row_values,
                                  rows + ((step + 1) & 1) * row_values,
                                  cell_lanes + batch * v.unit_blocks, output + row * v.state_size);
    }

  // The states take the last step's values.
  for (int32_t batch = 0; batch < v.batch; ++batch) {
    const int16_t* row = v.hidden_rows + 2 * batch * row_values + (v.time_steps & 1) * row_values;
    const int32_t* lanes = v.cell_lanes + batch * row_values;
    int8_t* h = hidden + static_cast<ptrdiff_t>(batch) * v.state_size;
    int16_t* s = cell + static_cast<ptrdiff_t>(batch) * v.state_size;
    for (int32_t i = 0; i < v.state_size; ++i) {
      h[i] = static_cast<int8_t>(row[i]);
      s[i] = static_cast<int16_t>(lanes[i]);
    }
  }
}

}  // namespace

void lstm_int8_avx2(const LstmInt8Avx2View& v, const int8_t* input, int8_t* hidden, int16_t* cell,
                    int8_t* output) {
  if (v.use_vnni) {
    if (v.left_shifts)
      run_lstm<true, true>(v, input, hidden, cell, output);
    else
      run_lstm<true, false>(v, input, hidden, cell, output);
  } else {
    if (v.left_shifts)
      run_lstm<false, true>(v, input, hidden, cell, output);
    else
      run_lstm<false, false>(v, input, hidden, cell, output);
  }
}

}  // namespace kiln::exec::host_simd
