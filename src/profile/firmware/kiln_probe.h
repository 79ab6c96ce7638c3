/* Measurement hooks of the profiling firmware.
 * The host's instruction-counting QEMU plugin counts every instruction executed from the first
 * instruction of kiln_profile_begin up to (not including) the first instruction of
 * kiln_profile_end. Each marker is one `bx lr` written in assembly, so the region around
 * `kiln_profile_begin(); f(); kiln_profile_end();` holds f's instructions plus three: the
 * begin marker's `bx lr` and the `bl` instructions to f and to kiln_profile_end. */
#ifndef KILN_PROBE_H_
#define KILN_PROBE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void kiln_profile_begin(void);
void kiln_profile_end(void);

/* Fills the unused stack (from its limit up to the current stack pointer) with a pattern. */
void kiln_stack_paint(void);

/* Bytes of stack ever used since start-up, judged from the deepest overwritten pattern word;
 * returns the whole reserve if even the lowest word was overwritten (possible overflow). */
uint32_t kiln_stack_peak_bytes(void);

/* Bytes reserved for the stack by the linker script. */
uint32_t kiln_stack_reserve_bytes(void);

/* The board's CMSDK APB timer 0 (0x40000000), a 32-bit down-counter on the 25 MHz peripheral
 * clock. Only meaningful under QEMU's -icount (then virtual time advances a fixed step per
 * instruction): it is the fallback measure when the counting plugin cannot be used. */
void kiln_timer_start(void);
uint32_t kiln_timer_elapsed_ticks(void);

/* Writes "<label> <hex of bytes>\n" to the host console. */
void kiln_print_hex(const char* label, const void* bytes, size_t count);

/* Writes "<label> <value>\n" to the host console. */
void kiln_print_u32(const char* label, uint32_t value);

#ifdef __cplusplus
}
#endif

#endif /* KILN_PROBE_H_ */
