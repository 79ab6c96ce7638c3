// The reader and writer on every real model in ../shared/testdata/tflite (folders added later
// are picked up without code changes): facts from the manifests, option values decoded
// independently of Kiln's schema, exact round trips, and the TFLM outputs from rewritten files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/error.h"
#include "exec/executor.h"
#include "golden_data.h"
#include "tflite/raw_tflite.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace kiln::tflite {
namespace {

namespace kt = kiln::testing;
using kt::RawTable;
using kt::slot;

std::vector<uint8_t> model_bytes(const std::string& name) {
  return kt::read_bytes(kt::golden_root() / name / "model.tflite");
}

nlohmann::json manifest(const std::string& name) {
  std::ifstream in(kt::golden_root() / name / "manifest.json");
  return nlohmann::json::parse(in);
}

class TfliteGoldenTest : public ::testing::TestWithParam<std::string> {};

void expect_tensor_matches(const ir::Tensor& t, const nlohmann::json& j) {
  SCOPED_TRACE(t.name);
  EXPECT_EQ(t.name, j.at("name").get<std::string>());
  EXPECT_EQ(t.shape, j.at("shape").get<std::vector<int32_t>>());
  EXPECT_EQ(ir::dtype_name(t.dtype), j.at("dtype").get<std::string>());
  EXPECT_EQ(t.num_bytes(), j.at("bytes").get<int64_t>());
  if (j.contains("scale") && !j.at("scale").is_null()) {
    ASSERT_EQ(t.quant.scale.size(), 1u);
    EXPECT_FLOAT_EQ(t.quant.scale[0], j.at("scale").get<float>());
    EXPECT_EQ(t.quant.zero_point[0], j.at("zero_point").get<int64_t>());
  } else {
    EXPECT_TRUE(t.quant.empty());
  }
}

TEST_P(TfliteGoldenTest, ReadMatchesManifest) {
  const std::string name = GetParam();
  const nlohmann::json facts = manifest(name);
  const ir::Model m = read_model_file((kt::golden_root() / name / "model.tflite").string());

  ASSERT_EQ(m.inputs.size(), facts.at("inputs").size());
  for (size_t i = 0; i < m.inputs.size(); ++i)
    expect_tensor_matches(m.tensor(m.inputs[i]), facts.at("inputs")[i]);
  ASSERT_EQ(m.outputs.size(), facts.at("outputs").size());
  for (size_t i = 0; i < m.outputs.size(); ++i)
    expect_tensor_matches(m.tensor(m.outputs[i]), facts.at("outputs")[i]);

  std::map<std::string, int> counts;
  for (const ir::Operator& op : m.operators) ++counts[ir::op_name(op.type)];
  EXPECT_EQ(counts, (facts.at("operators").get<std::map<std::string, int>>()));
  EXPECT_EQ(m.operators.size(), facts.at("operator_count").get<size_t>());

  int64_t constant_elements = 0;
  for (const ir::Tensor& t : m.tensors)
    if (t.is_constant()) constant_elements += t.num_elements();
  EXPECT_EQ(constant_elements, facts.at("const_tensor_elements").get<int64_t>());
}

// Option values straight from the file's bytes, by TFLite's field ids, against the IR.
void expect_options_match_file(const std::vector<uint8_t>& bytes, const ir::Model& m) {
  const RawTable& root = kt::raw_root(bytes);
  const kt::RawTables* codes = kt::raw_tables(root, kt::field::kModelOperatorCodes);
  const kt::RawTables* ops = kt::raw_tables(kt::raw_graph(bytes), kt::field::kGraphOperators);
  ASSERT_EQ(ops->size(), m.operators.size());
  for (uint32_t k = 0; k < ops->size(); ++k) {
    SCOPED_TRACE(fmt::format("operator {} ({})", k, ir::op_name(m.operators[k].type)));
    const RawTable& op = *ops->Get(k);
    const RawTable& code = *codes->Get(op.GetField<uint32_t>(slot(kt::field::kOpOpcodeIndex), 0));
    EXPECT_EQ(m.operators[k].version, code.GetField<int32_t>(slot(kt::field::kCodeVersion), 1));
    const RawTable* o = op.GetPointer<const RawTable*>(slot(kt::field::kOpOptions));
    if (!o) {
      // Only RESHAPE may go without options (its shape then comes from input 1).
      EXPECT_EQ(m.operators[k].type, ir::OpType::kReshape);
      EXPECT_EQ(m.operators[k].options, ir::OpOptions{ir::ReshapeOptions{}});
      continue;
    }
    auto i32 = [&](int id, int32_t def = 0) { return o->GetField<int32_t>(slot(id), def); };
    auto i8 = [&](int id) { return static_cast<int>(o->GetField<int8_t>(slot(id), 0)); };
    auto flag = [&](int id) { return o->GetField<uint8_t>(slot(id), 0) != 0; };
    auto f32 = [&](int id) { return o->GetField<float>(slot(id), 0.0f); };
    auto padding = [&](int id) { return i8(id) == 0 ? ir::Padding::kSame : ir::Padding::kValid; };
    // Kiln's Activation enumerators are in TFLite's order.
    auto activation = [&](int id) { return static_cast<ir::Activation>(i8(id)); };

    const ir::OpOptions& options = m.operators[k].options;
    switch (m.operators[k].type) {
      case ir::OpType::kConv2D: {
        const auto& c = std::get<ir::Conv2DOptions>(options);
        EXPECT_EQ(c.padding, padding(0));
        EXPECT_EQ(c.stride_w, i32(1));
        EXPECT_EQ(c.stride_h, i32(2));
        EXPECT_EQ(c.activation, activation(3));
        EXPECT_EQ(c.dilation_w, i32(4, 1));
        EXPECT_EQ(c.dilation_h, i32(5, 1));
        break;
      }
      case ir::OpType::kDepthwiseConv2D: {
        const auto& c = std::get<ir::DepthwiseConv2DOptions>(options);
        EXPECT_EQ(c.padding, padding(0));
        EXPECT_EQ(c.stride_w, i32(1));
        EXPECT_EQ(c.stride_h, i32(2));
        EXPECT_EQ(c.depth_multiplier, i32(3));
        EXPECT_EQ(c.activation, activation(4));
        EXPECT_EQ(c.dilation_w, i32(5, 1));
        EXPECT_EQ(c.dilation_h, i32(6, 1));
        break;
      }
      case ir::OpType::kAveragePool2D:
      case ir::OpType::kMaxPool2D: {
        const auto& p = std::get<ir::Pool2DOptions>(options);
        EXPECT_EQ(p.padding, padding(0));
        EXPECT_EQ(p.stride_w, i32(1));
        EXPECT_EQ(p.stride_h, i32(2));
        EXPECT_EQ(p.filter_w, i32(3));
        EXPECT_EQ(p.filter_h, i32(4));
        EXPECT_EQ(p.activation, activation(5));
        break;
      }
      case ir::OpType::kFullyConnected: {
        const auto& f = std::get<ir::FullyConnectedOptions>(options);
        EXPECT_EQ(f.activation, activation(0));
        EXPECT_EQ(i8(1), 0);  // default weights format
        EXPECT_EQ(f.keep_num_dims, flag(2));
        EXPECT_EQ(f.asymmetric_quantize_inputs, flag(3));
        break;
      }
      case ir::OpType::kSoftmax:
        EXPECT_EQ(std::get<ir::SoftmaxOptions>(options).beta, f32(0));
        break;
      case ir::OpType::kMean:
        EXPECT_EQ(std::get<ir::ReducerOptions>(options).keep_dims, flag(0));
        break;
      case ir::OpType::kReshape: {
        const auto* raw = o->GetPointer<const kt::RawVector<int32_t>*>(slot(0));
        const auto expected =
            raw ? std::vector<int32_t>(raw->begin(), raw->end()) : std::vector<int32_t>{};
        EXPECT_EQ(std::get<ir::ReshapeOptions>(options).new_shape, expected);
        break;
      }
      case ir::OpType::kUnidirectionalSequenceLstm: {
        const auto& l = std::get<ir::LstmOptions>(options);
        EXPECT_EQ(l.activation, activation(0));
        EXPECT_EQ(l.cell_clip, f32(1));
        EXPECT_EQ(l.proj_clip, f32(2));
        EXPECT_EQ(l.time_major, flag(3));
        EXPECT_EQ(l.asymmetric_quantize_inputs, flag(4));
        EXPECT_EQ(l.diagonal_recurrent_tensors, flag(5));
        break;
      }
      default:
        ADD_FAILURE() << "test has no raw decoding for this operator yet";
    }
  }
}

TEST_P(TfliteGoldenTest, OptionsMatchAnIndependentDecodingOfTheFile) {
  const std::vector<uint8_t> original = model_bytes(GetParam());
  const ir::Model m = read_model(original);
  expect_options_match_file(original, m);
  expect_options_match_file(write_model(m), m);
}

TEST_P(TfliteGoldenTest, ReadWriteReadGivesTheSameModel) {
  const ir::Model m = read_model(model_bytes(GetParam()));
  const std::vector<uint8_t> written = write_model(m);
  EXPECT_EQ(read_model(written), m);
}

TEST_P(TfliteGoldenTest, WritingIsDeterministic) {
  const ir::Model m = read_model(model_bytes(GetParam()));
  const std::vector<uint8_t> first = write_model(m);
  EXPECT_EQ(write_model(m), first);
  EXPECT_EQ(write_model(read_model(first)), first);
}

TEST_P(TfliteGoldenTest, WrittenFileHasTflmLayout) {
  const ir::Model m = read_model(model_bytes(GetParam()));
  const std::vector<uint8_t> bytes = write_model(m);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "TFL3");
  EXPECT_EQ(bytes.size() % 16, 0u);
  const RawTable& root = kt::raw_root(bytes);
  EXPECT_EQ(root.GetField<uint32_t>(slot(kt::field::kModelVersion), 0), 3u);

  const kt::RawTables* buffers = kt::raw_tables(root, kt::field::kModelBuffers);
  ASSERT_NE(buffers, nullptr);
  ASSERT_GE(buffers->size(), 1u);
  const auto* sentinel = buffers->Get(0)->GetPointer<const kt::RawVector<uint8_t>*>(slot(0));
  EXPECT_TRUE(sentinel == nullptr || sentinel->size() == 0) << "buffer 0 must be empty";

  const kt::RawTables* tensors = kt::raw_tables(kt::raw_graph(bytes), kt::field::kGraphTensors);
  ASSERT_EQ(tensors->size(), m.tensors.size());
  std::vector<int> uses(buffers->size(), 0);
  for (uint32_t i = 0; i < tensors->size(); ++i) {
    const uint32_t b = tensors->Get(i)->GetField<uint32_t>(slot(kt::field::kTensorBuffer), 0);
    ASSERT_LT(b, buffers->size());
    if (!m.tensors[i].is_constant()) {
      EXPECT_EQ(b, 0u) << "activation " << i << " must use buffer 0";
      continue;
    }
    EXPECT_NE(b, 0u);
    EXPECT_EQ(++uses[b], 1) << "buffer " << b << " shared";
    const auto* data = buffers->Get(b)->GetPointer<const kt::RawVector<uint8_t>*>(slot(0));
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(static_cast<size_t>(data->data() - bytes.data()) % 16, 0u)
        << "constant " << i << " data not 16-byte aligned";
  }

  // One operator code per distinct (operator, version), both code fields filled.
  const kt::RawTables* codes = kt::raw_tables(root, kt::field::kModelOperatorCodes);
  std::set<std::pair<int, int>> distinct;
  for (const ir::Operator& op : m.operators) distinct.insert({int(op.type), op.version});
  EXPECT_EQ(codes->size(), distinct.size());
  for (uint32_t c = 0; c < codes->size(); ++c) {
    const RawTable& code = *codes->Get(c);
    const int32_t wide = code.GetField<int32_t>(slot(kt::field::kCodeBuiltin), 0);
    const int8_t narrow = code.GetField<int8_t>(slot(kt::field::kCodeDeprecatedBuiltin), 0);
    EXPECT_EQ(narrow, wide < 127 ? wide : 127);
  }
}

// Runs every test vector of a golden model through `model`; returns the outputs, or nullopt when
// an operator has no kernel yet.
std::optional<std::vector<std::vector<uint8_t>>> run_vectors(const std::string& name,
                                                             const ir::Model& model,
                                                             std::string* unsupported) {
  std::unique_ptr<exec::Executor> executor;
  try {
    executor = std::make_unique<exec::Executor>(model);
  } catch (const Error& e) {
    if (std::string(e.what()).find("unsupported operator") == std::string::npos) throw;
    *unsupported = e.what();
    return std::nullopt;
  }
  std::vector<std::vector<uint8_t>> outputs;
  for (int k = 0; k < kt::vector_count(name); ++k) {
    executor->reset();
    for (size_t i = 0; i < executor->num_inputs(); ++i)
      executor->set_input(
          i, kt::read_bytes(kt::vector_file(name, "input", k, i, executor->num_inputs())));
    executor->invoke();
    for (size_t i = 0; i < executor->num_outputs(); ++i) {
      const auto out = executor->output(i);
      outputs.emplace_back(out.begin(), out.end());
    }
  }
  return outputs;
}

// The rewritten file must compute exactly what the original computes, and what TFLM computed.
TEST_P(TfliteGoldenTest, RewrittenModelReproducesTflmOutputs) {
  const std::string name = GetParam();
  const ir::Model original = read_model(model_bytes(name));
  const ir::Model rewritten = read_model(write_model(original));
  std::string unsupported;
  const auto from_rewritten = run_vectors(name, rewritten, &unsupported);
  if (!from_rewritten) GTEST_SKIP() << "kernels not there yet: " << unsupported;
  ASSERT_GT(kt::vector_count(name), 0);
  EXPECT_EQ(*from_rewritten, *run_vectors(name, original, &unsupported))
      << "the rewritten model computes something else than the original";

  size_t n = 0;
  const size_t outputs_per_vector = rewritten.outputs.size();
  for (int k = 0; k < kt::vector_count(name); ++k)
    for (size_t i = 0; i < outputs_per_vector; ++i, ++n)
      EXPECT_EQ((*from_rewritten)[n],
                kt::read_bytes(kt::vector_file(name, "output", k, i, outputs_per_vector)))
          << "vector " << k << " output " << i << " differs from TFLM";
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Shared, TfliteGoldenTest, ::testing::ValuesIn(kt::golden_models()),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TfliteGoldenTest);

TEST(TfliteGoldenData, SharedFolderPresent) {
  if (kt::golden_models().empty())
    GTEST_SKIP() << "no golden models under " << kt::golden_root()
                 << ": the TFLite reader/writer is NOT being checked on real models";
  SUCCEED();
}

}  // namespace
}  // namespace kiln::tflite
