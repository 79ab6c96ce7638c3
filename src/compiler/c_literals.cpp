#include "compiler/c_literals.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace kiln::compiler {

std::string float_literal(float v) {
  if (std::isinf(v)) return v > 0 ? "HUGE_VALF" : "-HUGE_VALF";
  if (std::isnan(v)) throw Error("cannot emit a NaN constant");
  std::string s = fmt::format("{:.9g}", v);  // 9 significant digits round-trip any float
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s + "f";
}

std::string int_list(std::span<const int32_t> values, size_t per_line) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += (i % per_line == 0) ? ",\n    " : ", ";
    out += fmt::format("{}", values[i]);
  }
  return out + "}";
}

std::string float_list(std::span<const float> values, size_t per_line) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += (i % per_line == 0) ? ",\n    " : ", ";
    out += float_literal(values[i]);
  }
  return out + "}";
}

namespace {

template <typename T>
std::string elements(std::span<const uint8_t> bytes, size_t per_line) {
  std::string out;
  const size_t n = bytes.size() / sizeof(T);
  out.reserve(n * 6);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    if (i > 0) out += (i % per_line == 0) ? ",\n    " : ", ";
    if constexpr (std::is_same_v<T, float>) {
      out += float_literal(v);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      out += fmt::format("INT64_C({})", v);
    } else if constexpr (std::is_same_v<T, int32_t>) {
      // INT32_MIN has no literal of type int32_t; spell it as an expression.
      out += v == INT32_MIN ? std::string("(-2147483647 - 1)") : fmt::format("{}", v);
    } else {
      out += fmt::format("{}", static_cast<int64_t>(v));
    }
  }
  return out;
}

}  // namespace

std::string const_array(const std::string& c_type, const std::string& name,
                        std::span<const uint8_t> bytes, bool external_linkage) {
  std::string body;
  if (c_type == "int8_t")
    body = elements<int8_t>(bytes, 24);
  else if (c_type == "uint8_t")
    body = elements<uint8_t>(bytes, 24);
  else if (c_type == "int16_t")
    body = elements<int16_t>(bytes, 16);
  else if (c_type == "int32_t")
    body = elements<int32_t>(bytes, 12);
  else if (c_type == "int64_t")
    body = elements<int64_t>(bytes, 6);
  else if (c_type == "float")
    body = elements<float>(bytes, 8);
  else
    throw Error(fmt::format("cannot emit constants of C type {}", c_type));
  const size_t count = bytes.size() / (c_type == "int8_t" || c_type == "uint8_t" ? 1
                                       : c_type == "int16_t"                     ? 2
                                       : c_type == "int64_t"                     ? 8
                                                                                 : 4);
  return fmt::format("alignas(16) {}const {} {}[{}] = {{\n    {}}};\n",
                     external_linkage ? "extern " : "", c_type, name, count == 0 ? 1 : count,
                     count == 0 ? "0" : body);
}

std::string identifier(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "_" + out;
  return out;
}

std::string comment_safe(const std::string& text) {
  std::string out;
  for (char c : text)
    out += (c == '\n' || c == '\r' || c == '\\' || c == '"' || static_cast<unsigned char>(c) < 32 ||
            static_cast<unsigned char>(c) > 126)
               ? '?'
               : c;
  return out;
}

}  // namespace kiln::compiler
