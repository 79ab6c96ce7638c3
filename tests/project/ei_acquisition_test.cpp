// Edge Impulse acquisition JSON: decoding, HMAC verification and import as Kiln CSV.
#include "project/ei_acquisition.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/file_bytes.h"
#include "project/importer.h"
#include "project/sample_index.h"
#include "project/sha256.h"
#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const std::string kZeros(64, '0');

std::string acquisition_text(const std::string& alg, const std::string& signature) {
  return "{\n  \"protected\": {\"ver\": \"v1\", \"alg\": \"" + alg +
         "\", \"iat\": 1564128599},\n  \"signature\": \"" + signature +
         "\",\n  \"payload\": {\"device_name\": \"ac:87\", \"device_type\": \"TEST\", "
         "\"interval_ms\": 10, \"sensors\": [{\"name\": \"accX\", \"units\": \"m/s2\"}, "
         "{\"name\": \"accY\", \"units\": \"m/s2\"}], "
         "\"values\": [[1.5, -2], [3, 4.25], [-0.5, 0]]}\n}\n";
}

// Signs as the format prescribes: HMAC over the text whose signature is all zeros.
std::string signed_text(const std::string& key) {
  const std::string unsigned_text = acquisition_text("HS256", kZeros);
  const std::string signature = to_hex(hmac_sha256(
      std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
      std::span(reinterpret_cast<const uint8_t*>(unsigned_text.data()), unsigned_text.size())));
  return acquisition_text("HS256", signature);
}

TEST(EiAcquisition, DecodesPayload) {
  const AcquisitionSample s =
      parse_ei_acquisition_json(acquisition_text("none", kZeros), "a.json", std::nullopt);
  EXPECT_EQ(s.device_type, "TEST");
  EXPECT_DOUBLE_EQ(s.signal.sampling_frequency_hz, 100.0);  // 1000 / 10 ms
  EXPECT_EQ(s.signal.axes, 2);
  EXPECT_EQ(s.signal.axis_names, (std::vector<std::string>{"accX", "accY"}));
  EXPECT_EQ(s.signal.samples, (std::vector<float>{1.5f, -2, 3, 4.25f, -0.5f, 0}));
  EXPECT_EQ(signal_to_csv(s.signal), "timestamp,accX,accY\n0,1.5,-2\n10,3,4.25\n20,-0.5,0\n");
}

TEST(EiAcquisition, VerifiesHmacWhenKeyGiven) {
  const std::string text = signed_text("secret");
  EXPECT_TRUE(parse_ei_acquisition_json(text, "a.json", "secret").signature_verified);
  EXPECT_THROW(parse_ei_acquisition_json(text, "a.json", "wrong"), Error);
  std::string tampered = text;
  tampered.replace(tampered.find("4.25"), 4, "4.26");
  EXPECT_THROW(parse_ei_acquisition_json(tampered, "a.json", "secret"), Error);
  EXPECT_THROW(parse_ei_acquisition_json(acquisition_text("none", kZeros), "a.json", "secret"),
               Error);
}

TEST(EiAcquisition, RejectsMalformedFiles) {
  for (const std::string& text :
       {std::string("{"), std::string("[]"), std::string("{\"payload\": {}}"),
        std::string("{\"protected\": {}, \"payload\": {\"interval_ms\": 0, \"sensors\": "
                    "[{\"name\": \"x\"}], \"values\": [[1]]}}"),
        std::string("{\"protected\": {}, \"payload\": {\"interval_ms\": 1, \"sensors\": "
                    "[{\"name\": \"x\"}], \"values\": [[1, 2]]}}")}) {
    try {
      parse_ei_acquisition_json(text, "bad.json", std::nullopt);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("bad.json: ", 0), 0u) << e.what();
    }
  }
}

TEST(EiAcquisition, ImportStoresKilnCsv) {
  ScratchDir scratch("acquisition");
  const fs::path root = scratch.path() / "proj";
  init_project(root, ProjectConfig{});
  fs::create_directories(scratch.path() / "src" / "wave");
  std::ofstream(scratch.path() / "src" / "wave" / "w1.json") << signed_text("k");
  Project project = open_project(root);
  ImportOptions options;
  options.inputs = {scratch.path() / "src"};
  options.hmac_key = "wrong";
  EXPECT_THROW(import_samples(project, options), Error);
  options.hmac_key = "k";
  EXPECT_EQ(import_samples(project, options).imported, 1u);
  const std::vector<SampleRecord> samples = list_samples(*project.db);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].label, "wave");
  EXPECT_EQ(samples[0].sensor, "timeseries");
  EXPECT_EQ(samples[0].sample_rate_hz, 100);
  EXPECT_EQ(samples[0].axes, 2);
  EXPECT_EQ(samples[0].length, 3);
  EXPECT_EQ(samples[0].axis_names, "accX,accY");
  EXPECT_EQ(fs::path(samples[0].path).extension(), ".csv");
  const data::Signal stored = data::read_csv(root / samples[0].path);
  EXPECT_EQ(stored.samples, (std::vector<float>{1.5f, -2, 3, 4.25f, -0.5f, 0}));
}

}  // namespace
}  // namespace kiln::project
