/* Profiling firmware main for a deployed project library: classifies the window built into
 * example/kiln_sample.h with the library's two phases called separately, so the host can count
 * kiln_compute_features (DSP) and kiln_run_network (network) apart. Each phase is called exactly
 * once from here: the counting plugin measures a function from its entry to the return into
 * main. The board timer is read around the phases for the -icount fallback. Reports status, peak
 * stack, the scores (and anomaly score) as raw bytes, and whether they equal the host's scores
 * embedded in the sample header. */
#include <string.h>

#include "example/kiln_sample.h"
#include "kiln_classifier.h"
#include "kiln_probe.h"

namespace {

int sample_data(size_t offset, size_t length, float* out) {
  if (offset > KILN_WINDOW_VALUES || length > KILN_WINDOW_VALUES - offset) return -1;
  memcpy(out, kiln_sample_values + offset, length * sizeof(float));
  return 0;
}

}  // namespace

int main() {
  const kiln_signal_t signal = {KILN_WINDOW_VALUES, sample_data};
  kiln_result_t result;
  memset(&result, 0, sizeof(result));
  result.label = -1;

  kiln_stack_paint();
  kiln_timer_start();
  kiln_profile_begin();
  int status = kiln_compute_features(&signal);
  const uint32_t dsp_ticks = kiln_timer_elapsed_ticks();
  if (status == KILN_OK) status = kiln_run_network(&result);
  kiln_profile_end();
  const uint32_t ticks = kiln_timer_elapsed_ticks();
  const uint32_t stack = kiln_stack_peak_bytes();

  bool same = true;
  for (int c = 0; c < KILN_LABEL_COUNT; ++c)
    same = same && memcmp(&result.scores[c], &kiln_sample_expected_scores[c], sizeof(float)) == 0;
#if KILN_HAS_ANOMALY
  same = same && memcmp(&result.anomaly, &kiln_sample_expected_anomaly, sizeof(float)) == 0;
#endif

  /* The status goes out as unsigned: negative codes show as large numbers, still non-zero. */
  kiln_print_u32("KILN_STATUS", static_cast<uint32_t>(status));
  kiln_print_u32("KILN_STACK", stack);
  kiln_print_u32("KILN_STACK_RESERVE", kiln_stack_reserve_bytes());
  kiln_print_u32("KILN_DSP_TIMER_TICKS", dsp_ticks);
  kiln_print_u32("KILN_TIMER_TICKS", ticks);
  kiln_print_u32("KILN_SAMPLE_MATCH", same ? 1u : 0u);
  kiln_print_hex("KILN_OUTPUT", result.scores, sizeof(float) * KILN_LABEL_COUNT);
#if KILN_HAS_ANOMALY
  kiln_print_hex("KILN_OUTPUT", &result.anomaly, sizeof(float));
#endif
  kiln_print_u32("KILN_DONE", 0);
  return status == KILN_OK ? 0 : 1;
}
