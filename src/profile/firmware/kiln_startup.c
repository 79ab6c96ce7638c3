/* Reset and exception entry of the profiling firmware. The Cortex-M4 reads the initial stack
 * pointer and the reset handler's address from the first two words of the vector table at
 * address 0 (VTOR resets to 0 on mps2-an386). */
#include <stdint.h>

#include "kiln_semihost.h"

/* Symbols defined by mps2_an386.ld. */
extern uint32_t __kiln_data_load[];
extern uint32_t __kiln_data_start[];
extern uint32_t __kiln_data_end[];
extern uint32_t __kiln_bss_start[];
extern uint32_t __kiln_bss_end[];
extern uint32_t __kiln_stack_top[];
typedef void (*kiln_init_fn)(void);
extern kiln_init_fn __kiln_init_array_start[];
extern kiln_init_fn __kiln_init_array_end[];

int main(void);

/* Coprocessor Access Control Register: bits 20..23 grant full access to CP10 and CP11, the
 * single-precision FPU. Without it the first floating-point instruction faults. */
#define KILN_CPACR (*(volatile uint32_t*)0xE000ED88u)

void kiln_reset_handler(void) {
  /* Word copies through volatile pointers: the compiler must not turn these loops into
   * memcpy/memset calls that would run before .data exists. */
  volatile uint32_t* dst = __kiln_data_start;
  const volatile uint32_t* src = __kiln_data_load;
  while (dst < __kiln_data_end) *dst++ = *src++;
  for (volatile uint32_t* p = __kiln_bss_start; p < __kiln_bss_end; ++p) *p = 0;

  KILN_CPACR |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");

  for (kiln_init_fn* f = __kiln_init_array_start; f < __kiln_init_array_end; ++f) (*f)();
  kiln_semihost_exit(main());
}

/* Any fault (bad address, undefined instruction, stack overflow into unmapped memory) ends the
 * run with a message instead of hanging the emulator. */
void kiln_fault_handler(void) {
  kiln_semihost_write("KILN_FAULT\n");
  kiln_semihost_exit(3);
}

__attribute__((section(".kiln_vectors"), used)) const void* const kiln_vector_table[16] = {
    __kiln_stack_top, /* initial main stack pointer */
    (const void*)kiln_reset_handler,
    (const void*)kiln_fault_handler, /* NMI */
    (const void*)kiln_fault_handler, /* HardFault */
    (const void*)kiln_fault_handler, /* MemManage */
    (const void*)kiln_fault_handler, /* BusFault */
    (const void*)kiln_fault_handler, /* UsageFault */
    0,
    0,
    0,
    0,
    (const void*)kiln_fault_handler, /* SVCall */
    (const void*)kiln_fault_handler, /* DebugMonitor */
    0,
    (const void*)kiln_fault_handler, /* PendSV */
    (const void*)kiln_fault_handler, /* SysTick */
};
