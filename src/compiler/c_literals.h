// Spelling values as C++ source: exact float literals, integer arrays laid out for reading, and
// identifiers made safe from tensor names.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kiln::compiler {

// A float literal that reads back to exactly the same float ("-HUGE_VALF" for -infinity).
std::string float_literal(float v);

// `{1, 2, 3}` with line breaks every `per_line` values.
std::string int_list(std::span<const int32_t> values, size_t per_line = 16);
std::string float_list(std::span<const float> values, size_t per_line = 8);

// A constant array definition of raw tensor bytes, typed as `c_type` ("int8_t", "int32_t",
// "float", ...), 16-byte aligned. `bytes` is little-endian; the element size comes from c_type.
std::string const_array(const std::string& c_type, const std::string& name,
                        std::span<const uint8_t> bytes, bool external_linkage);

// A C identifier made of the letters, digits and underscores of `text`.
std::string identifier(const std::string& text);

// Text with characters unsafe in a // comment or string literal replaced.
std::string comment_safe(const std::string& text);

}  // namespace kiln::compiler
