// Edge Impulse data-acquisition format, JSON flavour: {"protected": {"ver", "alg", "iat"},
// "signature": hex, "payload": {"device_name", "device_type", "interval_ms", "sensors":
// [{"name", "units"}], "values": [[...], ...]}}. Kiln stores such samples as its own CSV time
// series (timestamp in ms + one column per sensor), so everything downstream reads one format.
//
// Signature: HMAC-SHA256 with the project's key over the file's exact bytes with the signature
// value replaced by zeros of the same length ("alg": "HS256"); "alg": "none" files are unsigned.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "data/signal.h"

namespace kiln::project {

struct AcquisitionSample {
  data::Signal signal;
  std::string device_name;
  std::string device_type;
  bool signature_verified = false;
};

// With a key, a missing or wrong signature is an error; without one, the signature is not
// checked. Malformed files raise kiln::Error naming `name`.
AcquisitionSample parse_ei_acquisition_json(std::string_view text, const std::string& name,
                                            const std::optional<std::string>& hmac_key);

// "timestamp,<axis>,..." then one row per frame; timestamps are frame * 1000 / rate ms.
std::string signal_to_csv(const data::Signal& signal);

}  // namespace kiln::project
