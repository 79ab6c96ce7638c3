// render_sample_plot: waveform above the features, image samples drawn as themselves.
#include "project/sample_plot.h"

#include <gtest/gtest.h>

#include "project/importer.h"
#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

TEST(SamplePlot, WaveformAboveFeaturesOrWaveformAlone) {
  ScratchDir scratch("plot");
  init_project(scratch.path() / "proj", ProjectConfig{});                      // dsp mfcc
  testing::write_test_wav(scratch.path() / "in" / "a" / "long.wav", 1, 8000);  // 0.5 s
  testing::write_test_wav(scratch.path() / "in" / "a" / "short.wav", 2, 100);  // < one frame
  Project project = open_project(scratch.path() / "proj");
  ImportOptions options;
  options.inputs = {scratch.path() / "in"};
  ASSERT_EQ(import_samples(project, options).imported, 2u);
  for (const SampleRecord& r : list_samples(*project.db)) {
    std::vector<std::string> notes;
    const data::RgbImage image = render_sample_plot(project, r, notes);
    ASSERT_EQ(image.pixels.size(), static_cast<size_t>(image.width) * image.height * 3);
    if (r.length == 8000) {
      EXPECT_TRUE(notes.empty());
      EXPECT_GT(image.height, 200);  // a heatmap below the 200-pixel waveform
    } else {
      EXPECT_EQ(image.height, 200);
      ASSERT_EQ(notes.size(), 1u);
      EXPECT_NE(notes[0].find("features not drawn"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace kiln::project
