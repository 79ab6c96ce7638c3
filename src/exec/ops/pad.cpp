#include "exec/ops/pad.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"

namespace kiln::exec {

namespace {

// The value of PADV2-style constant input `c` (one element of the input's type), which for
// int8 must share the output's quantization so that it means the same real number.
void read_constant_value(const ir::Tensor& c, const ir::Tensor& output, PadPrepared* p) {
  if (!c.is_constant()) throw Error("PAD: constant value input must be constant");
  if (c.dtype != output.dtype)
    throw Error(fmt::format("PAD: constant value is {} but the tensor is {}",
                            ir::dtype_name(c.dtype), ir::dtype_name(output.dtype)));
  if (c.num_elements() != 1) throw Error("PAD: constant value must be a single element");
  switch (c.dtype) {
    case ir::DType::kFloat32:
      std::memcpy(&p->pad_value_float, c.data.data(), 4);
      break;
    case ir::DType::kInt8:
      p->pad_value_int = static_cast<int8_t>(c.data[0]);
      break;
    case ir::DType::kInt16: {
      int16_t v;
      std::memcpy(&v, c.data.data(), 2);
      p->pad_value_int = v;
      break;
    }
    default:
      std::memcpy(&p->pad_value_int, c.data.data(), 4);
      break;
  }
  if (c.dtype == ir::DType::kInt8 &&
      (c.quant.scale != output.quant.scale || c.quant.zero_point != output.quant.zero_point))
    throw Error("PAD: constant value must have the output's scale and zero point");
}

}  // namespace

PadPrepared prepare_pad(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 2, 3, "PAD");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& paddings = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);

  if (input.dtype != output.dtype)
    throw Error(fmt::format("PAD: input is {} but output is {}", ir::dtype_name(input.dtype),
                            ir::dtype_name(output.dtype)));
  if (input.dtype != ir::DType::kFloat32 && input.dtype != ir::DType::kInt8 &&
      input.dtype != ir::DType::kInt16 && input.dtype != ir::DType::kInt32)
    throw Error(fmt::format("PAD: unsupported type {}", ir::dtype_name(input.dtype)));
  const size_t rank = input.shape.size();
  if (rank > rt::kPadMaxRank)
    throw Error(fmt::format("PAD: input rank {} exceeds {}", rank, int{rt::kPadMaxRank}));
  if (output.shape.size() != rank)
    throw Error(fmt::format("PAD: input {} and output {} differ in rank", shape_text(input.shape),
                            shape_text(output.shape)));

  const std::vector<int64_t> pads = constant_int_values(paddings, "PAD", "paddings");
  if (pads.size() != rank * 2 || (paddings.shape.size() == 2 && paddings.shape[1] != 2))
    throw Error(fmt::format("PAD: paddings {} must be [{}x2] for a rank-{} input",
                            shape_text(paddings.shape), rank, rank));

  PadPrepared prepared{};
  prepared.dtype = input.dtype;
  const size_t lead = rt::kPadMaxRank - rank;
  for (size_t i = 0; i < rt::kPadMaxRank; ++i) {
    prepared.params.input_shape[i] = 1;
    prepared.params.before[i] = 0;
    prepared.params.after[i] = 0;
  }
  for (size_t i = 0; i < rank; ++i) {
    const int64_t before = pads[2 * i], after = pads[2 * i + 1];
    if (before < 0 || after < 0)
      throw Error(fmt::format("PAD: paddings of axis {} are negative ({}, {})", i, before, after));
    const int64_t expected = input.shape[i] + before + after;
    if (expected != output.shape[i])
      throw Error(fmt::format("PAD: axis {} should be {} + {} + {} = {} but the output is {}", i,
                              input.shape[i], before, after, expected, shape_text(output.shape)));
    prepared.params.input_shape[lead + i] = input.shape[i];
    prepared.params.before[lead + i] = static_cast<int32_t>(before);
    prepared.params.after[lead + i] = static_cast<int32_t>(after);
  }

  // Default pad value: real zero. TFLM uses the output zero point for int8 only; int16
  // tensors are symmetric (zero point 0) and int32/float pad with 0.
  if (input.dtype == ir::DType::kInt8) {
    require_per_tensor_quantization(output, "PAD");
    const int64_t zp = output.quant.zero_point[0];
    if (zp < -128 || zp > 127)
      throw Error(fmt::format("PAD: output zero point {} is outside the int8 range", zp));
    prepared.pad_value_int = static_cast<int32_t>(zp);
  }
  if (const ir::Tensor* c = model.optional_input(op, 2)) read_constant_value(*c, output, &prepared);
  return prepared;
}

namespace {

class PadKernel : public Kernel {
 public:
  PadKernel(const ir::Operator& op, const PadPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& m) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = rt::pad_float(p_.params, m.get<float>(in), p_.pad_value_float, m.get<float>(out));
        break;
      case ir::DType::kInt8:
        s = rt::pad_int8(p_.params, m.get<int8_t>(in), static_cast<int8_t>(p_.pad_value_int),
                         m.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        s = rt::pad_int16(p_.params, m.get<int16_t>(in), static_cast<int16_t>(p_.pad_value_int),
                          m.get<int16_t>(out));
        break;
      case ir::DType::kInt32:
        s = rt::pad_int32(p_.params, m.get<int32_t>(in), p_.pad_value_int, m.get<int32_t>(out));
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  const ir::Operator& op_;
  PadPrepared p_;
};

}  // namespace

KernelPtr make_pad_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kPad) return nullptr;
  return std::make_unique<PadKernel>(op, prepare_pad(model, op));
}

}  // namespace kiln::exec
