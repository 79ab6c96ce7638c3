// The Thumb-2 classifier against the real assembler: a listing of instructions, each with the
// class and base cycles the Cortex-M4 timing table gives it, is assembled with arm-none-eabi-as
// and decoded back. A few hand-encoded instructions check the decoder without the toolchain.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "profile/process.h"
#include "profile/qemu_plugin/thumb_cycles.h"
#include "profile_test_util.h"

namespace kiln {
namespace {

using profile::InsnClass;

struct Expected {
  const char* assembly;
  InsnClass cls;
  int cycles;
  bool writes_pc = false;
};

const Expected kListing[] = {
    {"adds r0, r1, #1", InsnClass::kAlu, 1},
    {"mov r0, r1", InsnClass::kAlu, 1},
    {"movw r0, #1234", InsnClass::kAlu, 1},
    {"movt r0, #1234", InsnClass::kAlu, 1},
    {"add.w r0, r1, r2, lsl #2", InsnClass::kAlu, 1},
    {"lsl.w r0, r1, r2", InsnClass::kAlu, 1},
    {"sxtb r0, r1", InsnClass::kAlu, 1},
    {"sxth.w r0, r1", InsnClass::kAlu, 1},
    {"ssat r0, #8, r1", InsnClass::kAlu, 1},
    {"usat r0, #8, r1, asr #4", InsnClass::kAlu, 1},
    {"clz r0, r1", InsnClass::kAlu, 1},
    {"qadd r0, r1, r2", InsnClass::kAlu, 1},
    {"rev r0, r1", InsnClass::kAlu, 1},
    {"cmp r0, r1", InsnClass::kAlu, 1},
    {"cmp.w r0, #1000", InsnClass::kAlu, 1},
    {"add sp, #16", InsnClass::kAlu, 1},
    {"muls r0, r1, r0", InsnClass::kMultiply, 1},
    {"mul r0, r1, r2", InsnClass::kMultiply, 1},
    {"mla r0, r1, r2, r3", InsnClass::kMultiply, 1},
    {"mls r0, r1, r2, r3", InsnClass::kMultiply, 1},
    {"smull r0, r1, r2, r3", InsnClass::kMultiply, 1},
    {"umlal r0, r1, r2, r3", InsnClass::kMultiply, 1},
    {"smulbb r0, r1, r2", InsnClass::kMultiply, 1},
    {"smlabb r0, r1, r2, r3", InsnClass::kMultiply, 1},
    {"smmul r0, r1, r2", InsnClass::kMultiply, 1},
    {"smlad r0, r1, r2, r3", InsnClass::kDspMac, 1},
    {"smuad r0, r1, r2", InsnClass::kDspMac, 1},
    {"smlsd r0, r1, r2, r3", InsnClass::kDspMac, 1},
    {"smlald r0, r1, r2, r3", InsnClass::kDspMac, 1},
    {"sxtb16 r0, r1", InsnClass::kDspSimd, 1},
    {"sxtab16 r0, r1, r2", InsnClass::kDspSimd, 1},
    {"uxtb16 r0, r1, ror #8", InsnClass::kDspSimd, 1},
    {"sadd16 r0, r1, r2", InsnClass::kDspSimd, 1},
    {"qadd8 r0, r1, r2", InsnClass::kDspSimd, 1},
    {"uadd8 r0, r1, r2", InsnClass::kDspSimd, 1},
    {"ssub16 r0, r1, r2", InsnClass::kDspSimd, 1},
    {"sel r0, r1, r2", InsnClass::kDspSimd, 1},
    {"usada8 r0, r1, r2, r3", InsnClass::kDspSimd, 1},
    {"sdiv r0, r1, r2", InsnClass::kDivide, static_cast<int>(profile::kDivideCycles)},
    {"udiv r0, r1, r2", InsnClass::kDivide, static_cast<int>(profile::kDivideCycles)},
    {"ldr r0, [r1]", InsnClass::kLoad, 2},
    {"ldr r0, [r1, r2]", InsnClass::kLoad, 2},
    {"ldrb r0, [r1, #1]", InsnClass::kLoad, 2},
    {"ldrsh r0, [r1, r2]", InsnClass::kLoad, 2},
    {"ldr r0, [sp, #4]", InsnClass::kLoad, 2},
    {"ldr r0, =0x12345678", InsnClass::kLoad, 2},
    {"ldr.w r0, [r1, #1000]", InsnClass::kLoad, 2},
    {"ldrsb.w r0, [r1, #-4]", InsnClass::kLoad, 2},
    {"ldrh r0, [r1, #2]!", InsnClass::kLoad, 2},
    {"ldrd r0, r1, [r2]", InsnClass::kLoad, 3},
    {"ldrd r0, r1, [r2], #-8", InsnClass::kLoad, 3},
    {"ldrex r0, [r1]", InsnClass::kLoad, 2},
    {"ldrexb r0, [r1]", InsnClass::kLoad, 2},
    {"ldr pc, [r0]", InsnClass::kLoad, 2, true},
    {"str r0, [r1]", InsnClass::kStore, 2},
    {"strb r0, [r1, r2]", InsnClass::kStore, 2},
    {"strh.w r0, [r1, #100]", InsnClass::kStore, 2},
    {"str r0, [sp, #8]", InsnClass::kStore, 2},
    {"str r0, [r1], #4", InsnClass::kStore, 2},
    {"strd r0, r1, [r2, #8]", InsnClass::kStore, 3},
    {"strex r0, r1, [r2]", InsnClass::kStore, 2},
    {"push {r4, r5, lr}", InsnClass::kStoreMultiple, 4},
    {"pop {r4, r5, pc}", InsnClass::kLoadMultiple, 4, true},
    {"pop {r4}", InsnClass::kLoadMultiple, 2},
    {"push.w {r4-r11, lr}", InsnClass::kStoreMultiple, 10},
    {"pop.w {r4-r11, pc}", InsnClass::kLoadMultiple, 10, true},
    {"ldmia r0!, {r1, r2, r3}", InsnClass::kLoadMultiple, 4},
    {"stmia r0!, {r1, r2}", InsnClass::kStoreMultiple, 3},
    {"ldmia.w r0, {r1, r2, r3, r4, r8}", InsnClass::kLoadMultiple, 6},
    {"cbz r0, near", InsnClass::kBranch, 1, true},
    {"cbnz r1, near", InsnClass::kBranch, 1, true},
    {"b target", InsnClass::kBranch, 1, true},
    {"beq target", InsnClass::kBranch, 1, true},
    {"near: b.w target", InsnClass::kBranch, 1, true},
    {"beq.w target", InsnClass::kBranch, 1, true},
    {"bl target", InsnClass::kBranch, 1, true},
    {"bx lr", InsnClass::kBranch, 1, true},
    {"blx r3", InsnClass::kBranch, 1, true},
    {"tbb [r0, r1]", InsnClass::kBranch, 2, true},
    {"tbh [r0, r1, lsl #1]", InsnClass::kBranch, 2, true},
    {"mov pc, r1", InsnClass::kBranch, 1, true},
    {"add pc, r1", InsnClass::kBranch, 1, true},
    {"it eq", InsnClass::kIt, 1},
    {"moveq r0, r1", InsnClass::kAlu, 1},
    {"ite gt", InsnClass::kIt, 1},
    {"movgt r0, #1", InsnClass::kAlu, 1},
    {"movle r0, #2", InsnClass::kAlu, 1},
    {"nop", InsnClass::kOther, 1},
    {"dmb", InsnClass::kOther, 1},
    {"mrs r0, primask", InsnClass::kOther, 1},
    {"bkpt 0xab", InsnClass::kOther, 1},
    {"pld [r0]", InsnClass::kOther, 1},
    {"vadd.f32 s0, s1, s2", InsnClass::kFpArith, 1},
    {"vsub.f32 s0, s1, s2", InsnClass::kFpArith, 1},
    {"vmul.f32 s0, s1, s2", InsnClass::kFpArith, 1},
    {"vnmul.f32 s0, s1, s2", InsnClass::kFpArith, 1},
    {"vmla.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vmls.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vnmla.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vfma.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vfms.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vfnma.f32 s0, s1, s2", InsnClass::kFpMac, 3},
    {"vdiv.f32 s0, s1, s2", InsnClass::kFpDivSqrt, 14},
    {"vsqrt.f32 s0, s1", InsnClass::kFpDivSqrt, 14},
    {"vabs.f32 s0, s1", InsnClass::kFpArith, 1},
    {"vneg.f32 s0, s1", InsnClass::kFpArith, 1},
    {"vcvt.s32.f32 s0, s1", InsnClass::kFpArith, 1},
    {"vcvt.f32.s32 s0, s0", InsnClass::kFpArith, 1},
    {"vcmp.f32 s0, s1", InsnClass::kFpArith, 1},
    {"vcmpe.f32 s0, #0", InsnClass::kFpArith, 1},
    {"vmov.f32 s0, #1.0", InsnClass::kFpArith, 1},
    {"vmov.f32 s0, s1", InsnClass::kFpArith, 1},
    {"vldr s0, [r0]", InsnClass::kFpLoadStore, 2},
    {"vstr s0, [r0, #4]", InsnClass::kFpLoadStore, 2},
    {"vldmia r0!, {s0-s3}", InsnClass::kFpLoadStore, 5},
    {"vpush {s16-s19}", InsnClass::kFpLoadStore, 5},
    {"vpop {d8-d9}", InsnClass::kFpLoadStore, 5},
    {"vmov r0, s0", InsnClass::kFpTransfer, 1},
    {"vmov s0, r0", InsnClass::kFpTransfer, 1},
    {"vmrs APSR_nzcv, fpscr", InsnClass::kFpTransfer, 1},
    {"vmov r0, r1, s0, s1", InsnClass::kFpTransfer, 2},
};

std::vector<uint8_t> read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ThumbCycles, AssembledListingDecodesToTheTimingTable) {
  const std::string as = profile::find_program("arm-none-eabi-as");
  const std::string objcopy = profile::find_program("arm-none-eabi-objcopy");
  if (as.empty() || objcopy.empty())
    GTEST_SKIP() << "arm-none-eabi binutils missing (tools/install_deps.sh)";
  testing::ScratchDir dir("thumb");
  std::string source = "  .syntax unified\n  .thumb\n  .text\n  .thumb_func\nstart:\n";
  for (const Expected& e : kListing) source += fmt::format("  {}\n", e.assembly);
  source += "  .thumb_func\ntarget:\n  bx lr\n  .ltorg\n";
  std::ofstream(dir.path() / "listing.s") << source;
  const auto assembled = profile::run_process(
      {as, "-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mthumb", "-o",
       (dir.path() / "listing.o").string(), (dir.path() / "listing.s").string()},
      60);
  ASSERT_EQ(assembled.exit_code, 0) << assembled.output;
  const auto copied = profile::run_process(
      {objcopy, "-O", "binary", "-j", ".text", (dir.path() / "listing.o").string(),
       (dir.path() / "listing.bin").string()},
      60);
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  const std::vector<uint8_t> code = read_all(dir.path() / "listing.bin");

  size_t at = 0;
  for (const Expected& e : kListing) {
    ASSERT_LE(at + 2, code.size());
    const uint16_t first = static_cast<uint16_t>(code[at] | (code[at + 1] << 8));
    const bool wide = profile::is_thumb32(first);
    const uint16_t second = wide ? static_cast<uint16_t>(code[at + 2] | (code[at + 3] << 8)) : 0;
    const profile::InsnTiming t = profile::classify_thumb(first, second);
    EXPECT_EQ(profile::insn_class_name(t.cls), std::string(profile::insn_class_name(e.cls)))
        << e.assembly << fmt::format(" ({:04x} {:04x})", first, second);
    EXPECT_EQ(t.cycles, e.cycles) << e.assembly;
    EXPECT_EQ(t.writes_pc || t.cls == InsnClass::kBranch,
              e.writes_pc || e.cls == InsnClass::kBranch)
        << e.assembly;
    EXPECT_EQ(t.size, wide ? 4 : 2) << e.assembly;
    at += wide ? 4 : 2;
  }
}

// Encodings worked out by hand from the ARMv7-M Architecture Reference Manual.
TEST(ThumbCycles, HandEncodedInstructions) {
  EXPECT_EQ(profile::classify_thumb(0x4770, 0).cls, InsnClass::kBranch);  // bx lr
  const auto push = profile::classify_thumb(0xB510, 0);                   // push {r4, lr}
  EXPECT_EQ(push.cls, InsnClass::kStoreMultiple);
  EXPECT_EQ(push.cycles, 3);
  const auto pop = profile::classify_thumb(0xBD10, 0);  // pop {r4, pc}
  EXPECT_EQ(pop.cls, InsnClass::kLoadMultiple);
  EXPECT_TRUE(pop.writes_pc);
  EXPECT_EQ(profile::classify_thumb(0x6808, 0).cls, InsnClass::kLoad);         // ldr r0, [r1]
  EXPECT_EQ(profile::classify_thumb(0x6008, 0).cls, InsnClass::kStore);        // str r0, [r1]
  EXPECT_EQ(profile::classify_thumb(0xFB90, 0xF0F1).cls, InsnClass::kDivide);  // sdiv r0, r0, r1
  EXPECT_EQ(profile::classify_thumb(0xFB21, 0x3002).cls,
            InsnClass::kDspMac);  // smlad r0, r1, r2, r3
  EXPECT_EQ(profile::classify_thumb(0xF000, 0xF800).cls, InsnClass::kBranch);  // bl
  EXPECT_FALSE(profile::is_thumb32(0xE7FE));                                   // b . (16-bit)
  EXPECT_TRUE(profile::is_thumb32(0xE8BD));                                    // pop.w
}

TEST(ThumbCycles, NeighbouringLoadsAndStoresPipeline) {
  const profile::InsnTiming load = profile::classify_thumb(0x6808, 0);       // ldr r0, [r1]
  const profile::InsnTiming store = profile::classify_thumb(0x6008, 0);      // str r0, [r1]
  const profile::InsnTiming add = profile::classify_thumb(0x3001, 0);        // adds r0, #1
  const profile::InsnTiming ldrd = profile::classify_thumb(0xE9D2, 0x0100);  // ldrd r0, r1, [r2]
  const profile::InsnTiming run[] = {load, load, store, add, store, ldrd, load};
  uint32_t cycles[7] = {};
  profile::straight_line_cycles(run, 7, cycles);
  // ldr 2, ldr 1 (pipelined), str 1 (pipelined), adds 1, str 2, ldrd 3 (never pipelined), ldr 2.
  const uint32_t expected[7] = {2, 1, 1, 1, 2, 3, 2};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(cycles[i], expected[i]) << "instruction " << i;
}

TEST(ThumbCycles, ClassNamesAreDistinct) {
  std::set<std::string> names;
  for (int c = 0; c < static_cast<int>(InsnClass::kCount); ++c)
    names.insert(profile::insn_class_name(static_cast<InsnClass>(c)));
  EXPECT_EQ(names.size(), static_cast<size_t>(InsnClass::kCount));
}

}  // namespace
}  // namespace kiln
