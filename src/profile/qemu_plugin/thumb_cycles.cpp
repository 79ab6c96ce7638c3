// Thumb-2 decoding down to the instruction classes of the cycle model. The encodings follow the
// ARMv7-M Architecture Reference Manual, chapters A5 (Thumb encoding) and A6 (floating point);
// only the fields that separate the classes are looked at.
#include "thumb_cycles.h"

namespace kiln::profile {

namespace {

int popcount16(uint32_t v) {
  int n = 0;
  for (v &= 0xFFFF; v; v &= v - 1) ++n;
  return n;
}

InsnTiming make(InsnClass cls, uint16_t cycles, uint8_t size) {
  InsnTiming t;
  t.cls = cls;
  t.cycles = cycles;
  t.size = size;
  return t;
}

InsnTiming single_memory(InsnClass cls, uint8_t size) {
  InsnTiming t = make(cls, 2, size);
  t.pipelines = true;
  return t;
}

InsnTiming branch(uint16_t cycles, uint8_t size) {
  InsnTiming t = make(InsnClass::kBranch, cycles, size);
  t.writes_pc = true;
  return t;
}

// 16-bit encodings (A5.2).
InsnTiming classify16(uint16_t hw) {
  if ((hw >> 14) == 0x0) return make(InsnClass::kAlu, 1, 2);  // shift, add, sub, mov, cmp
  if ((hw >> 10) == 0x10) {                                   // data processing
    const bool mul = ((hw >> 6) & 0xF) == 0xD;
    return make(mul ? InsnClass::kMultiply : InsnClass::kAlu, 1, 2);
  }
  if ((hw >> 10) == 0x11) {  // special data processing and branch/exchange
    const int opcode = (hw >> 8) & 3;
    if (opcode == 3) return branch(1, 2);  // BX, BLX
    const int rd = (((hw >> 7) & 1) << 3) | (hw & 7);
    if (opcode != 1 && rd == 15) return branch(1, 2);  // ADD PC / MOV PC
    return make(InsnClass::kAlu, 1, 2);
  }
  if ((hw >> 11) == 0x09) return single_memory(InsnClass::kLoad, 2);  // LDR literal
  if ((hw >> 12) == 0x5) {  // register offset: STR, STRH, STRB, then LDRSB, LDR, LDRH, LDRB, LDRSH
    return single_memory(((hw >> 9) & 7) < 3 ? InsnClass::kStore : InsnClass::kLoad, 2);
  }
  if ((hw >> 13) == 0x3 || (hw >> 12) == 0x8 || (hw >> 12) == 0x9) {  // immediate / SP offsets
    return single_memory((hw & 0x0800) ? InsnClass::kLoad : InsnClass::kStore, 2);
  }
  if ((hw >> 12) == 0xA) return make(InsnClass::kAlu, 1, 2);  // ADR, ADD Rd, SP, #imm
  if ((hw >> 12) == 0xB) {                                    // miscellaneous
    if ((hw & 0xF500) == 0xB100) return branch(1, 2);         // CBZ, CBNZ
    if ((hw & 0xFE00) == 0xB400) {                            // PUSH
      const int n = popcount16(hw & 0xFF) + ((hw >> 8) & 1);
      return make(InsnClass::kStoreMultiple, static_cast<uint16_t>(1 + n), 2);
    }
    if ((hw & 0xFE00) == 0xBC00) {  // POP
      const int n = popcount16(hw & 0xFF) + ((hw >> 8) & 1);
      InsnTiming t = make(InsnClass::kLoadMultiple, static_cast<uint16_t>(1 + n), 2);
      t.writes_pc = (hw >> 8) & 1;
      return t;
    }
    if ((hw & 0xFF00) == 0xBF00) return make((hw & 0xF) ? InsnClass::kIt : InsnClass::kOther, 1, 2);
    if ((hw & 0xFF00) == 0xBE00 || (hw & 0xFFE8) == 0xB660) return make(InsnClass::kOther, 1, 2);
    return make(InsnClass::kAlu, 1, 2);  // ADD/SUB SP, SXTB/UXTB/SXTH/UXTH, REV
  }
  if ((hw >> 12) == 0xC) {  // STM / LDM
    const int n = popcount16(hw & 0xFF);
    return make((hw & 0x0800) ? InsnClass::kLoadMultiple : InsnClass::kStoreMultiple,
                static_cast<uint16_t>(1 + n), 2);
  }
  if ((hw >> 12) == 0xD) {  // conditional branch, UDF, SVC
    const int cond = (hw >> 8) & 0xF;
    return cond >= 0xE ? make(InsnClass::kOther, 1, 2) : branch(1, 2);
  }
  return branch(1, 2);  // 11100: B
}

// Coprocessor space: only CP10/CP11 (the FPU) exists on a Cortex-M4F.
InsnTiming classify_fp(uint16_t hw1, uint16_t hw2) {
  const int coprocessor = (hw2 >> 8) & 0xF;
  if (coprocessor != 10 && coprocessor != 11) return make(InsnClass::kOther, 1, 4);
  if ((hw1 & 0x0E00) == 0x0C00) {  // extension register load/store, 64-bit transfers
    if ((hw1 & 0x01E0) == 0x0040) return make(InsnClass::kFpTransfer, 2, 4);  // VMOV 2 regs
    const bool p = hw1 & 0x0100, w = hw1 & 0x0020;
    if (p && !w) return make(InsnClass::kFpLoadStore, 2, 4);  // VLDR, VSTR
    const int words = hw2 & 0xFF;                             // VLDM/VSTM/VPUSH/VPOP
    return make(InsnClass::kFpLoadStore, static_cast<uint16_t>(1 + words), 4);
  }
  if ((hw1 & 0x0F00) != 0x0E00) return make(InsnClass::kOther, 1, 4);
  if (hw2 & 0x0010) return make(InsnClass::kFpTransfer, 1, 4);  // VMOV core<->S, VMRS, VMSR
  const int opc1 = (hw1 >> 4) & 0xB;                            // bits 23, 21, 20
  switch (opc1) {
    case 0x0:  // VMLA, VMLS
    case 0x1:  // VNMLA, VNMLS
    case 0x9:  // VFNMA, VFNMS
    case 0xA:  // VFMA, VFMS
      return make(InsnClass::kFpMac, 3, 4);
    case 0x8:  // VDIV
      return make(InsnClass::kFpDivSqrt, 14, 4);
    case 0xB: {  // other: VMOV imm/reg, VABS, VNEG, VSQRT, VCVT, VCMP
      const int opc2 = hw1 & 0xF, opc3 = (hw2 >> 6) & 3;
      if (opc2 == 0x1 && opc3 == 0x3) return make(InsnClass::kFpDivSqrt, 14, 4);
      return make(InsnClass::kFpArith, 1, 4);
    }
    default:  // VMUL, VNMUL, VADD, VSUB
      return make(InsnClass::kFpArith, 1, 4);
  }
}

// 32-bit data processing (register), A5.3.12: shifts, extends, SIMD add/sub, misc.
InsnTiming classify_dp_register(uint16_t hw1, uint16_t hw2) {
  const bool high = hw1 & 0x0080;
  if (!high && (hw2 & 0x00F0) == 0) return make(InsnClass::kAlu, 1, 4);  // shift by register
  if (!high && (hw2 & 0x0080)) {                                         // extend (+ add)
    const int op = (hw1 >> 4) & 7;
    const bool dual = op == 2 || op == 3;  // SXTB16/SXTAB16, UXTB16/UXTAB16
    return make(dual ? InsnClass::kDspSimd : InsnClass::kAlu, 1, 4);
  }
  if (high && !(hw2 & 0x0080)) return make(InsnClass::kDspSimd, 1, 4);  // SADD16, QADD8, UADD8...
  if (high && (hw2 & 0x00C0) == 0x0080) {  // QADD/QSUB, REV, RBIT, SEL, CLZ
    const bool sel = ((hw1 >> 4) & 7) == 2 && ((hw2 >> 4) & 3) == 0;
    return make(sel ? InsnClass::kDspSimd : InsnClass::kAlu, 1, 4);
  }
  return make(InsnClass::kOther, 1, 4);
}

InsnTiming classify32(uint16_t hw1, uint16_t hw2) {
  const int op1 = (hw1 >> 11) & 3;
  const int op2 = (hw1 >> 4) & 0x7F;
  if (op1 == 1) {
    if ((op2 & 0x64) == 0x00) {  // LDM/STM/PUSH/POP (wide)
      const int n = popcount16(hw2);
      if (hw1 & 0x0010) {
        InsnTiming t = make(InsnClass::kLoadMultiple, static_cast<uint16_t>(1 + n), 4);
        t.writes_pc = hw2 & 0x8000;
        return t;
      }
      return make(InsnClass::kStoreMultiple, static_cast<uint16_t>(1 + n), 4);
    }
    if ((op2 & 0x64) == 0x04) {  // dual, exclusive, table
      if ((hw1 & 0xFFF0) == 0xE8D0 && (hw2 & 0xFFE0) == 0xF000) return branch(2, 4);  // TBB/H
      const bool load = hw1 & 0x0010;
      // LDREX/STREX (P=U=W=0) and LDREXB/H, STREXB/H; everything else here is LDRD/STRD.
      const bool exclusive =
          (hw1 & 0x01A0) == 0x0000 || ((hw1 & 0x01A0) == 0x0080 && (hw2 & 0x00C0) == 0x0040);
      if (exclusive) return make(load ? InsnClass::kLoad : InsnClass::kStore, 2, 4);
      return make(load ? InsnClass::kLoad : InsnClass::kStore, 3, 4);  // LDRD, STRD
    }
    if ((op2 & 0x60) == 0x20) return make(InsnClass::kAlu, 1, 4);  // data processing (shifted)
    return classify_fp(hw1, hw2);
  }
  if (op1 == 2) {
    if (!(hw2 & 0x8000)) return make(InsnClass::kAlu, 1, 4);  // data processing (immediate)
    switch (hw2 & 0x5000) {
      case 0x0000:  // conditional B.W, or misc control when the condition field is 111x
        if (((hw1 >> 7) & 7) != 7) return branch(1, 4);
        return make(InsnClass::kOther, 1, 4);  // MSR, MRS, hints, barriers, UDF
      case 0x1000:                             // B.W
      case 0x5000:                             // BL
        return branch(1, 4);
      default:  // BLX immediate: undefined on M-profile
        return make(InsnClass::kOther, 1, 4);
    }
  }
  // op1 == 3
  if ((op2 & 0x71) == 0x00) return single_memory(InsnClass::kStore, 4);
  if ((op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 || (op2 & 0x67) == 0x05) {
    const int rt = hw2 >> 12;
    if (rt == 15 && (op2 & 0x67) != 0x05) return make(InsnClass::kOther, 1, 4);  // PLD, PLI
    InsnTiming t = single_memory(InsnClass::kLoad, 4);
    if (rt == 15) {  // LDR PC: a load that branches
      t.writes_pc = true;
      t.pipelines = false;
    }
    return t;
  }
  if ((op2 & 0x67) == 0x07) return make(InsnClass::kOther, 1, 4);
  if ((op2 & 0x70) == 0x20) return classify_dp_register(hw1, hw2);
  if ((op2 & 0x78) == 0x30) {  // multiply, multiply-accumulate, absolute difference
    switch ((hw1 >> 4) & 7) {
      case 2:  // SMLAD, SMUAD
      case 4:  // SMLSD, SMUSD
        return make(InsnClass::kDspMac, 1, 4);
      case 7:  // USAD8, USADA8
        return make(InsnClass::kDspSimd, 1, 4);
      default:  // MUL/MLA/MLS, SMUL/SMLA<x><y>, SMULW/SMLAW, SMMUL/SMMLA/SMMLS
        return make(InsnClass::kMultiply, 1, 4);
    }
  }
  if ((op2 & 0x78) == 0x38) {  // long multiply, long MAC, divide
    const int op = (hw1 >> 4) & 7, sub = (hw2 >> 4) & 0xF;
    if ((op == 1 || op == 3) && sub == 0xF) {
      return make(InsnClass::kDivide, static_cast<uint16_t>(kDivideCycles), 4);
    }
    if ((op == 4 || op == 5) && (sub & 0xE) == 0xC)
      return make(InsnClass::kDspMac, 1, 4);  // SMLALD
    return make(InsnClass::kMultiply, 1, 4);
  }
  return classify_fp(hw1, hw2);
}

}  // namespace

const char* insn_class_name(InsnClass c) {
  static const char* const kNames[] = {
      "alu",         "multiply",      "dsp_mac",        "dsp_simd", "divide",   "load",
      "store",       "load_multiple", "store_multiple", "branch",   "fp_arith", "fp_mac",
      "fp_div_sqrt", "fp_load_store", "fp_transfer",    "it",       "other"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(InsnClass::kCount));
  const auto i = static_cast<size_t>(c);
  return i < static_cast<size_t>(InsnClass::kCount) ? kNames[i] : "?";
}

InsnTiming classify_thumb(uint16_t first, uint16_t second) {
  return is_thumb32(first) ? classify32(first, second) : classify16(first);
}

void straight_line_cycles(const InsnTiming* insns, size_t count, uint32_t* cycles_out) {
  bool previous_single_memory = false;
  for (size_t i = 0; i < count; ++i) {
    const InsnTiming& t = insns[i];
    cycles_out[i] = (t.pipelines && previous_single_memory) ? 1 : t.cycles;
    previous_single_memory = t.pipelines;
  }
}

}  // namespace kiln::profile
