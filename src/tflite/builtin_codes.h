// TFLite builtin operator codes and Kiln's operator types, both ways. Codes are plain integers
// here so that no FlatBuffers type leaks into headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ir/model.h"

namespace kiln::tflite {

// Codes with a special meaning in OperatorCode.
constexpr int32_t kCustomOperatorCode = 32;
// Codes at or above this no longer fit the old one-byte field, which then holds this value.
constexpr int32_t kPlaceholderForGreaterOpCodes = 127;

// The TFLite builtin code of a Kiln operator type.
int32_t builtin_code(ir::OpType type);

// The Kiln operator type of a builtin code, or nullopt when Kiln has no such operator.
std::optional<ir::OpType> op_type_of_builtin(int32_t code);

// TFLite's name of a builtin code ("SVDF"), or an empty string for a code TFLite does not define.
std::string builtin_operator_name(int32_t code);

}  // namespace kiln::tflite
