// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104). Samples are stored and deduplicated by their
// SHA-256; Edge Impulse acquisition files are signed with HMAC-SHA256.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace kiln::project {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::span<const uint8_t> bytes);
std::string sha256_hex(std::span<const uint8_t> bytes);
Sha256Digest hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> message);
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace kiln::project
