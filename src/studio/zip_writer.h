// A minimal ZIP archive writer for downloads: entries are stored uncompressed (method 0), with
// CRC-32 and sizes in the local headers, no ZIP64 (each entry and the archive stay below 4 GiB).
// Any unzip tool reads the result.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace kiln::studio {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as ZIP stores it.
uint32_t crc32(std::string_view bytes);

// The archive of `files` (path inside the archive -> contents), in map order, each path prefixed
// with `prefix` (e.g. "kiln_classifier/"). Throws kiln::Error when an entry is too large.
std::string make_stored_zip(const std::map<std::string, std::string>& files,
                            const std::string& prefix = "");

}  // namespace kiln::studio
