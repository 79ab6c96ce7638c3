// The constant tables of a deployed DSP block, written into the generated library as const arrays
// (flash) so the device does not rebuild them at every window. They are built by the device code's
// own table builder (e.g. dsp::mfcc_tables_build) on the host, so the device reads exactly the
// values the host computes with.
#pragma once

#include <string>

#include "deploy/dsp_plan.h"

namespace kiln::deploy {

struct DspTablesCode {
  bool present = false;     // false: the block builds what it needs at run time
  std::string definitions;  // const arrays and a `TYPE dsp_tables()` function returning the struct
  std::string type;         // the struct type, e.g. "kiln::dsp::MfccTables"
  int64_t flash_bytes = 0;  // bytes of the arrays
};

DspTablesCode dsp_tables_code(const DspPlan& plan);

}  // namespace kiln::deploy
