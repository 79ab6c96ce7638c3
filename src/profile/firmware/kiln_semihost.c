/* Semihosting calls: the operation number goes in r0, a pointer to its argument in r1, and
 * BKPT 0xAB (the Thumb semihosting trap) hands them to the debugger, here QEMU. */
#include "kiln_semihost.h"

#include <stdint.h>

enum {
  kSysWrite0 = 0x04,       /* r1: address of a NUL-terminated string */
  kSysExitExtended = 0x20, /* r1: address of {reason, exit code} */
};

/* The one stop reason QEMU maps to a normal exit; with SYS_EXIT_EXTENDED the second word of
 * the block becomes the process exit status. */
#define KILN_ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t semihost_call(uint32_t operation, const void* argument) {
  register uint32_t r0 __asm__("r0") = operation;
  register const void* r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void kiln_semihost_write(const char* text) {
  (void)semihost_call(kSysWrite0, text);
}

void kiln_semihost_exit(int status) {
  const uint32_t block[2] = {KILN_ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  (void)semihost_call(kSysExitExtended, block);
  for (;;) {
  }
}
