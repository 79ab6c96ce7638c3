/* Markers, stack painting and console output for the profiling firmware. */
#include "kiln_probe.h"

#include "kiln_semihost.h"

extern uint32_t __kiln_stack_limit[];
extern uint32_t __kiln_stack_top[];

#define KILN_STACK_PATTERN 0xA5C3E10Fu

/* The markers and the painter are assembly so their instruction counts are fixed and the
 * painter touches no stack itself (it fills everything below its own stack pointer). */
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    "  .section .text.kiln_profile_markers,\"ax\",%progbits\n"
    "  .balign 4\n"
    "  .global kiln_profile_begin\n"
    "  .type kiln_profile_begin, %function\n"
    "  .thumb_func\n"
    "kiln_profile_begin:\n"
    "  bx lr\n"
    "  .size kiln_profile_begin, . - kiln_profile_begin\n"
    "  .balign 4\n"
    "  .global kiln_profile_end\n"
    "  .type kiln_profile_end, %function\n"
    "  .thumb_func\n"
    "kiln_profile_end:\n"
    "  bx lr\n"
    "  .size kiln_profile_end, . - kiln_profile_end\n"
    "  .balign 4\n"
    "  .global kiln_stack_paint\n"
    "  .type kiln_stack_paint, %function\n"
    "  .thumb_func\n"
    "kiln_stack_paint:\n"
    "  ldr r0, =__kiln_stack_limit\n"
    "  mov r1, sp\n"
    "  ldr r2, =0xA5C3E10F\n"
    "1:\n"
    "  cmp r0, r1\n"
    "  bhs 2f\n"
    "  str r2, [r0], #4\n"
    "  b 1b\n"
    "2:\n"
    "  bx lr\n"
    "  .size kiln_stack_paint, . - kiln_stack_paint\n"
    "  .ltorg\n"
    "  .text\n");

uint32_t kiln_stack_peak_bytes(void) {
  const volatile uint32_t* p = __kiln_stack_limit;
  while (p < __kiln_stack_top && *p == KILN_STACK_PATTERN) ++p;
  return (uint32_t)((uintptr_t)__kiln_stack_top - (uintptr_t)p);
}

uint32_t kiln_stack_reserve_bytes(void) {
  return (uint32_t)((uintptr_t)__kiln_stack_top - (uintptr_t)__kiln_stack_limit);
}

#define KILN_TIMER0_CTRL (*(volatile uint32_t*)0x40000000u)
#define KILN_TIMER0_VALUE (*(volatile uint32_t*)0x40000004u)
#define KILN_TIMER0_RELOAD (*(volatile uint32_t*)0x40000008u)

void kiln_timer_start(void) {
  KILN_TIMER0_CTRL = 0;
  KILN_TIMER0_RELOAD = 0xFFFFFFFFu;
  KILN_TIMER0_VALUE = 0xFFFFFFFFu;
  KILN_TIMER0_CTRL = 1; /* enable, no interrupt */
}

uint32_t kiln_timer_elapsed_ticks(void) {
  return 0xFFFFFFFFu - KILN_TIMER0_VALUE;
}

static char* append_text(char* out, const char* text) {
  while (*text) *out++ = *text++;
  return out;
}

void kiln_print_hex(const char* label, const void* bytes, size_t count) {
  static const char kDigits[] = "0123456789abcdef";
  /* Semihosting traps are slow; send the hex in chunks of a few hundred characters. */
  char line[520];
  char* out = append_text(line, label);
  *out++ = ' ';
  const uint8_t* b = (const uint8_t*)bytes;
  for (size_t i = 0; i < count; ++i) {
    if (out - line > (long)sizeof(line) - 4) {
      *out = '\0';
      kiln_semihost_write(line);
      out = line;
    }
    *out++ = kDigits[b[i] >> 4];
    *out++ = kDigits[b[i] & 0xF];
  }
  *out++ = '\n';
  *out = '\0';
  kiln_semihost_write(line);
}

void kiln_print_u32(const char* label, uint32_t value) {
  char line[96];
  char* out = line;
  for (int i = 0; label[i] && i < 80; ++i) *out++ = label[i];
  *out++ = ' ';
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  while (n) *out++ = digits[--n];
  *out++ = '\n';
  *out = '\0';
  kiln_semihost_write(line);
}
