#include "data/feature_blocks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/image_reader.h"
#include "data/raw_reader.h"
#include "data/wav_reader.h"
#include "dsp/flatten.h"
#include "dsp/framing.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/raw.h"
#include "dsp/spectral_analysis.h"
#include "dsp/spectrogram.h"

namespace kiln::data {

namespace {

const std::vector<std::string> kInputParameters = {"sampling_frequency_hz", "axes", "dtype"};

// Parameters of each block, in the order they are documented (docs/dsp.md).
const std::map<std::string, std::vector<std::string>>& block_parameters() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"raw", {"scale_axes"}},
      {"flatten",
       {"scale_axes", "average", "minimum", "maximum", "rms", "stdev", "skewness", "kurtosis"}},
      {"spectral",
       {"implementation_version", "analysis_type", "scale_axes", "input_decimation_ratio",
        "filter_type", "filter_cutoff", "filter_order", "fft_length", "do_log", "do_fft_overlap",
        "extra_low_freq", "exact_log"}},
      {"spectrogram",
       {"implementation_version", "frame_length", "frame_stride", "fft_length", "noise_floor_db",
        "window", "exact_log"}},
      {"mfe",
       {"implementation_version", "frame_length", "frame_stride", "num_filters", "fft_length",
        "low_frequency", "high_frequency", "win_size", "noise_floor_db", "window", "exact_log"}},
      {"mfcc",
       {"implementation_version", "num_cepstral", "frame_length", "frame_stride", "num_filters",
        "fft_length", "win_size", "low_frequency", "high_frequency", "pre_cof", "pre_shift",
        "window", "exact_log"}},
      {"image", {"width", "height", "resize_mode", "channels", "scale_min", "scale_max"}},
  };
  return table;
}

std::string canonical_block(const std::string& block) {
  if (block == "spectral_analysis") return "spectral";
  return block;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Typed access to the --set values of one block; rejects names the block does not know.
class BlockParams {
 public:
  BlockParams(const std::string& block, const ParamMap& given) : block_(block), given_(given) {
    const std::vector<std::string>& known = block_parameters().at(block);
    for (const auto& [name, value] : given) {
      const bool ok = std::find(known.begin(), known.end(), name) != known.end() ||
                      std::find(kInputParameters.begin(), kInputParameters.end(), name) !=
                          kInputParameters.end();
      if (!ok) {
        throw Error(fmt::format("{}: unknown parameter '{}' (known: {}, {})", block, name,
                                fmt::join(known, ", "), fmt::join(kInputParameters, ", ")));
      }
    }
  }

  double number(const std::string& name, double fallback) const {
    const std::string* text = find(name);
    if (!text) return fallback;
    double v = 0;
    const char* begin = text->data();
    const char* end = begin + text->size();
    if (begin != end && *begin == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (text->empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
      throw Error(fmt::format("{}: --set {}={}: not a number", block_, name, *text));
    }
    return v;
  }

  int32_t integer(const std::string& name, int32_t fallback) const {
    const std::string* text = find(name);
    if (!text) return fallback;
    int64_t v = 0;
    const char* begin = text->data();
    const char* end = begin + text->size();
    if (begin != end && *begin == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (text->empty() || ec != std::errc() || ptr != end || v < INT32_MIN || v > INT32_MAX) {
      throw Error(fmt::format("{}: --set {}={}: not an integer", block_, name, *text));
    }
    return static_cast<int32_t>(v);
  }

  float real(const std::string& name, double fallback) const {
    const double v = number(name, fallback);
    if (std::fabs(v) > 3.0e38) {
      throw Error(fmt::format("{}: --set {}: value out of range", block_, name));
    }
    return static_cast<float>(v);
  }

  bool flag(const std::string& name, bool fallback) const {
    const std::string* text = find(name);
    if (!text) return fallback;
    const std::string v = lower(*text);
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    throw Error(fmt::format("{}: --set {}={}: expected true or false", block_, name, *text));
  }

  // One of `choices` (case-insensitive); returns its index.
  int choice(const std::string& name, const std::vector<std::string>& choices, int fallback) const {
    const std::string* text = find(name);
    if (!text) return fallback;
    const std::string v = lower(*text);
    for (size_t i = 0; i < choices.size(); ++i) {
      if (v == choices[i]) return static_cast<int>(i);
    }
    throw Error(fmt::format("{}: --set {}={}: expected one of {}", block_, name, *text,
                            fmt::join(choices, ", ")));
  }

 private:
  const std::string* find(const std::string& name) const {
    const auto it = given_.find(name);
    return it == given_.end() ? nullptr : &it->second;
  }

  std::string block_;
  const ParamMap& given_;
};

// Workspace with the 8-byte alignment the device code requires.
struct Workspace {
  explicit Workspace(size_t bytes) : words((bytes + 7) / 8 + 1) {}
  void* data() { return words.data(); }
  size_t size() const { return words.size() * 8; }
  std::vector<uint64_t> words;
};

void check(const std::string& block, const char* problem) {
  if (problem) throw Error(fmt::format("{}: {}", block, problem));
}

void run_status(const std::string& block, dsp::Status status) {
  if (status != rt::kOk) throw Error(fmt::format("{}: the DSP block rejected its inputs", block));
}

const Signal& need_signal(const std::string& block, const BlockInput& input) {
  if (!std::holds_alternative<Signal>(input)) {
    throw Error(fmt::format("{} needs a time series (WAV, CSV or raw), not an image", block));
  }
  const Signal& s = std::get<Signal>(input);
  if (s.axes < 1 || s.frames() == 0)
    throw Error(fmt::format("{}: the input holds no samples", block));
  return s;
}

const Signal& need_mono(const std::string& block, const BlockInput& input) {
  const Signal& s = need_signal(block, input);
  if (s.axes != 1) {
    throw Error(
        fmt::format("{} needs a single-channel signal; the input has {} axes", block, s.axes));
  }
  return s;
}

// The signal's own rate unless the sampling_frequency_hz parameter overrides it.
float sampling_frequency(const BlockParams& p, double signal_rate_hz) {
  return p.real("sampling_frequency_hz", signal_rate_hz);
}

dsp::AudioFrameParams audio_params(const BlockParams& p, double rate_hz, int32_t version,
                                   float frame_length, float frame_stride, int32_t fft_length) {
  dsp::AudioFrameParams a{};
  a.sampling_frequency = sampling_frequency(p, rate_hz);
  a.implementation_version = p.integer("implementation_version", version);
  a.frame_length = p.real("frame_length", frame_length);
  a.frame_stride = p.real("frame_stride", frame_stride);
  a.fft_length = p.integer("fft_length", fft_length);
  a.window = p.choice("window", {"none", "hann", "hamming"}, 0);
  a.exact_log = p.flag("exact_log", false);
  return a;
}

// Frame-level sanity the device check cannot phrase with numbers: signal length, truncation.
void check_frames(const std::string& block, const dsp::AudioFrameParams& a, size_t frames,
                  std::vector<std::string>* notes) {
  dsp::FrameLayout layout;
  check(block, dsp::frame_layout(a.sampling_frequency, a.frame_length, a.frame_stride,
                                 a.implementation_version, &layout));
  if (dsp::frame_count(layout, a.implementation_version, frames) < 1) {
    throw Error(fmt::format(
        "{}: the signal ({} samples) is shorter than one frame ({} samples = frame_length {} s "
        "at {} Hz)",
        block, frames, layout.frame_samples, a.frame_length, a.sampling_frequency));
  }
  if (layout.frame_samples > a.fft_length) {
    notes->push_back(fmt::format(
        "frames of {} samples are longer than fft_length {}: only the first {} samples of each "
        "frame enter the FFT (reference behaviour)",
        layout.frame_samples, a.fft_length, a.fft_length));
  }
}

// Parameter resolution: the --set values of a block become its device struct, validated for a
// signal of `frames` time steps. The run_* functions below only execute the resolved struct.

dsp::SpectrogramParams resolve_spectrogram(const BlockParams& p, double rate_hz, size_t frames,
                                           std::vector<std::string>* notes) {
  dsp::SpectrogramParams sp{};
  sp.audio = audio_params(p, rate_hz, 3, 0.02f, 0.01f, 128);
  sp.noise_floor_db = p.integer("noise_floor_db", -52);
  check("spectrogram", dsp::spectrogram_check(sp));
  check_frames("spectrogram", sp.audio, frames, notes);
  return sp;
}

dsp::MfeParams resolve_mfe(const BlockParams& p, double rate_hz, size_t frames,
                           std::vector<std::string>* notes) {
  dsp::MfeParams mp{};
  mp.audio = audio_params(p, rate_hz, 4, 0.02f, 0.01f, 256);
  mp.num_filters = p.integer("num_filters", 40);
  mp.low_frequency = p.real("low_frequency", 0);
  mp.high_frequency = p.real("high_frequency", 0);
  mp.noise_floor_db = p.integer("noise_floor_db", -52);
  (void)p.integer("win_size", 101);  // only used by versions before 3, which Kiln does not run
  check("mfe", dsp::mfe_check(mp));
  check_frames("mfe", mp.audio, frames, notes);
  return mp;
}

dsp::MfccParams resolve_mfcc(const BlockParams& p, double rate_hz, size_t frames,
                             std::vector<std::string>* notes) {
  dsp::MfccParams mp{};
  mp.audio = audio_params(p, rate_hz, 4, 0.02f, 0.02f, 256);
  mp.num_cepstral = p.integer("num_cepstral", 13);
  mp.num_filters = p.integer("num_filters", 32);
  mp.low_frequency = p.real("low_frequency", 300);
  mp.high_frequency = p.real("high_frequency", 0);
  mp.pre_cof = p.real("pre_cof", 0.98);
  mp.pre_shift = p.integer("pre_shift", 1);
  mp.win_size = p.integer("win_size", 101);
  check("mfcc", dsp::mfcc_check(mp));
  check_frames("mfcc", mp.audio, frames, notes);
  return mp;
}

dsp::SpectralParams resolve_spectral(const BlockParams& p, double rate_hz, int axes) {
  if (p.choice("analysis_type", {"fft", "wavelet"}, 0) != 0) {
    throw Error("spectral: analysis_type Wavelet is not supported (use FFT)");
  }
  dsp::SpectralParams sp{};
  sp.sampling_frequency = sampling_frequency(p, rate_hz);
  sp.axes = axes;
  sp.scale_axes = p.real("scale_axes", 1.0);
  sp.implementation_version = p.integer("implementation_version", 4);
  sp.input_decimation_ratio = p.integer("input_decimation_ratio", 1);
  sp.extra_low_freq = p.flag("extra_low_freq", false);
  sp.filter_type = p.choice("filter_type", {"none", "low", "high"}, 0);
  sp.filter_cutoff = p.real("filter_cutoff", 3.0);
  sp.filter_order = p.integer("filter_order", 6);
  sp.fft_length = p.integer("fft_length", 16);
  sp.do_log = p.flag("do_log", true);
  sp.do_fft_overlap = p.flag("do_fft_overlap", true);
  sp.exact_log = p.flag("exact_log", false);
  check("spectral", dsp::spectral_check(sp));
  return sp;
}

dsp::FlattenParams resolve_flatten(const BlockParams& p, int axes) {
  dsp::FlattenParams fp{};
  fp.axes = axes;
  fp.scale_axes = p.real("scale_axes", 1.0);
  fp.average = p.flag("average", true);
  fp.minimum = p.flag("minimum", true);
  fp.maximum = p.flag("maximum", true);
  fp.rms = p.flag("rms", true);
  fp.stdev = p.flag("stdev", true);
  fp.skewness = p.flag("skewness", true);
  fp.kurtosis = p.flag("kurtosis", true);
  check("flatten", dsp::flatten_check(fp));
  return fp;
}

dsp::RawParams resolve_raw(const BlockParams& p, int axes) {
  const dsp::RawParams rp{axes, p.real("scale_axes", 1.0)};
  check("raw", dsp::raw_check(rp));
  return rp;
}

dsp::ImageParams resolve_image(const BlockParams& p) {
  dsp::ImageParams ip{};
  ip.width = p.integer("width", 96);
  ip.height = p.integer("height", 96);
  ip.resize_mode = p.choice("resize_mode", {"squash", "fit_shortest", "fit_longest"}, 0);
  ip.channels = p.choice("channels", {"rgb", "grayscale"}, 0) == 0 ? 3 : 1;
  ip.scale_min = p.real("scale_min", 0.0);
  ip.scale_max = p.real("scale_max", 1.0);
  check("image", dsp::image_check(ip));
  return ip;
}

ResolvedBlock resolve_checked(const std::string& block, const BlockParams& p, double rate_hz,
                              int axes, size_t frames) {
  ResolvedBlock r;
  r.block = block;
  if (block == "raw") {
    r.params = resolve_raw(p, axes);
  } else if (block == "flatten") {
    r.params = resolve_flatten(p, axes);
  } else if (block == "spectral") {
    r.params = resolve_spectral(p, rate_hz, axes);
  } else if (block == "spectrogram") {
    r.params = resolve_spectrogram(p, rate_hz, frames, &r.notes);
  } else if (block == "mfe") {
    r.params = resolve_mfe(p, rate_hz, frames, &r.notes);
  } else if (block == "mfcc") {
    r.params = resolve_mfcc(p, rate_hz, frames, &r.notes);
  } else {
    r.params = resolve_image(p);
  }
  return r;
}

Features run_spectrogram(const dsp::SpectrogramParams& sp, const Signal& s) {
  Features f;
  const int32_t frames = dsp::spectrogram_num_frames(sp, s.frames());
  const int32_t features = dsp::spectrogram_num_features(sp);
  f.values.resize(static_cast<size_t>(frames) * features);
  Workspace ws(dsp::spectrogram_workspace_bytes(sp));
  run_status("spectrogram",
             dsp::spectrogram_compute(sp, s.samples.data(), s.frames(), f.values.data(),
                                      f.values.size(), ws.data(), ws.size()));
  f.shape = {frames, features};
  f.dims = {"frames", "features"};
  return f;
}

Features run_mfe(const dsp::MfeParams& mp, const Signal& s) {
  Features f;
  const int32_t frames = dsp::mfe_num_frames(mp, s.frames());
  f.values.resize(static_cast<size_t>(frames) * mp.num_filters);
  Workspace ws(dsp::mfe_workspace_bytes(mp));
  run_status("mfe", dsp::mfe_compute(mp, s.samples.data(), s.frames(), f.values.data(),
                                     f.values.size(), ws.data(), ws.size()));
  f.shape = {frames, mp.num_filters};
  f.dims = {"frames", "filters"};
  return f;
}

Features run_mfcc(const dsp::MfccParams& mp, const Signal& s) {
  Features f;
  const int32_t frames = dsp::mfcc_num_frames(mp, s.frames());
  f.values.resize(static_cast<size_t>(frames) * mp.num_cepstral);
  Workspace ws(dsp::mfcc_workspace_bytes(mp, s.frames()));
  run_status("mfcc", dsp::mfcc_compute(mp, s.samples.data(), s.frames(), f.values.data(),
                                       f.values.size(), ws.data(), ws.size()));
  f.shape = {frames, mp.num_cepstral};
  f.dims = {"frames", "coefficients"};
  return f;
}

Features run_spectral(const dsp::SpectralParams& sp, const Signal& s) {
  const int32_t features = dsp::spectral_num_features(sp);
  Features f;
  f.values.resize(static_cast<size_t>(s.axes) * features);
  Workspace ws(dsp::spectral_workspace_bytes(sp, s.frames()));
  run_status("spectral", dsp::spectral_compute(sp, s.samples.data(), s.frames(), f.values.data(),
                                               f.values.size(), ws.data(), ws.size()));
  f.shape = {s.axes, features};
  f.dims = {"axes", "features"};
  return f;
}

Features run_flatten(const dsp::FlattenParams& fp, const Signal& s) {
  const int32_t stats = dsp::flatten_num_features(fp);
  Features f;
  f.values.resize(static_cast<size_t>(s.axes) * stats);
  Workspace ws(dsp::flatten_workspace_bytes(fp, s.frames()));
  run_status("flatten", dsp::flatten_compute(fp, s.samples.data(), s.frames(), f.values.data(),
                                             f.values.size(), ws.data(), ws.size()));
  f.shape = {s.axes, stats};
  f.dims = {"axes", "statistics"};
  return f;
}

Features run_raw(const dsp::RawParams& rp, const Signal& s) {
  Features f;
  f.values.resize(s.samples.size());
  run_status("raw",
             dsp::raw_compute(rp, s.samples.data(), s.frames(), f.values.data(), f.values.size()));
  f.shape = {static_cast<int64_t>(s.frames()), s.axes};
  f.dims = {"samples", "axes"};
  return f;
}

Features run_image(const dsp::ImageParams& ip, const Image& image) {
  Features f;
  f.values.resize(static_cast<size_t>(dsp::image_num_values(ip)));
  const dsp::ImageInput in{image.pixels.data(), image.width, image.height, image.channels};
  run_status("image", dsp::image_compute(ip, in, f.values.data(), f.values.size()));
  f.shape = {ip.height, ip.width, ip.channels};
  f.dims = {"height", "width", "channels"};
  return f;
}

// The input checks each block makes before it reads its parameters.
void check_input(const std::string& block, const BlockInput& input) {
  if (block == "image") {
    if (!std::holds_alternative<Image>(input)) {
      throw Error("image needs an image file (PNG, JPEG, BMP), not a time series");
    }
  } else if (block == "spectrogram" || block == "mfe" || block == "mfcc") {
    need_mono(block, input);
  } else {
    need_signal(block, input);
  }
}

std::string known_block(const std::string& block_name) {
  const std::string block = canonical_block(block_name);
  if (!block_parameters().count(block)) {
    throw Error(fmt::format("unknown block '{}' (expected one of {})", block_name,
                            fmt::join(feature_block_names(), ", ")));
  }
  return block;
}

}  // namespace

std::vector<std::string> feature_block_names() {
  return {"raw", "flatten", "spectral", "spectrogram", "mfe", "mfcc", "image"};
}

std::vector<std::string> feature_block_parameters(const std::string& block) {
  const auto it = block_parameters().find(canonical_block(block));
  if (it == block_parameters().end()) return {};
  return it->second;
}

BlockInput load_block_input(const std::filesystem::path& path, const ParamMap& params) {
  const std::string ext = lower(path.extension().string());
  // The input parameters are shared by every block; parse them with a permissive table.
  const ParamMap input_only = [&] {
    ParamMap m;
    for (const std::string& name : kInputParameters) {
      if (params.count(name)) m[name] = params.at(name);
    }
    return m;
  }();
  const BlockParams p("raw", input_only);
  if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".gif" ||
      ext == ".tga" || ext == ".pgm" || ext == ".ppm") {
    return read_image(path);
  }
  Signal s;
  if (ext == ".wav") {
    s = read_wav(path);
  } else if (ext == ".csv") {
    s = read_csv(path);
  } else if (ext == ".raw" || ext == ".f32" || ext == ".pcm" || ext == ".bin") {
    const int dtype = p.choice("dtype", {"int16", "float32"}, ext == ".f32" ? 1 : 0);
    return read_raw(path, dtype == 0 ? RawType::kInt16 : RawType::kFloat32, p.integer("axes", 1),
                    p.number("sampling_frequency_hz", 0));
  } else {
    throw Error(fmt::format(
        "{}: unknown input type '{}' (expected .wav, .csv, .png/.jpg/.bmp, or .raw/.f32)",
        path.string(), ext));
  }
  if (params.count("axes") && p.integer("axes", s.axes) != s.axes) {
    throw Error(fmt::format("{}: --set axes={} but the file has {} axes", path.string(),
                            params.at("axes"), s.axes));
  }
  if (params.count("dtype")) {
    throw Error(fmt::format("{}: --set dtype applies to raw files only", path.string()));
  }
  return s;
}

ResolvedBlock resolve_block(const std::string& block_name, const ParamMap& params,
                            double sample_rate_hz, int axes, size_t window_frames) {
  const std::string block = known_block(block_name);
  const BlockParams p(block, params);
  if (block != "image") {
    if (axes < 1 || window_frames == 0) {
      throw Error(fmt::format("{}: the input holds no samples", block));
    }
    if ((block == "spectrogram" || block == "mfe" || block == "mfcc") && axes != 1) {
      throw Error(
          fmt::format("{} needs a single-channel signal; the input has {} axes", block, axes));
    }
  }
  return resolve_checked(block, p, sample_rate_hz, axes, window_frames);
}

Features compute_features(const std::string& block_name, const BlockInput& input,
                          const ParamMap& params) {
  const std::string block = known_block(block_name);
  const BlockParams p(block, params);
  check_input(block, input);
  if (block == "image") {
    const ResolvedBlock r = resolve_checked(block, p, 0, 0, 0);
    return run_image(std::get<dsp::ImageParams>(r.params), std::get<Image>(input));
  }
  const Signal& s = std::get<Signal>(input);
  ResolvedBlock r = resolve_checked(block, p, s.sampling_frequency_hz, s.axes, s.frames());
  Features f = std::visit(
      [&s](const auto& device_params) -> Features {
        using T = std::decay_t<decltype(device_params)>;
        if constexpr (std::is_same_v<T, dsp::SpectrogramParams>) {
          return run_spectrogram(device_params, s);
        } else if constexpr (std::is_same_v<T, dsp::MfeParams>) {
          return run_mfe(device_params, s);
        } else if constexpr (std::is_same_v<T, dsp::MfccParams>) {
          return run_mfcc(device_params, s);
        } else if constexpr (std::is_same_v<T, dsp::SpectralParams>) {
          return run_spectral(device_params, s);
        } else if constexpr (std::is_same_v<T, dsp::FlattenParams>) {
          return run_flatten(device_params, s);
        } else if constexpr (std::is_same_v<T, dsp::RawParams>) {
          return run_raw(device_params, s);
        } else {
          throw Error("image parameters given for a time series");
        }
      },
      r.params);
  f.notes.insert(f.notes.begin(), r.notes.begin(), r.notes.end());
  return f;
}

}  // namespace kiln::data
