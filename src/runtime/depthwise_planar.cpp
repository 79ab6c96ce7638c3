#include "runtime/depthwise_planar.h"

#include <stddef.h>
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
void channel_taps(const int8_t* filter, int32_t channels, int32_t c, bool by_columns, int32_t scale,
                  int32_t* taps) {
  // The window in memory order (row-major), scaled: nine loads with a running pointer.
  const int8_t* f = filter + c;
  const int32_t w00 = scale * f[0], w01 = scale * f[channels], w02 = scale * f[2 * channels];
  f += 3 * channels;
  const int32_t w10 = scale * f[0], w11 = scale * f[channels], w12 = scale * f[2 * channels];
  f += 3 * channels;
  const int32_t w20 = scale * f[0], w21 = scale * f[channels], w22 = scale * f[2 * channels];
  // Line k of the planar layout is filter row k, or filter column k with by_columns.
  const int32_t a0 = w00, a1 = by_columns ? w10 : w01, a2 = by_columns ? w20 : w02;
  const int32_t b0 = by_columns ? w01 : w10, b1 = w11, b2 = by_columns ? w21 : w12;
  const int32_t c0 = by_columns ? w02 : w20, c1 = by_columns ? w12 : w21, c2 = w22;
  taps[0] = taps[6] = simd32::pack_low_halves(a0, a1);
  taps[1] = taps[7] = simd32::pack_low_halves(a1, a2);
  taps[2] = taps[8] = simd32::pack_low_halves(b0, b1);
  taps[3] = taps[9] = simd32::pack_low_halves(b1, b2);
  taps[4] = taps[10] = simd32::pack_low_halves(c0, c1);
  taps[5] = taps[11] = simd32::pack_low_halves(c1, c2);
}

// Scratch layout of one channel's three ring lines ("slots"): interleaved by words, so that
// word 3 * i + s holds entries 2i and 2i + 1 of slot s. The three words a window column pair
// needs are adjacent, and one pointer with fixed offsets reaches all three lines.
inline int32_t slot_word(int32_t column, int32_t slot) {
  return 3 * column + slot;
}

// The doubled output step (requant_fast.h) for a channel whose taps were doubled and whose entry
// requant_doubled_entry rewrote, its bias added here; SSAT makes the int8 range a clamp of the
// exact value, so the activation clamp after it stays exact.
template <bool kFullRange>
inline int8_t doubled_output(int32_t acc2, const RequantChannel& k, int32_t lo, int32_t hi) {
  int32_t v = requant_doubled_output(simd32::add_wrap(acc2, k.bias), k);
  if (!kFullRange) {
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
  }
  return static_cast<int8_t>(v);
}

// Largest |acc - bias| of a 3x3 depthwise window: nine weights of at most 128 in magnitude times
// an input plus its offset, at most 255.
const uint32_t kWindowSums = 9 * 128 * 255;

inline bool doubled_entry(const RequantChannel& t, RequantChannel* d) {
  return requant_doubled_entry(t, kWindowSums, d);
}

// Bias, requantization and clamp of `count` accumulators into every `step`-th byte of dst.
// Doubled entries (kDoubled) take four outputs per pass.
template <bool kFullRange, bool kPreShift, bool kDoubled>
inline void requant_line(const int32_t* acc, int32_t count, const RequantChannel& k, int32_t lo,
                         int32_t hi, int8_t* dst, int32_t step) {
  if (kDoubled) {
    const int32_t* const quads_end = acc + (count & ~3);
    const int32_t step2 = 2 * step;
    for (; acc != quads_end; acc += 4) {
      // Two outputs at a time keep few values live, so that the loop needs no spills.
      int32_t a0, a1;
      simd32::load_pair(acc, a0, a1);
      int8_t v0 = doubled_output<kFullRange>(a0, k, lo, hi);
      int8_t v1 = doubled_output<kFullRange>(a1, k, lo, hi);
      dst[0] = v0;
      dst[step] = v1;
      dst += step2;
      simd32::load_pair(acc + 2, a0, a1);
      v0 = doubled_output<kFullRange>(a0, k, lo, hi);
      v1 = doubled_output<kFullRange>(a1, k, lo, hi);
      dst[0] = v0;
      dst[step] = v1;
      dst += step2;
    }
    for (int32_t x = 0; x < (count & 3); ++x, dst += step)
      *dst = doubled_output<kFullRange>(acc[x], k, lo, hi);
    return;
  }
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
  int32_t* acc;      // the line's accumulators (scratch)
};

struct ChannelJob;
typedef void (*ChannelLineFn)(const int32_t*, const int32_t*, const ChannelJob&, int8_t*);

// One channel of a group: its taps (doubled with a doubled entry), its table entry and the
// line function that fits them.
struct ChannelJob {
  int32_t taps[12];
  RequantChannel requant;
  ChannelLineFn line;
  const LineShape* shape;
};

// One output line of one channel: the accumulators into shape.acc, then the output step into
// dst.
// taps[2s], taps[2s + 1] are the (w0, w1) and (w1, w2) pairs for the input line in slot s
// (zero for a slot holding no input line). Output x is (r[x], r[x+1]) . (w0, w1) + r[x+2] * w2
// per slot: SMLAD for the pair, a halfword multiply for the third tap; output x + 1 reuses the
// two words already loaded.
template <bool kFullRange, bool kPreShift, bool kDoubled>
void channel_line(const int32_t* words, const int32_t* taps, const ChannelJob& job, int8_t* dst) {
  const LineShape& shape = *job.shape;
  int32_t* const acc = shape.acc;
  const int32_t pairs = shape.pairs;
  const int32_t p0 = taps[0], q0 = taps[1], p1 = taps[2], q1 = taps[3], p2 = taps[4], q2 = taps[5];
  int32_t* out = acc;
  // Four outputs per pass: per slot, the words a, b, c hold entries x .. x + 5, and each is
  // loaded once (b serves all four outputs). One loaded word is live at a time, which leaves
  // registers for the taps and the four accumulators.
  int32_t* const quads_end = acc + 4 * (pairs >> 1);
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
  if (pairs & 1) {
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
  const RequantChannel k = job.requant;  // a local copy: the byte stores cannot alias it
  requant_line<kFullRange, kPreShift, kDoubled>(acc, shape.out_len, k, shape.lo, shape.hi, dst,
                                                shape.out_step);
}

#if KILN_SIMD32_DSP
// channel_line<true, false, true> by hand (what KWS's layers run). GCC keeps the MAC loop at
// fourteen registers with one loaded word live at a time, which makes every load a lone two-cycle
// LDR (53 cycles per four outputs). Here a quad's first two accumulators are stored as soon as
// they are complete, and its last three words (c0 c1 c2, the next quad's a0 a1 a2) come in one
// LDM into the registers that frees and stay there for the next quad, so a quad loads three
// single words and one LDM of three: with two quads per pass (their registers swap roles, an odd
// count enters at the second) 43 cycles per four outputs. The output step takes four
// accumulators per LDM, two such steps per pass, and stores the bytes back to back.
// Registers in the MAC loop: r0 words, lr their end, r5-r10 the taps (p0 q0 p1 q1 p2 q2), r11 the
// accumulator pointer, r1-r4 and r12 accumulators and loaded words. Then r5 twice the bias, r6 M,
// r8 C, r9 rs, r7 a temporary, r10/r11 one and two output steps, r12 the output pointer, lr the
// end of the accumulators. The stack holds the job, dst and the line shape.
extern "C" void kiln_planar_line_doubled_full(const int32_t* words, const int32_t* taps,
                                              const ChannelJob& job, int8_t* dst);
static_assert(offsetof(ChannelJob, requant) == 48 && offsetof(ChannelJob, shape) == 72 &&
                  offsetof(RequantChannel, bias) == 0 &&
                  offsetof(RequantChannel, multiplier2) == 4 &&
                  offsetof(RequantChannel, pre_shift) == 8 &&
                  offsetof(RequantChannel, rounding) == 12 &&
                  offsetof(RequantChannel, post_shift) == 16 && offsetof(LineShape, pairs) == 0 &&
                  offsetof(LineShape, out_len) == 4 && offsetof(LineShape, out_step) == 8 &&
                  offsetof(LineShape, acc) == 20,
              "the asm line's offsets");
// The output step of one accumulator register R (r5 twice the bias, r6 M, r8 C, r9 rs, r7 a
// temporary), and of four accumulators loaded by one LDM, stored one output step (r10) apart.
#define KILN_PLANAR_OUT(R) \
  "\tadd " R ", " R        \
  ", r5\n"                 \
  "\tsmmlar r7, " R        \
  ", r6, r8\n"             \
  "\tsub " R ", r7, " R    \
  ", lsr #31\n"            \
  "\tasr " R ", " R        \
  ", r9\n"                 \
  "\tssat " R ", #8, " R "\n"
#define KILN_PLANAR_QUAD_OUT \
  "\tldmia r0!, {r1, r2, r3, r4}\n" KILN_PLANAR_OUT("r1") KILN_PLANAR_OUT("r2")      \
      KILN_PLANAR_OUT("r3") KILN_PLANAR_OUT("r4") "\tstrb r1, [r12]\n"               \
                                                  "\tstrb r2, [r12, r10]\n"          \
                                                  "\tstrb r3, [r12, r11]\n"          \
                                                  "\tadd r12, r12, r11\n"            \
                                                  "\tstrb r4, [r12, r10]\n"          \
                                                  "\tadd r12, r12, r11\n"
__asm__(
    "\t.pushsection .text.kiln_planar_line_doubled_full,\"ax\",%progbits\n"
    "\t.syntax unified\n"
    "\t.thumb\n"
    "\t.p2align 2\n"
    "\t.global kiln_planar_line_doubled_full\n"
    "\t.type kiln_planar_line_doubled_full, %function\n"
    "\t.thumb_func\n"
    "kiln_planar_line_doubled_full:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tldr r12, [r2, #72]\n"  // shape
    "\tpush {r2, r3, r12}\n"  // [sp] job, [sp, #4] dst, [sp, #8] shape
    "\tldmia r1, {r5, r6, r7, r8, r9, r10}\n"
    "\tldr r4, [r12, #0]\n"    // pairs
    "\tldr r11, [r12, #20]\n"  // acc
    "\tasrs r1, r4, #1\n"      // quads
    "\tadd r2, r1, r1, lsl #1\n"
    "\tadd lr, r0, r2, lsl #3\n"  // words + 24 bytes per quad
    "\tcmp r0, lr\n"
    "\tbeq 2f\n"
    "\tlsls r1, r1, #31\n"  // odd: the first quad is the second half of a pass
    "\tbeq 8f\n"
    "\tldmia r0, {r1, r4, r12}\n"
    "\tb 9f\n"
    "8:\n"
    "\tldmia r0, {r1, r2, r3}\n"  // a0 a1 a2 of the first quad
    "1:\n"
    "\tldr r4, [r0, #12]\n"  // a0 a1 a2 in r1 r2 r3, b0
    "\tsmultb r12, r1, r5\n"
    "\tsmuad r1, r1, r5\n"
    "\tsmlad r1, r2, r7, r1\n"
    "\tsmlatb r12, r2, r7, r12\n"
    "\tsmlad r1, r3, r9, r1\n"
    "\tsmlatb r12, r3, r9, r12\n"
    "\tsmlabt r1, r4, r6, r1\n"
    "\tsmlad r12, r4, r6, r12\n"
    "\tsmuad r2, r4, r5\n"
    "\tsmultb r3, r4, r5\n"
    "\tldr r4, [r0, #16]\n"
    "\tsmlabt r1, r4, r8, r1\n"
    "\tsmlad r12, r4, r8, r12\n"
    "\tsmlad r2, r4, r7, r2\n"
    "\tsmlatb r3, r4, r7, r3\n"
    "\tldr r4, [r0, #20]\n"
    "\tsmlabt r1, r4, r10, r1\n"
    "\tsmlad r12, r4, r10, r12\n"
    "\tsmlad r2, r4, r9, r2\n"
    "\tsmlatb r3, r4, r9, r3\n"
    "\tstrd r1, r12, [r11], #8\n"
    "\tadds r0, r0, #24\n"
    "\tldmia r0, {r1, r4, r12}\n"  // c0 c1 c2: the next quad's a0 a1 a2
    "\tsmlabt r2, r1, r6, r2\n"
    "\tsmlad r3, r1, r6, r3\n"
    "\tsmlabt r2, r4, r8, r2\n"
    "\tsmlad r3, r4, r8, r3\n"
    "\tsmlabt r2, r12, r10, r2\n"
    "\tsmlad r3, r12, r10, r3\n"
    "\tstrd r2, r3, [r11], #8\n"
    "9:\n"
    "\tldr r2, [r0, #12]\n"  // a0 a1 a2 in r1 r4 r12, b0
    "\tsmultb r3, r1, r5\n"
    "\tsmuad r1, r1, r5\n"
    "\tsmlad r1, r4, r7, r1\n"
    "\tsmlatb r3, r4, r7, r3\n"
    "\tsmlad r1, r12, r9, r1\n"
    "\tsmlatb r3, r12, r9, r3\n"
    "\tsmlabt r1, r2, r6, r1\n"
    "\tsmlad r3, r2, r6, r3\n"
    "\tsmuad r4, r2, r5\n"
    "\tsmultb r12, r2, r5\n"
    "\tldr r2, [r0, #16]\n"
    "\tsmlabt r1, r2, r8, r1\n"
    "\tsmlad r3, r2, r8, r3\n"
    "\tsmlad r4, r2, r7, r4\n"
    "\tsmlatb r12, r2, r7, r12\n"
    "\tldr r2, [r0, #20]\n"
    "\tsmlabt r1, r2, r10, r1\n"
    "\tsmlad r3, r2, r10, r3\n"
    "\tsmlad r4, r2, r9, r4\n"
    "\tsmlatb r12, r2, r9, r12\n"
    "\tstrd r1, r3, [r11], #8\n"
    "\tadds r0, r0, #24\n"
    "\tldmia r0, {r1, r2, r3}\n"  // c0 c1 c2
    "\tsmlabt r4, r1, r6, r4\n"
    "\tsmlad r12, r1, r6, r12\n"
    "\tsmlabt r4, r2, r8, r4\n"
    "\tsmlad r12, r2, r8, r12\n"
    "\tsmlabt r4, r3, r10, r4\n"
    "\tsmlad r12, r3, r10, r12\n"
    "\tstrd r4, r12, [r11], #8\n"
    "\tcmp r0, lr\n"
    "\tbne 1b\n"
    "2:\n"
    "\tldr r12, [sp, #8]\n"
    "\tldr r1, [r12, #0]\n"
    "\tlsls r1, r1, #31\n"
    "\tbeq 3f\n"
    "\tldmia r0, {r1, r2, r3, r4, r12, lr}\n"  // the last pair: a0 a1 a2 b0 b1 b2
    "\tsmuad r0, r1, r5\n"
    "\tsmlabt r0, r4, r6, r0\n"
    "\tsmlad r0, r2, r7, r0\n"
    "\tsmlabt r0, r12, r8, r0\n"
    "\tsmlad r0, r3, r9, r0\n"
    "\tsmlabt r0, lr, r10, r0\n"
    "\tsmultb r1, r1, r5\n"
    "\tsmlad r1, r4, r6, r1\n"
    "\tsmlatb r1, r2, r7, r1\n"
    "\tsmlad r1, r12, r8, r1\n"
    "\tsmlatb r1, r3, r9, r1\n"
    "\tsmlad r1, lr, r10, r1\n"
    "\tstrd r0, r1, [r11]\n"
    "3:\n"
    "\tldr r12, [sp, #8]\n"
    "\tldr r3, [sp, #0]\n"
    "\tldr r0, [r12, #20]\n"  // acc
    "\tldr r1, [r12, #4]\n"   // out_len
    "\tldr r10, [r12, #8]\n"  // out_step
    "\tadds r2, r3, #48\n"
    "\tldmia r2, {r5, r6, r7, r8, r9}\n"  // 2 bias, M, (pre-shift 0), C, rs
    "\tldr r12, [sp, #4]\n"               // dst
    "\tlsls r11, r10, #1\n"
    "\tbic r2, r1, #3\n"
    "\tadd lr, r0, r2, lsl #2\n"
    "\tcmp r0, lr\n"
    "\tbeq 5f\n"
    "\tlsls r2, r2, #29\n"  // an odd count of quads: enter at the second of a pass's two
    "\tbne 10f\n"
    "4:\n" KILN_PLANAR_QUAD_OUT "10:\n" KILN_PLANAR_QUAD_OUT
    "\tcmp r0, lr\n"
    "\tbne 4b\n"
    "5:\n"
    "\tldr r1, [sp, #8]\n"
    "\tldr r1, [r1, #4]\n"
    "\tands r1, r1, #3\n"
    "\tbeq 7f\n"
    "6:\n"
    "\tldr r2, [r0], #4\n"
    "\tadd r2, r2, r5\n"
    "\tsmmlar r7, r2, r6, r8\n"
    "\tsub r2, r7, r2, lsr #31\n"
    "\tasr r2, r2, r9\n"
    "\tssat r2, #8, r2\n"
    "\tstrb r2, [r12]\n"
    "\tadd r12, r12, r10\n"
    "\tsubs r1, r1, #1\n"
    "\tbne 6b\n"
    "7:\n"
    "\tadd sp, sp, #12\n"
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "\t.size kiln_planar_line_doubled_full, .-kiln_planar_line_doubled_full\n"
    "\t.popsection\n");
#undef KILN_PLANAR_QUAD_OUT
#undef KILN_PLANAR_OUT
#endif

ChannelLineFn pick_channel_line(bool full_range, bool pre_shift, bool doubled) {
  if (doubled) {
#if KILN_SIMD32_DSP
    if (full_range) return &kiln_planar_line_doubled_full;
#endif
    return full_range ? &channel_line<true, false, true> : &channel_line<false, false, true>;
  }
  if (full_range)
    return pre_shift ? &channel_line<true, true, false> : &channel_line<true, false, false>;
  return pre_shift ? &channel_line<false, true, false> : &channel_line<false, false, false>;
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
    const int32_t pairs = (len - x) >> 1;
    const int32_t w = 2 * slot_word(column, 0);
    int16_t *d0 = slot[0] + w, *d1 = slot[1] + w, *d2 = slot[2] + w, *d3 = slot[3] + w;
    const int8_t* const end = s + static_cast<ptrdiff_t>(pairs) * 2 * step;
    for (; s != end; s += 2 * step, d0 += 6, d1 += 6, d2 += 6, d3 += 6) {
      const int32_t v0 = simd32::load4(s), v1 = simd32::load4(s + step);
      const int32_t e0 = simd32::sxtab16(offsets, v0), e1 = simd32::sxtab16(offsets, v1);
      const int32_t o0 = simd32::sxtab16_odd(offsets, v0), o1 = simd32::sxtab16_odd(offsets, v1);
      simd32::store4(d0, simd32::pack_low_halves(e0, e1));
      simd32::store4(d1, simd32::pack_low_halves(o0, o1));
      simd32::store4(d2, simd32::pack_high_halves(e0, e1));
      simd32::store4(d3, simd32::pack_high_halves(o0, o1));
    }
    x += 2 * pairs;
    column += pairs;
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
  // Entries outside the input are never written again: they stay zero.
  memset(blocks, 0, 6 * static_cast<size_t>(entries) * group);
  const bool full_range = params.act_min == -128 && params.act_max == 127;
  const bool pre_shift = requant_table_pre_shifts(table, out.c);
  LineShape shape;
  shape.pairs = last_pair_start(l.out_len) / 2 + 1;
  shape.out_len = l.out_len;
  shape.out_step = l.out_entry_step;
  shape.lo = params.act_min;
  shape.hi = params.act_max;
  shape.acc = reinterpret_cast<int32_t*>(blocks + 3 * entries * group);
  const int32_t block_words = 3 * entries / 2;  // one channel's three slots
  for (int32_t n = 0; n < in.n; ++n) {
    const int8_t* in_batch = data + static_cast<ptrdiff_t>(n) * in.h * in.w * channels;
    int8_t* out_batch = data + static_cast<ptrdiff_t>(n) * out.h * out.w * channels;
    for (int32_t c = 0; c < channels; c += group) {
      const int32_t count = channels - c < group ? channels - c : group;
      ChannelJob jobs[4];
      for (int32_t g = 0; g < count; ++g) {
        ChannelJob& job = jobs[g];
        const bool doubled = doubled_entry(table[c + g], &job.requant);
        if (!doubled) job.requant = table[c + g];
        channel_taps(filter, channels, c + g, by_columns, doubled ? 2 : 1, job.taps);
        job.line = pick_channel_line(full_range, pre_shift, doubled);
        job.shape = &shape;
      }
      int16_t* slot[4];
      for (int32_t g = 0; g < 4; ++g) slot[g] = blocks + 3 * entries * (g < count ? g : 0);
      int32_t next_line = 0;  // input lines below this one are widened (or not needed)
      int32_t next_slot = 0;  // the slot of input line next_line (line mod 3)
      // Window row k of output line y reads input line y - line_pad + k, which sits in slot
      // (y - line_pad + k) mod 3, so slot s holds window row (s - first) mod 3: the taps from
      // row `rotation` = (-first) mod 3 on. It starts at (line_pad) mod 3 and steps down.
      int32_t rotation = l.line_pad % 3;
      for (int32_t y = 0; y < l.out_lines; ++y) {
        const int32_t first = y - l.line_pad;  // stride 1
        int32_t last = first + 2 < l.in_lines - 1 ? first + 2 : l.in_lines - 1;
        for (; next_line <= last; ++next_line) {
          if (next_line >= 0) {
            int16_t* ring[4];
            for (int32_t g = 0; g < 4; ++g) ring[g] = slot[g] + 2 * next_slot;
            widen_line(in_batch + static_cast<ptrdiff_t>(next_line) * l.in_line_step + c, l.in_len,
                       l.in_entry_step, params.input_offset, l.entry_pad, count, ring);
          }
          next_slot = next_slot == 2 ? 0 : next_slot + 1;
        }
        const bool all_inside = first >= 0 && first + 2 < l.in_lines;
        int8_t* dst = out_batch + static_cast<ptrdiff_t>(y) * l.out_line_step + c;
        for (int32_t g = 0; g < count; ++g) {
          const ChannelJob& job = jobs[g];
          const int32_t* slot_taps = job.taps + 2 * rotation;
          int32_t edge[6];
          if (!all_inside) {
            // Lines beyond the input are padding: their taps become zero.
            for (int32_t i = 0; i < 6; ++i) edge[i] = slot_taps[i];
            for (int32_t s = 0, row = rotation; s < 3; ++s, row = row == 2 ? 0 : row + 1) {
              // Slot s holds window row `row` (see rotation).
              if (first + row < 0 || first + row >= l.in_lines) edge[2 * s] = edge[2 * s + 1] = 0;
            }
            slot_taps = edge;
          }
          job.line(reinterpret_cast<const int32_t*>(blocks) + block_words * g, slot_taps, job,
                   dst + g);
        }
        rotation = rotation == 0 ? 2 : rotation - 1;
      }
    }
  }
}

}  // namespace rt
}  // namespace kiln
