// libFuzzer target: the TFLite reader on arbitrary bytes, and the writer on whatever the reader
// accepts. kiln::Error from the reader is the expected way to refuse bad input; a crash, a
// sanitizer report, any other exception, or a model the writer cannot round-trip is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<kiln::ir::Model> model;
  try {
    model = kiln::tflite::read_model(std::span<const uint8_t>(data, size));
  } catch (const kiln::Error&) {
    return 0;
  }
  try {
    const std::vector<uint8_t> written = kiln::tflite::write_model(*model);
    if (kiln::tflite::write_model(kiln::tflite::read_model(written)) == written) return 0;
    std::fprintf(stderr, "write(read(write(model))) differs from write(model)\n");
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "accepted model fails to round-trip: %s\n", e.what());
  }
  std::abort();
}
