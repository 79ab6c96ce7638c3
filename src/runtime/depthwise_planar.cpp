#include "runtime/depthwise_planar.h"

#include <string.h>

#include "runtime/simd32.h"

namespace kiln {
namespace rt {

namespace {

// One 16-bit entry into scratch (memcpy: the scratch is read back as words).
inline void store2(int16_t* p, int32_t v) {
  const int16_t h = static_cast<int16_t>(v);
  memcpy(p, &h, 2);
}

// One channel's 3x3 taps as 16-bit pairs: row k gives (w_k0, w_k1) and (w_k1, w_k2), at
// words 2k and 2k + 1, and the six words repeat once, so that words 2j .. 2j + 5 are the rows
// j, j + 1, j + 2 (mod 3): a rotation of the ring is a pointer offset. With by_columns the
// window is transposed, so that "row" k means filter column k.
void channel_taps(const int8_t* filter, int32_t channels, int32_t c, bool by_columns,
                  int32_t* taps) {
  for (int32_t k = 0; k < 3; ++k) {
    const int32_t i0 = by_columns ? k : 3 * k;
    const int32_t step = by_columns ? 3 : 1;
    const int32_t w0 = filter[i0 * channels + c];
    const int32_t w1 = filter[(i0 + step) * channels + c];
    const int32_t w2 = filter[(i0 + 2 * step) * channels + c];
    taps[2 * k] = taps[2 * k + 6] = simd32::pack_halves(w0, w1);
    taps[2 * k + 1] = taps[2 * k + 7] = simd32::pack_halves(w1, w2);
  }
}

// Scratch layout of one channel's three ring lines ("slots"): interleaved by words, so that
// word 3 * i + s holds entries 2i and 2i + 1 of slot s. The three words a window column pair
// needs are adjacent, and one pointer with fixed offsets reaches all three lines.
inline int32_t slot_word(int32_t column, int32_t slot) {
  return 3 * column + slot;
}

// Bias, requantization and clamp of `count` accumulators into every `step`-th byte of dst.
template <bool kFullRange, bool kPreShift>
inline void requant_line(const int32_t* acc, int32_t count, const RequantChannel& k, int32_t lo,
                         int32_t hi, int8_t* dst, int32_t step) {
  int32_t x = 0;
  for (; x + 1 < count; x += 2, dst += 2 * step) {
    const int32_t v0 =
        requant_clamp<kFullRange, kPreShift>(simd32::add_wrap(acc[x], k.bias), k, lo, hi);
    const int32_t v1 =
        requant_clamp<kFullRange, kPreShift>(simd32::add_wrap(acc[x + 1], k.bias), k, lo, hi);
    dst[0] = static_cast<int8_t>(v0);
    dst[step] = static_cast<int8_t>(v1);
  }
  if (x < count)
    *dst = requant_clamp<kFullRange, kPreShift>(simd32::add_wrap(acc[x], k.bias), k, lo, hi);
}

// What every output line of a call shares.
struct LineShape {
  int32_t pairs;     // output pairs (the last output is past the line when its length is odd)
  int32_t out_len;   // outputs of a line
  int32_t out_step;  // bytes between them
  int32_t lo, hi;    // activation clamp
};

// One output line of one channel: the accumulators into acc, then requantized into dst.
// taps[2s], taps[2s + 1] are the (w0, w1) and (w1, w2) pairs for the input line in slot s
// (zero for a slot holding no input line). Output x is (r[x], r[x+1]) . (w0, w1) + r[x+2] * w2
// per slot: SMLAD for the pair, a halfword multiply for the third tap; output x + 1 reuses the
// two words already loaded.
template <bool kFullRange, bool kPreShift>
void channel_line(const int32_t* words, const int32_t* taps, const RequantChannel& requant,
                  const LineShape& shape, int32_t* acc, int8_t* dst) {
  const int32_t p0 = taps[0], q0 = taps[1], p1 = taps[2], q1 = taps[3], p2 = taps[4], q2 = taps[5];
  int32_t* out = acc;
  // Four outputs per pass: per slot, the words a, b, c hold entries x .. x + 5, and each is
  // loaded once (b serves all four outputs). One loaded word is live at a time, which leaves
  // registers for the taps and the four accumulators.
  int32_t* const quads_end = acc + 4 * (shape.pairs >> 1);
  for (; out != quads_end; words += 6, out += 4) {
    simd32::keep_loads_in_order();
    int32_t w = simd32::load4(words);  // slot 0: a
    int32_t o0 = simd32::smuad(w, p0), o1 = simd32::smultb(w, p0);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 3);  // b
    o0 = simd32::smlabt(w, q0, o0);
    o1 = simd32::smlad(w, q0, o1);
    int32_t o2 = simd32::smuad(w, p0), o3 = simd32::smultb(w, p0);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 6);  // c
    o2 = simd32::smlabt(w, q0, o2);
    o3 = simd32::smlad(w, q0, o3);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 1);  // slot 1
    o0 = simd32::smlad(w, p1, o0);
    o1 = simd32::smlatb(w, p1, o1);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 4);
    o0 = simd32::smlabt(w, q1, o0);
    o1 = simd32::smlad(w, q1, o1);
    o2 = simd32::smlad(w, p1, o2);
    o3 = simd32::smlatb(w, p1, o3);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 7);
    o2 = simd32::smlabt(w, q1, o2);
    o3 = simd32::smlad(w, q1, o3);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 2);  // slot 2
    o0 = simd32::smlad(w, p2, o0);
    o1 = simd32::smlatb(w, p2, o1);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 5);
    o0 = simd32::smlabt(w, q2, o0);
    o1 = simd32::smlad(w, q2, o1);
    o2 = simd32::smlad(w, p2, o2);
    o3 = simd32::smlatb(w, p2, o3);
    simd32::keep_loads_in_order();
    w = simd32::load4(words + 8);
    o2 = simd32::smlabt(w, q2, o2);
    o3 = simd32::smlad(w, q2, o3);
    out[0] = o0;
    out[1] = o1;
    out[2] = o2;
    out[3] = o3;
  }
  if (shape.pairs & 1) {
    // The last pair: entries x .. x + 3 of each slot, a = (r[x], r[x+1]), b = (r[x+2], r[x+3]).
    int32_t a0, a1, a2, b0, b1, b2;
    simd32::load_pair(words, a0, a1);
    simd32::load_pair(words + 2, a2, b0);
    simd32::load_pair(words + 4, b1, b2);
    int32_t even = simd32::smuad(a0, p0), odd = simd32::smultb(a0, p0);
    even = simd32::smlabt(b0, q0, even);
    odd = simd32::smlad(b0, q0, odd);
    even = simd32::smlad(a1, p1, even);
    odd = simd32::smlatb(a1, p1, odd);
    even = simd32::smlabt(b1, q1, even);
    odd = simd32::smlad(b1, q1, odd);
    even = simd32::smlad(a2, p2, even);
    odd = simd32::smlatb(a2, p2, odd);
    even = simd32::smlabt(b2, q2, even);
    odd = simd32::smlad(b2, q2, odd);
    out[0] = even;
    out[1] = odd;
  }
  const RequantChannel k = requant;  // a local copy: the byte stores cannot alias it
  requant_line<kFullRange, kPreShift>(acc, shape.out_len, k, shape.lo, shape.hi, dst,
                                      shape.out_step);
}

typedef void (*ChannelLineFn)(const int32_t*, const int32_t*, const RequantChannel&,
                              const LineShape&, int32_t*, int8_t*);

ChannelLineFn pick_channel_line(bool full_range, bool pre_shift) {
  if (full_range) return pre_shift ? &channel_line<true, true> : &channel_line<true, false>;
  return pre_shift ? &channel_line<false, true> : &channel_line<false, false>;
}

// Input line `src` (`len` pixels `step` bytes apart, at the group's first channel) widened with
// the offset added into slot entries pad .. pad + len - 1 of `count` channels; slot[g] is the
// channel's slot at word column 0. Entries pairs go out as one word; for a quad, SXTAB16 widens
// two channels per instruction and a pack makes each channel's two neighbouring pixels a word.
void widen_line(const int8_t* src, int32_t len, int32_t step, int32_t offset, int32_t pad,
                int32_t count, int16_t* const slot[4]) {
  int32_t x = 0, column = pad >> 1;
  if (pad & 1) {
    // Entry `pad` is the high half of its word; the low half stays zero (padding).
    for (int32_t g = 0; g < count; ++g)
      store2(slot[g] + 2 * slot_word(column, 0) + 1, src[g] + offset);
    x = 1;
    ++column;
  }
  const int8_t* s = src + x * step;
  if (count == 4) {
    const int32_t offsets = simd32::pack_halves(offset, offset);
    for (; x + 1 < len; x += 2, ++column, s += 2 * step) {
      const int32_t v0 = simd32::load4(s), v1 = simd32::load4(s + step);
      const int32_t e0 = simd32::sxtab16(offsets, v0), e1 = simd32::sxtab16(offsets, v1);
      const int32_t o0 = simd32::sxtab16_odd(offsets, v0), o1 = simd32::sxtab16_odd(offsets, v1);
      const int32_t w = 2 * slot_word(column, 0);
      simd32::store4(slot[0] + w, simd32::pack_low_halves(e0, e1));
      simd32::store4(slot[1] + w, simd32::pack_low_halves(o0, o1));
      simd32::store4(slot[2] + w, simd32::pack_high_halves(e0, e1));
      simd32::store4(slot[3] + w, simd32::pack_high_halves(o0, o1));
    }
  } else if (count == 2) {
    // Two bytes per pixel: SXTAB16 widens channel c + 1 from the odd byte, channel c from the
    // even one (the high halves, from bytes that were not loaded, are dropped by the pack).
    const int32_t offsets = simd32::pack_halves(offset, offset);
    int16_t *d0 = slot[0] + 2 * slot_word(column, 0), *d1 = slot[1] + 2 * slot_word(column, 0);
    for (; x + 1 < len; x += 2, ++column, s += 2 * step, d0 += 6, d1 += 6) {
      uint16_t h0, h1;
      memcpy(&h0, s, 2);
      memcpy(&h1, s + step, 2);
      const int32_t v0 = h0, v1 = h1;
      const int32_t e0 = simd32::sxtab16(offsets, v0), e1 = simd32::sxtab16(offsets, v1);
      const int32_t o0 = simd32::sxtab16_odd(offsets, v0), o1 = simd32::sxtab16_odd(offsets, v1);
      simd32::store4(d0, simd32::pack_low_halves(e0, e1));
      simd32::store4(d1, simd32::pack_low_halves(o0, o1));
    }
  } else {
    for (; x + 1 < len; x += 2, ++column, s += 2 * step) {
      const int32_t w = 2 * slot_word(column, 0);
      for (int32_t g = 0; g < count; ++g)
        simd32::store4(slot[g] + w, simd32::pack_halves(s[g] + offset, s[step + g] + offset));
    }
  }
  if (x < len) {
    // The last entry is the low half of its word; the high half stays zero.
    for (int32_t g = 0; g < count; ++g) store2(slot[g] + 2 * slot_word(column, 0), s[g] + offset);
  }
}

// The layer seen as lines (input rows, or columns with by_columns): line l of the input starts
// at byte l * in_line_step and its entries are in_entry_step bytes apart; likewise the output.
struct PlanarLines {
  int32_t in_lines, in_len, in_line_step, in_entry_step;
  int32_t out_lines, out_len, out_line_step, out_entry_step;
  int32_t line_pad, entry_pad;  // padding lines before the first, entries before the first
};

PlanarLines planar_lines(const DepthwiseConv2DParams& params, const Shape4& in, const Shape4& out,
                         bool by_columns) {
  const Window2D& w = params.window;
  const int32_t c = in.c;
  PlanarLines l;
  if (!by_columns) {
    l.in_lines = in.h, l.in_len = in.w, l.in_line_step = in.w * c, l.in_entry_step = c;
    l.out_lines = out.h, l.out_len = out.w, l.out_line_step = out.w * c, l.out_entry_step = c;
    l.line_pad = w.pad_h, l.entry_pad = w.pad_w;
  } else {
    l.in_lines = in.w, l.in_len = in.h, l.in_line_step = c, l.in_entry_step = in.w * c;
    l.out_lines = out.w, l.out_len = out.h, l.out_line_step = c, l.out_entry_step = out.w * c;
    l.line_pad = w.pad_w, l.entry_pad = w.pad_h;
  }
  return l;
}

// Measured on the M4 (QEMU cycle model): shorter lines run faster on the padded quad path of
// depthwise_conv2d_fast.cpp (VWW's 12x12x64: 362k cycles against 449k here; its 24x24x32 stays
// here, 707k against 737k).
const int32_t kMinLineOutputs = 16;

// Start of the output pair loop's last pair, and the widened entries a line needs.
int32_t last_pair_start(int32_t out_len) {
  return (out_len - 1) & ~1;
}

int32_t line_entries_needed(const PlanarLines& l) {
  // A pair starting at x reads entries x .. x + 3.
  int32_t n = l.entry_pad + l.in_len;
  const int32_t read_end = last_pair_start(l.out_len) + 4;
  if (read_end > n) n = read_end;
  return (n + 1) & ~1;
}

// True if, working row by row, no output byte lands on an input row not yet widened.
bool rows_widened_in_time(const PlanarLines& l) {
  for (int32_t y = 0; y < l.out_lines; ++y) {
    const int64_t widened = static_cast<int64_t>(y) - l.line_pad + 3;  // rows [0, widened) done
    if (widened >= l.in_lines) return true;  // later rows write nothing unread
    if (static_cast<int64_t>(y + 1) * l.out_len > widened * l.in_len) return false;
  }
  return true;
}

}  // namespace

size_t depthwise_planar_scratch_bound(const Shape4& output_shape) {
  const int32_t len = output_shape.h > output_shape.w ? output_shape.h : output_shape.w;
  if (len < kMinLineOutputs) return 0;
  // With stride 1 and a 3x3 window, len = in_len + pads - 2 >= in_len + entry_pad - 2, so a
  // line needs at most len + 4 entries (line_entries_needed), and len + 1 accumulators.
  const size_t entries = static_cast<size_t>(len) + 4;
  return 6 * entries * 4 + 4 * (static_cast<size_t>(len) + 1);
}

DepthwisePlanarPlan depthwise_planar_plan(const DepthwiseConv2DParams& params,
                                          const Shape4& input_shape, const Shape4& filter_shape,
                                          const Shape4& output_shape, size_t available) {
  DepthwisePlanarPlan plan = {0, 0, 0, 0};
  const Window2D& w = params.window;
  // Stride 2, where widening the four times larger input costs more than the SMLAD pairs save
  // (measured), and short lines (kMinLineOutputs) keep the quad kernel.
  if (params.depth_multiplier != 1 || filter_shape.h != 3 || filter_shape.w != 3 ||
      w.dilation_h != 1 || w.dilation_w != 1 || w.stride_h != 1 || w.stride_w != 1 || w.pad_h < 0 ||
      w.pad_w < 0 || w.pad_h > 2 || w.pad_w > 2)
    return plan;
  // Along columns, output pixel (y, x) sits where input pixel (y, x) was (same width), and
  // column x is widened before output column x is written (pad_w <= 2): nothing unread is
  // overwritten.
  const bool by_columns = input_shape.w < input_shape.h && output_shape.w == input_shape.w;
  const PlanarLines l = planar_lines(params, input_shape, output_shape, by_columns);
  if (l.out_len < kMinLineOutputs) return plan;
  if (!by_columns && !rows_widened_in_time(l)) return plan;
  const int32_t entries = line_entries_needed(l);
  const size_t acc_bytes = 4 * static_cast<size_t>(last_pair_start(l.out_len) + 2);
  for (int32_t group = 4; group >= 1; group /= 2) {
    // Three ring lines of `entries` 16-bit entries per channel, and the line's accumulators.
    const size_t bytes = 6 * static_cast<size_t>(entries) * group + acc_bytes;
    if (bytes <= available) {
      plan.group = group;
      plan.row_halves = entries;
      plan.by_columns = by_columns ? 1 : 0;
      plan.bytes = bytes;
      return plan;
    }
  }
  return plan;
}

void depthwise_planar_in_place(const DepthwisePlanarPlan& plan, const DepthwiseConv2DParams& params,
                               const Shape4& in, const int8_t* filter, const RequantChannel* table,
                               const Shape4& out, int8_t* data, void* scratch) {
  const int32_t group = plan.group, entries = plan.row_halves, channels = in.c;
  const bool by_columns = plan.by_columns != 0;
  const PlanarLines l = planar_lines(params, in, out, by_columns);
  int16_t* blocks = static_cast<int16_t*>(scratch);  // channel g's slots at 3 * entries * g
  int32_t* acc = reinterpret_cast<int32_t*>(blocks + 3 * entries * group);
  // Entries outside the input are never written again: they stay zero.
  memset(blocks, 0, 6 * static_cast<size_t>(entries) * group);
  const ChannelLineFn line_fn = pick_channel_line(params.act_min == -128 && params.act_max == 127,
                                                  requant_table_pre_shifts(table, out.c));
  LineShape shape;
  shape.pairs = last_pair_start(l.out_len) / 2 + 1;
  shape.out_len = l.out_len;
  shape.out_step = l.out_entry_step;
  shape.lo = params.act_min;
  shape.hi = params.act_max;
  for (int32_t n = 0; n < in.n; ++n) {
    const int8_t* in_batch = data + static_cast<ptrdiff_t>(n) * in.h * in.w * channels;
    int8_t* out_batch = data + static_cast<ptrdiff_t>(n) * out.h * out.w * channels;
    for (int32_t c = 0; c < channels; c += group) {
      const int32_t count = channels - c < group ? channels - c : group;
      int32_t taps[4][12];
      for (int32_t g = 0; g < count; ++g)
        channel_taps(filter, channels, c + g, by_columns, taps[g]);
      int32_t next_line = 0;  // input lines below this one are widened (or not needed)
      for (int32_t y = 0; y < l.out_lines; ++y) {
        const int32_t first = y - l.line_pad;  // stride 1
        for (int32_t r = first > next_line ? first : next_line; r <= first + 2 && r < l.in_lines;
             ++r) {
          if (r < 0) continue;
          int16_t* slot[4];
          for (int32_t g = 0; g < 4; ++g)
            slot[g] = blocks + 3 * entries * (g < count ? g : 0) + 2 * (r % 3);
          widen_line(in_batch + static_cast<ptrdiff_t>(r) * l.in_line_step + c, l.in_len,
                     l.in_entry_step, params.input_offset, l.entry_pad, count, slot);
        }
        if (first + 3 > next_line) next_line = first + 3;
        // Window row k reads input line first + k, which sits in slot (first + k) mod 3, so
        // slot s holds row (s - first) mod 3: the taps from row (3 - first mod 3) mod 3 on.
        const int32_t rotation = (3 - (first % 3 + 3) % 3) % 3;
        const bool all_inside = first >= 0 && first + 2 < l.in_lines;
        int8_t* dst = out_batch + static_cast<ptrdiff_t>(y) * l.out_line_step + c;
        for (int32_t g = 0; g < count; ++g) {
          const int32_t* slot_taps = taps[g] + 2 * rotation;
          int32_t edge[6];
          if (!all_inside) {
            // Lines beyond the input are padding: their taps become zero.
            for (int32_t i = 0; i < 6; ++i) edge[i] = slot_taps[i];
            for (int32_t k = 0; k < 3; ++k) {
              if (first + k >= 0 && first + k < l.in_lines) continue;
              const int32_t slot = ((first + k) % 3 + 3) % 3;
              edge[2 * slot] = edge[2 * slot + 1] = 0;
            }
            slot_taps = edge;
          }
          line_fn(reinterpret_cast<const int32_t*>(blocks + 3 * entries * g), slot_taps,
                  table[c + g], shape, acc, dst + g);
        }
      }
    }
  }
}

}  // namespace rt
}  // namespace kiln
