// A Thumb-2 (ARMv7E-M + FPv4-SP) instruction classifier and the Cortex-M4 cycle model Kiln uses
// to turn exact instruction counts from the emulator into a cycle estimate.
//
// Self-contained C++17 with no dependencies: it is compiled into the kiln_profile library (and
// tested there) and, as embedded text, into the QEMU counting plugin that kiln builds at run time.
//
// The cycle model follows the Cortex-M4 Technical Reference Manual's instruction timing table
// (zero wait-state memory):
//   data processing, MOV/MOVW/MOVT, shifts, extends, saturation, IT, hints   1
//   MUL, MLA, MLS, SMULL/UMULL/SMLAL/UMLAL, SMUL/SMLA<x><y>, SMMUL, ...      1
//   dual 16-bit MACs SMLAD/SMLSD/SMUAD/SMUSD/SMLALD, SIMD add/sub, SXTB16     1
//   SDIV/UDIV                                                 2..12, modelled as 7
//   LDR/STR (any width)                                       2, but 1 when it directly follows
//                                                             another single load/store (the
//                                                             address and data phases pipeline)
//   LDRD/STRD                                                 3
//   LDM/STM/PUSH/POP with N registers                         1 + N
//   branches B/BL/BX/BLX/CBZ/CBNZ                             1, plus P when taken
//   TBB/TBH                                                   2, plus P
//   VADD/VSUB/VMUL/VNMUL/VABS/VNEG/VCVT/VCMP/VMOV/VMRS        1
//   VMLA/VMLS/VNMLA/VNMLS/VFMA/VFMS/VFNMA/VFNMS               3
//   VDIV, VSQRT                                               14
//   VLDR/VSTR                                                 2
//   VLDM/VSTM/VPUSH/VPOP with N words                         1 + N
//   VMOV between two core registers and two S registers       2
// P, the pipeline refill after a taken branch (or any write to PC), is 1..3 cycles depending on
// the target's alignment and width; the model uses 2. Whether a branch was taken is only known
// at run time: the plugin sees it as a translation block that does not start where the previous
// one ended. Instructions skipped by an IT block are counted as executed (the core spends a cycle
// on them too); loads and stores skipped that way are overestimated by one cycle.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::profile {

enum class InsnClass : uint8_t {
  kAlu,            // data processing, moves, shifts, extends, saturation
  kMultiply,       // 32-bit and single 16-bit multiplies and MACs, long multiplies
  kDspMac,         // dual 16-bit MACs (SMLAD family): two multiply-accumulates per instruction
  kDspSimd,        // SIMD add/subtract, SXTB16/UXTB16, USAD8, SEL
  kDivide,         // SDIV, UDIV
  kLoad,           // single loads (LDR/LDRB/LDRH/LDRSB/LDRSH/LDRD/LDREX, literal)
  kStore,          // single stores
  kLoadMultiple,   // LDM, POP
  kStoreMultiple,  // STM, PUSH
  kBranch,         // B, BL, BX, BLX, CBZ, CBNZ, TBB, TBH, MOV/ADD to PC
  kFpArith,        // single-cycle FPU data processing
  kFpMac,          // FPU multiply-accumulate (chained or fused)
  kFpDivSqrt,      // VDIV, VSQRT
  kFpLoadStore,    // VLDR, VSTR, VLDM, VSTM, VPUSH, VPOP
  kFpTransfer,     // VMOV to/from core registers, VMRS, VMSR
  kIt,             // IT
  kOther,          // hints, barriers, system, breakpoints, undefined
  kCount
};

// Short lowercase names ("alu", "dsp_mac", ...), indexed by InsnClass.
const char* insn_class_name(InsnClass c);

struct InsnTiming {
  InsnClass cls = InsnClass::kOther;
  uint8_t size = 2;        // bytes: 2 or 4
  uint16_t cycles = 1;     // cycles when not pipelined with a neighbour and not taken
  bool pipelines = false;  // single load/store: costs 1 when right after another such one
  bool writes_pc = false;  // may redirect control flow (a branch, POP {pc}, LDR pc, ...)
};

constexpr uint32_t kBranchRefillCycles = 2;  // P, the refill after a taken branch
constexpr uint32_t kDivideCycles = 7;        // SDIV/UDIV take 2..12 cycles depending on operands

// True if the halfword `first` starts a 32-bit Thumb instruction.
constexpr bool is_thumb32(uint16_t first) {
  return (first >> 11) >= 0x1D;
}

// Classifies one instruction: `first` is its first halfword, `second` the next one (ignored for
// 16-bit instructions).
InsnTiming classify_thumb(uint16_t first, uint16_t second);

// Cycles of each instruction of a straight-line run (a translation block) under the model, not
// counting taken-branch refills: applies the load/store pipelining between neighbours. (The
// plugin carries the pipelining across blocks that QEMU ends without a branch.)
void straight_line_cycles(const InsnTiming* insns, size_t count, uint32_t* cycles_out);

}  // namespace kiln::profile
