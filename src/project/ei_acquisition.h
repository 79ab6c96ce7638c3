// Edge Impulse data-acquisition format, as JSON text or CBOR (RFC 8949) bytes of the same
// structure: {"protected": {"ver", "alg", "iat"}, "signature": hex, "payload": {"device_name",
// "device_type", "interval_ms", "sensors": [{"name", "units"}], "values": [[...], ...]}}. Kiln
// stores such samples as its own CSV time series (timestamp in ms + one column per sensor), so
// everything downstream reads one format.
//
// Signature: HMAC-SHA256 with the project's key over the file's exact bytes with the signature
// text replaced by '0' characters of the same length ("alg": "HS256"); "alg": "none" files are
// unsigned. The same rule holds for both forms: in CBOR the signature is a text string whose
// characters are zeroed in place, the surrounding CBOR bytes unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

// The CBOR form. Strings must be definite-length, as every CBOR encoder writes them by default;
// nesting deeper than kMaxAcquisitionCborDepth is rejected (the decoder recurses per level).
inline constexpr int kMaxAcquisitionCborDepth = 64;
AcquisitionSample parse_ei_acquisition_cbor(std::span<const uint8_t> bytes, const std::string& name,
                                            const std::optional<std::string>& hmac_key);

// "timestamp,<axis>,..." then one row per frame; timestamps are frame * 1000 / rate ms.
std::string signal_to_csv(const data::Signal& signal);

}  // namespace kiln::project
