// Job routes: the list (so a reloaded page finds a running job), one job with all its events
// (polling), its events as a server-sent event stream, and cancellation.
#include <fmt/format.h>

#include <chrono>

#include "studio/http_util.h"
#include "studio/routes.h"

namespace kiln::studio {

namespace {

// A stream ends after this long even while its job runs; EventSource reconnects with
// Last-Event-ID, so the server's worker threads are never held for ever.
constexpr auto kStreamLifetime = std::chrono::seconds(60);

std::shared_ptr<Job> require_job(const StudioContext& context, int64_t id) {
  auto job = context.jobs.find(id);
  if (!job) throw HttpError(404, fmt::format("no job with id {}", id));
  return job;
}

size_t first_event(const httplib::Request& req) {
  std::string text = req.get_header_value("Last-Event-ID");
  if (text.empty() && req.has_param("from")) text = req.get_param_value("from");
  if (text.empty()) return 0;
  try {
    const long long last = std::stoll(text);
    return last < 0 ? 0 : static_cast<size_t>(last) + (req.has_param("from") ? 0 : 1);
  } catch (const std::exception&) {
    throw HttpError(400, "Last-Event-ID must be an event number");
  }
}

}  // namespace

void add_job_routes(httplib::Server& server, StudioContext& context) {
  server.Get(
      "/api/jobs", guarded([&context](const httplib::Request&, httplib::Response& res) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& job : context.jobs.all()) list.push_back(job->to_json(false));
        const auto running = context.jobs.running();
        send_json(res, {{"jobs", list}, {"running", running ? running->to_json(false) : nullptr}});
      }));

  server.Get(R"(/api/jobs/(\d+))",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               send_json(res, require_job(context, path_id(req))->to_json(true));
             }));

  server.Post(R"(/api/jobs/(\d+)/cancel)",
              guarded([&context](const httplib::Request& req, httplib::Response& res) {
                const auto job = require_job(context, path_id(req));
                job->request_cancel();
                send_json(res, job->to_json(false), 202);
              }));

  // Each event is "id: N" and "data: JSON"; the stream ends with the job's "end" event.
  server.Get(
      R"(/api/jobs/(\d+)/events)",
      guarded([&context](const httplib::Request& req, httplib::Response& res) {
        const auto job = require_job(context, path_id(req));
        const size_t from = first_event(req);
        const auto deadline = std::chrono::steady_clock::now() + kStreamLifetime;
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Accel-Buffering", "no");
        res.set_chunked_content_provider(
            "text/event-stream",
            [job, next = from, deadline, &context](size_t, httplib::DataSink& sink) mutable {
              bool finished = false;
              const auto events = job->wait_events(next, std::chrono::milliseconds(500), finished);
              std::string chunk;
              for (const auto& e : events) {
                chunk +=
                    fmt::format("id: {}\ndata: {}\n\n", next++,
                                e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
              }
              if (chunk.empty()) chunk = ": waiting\n\n";  // also detects a closed client
              if (!sink.write(chunk.data(), chunk.size())) return false;
              const bool drained = finished && events.empty();
              if (drained || context.stopping || std::chrono::steady_clock::now() > deadline) {
                sink.done();
              }
              return true;
            });
      }));
}

}  // namespace kiln::studio
