// The counting plugin is exact: a hand-written Thumb-2 loop with a known instruction count runs
// between the markers, and the count, the per-class counts, the taken branches and the cycle
// estimate must equal what the loop's listing gives by hand.
#include <gtest/gtest.h>

#include "profile/emulator.h"
#include "profile/firmware.h"
#include "profile/qemu_plugin/thumb_cycles.h"
#include "profile_test_util.h"

namespace kiln {
namespace {

// kIterations passes of an 11-instruction loop body. The comments give each instruction's class
// and its cost under the model of thumb_cycles.h.
constexpr uint64_t kIterations = 1000;
const char* kWorkload = R"(
  .syntax unified
  .thumb
  .bss
  .balign 4
counter_cells:
  .space 8
  .text
  .balign 4
  .global main
  .type main, %function
  .thumb_func
main:
  push {r4, r5, lr}
  ldr r1, =counter_cells
  ldr r0, =1000
  bl kiln_profile_begin      @ the region starts at the marker's bx lr (branch, taken)
loop:
  ldr r2, [r1]               @ load            2
  ldr r3, [r1, #4]           @ load            1 (pipelined behind the previous load)
  adds r2, r2, #3            @ alu             1
  str r2, [r1]               @ store           2
  mul r5, r2, r3             @ multiply        1
  sdiv r4, r2, r0            @ divide          7 (model's middle of 2..12)
  cmp r4, r2                 @ alu             1
  it gt                      @ it              1
  movgt r4, r2               @ alu             1
  subs r0, r0, #1            @ alu             1
  bne loop                   @ branch          1, +2 when taken
  bl kiln_profile_end        @ branch, taken: the last counted instruction
  ldr r0, =done_label
  movs r1, #0
  bl kiln_print_u32
  movs r0, #0
  pop {r4, r5, pc}
  .ltorg
  .size main, . - main
  .section .rodata
done_label:
  .asciz "KILN_DONE"
)";

// Builds the base firmware with `workload` as workload.S in `dir` and runs it on QEMU with the
// counting plugin.
profile::EmulationResult count_workload(const testing::ScratchDir& dir,
                                        const std::string& workload) {
  const profile::Toolchain tools = testing::installed_tools();
  profile::FirmwareProject project = profile::base_firmware();
  project.files["workload.S"] = workload;
  project.sources.push_back("workload.S");
  const auto elf = profile::build_firmware(tools, project, dir.path(), {});
  profile::EmulationOptions run;
  run.plugin = profile::build_count_plugin(tools, profile::default_cache_dir());
  return profile::run_on_qemu(tools, elf, run);
}

TEST(CountingExact, HandWrittenLoopIsCountedExactly) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-gcc, make, qemu-system-arm or g++ missing";
  testing::ScratchDir dir("exact");
  const profile::EmulationResult r = count_workload(dir, kWorkload);

  const uint64_t n = kIterations;
  // Region: the begin marker's bx lr, n loop bodies, the bl to the end marker.
  EXPECT_EQ(r.instructions, 11 * n + 2);
  EXPECT_EQ(r.instruction_classes.at("load"), 2 * n);
  EXPECT_EQ(r.instruction_classes.at("store"), n);
  EXPECT_EQ(r.instruction_classes.at("alu"), 4 * n);
  EXPECT_EQ(r.instruction_classes.at("multiply"), n);
  EXPECT_EQ(r.instruction_classes.at("divide"), n);
  EXPECT_EQ(r.instruction_classes.at("it"), n);
  EXPECT_EQ(r.instruction_classes.at("branch"), n + 2);  // bx lr, n x bne, bl
  // Taken: the marker's return, n - 1 loop-backs, the call to the end marker.
  EXPECT_EQ(r.taken_branches, n + 1);
  const uint64_t body = 2 + 1 + 1 + 2 + 1 + profile::kDivideCycles + 1 + 1 + 1 + 1 + 1;
  EXPECT_EQ(r.cycles, 1 + body * n + 1 + profile::kBranchRefillCycles * (n + 1));
  EXPECT_EQ(r.method, "qemu-plugin");
  if (HasFailure()) dir.keep();
}

// A loop whose two loads sit on either side of a 1 KiB boundary, where QEMU ends a translation
// block although the code does not branch: the second load still pipelines behind the first, so
// the estimate does not depend on where the linker puts the code.
const char* kStraddlingWorkload = R"(
  .syntax unified
  .thumb
  .bss
  .balign 4
straddle_cells:
  .space 8
  .text
  .balign 4
  .global main
  .type main, %function
  .thumb_func
main:
  push {r4, r5, lr}
  ldr r1, =straddle_cells
  ldr r0, =1000
  bl kiln_profile_begin
  b loop
  .ltorg
  .balign 1024
  .space 1020                @ never executed: puts the loop's loads at offsets 1022 and 1024
loop:
  adds r2, r2, #1            @ alu             1
  ldr r3, [r1]               @ load            2 (last instruction before the boundary)
  ldr r5, [r1, #4]           @ load            1 (first after it, pipelined)
  subs r0, r0, #1            @ alu             1
  bne loop                   @ branch          1, +2 when taken
  bl kiln_profile_end
  ldr r0, =straddle_label
  movs r1, #0
  bl kiln_print_u32
  movs r0, #0
  pop {r4, r5, pc}
  .ltorg
  .size main, . - main
  .section .rodata
straddle_label:
  .asciz "KILN_DONE"
)";

TEST(CountingExact, LoadsPipelineAcrossABlockBoundaryWithoutABranch) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-gcc, make, qemu-system-arm or g++ missing";
  testing::ScratchDir dir("straddle");
  const profile::EmulationResult r = count_workload(dir, kStraddlingWorkload);

  const uint64_t n = kIterations;
  // Region: the marker's bx lr, the b to the loop, n loop bodies, the bl to the end marker.
  EXPECT_EQ(r.instructions, 5 * n + 3);
  EXPECT_EQ(r.instruction_classes.at("load"), 2 * n);
  // Taken: the marker's return, the b, n - 1 loop-backs, the call to the end marker. The two
  // loads cost 2 + 1: the boundary between them is not a branch.
  EXPECT_EQ(r.taken_branches, n + 2);
  const uint64_t body = 1 + 2 + 1 + 1 + 1;
  EXPECT_EQ(r.cycles, 1 + 1 + body * n + 1 + profile::kBranchRefillCycles * (n + 2));
  if (HasFailure()) dir.keep();
}

// QEMU ends a block before a 32-bit instruction that crosses a 1 KiB page, after reading its
// first half, and reports that half as part of the block's last instruction (6 bytes); the
// plugin takes sizes from the encoding, so the next block still counts as a fall-through.
TEST(CountingExact, AnInstructionAcrossAPageBoundaryIsNoBranch) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-gcc, make, qemu-system-arm or g++ missing";
  std::string workload = kStraddlingWorkload;
  const size_t from = workload.find("  .space 1020");
  const size_t to = workload.find("  bl kiln_profile_end");
  workload.replace(from, to - from,
                   R"(  .space 1020                @ never executed: puts the loop at offset 1020
loop:
  adds r2, r2, #1            @ alu             1
  add.w r4, r4, #1           @ alu             1 (32-bit, at offsets 1022 to 1025)
  subs r0, r0, #1            @ alu             1
  bne loop                   @ branch          1, +2 when taken
)");
  testing::ScratchDir dir("page_straddle");
  const profile::EmulationResult r = count_workload(dir, workload);

  const uint64_t n = kIterations;
  EXPECT_EQ(r.instructions, 4 * n + 3);
  // Taken: the marker's return, the b, n - 1 loop-backs, the call to the end marker.
  EXPECT_EQ(r.taken_branches, n + 2);
  EXPECT_EQ(r.cycles, 1 + 1 + 4 * n + 1 + profile::kBranchRefillCycles * (n + 2));
  if (HasFailure()) dir.keep();
}

TEST(CountingExact, IcountClockAgreesWithinItsResolution) {
  if (!testing::can_emulate()) GTEST_SKIP() << "arm-none-eabi-gcc, make or qemu-system-arm missing";
  const profile::Toolchain tools = testing::installed_tools();
  testing::ScratchDir dir("icount");
  profile::FirmwareProject project = profile::base_firmware();
  // The same loop, with the board timer started and read around the markers as the profiling
  // main does.
  std::string workload = kWorkload;
  const std::string call_begin = "  bl kiln_profile_begin";
  workload.replace(
      workload.find(call_begin), call_begin.size(),
      "  bl kiln_timer_start\n  ldr r1, =counter_cells\n  ldr r0, =1000\n" + call_begin);
  const std::string after_end =
      "  bl kiln_profile_end        @ branch, taken: the last counted instruction\n";
  workload.replace(workload.find(after_end), after_end.size(),
                   after_end +
                       "  bl kiln_timer_elapsed_ticks\n  mov r1, r0\n  ldr r0, =ticks_label\n  bl "
                       "kiln_print_u32\n");
  workload += "ticks_label:\n  .asciz \"KILN_TIMER_TICKS\"\n";
  project.files["workload.S"] = workload;
  project.sources.push_back("workload.S");
  const auto elf = profile::build_firmware(tools, project, dir.path(), {});

  const profile::EmulationResult r = profile::run_on_qemu(tools, elf, {});
  EXPECT_EQ(r.method, "icount-timer");
  const double exact = 11.0 * kIterations + 2;
  EXPECT_NEAR(static_cast<double>(r.instructions), exact, 80.0) << r.console;
  if (HasFailure()) dir.keep();
}

// A function counted exactly from its entry to the return into main, with the cost of each call
// it makes: push, two calls to counting loops, pop.
const char* kCallingWorkload = R"(
  .syntax unified
  .thumb
  .text
  .global main
  .type main, %function
  .thumb_func
main:
  push {r4, lr}
  bl outer
  ldr r0, =done_label
  movs r1, #0
  bl kiln_print_u32
  movs r0, #0
  pop {r4, pc}
  .ltorg
  .size main, . - main

  .global outer
  .type outer, %function
  .thumb_func
outer:
  push {r4, lr}              @ 1, ahead of the first call
  bl leaf_a                  @ call 0: 1 + leaf_a (22)
  bl leaf_b                  @ call 1: 1 + leaf_b (12) + the pop below
  pop {r4, pc}
  .size outer, . - outer

  .type leaf_a, %function
  .thumb_func
leaf_a:
  movs r0, #10
1:
  subs r0, r0, #1
  bne 1b
  bx lr
  .size leaf_a, . - leaf_a

  .type leaf_b, %function
  .thumb_func
leaf_b:
  movs r0, #5
1:
  subs r0, r0, #1
  bne 1b
  bx lr
  .size leaf_b, . - leaf_b

  .section .rodata
done_label:
  .asciz "KILN_DONE"
)";

TEST(CountingExact, FunctionAndItsCallsAreCountedExactly) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-gcc, make, qemu-system-arm or g++ missing";
  const profile::Toolchain tools = testing::installed_tools();
  testing::ScratchDir dir("calls");
  profile::FirmwareProject project = profile::base_firmware();
  project.files["workload.S"] = kCallingWorkload;
  project.sources.push_back("workload.S");
  const auto elf = profile::build_firmware(tools, project, dir.path(), {});

  profile::EmulationOptions run;
  run.plugin = profile::build_count_plugin(tools, profile::default_cache_dir());
  run.exact_function = "outer";
  run.traced_function = "outer";
  const profile::EmulationResult r = profile::run_on_qemu(tools, elf, run);
  EXPECT_EQ(r.region, "outer");
  EXPECT_EQ(r.instructions, 1u + (1 + 22) + (1 + 12 + 1));
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].callee, "leaf_a");
  EXPECT_EQ(r.calls[0].instructions, 1u + 22);
  EXPECT_EQ(r.calls[1].callee, "leaf_b");
  EXPECT_EQ(r.calls[1].instructions, 1u + 12 + 1);
  if (HasFailure()) dir.keep();
}

}  // namespace
}  // namespace kiln
