/* ARM semihosting (BKPT 0xAB) for the profiling firmware: text out to the host and a clean
 * exit with a status code. QEMU implements it with -semihosting-config enable=on. */
#ifndef KILN_SEMIHOST_H_
#define KILN_SEMIHOST_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the host console. */
void kiln_semihost_write(const char* text);

/* Ends the emulation; QEMU exits with `status` (0 = success). Never returns. */
void kiln_semihost_exit(int status) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* KILN_SEMIHOST_H_ */
