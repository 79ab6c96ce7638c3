// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex. Samples are stored and deduplicated by
// this content hash.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace kiln::project {

std::string sha256_hex(std::span<const uint8_t> bytes);

}  // namespace kiln::project
