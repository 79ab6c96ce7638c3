// Background jobs (import, train, test, deploy, profile) of one Studio server. At most one job runs
// at a time: it holds the project, so starting a second one, or editing samples or the
// configuration while one runs, is refused with 409. A job records its progress as a list of
// events (read by polling or by server-sent events) and ends succeeded, failed or cancelled; a
// failed job leaves the runner ready for the next.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::studio {

// Thrown inside a job's work (from its progress callbacks) once cancellation was requested.
struct JobCancelled {};

class Job {
 public:
  Job(int64_t id, std::string kind);

  int64_t id() const { return id_; }
  const std::string& kind() const { return kind_; }

  // Called by the work: a stage name with done/total counts, or a free-form event (e.g. an epoch).
  // Both only record (they never throw), so they are safe in callbacks that library code calls
  // from its worker threads.
  void progress(const std::string& stage, size_t done, size_t total);
  void add_event(nlohmann::json event);
  // Throws JobCancelled when cancellation was requested. The work calls it only at points where
  // the library it runs can unwind (a callback on the library's own thread, between steps).
  void check_cancelled() const;

  void request_cancel();
  bool finished() const;

  // {"id", "kind", "state", "stage", "done", "total", "error", "result", "events"...};
  // with_events adds every event, otherwise only their count.
  nlohmann::json to_json(bool with_events) const;

  // Events from index `from` on, waiting up to `timeout` for one when there is none yet.
  // `finished` tells whether the job had ended when the events were taken.
  std::vector<nlohmann::json> wait_events(size_t from, std::chrono::milliseconds timeout,
                                          bool& finished) const;

 private:
  friend class JobRunner;
  void finish(const std::string& state, const std::string& error, nlohmann::json result);

  const int64_t id_;
  const std::string kind_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string state_ = "running";  // running | succeeded | failed | cancelled
  std::string stage_;
  size_t done_ = 0, total_ = 0;
  std::string error_;
  nlohmann::json result_;
  std::vector<nlohmann::json> events_;
  bool cancel_requested_ = false;
  std::string started_at_, finished_at_;
};

class JobRunner {
 public:
  // The work returns the job's result; kiln::Error and other exceptions fail the job with their
  // message, JobCancelled cancels it.
  using Work = std::function<nlohmann::json(Job&)>;

  JobRunner() = default;
  ~JobRunner();  // cancels a running job and waits for it
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts `work` on a background thread; HttpError 409 naming the running job if one runs.
  std::shared_ptr<Job> start(const std::string& kind, Work work);
  // Runs `edit` now, on the caller's thread, unless a job runs (HttpError 409). No job can start
  // while it runs.
  void exclusive(const std::function<void()>& edit);

  std::shared_ptr<Job> find(int64_t id) const;
  std::shared_ptr<Job> running() const;
  std::vector<std::shared_ptr<Job>> all() const;  // newest first

 private:
  void throw_if_busy_locked() const;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Job>> jobs_;
  std::shared_ptr<Job> current_;
  std::thread worker_;
  int64_t next_id_ = 1;
};

// UTC now as ISO 8601, e.g. 2026-11-28T10:00:00Z.
std::string utc_now_iso8601();

}  // namespace kiln::studio
