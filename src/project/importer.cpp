#include "project/importer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/file_bytes.h"
#include "data/image_reader.h"
#include "data/wav_reader.h"
#include "project/ei_acquisition.h"
#include "project/group_pattern.h"
#include "project/sample_index.h"
#include "project/sha256.h"
#include "project/split_assignment.h"

namespace kiln::project {

namespace fs = std::filesystem;

namespace {

enum class Kind { kWav, kCsv, kImage, kAcquisitionJson, kAcquisitionCbor, kOther };

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Kind kind_of(const fs::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".wav") return Kind::kWav;
  if (ext == ".csv") return Kind::kCsv;
  if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") return Kind::kImage;
  if (ext == ".json") return Kind::kAcquisitionJson;
  if (ext == ".cbor") return Kind::kAcquisitionCbor;
  return Kind::kOther;
}

// A file to import, before and after the scan.
struct Candidate {
  fs::path source;
  std::string label;
  std::string split;  // from the split file, else assigned after the scan
  std::string group;
  SampleRecord record;
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A CSV at the top of a dataset folder that lists samples (split.csv, metadata.csv) rather than
// holding one.
bool is_listing_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  return lower(header).rfind("path,", 0) == 0;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, ',')) {
    if (!field.empty() && field.back() == '\r') field.pop_back();
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// Candidates from `path,label,split[,group,...]` lines; paths relative to the file's folder.
std::vector<Candidate> read_split_file(const fs::path& split_file) {
  std::ifstream in(split_file);
  if (!in) throw Error(fmt::format("{}: cannot open split file", split_file.string()));
  std::string line;
  if (!std::getline(in, line))
    throw Error(fmt::format("{}: empty split file", split_file.string()));
  const std::vector<std::string> header = split_csv_line(line);
  if (header.size() < 3 || lower(header[0]) != "path" || lower(header[1]) != "label" ||
      lower(header[2]) != "split") {
    throw Error(fmt::format("{}:1: expected the header 'path,label,split'", split_file.string()));
  }
  size_t group_column = 0;
  for (size_t i = 3; i < header.size(); ++i) {
    if (lower(header[i]) == "group") group_column = i;
  }
  const fs::path base = split_file.parent_path();
  std::vector<Candidate> candidates;
  for (size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty()) {
      throw Error(fmt::format("{}:{}: expected path,label,split", split_file.string(), number));
    }
    const std::string split = lower(fields[2]);
    if (split != "train" && split != "test") {
      throw Error(fmt::format("{}:{}: split '{}' is neither train nor test", split_file.string(),
                              number, fields[2]));
    }
    Candidate c;
    c.source = base / fields[0];
    c.label = fields[1];
    c.split = split;
    if (group_column && group_column < fields.size()) c.group = fields[group_column];
    candidates.push_back(std::move(c));
  }
  return candidates;
}

bool is_under(const fs::path& file, const fs::path& folder) {
  const fs::path f = fs::weakly_canonical(file), d = fs::weakly_canonical(folder);
  auto fi = f.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++fi) {
    if (di->empty()) continue;  // a trailing slash
    if (fi == f.end() || *fi != *di) return false;
  }
  return true;
}

std::vector<Candidate> collect_candidates(const ImportOptions& options, ImportReport& report) {
  if (!options.split_file.empty()) {
    std::vector<Candidate> listed = read_split_file(options.split_file);
    if (options.inputs.empty()) return listed;
    std::vector<Candidate> kept;
    for (Candidate& c : listed) {
      for (const fs::path& input : options.inputs) {
        if (is_under(c.source, input)) {
          kept.push_back(std::move(c));
          break;
        }
      }
    }
    return kept;
  }
  std::vector<Candidate> candidates;
  for (const fs::path& input : options.inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(input, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && kind_of(it->path()) != Kind::kOther) files.push_back(*it);
      }
      if (ec) throw Error(fmt::format("{}: cannot list: {}", input.string(), ec.message()));
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) {
        if (file.parent_path() == input && kind_of(file) == Kind::kCsv && is_listing_csv(file)) {
          report.notes.push_back(
              fmt::format("{}: a sample listing, not a sample; skipped "
                          "(use --split-file to import from it)",
                          file.string()));
          continue;
        }
        candidates.push_back({file, {}, {}, {}, {}});
      }
    } else if (fs::is_regular_file(input, ec)) {
      if (kind_of(input) == Kind::kOther) {
        throw Error(fmt::format("{}: unsupported file type (WAV, CSV, PNG, JPEG, JSON or CBOR)",
                                input.string()));
      }
      candidates.push_back({input, {}, {}, {}, {}});
    } else {
      throw Error(fmt::format("{}: no such file or directory", input.string()));
    }
  }
  for (Candidate& c : candidates) {
    // The folder that holds the file names its label, as in Edge Impulse.
    c.label = fs::absolute(c.source).parent_path().filename().string();
  }
  return candidates;
}

// Decodes the file to check it and fill in what the index records about it.
void describe(Kind kind, const std::string& name, std::span<const uint8_t> bytes, SampleRecord& r) {
  switch (kind) {
    case Kind::kWav: {
      const data::Signal s = data::parse_wav(bytes, name);
      r.sensor = "audio";
      r.sample_rate_hz = s.sampling_frequency_hz;
      r.axes = s.axes;
      r.length = static_cast<int64_t>(s.frames());
      break;
    }
    case Kind::kCsv: {
      const data::Signal s = data::parse_csv(
          std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), name);
      r.sensor = "timeseries";
      r.sample_rate_hz = s.sampling_frequency_hz;
      r.axes = s.axes;
      r.length = static_cast<int64_t>(s.frames());
      r.axis_names = fmt::format("{}", fmt::join(s.axis_names, ","));
      break;
    }
    case Kind::kImage: {
      const data::Image image = data::parse_image(bytes, name);
      r.sensor = "image";
      r.axes = image.channels;
      r.width = image.width;
      r.height = image.height;
      r.length = static_cast<int64_t>(image.width) * image.height;
      break;
    }
    case Kind::kAcquisitionJson:  // converted to CSV before it gets here
    case Kind::kAcquisitionCbor:
    case Kind::kOther:
      throw Error(
          fmt::format("{}: unsupported file type (WAV, CSV, PNG, JPEG, JSON or CBOR)", name));
  }
}

// The bytes kept in data/ and their extension: the file itself, or for an Edge Impulse
// acquisition file its samples as Kiln CSV.
struct StoredFile {
  std::vector<uint8_t> bytes;
  std::string extension;
};

StoredFile stored_file(const fs::path& source, const std::optional<std::string>& hmac_key) {
  StoredFile stored{data::read_file_bytes(source), lower(source.extension().string())};
  if (stored.extension == ".jpeg") stored.extension = ".jpg";
  const Kind kind = kind_of(source);
  if (kind == Kind::kAcquisitionJson || kind == Kind::kAcquisitionCbor) {
    const AcquisitionSample sample =
        kind == Kind::kAcquisitionJson
            ? parse_ei_acquisition_json(
                  std::string_view(reinterpret_cast<const char*>(stored.bytes.data()),
                                   stored.bytes.size()),
                  source.string(), hmac_key)
            : parse_ei_acquisition_cbor(stored.bytes, source.string(), hmac_key);
    const std::string csv = signal_to_csv(sample.signal);
    stored.bytes.assign(csv.begin(), csv.end());
    stored.extension = ".csv";
  }
  return stored;
}

void write_whole_file(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(fmt::format("{}: write failed", path.string()));
}

}  // namespace

ImportReport import_samples(Project& project, const ImportOptions& options) {
  ImportReport report;
  if (options.inputs.empty() && options.split_file.empty()) {
    throw Error("nothing to import: give files or folders, or --split-file");
  }
  const double test_fraction = options.test_fraction.value_or(project.config.split.test_fraction);
  if (!(test_fraction >= 0 && test_fraction < 1)) {
    throw Error(fmt::format("--test-fraction {}: must be in [0, 1)", test_fraction));
  }
  std::optional<GroupPattern> group_pattern;
  if (!options.group_by.empty()) group_pattern.emplace(options.group_by);
  report.leftovers_removed = remove_unreferenced_files(project);

  std::vector<Candidate> candidates = collect_candidates(options, report);
  if (options.label) {
    if (options.label->empty()) throw Error("--label: must not be empty");
    for (Candidate& c : candidates) c.label = *options.label;
  }

  // Scan: decode, hash, drop duplicates.
  std::vector<Candidate> accepted;
  std::map<std::string, std::string> seen_hashes;  // hash -> source, within this import
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (options.progress) options.progress("scan", i, candidates.size());
    Candidate& c = candidates[i];
    StoredFile stored;
    try {
      stored = stored_file(c.source, options.hmac_key);
      // Acquisition files are checked in their stored CSV form.
      const Kind kind = kind_of(c.source);
      const bool acquisition = kind == Kind::kAcquisitionJson || kind == Kind::kAcquisitionCbor;
      describe(acquisition ? Kind::kCsv : kind, c.source.string(), stored.bytes, c.record);
    } catch (const Error& e) {
      if (!options.skip_bad) throw;
      report.bad_files.push_back(e.what());
      continue;
    }
    if (c.label.empty()) throw Error(fmt::format("{}: no label", c.source.string()));
    const std::string hash = sha256_hex(stored.bytes);
    if (const auto it = seen_hashes.find(hash); it != seen_hashes.end()) {
      report.duplicates.push_back(
          fmt::format("{} (same content as {})", c.source.string(), it->second));
      continue;
    }
    seen_hashes.emplace(hash, c.source.string());
    if (has_content_hash(*project.db, hash)) {
      report.duplicates.push_back(fmt::format("{} (already in the project)", c.source.string()));
      continue;
    }
    if (group_pattern) c.group = group_pattern->group_of(c.source.filename().string());
    c.record.label = c.label;
    c.record.group = c.group;
    c.record.content_hash = hash;
    c.record.path = fmt::format("{}/{}{}", kDataDirName, hash, stored.extension);
    c.record.source = fs::absolute(c.source).lexically_normal().string();
    accepted.push_back(std::move(c));
  }
  if (options.progress) options.progress("scan", candidates.size(), candidates.size());

  // Splits for the samples the split file did not place.
  std::vector<SplitItem> items;
  std::vector<size_t> unplaced;
  for (size_t i = 0; i < accepted.size(); ++i) {
    if (!accepted[i].split.empty()) continue;
    unplaced.push_back(i);
    items.push_back({accepted[i].label, accepted[i].group, accepted[i].record.source});
  }
  const std::vector<std::string> splits =
      assign_splits(items, test_fraction, project.config.split.seed, group_splits(*project.db));
  for (size_t k = 0; k < unplaced.size(); ++k) accepted[unplaced[k]].split = splits[k];

  // Write, one transaction per batch.
  const std::string added_at = utc_now();
  const size_t batch = std::max<size_t>(options.batch_size, 1);
  for (size_t start = 0; start < accepted.size(); start += batch) {
    SqliteTransaction transaction(*project.db);
    const size_t end = std::min(accepted.size(), start + batch);
    for (size_t i = start; i < end; ++i) {
      if (options.progress) options.progress("write", i, accepted.size());
      SampleRecord& r = accepted[i].record;
      r.split = accepted[i].split;
      r.added_at = added_at;
      const std::vector<uint8_t> bytes = stored_file(accepted[i].source, options.hmac_key).bytes;
      if (sha256_hex(bytes) != r.content_hash) {
        throw Error(fmt::format("{}: the file changed during the import", r.source));
      }
      const fs::path final_path = project.root / r.path;
      const fs::path temp_path =
          project.data_dir() / (kTempPrefix + final_path.filename().string());
      write_whole_file(temp_path, bytes);
      std::error_code ec;
      fs::rename(temp_path, final_path, ec);
      if (ec) {
        throw Error(
            fmt::format("{}: cannot move into place: {}", final_path.string(), ec.message()));
      }
      insert_sample(*project.db, r);
      ++report.imported;
      ++(r.split == "test" ? report.imported_test : report.imported_train);
      if (options.after_sample_written) options.after_sample_written(report.imported);
    }
    transaction.commit();
  }
  if (options.progress) options.progress("write", accepted.size(), accepted.size());
  return report;
}

}  // namespace kiln::project
