/* Profiling firmware main: loads the embedded input into the compiled model, runs one
 * inference between the counting markers, then reports status, peak stack and every output.
 * kiln_profile_model.h is generated per model: it includes the model's header, embeds the
 * input bytes and maps the generic names below onto the model's prefixed API. */
#include <string.h>

#include "kiln_probe.h"
#include "kiln_profile_model.h"

int main(void) {
  KILN_PM_RESET();
  for (int i = 0; i < KILN_PM_NUM_INPUTS; ++i) {
    if (KILN_PM_INPUT_BYTES(i) != kiln_pm_input_size[i]) {
      kiln_print_u32("KILN_BAD_INPUT", (uint32_t)i);
      return 2;
    }
    memcpy(KILN_PM_INPUT(i), kiln_pm_input_data[i], kiln_pm_input_size[i]);
  }

  kiln_stack_paint();
  kiln_timer_start();
  kiln_profile_begin();
  const int status = KILN_PM_INVOKE();
  kiln_profile_end();
  const uint32_t ticks = kiln_timer_elapsed_ticks();
  const uint32_t stack = kiln_stack_peak_bytes();

  kiln_print_u32("KILN_STATUS", (uint32_t)status);
  kiln_print_u32("KILN_STACK", stack);
  kiln_print_u32("KILN_STACK_RESERVE", kiln_stack_reserve_bytes());
  kiln_print_u32("KILN_TIMER_TICKS", ticks);
  for (int i = 0; i < KILN_PM_NUM_OUTPUTS; ++i)
    kiln_print_hex("KILN_OUTPUT", KILN_PM_OUTPUT(i), KILN_PM_OUTPUT_BYTES(i));
  kiln_print_u32("KILN_DONE", 0);
  return status == 0 ? 0 : 1;
}
