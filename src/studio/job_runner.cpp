#include "studio/job_runner.h"

#include <fmt/format.h>

#include <ctime>

#include "core/error.h"
#include "studio/http_util.h"

namespace kiln::studio {

namespace {

// Old jobs are forgotten beyond this many, so a long session does not grow without bound.
constexpr size_t kKeptJobs = 50;
// A job's events beyond this many are dropped (a training run has one per epoch).
constexpr size_t kMaxEvents = 20000;

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Job::Job(int64_t id, std::string kind)
    : id_(id), kind_(std::move(kind)), started_at_(utc_now_iso8601()) {}

void Job::progress(const std::string& stage, size_t done, size_t total) {
  std::lock_guard lock(mutex_);
  // A progress event per stage change or per percent, not per file, keeps the list short.
  const bool new_stage = stage != stage_;
  const size_t old_percent = total_ ? done_ * 100 / total_ : 0;
  const size_t percent = total ? done * 100 / total : 0;
  stage_ = stage;
  done_ = done;
  total_ = total;
  if ((new_stage || percent != old_percent || done == total) && events_.size() < kMaxEvents) {
    events_.push_back({{"type", "progress"}, {"stage", stage}, {"done", done}, {"total", total}});
  }
  changed_.notify_all();
}

void Job::add_event(nlohmann::json event) {
  std::lock_guard lock(mutex_);
  if (events_.size() < kMaxEvents) events_.push_back(std::move(event));
  changed_.notify_all();
}

void Job::check_cancelled() const {
  std::lock_guard lock(mutex_);
  if (cancel_requested_) throw JobCancelled{};
}

void Job::request_cancel() {
  std::lock_guard lock(mutex_);
  if (state_ == "running") cancel_requested_ = true;
  changed_.notify_all();
}

bool Job::finished() const {
  std::lock_guard lock(mutex_);
  return state_ != "running";
}

void Job::finish(const std::string& state, const std::string& error, nlohmann::json result) {
  std::lock_guard lock(mutex_);
  state_ = state;
  error_ = error;
  result_ = std::move(result);
  finished_at_ = utc_now_iso8601();
  events_.push_back({{"type", "end"}, {"state", state}, {"error", error}});
  changed_.notify_all();
}

nlohmann::json Job::to_json(bool with_events) const {
  std::lock_guard lock(mutex_);
  nlohmann::json j = {{"id", id_},
                      {"kind", kind_},
                      {"state", state_},
                      {"stage", stage_},
                      {"done", done_},
                      {"total", total_},
                      {"error", error_},
                      {"cancel_requested", cancel_requested_},
                      {"started_at", started_at_},
                      {"finished_at", finished_at_},
                      {"event_count", events_.size()}};
  if (!result_.is_null()) j["result"] = result_;
  if (with_events) j["events"] = events_;
  return j;
}

std::vector<nlohmann::json> Job::wait_events(size_t from, std::chrono::milliseconds timeout,
                                             bool& finished) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return events_.size() > from || state_ != "running"; });
  finished = state_ != "running";
  if (from >= events_.size()) return {};
  return std::vector<nlohmann::json>(events_.begin() + static_cast<std::ptrdiff_t>(from),
                                     events_.end());
}

JobRunner::~JobRunner() {
  std::shared_ptr<Job> current;
  {
    std::lock_guard lock(mutex_);
    current = current_;
  }
  if (current) current->request_cancel();
  if (worker_.joinable()) worker_.join();
}

void JobRunner::throw_if_busy_locked() const {
  if (current_ && !current_->finished()) {
    throw HttpError(409, fmt::format("the project is busy: {} job {} is running; wait for it or "
                                     "cancel it",
                                     current_->kind(), current_->id()));
  }
}

std::shared_ptr<Job> JobRunner::start(const std::string& kind, Work work) {
  std::lock_guard lock(mutex_);
  throw_if_busy_locked();
  if (worker_.joinable()) worker_.join();  // the previous job has finished
  auto job = std::make_shared<Job>(next_id_++, kind);
  jobs_.insert(jobs_.begin(), job);
  if (jobs_.size() > kKeptJobs) jobs_.pop_back();
  current_ = job;
  worker_ = std::thread([job, work = std::move(work)] {
    try {
      nlohmann::json result = work(*job);
      job->finish("succeeded", "", std::move(result));
    } catch (const JobCancelled&) {
      job->finish("cancelled", "cancelled on request", nullptr);
    } catch (const HttpError& e) {
      job->finish("failed", e.what(), nullptr);
    } catch (const Error& e) {
      job->finish("failed", e.what(), nullptr);
    } catch (const std::bad_alloc&) {
      job->finish("failed", "out of memory", nullptr);
    } catch (const std::exception& e) {
      job->finish("failed", e.what(), nullptr);
    }
  });
  return job;
}

void JobRunner::exclusive(const std::function<void()>& edit) {
  std::lock_guard lock(mutex_);
  throw_if_busy_locked();
  edit();
}

std::shared_ptr<Job> JobRunner::find(int64_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& job : jobs_) {
    if (job->id() == id) return job;
  }
  return nullptr;
}

std::shared_ptr<Job> JobRunner::running() const {
  std::lock_guard lock(mutex_);
  return current_ && !current_->finished() ? current_ : nullptr;
}

std::vector<std::shared_ptr<Job>> JobRunner::all() const {
  std::lock_guard lock(mutex_);
  return jobs_;
}

}  // namespace kiln::studio
