#include <fmt/format.h>

#include <chrono>
#include <random>
#include <thread>

#include "core/error.h"
#include "studio/http_util.h"
#include "studio/routes.h"
#include "studio/studio_server.h"

namespace kiln::studio {

namespace {

// Long-lived event streams each hold a worker thread; leave room for them and a few tabs.
constexpr size_t kWorkerThreads = 24;

std::string host_of(const std::string& host_header) {
  if (!host_header.empty() && host_header.front() == '[') {
    return host_header.substr(0, host_header.find(']') + 1);  // [::1]:port
  }
  return host_header.substr(0, host_header.find(':'));
}

bool is_mutating(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  const std::string cookies = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < cookies.size()) {
    size_t end = cookies.find(';', at);
    if (end == std::string::npos) end = cookies.size();
    std::string pair = cookies.substr(at, end - at);
    const size_t first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

// Compares in time independent of where the strings differ.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

std::string make_access_token() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", device());
  return token;
}

StudioServer::StudioServer(StudioOptions options) {
  if (!is_loopback_host(options.host) && options.token.empty()) {
    options.token = make_access_token();
  }
  lock_ = std::make_unique<ProjectLock>(options.root / kStateDirName);
  context_ = std::make_unique<StudioContext>();
  context_->options = std::move(options);
  http_.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  http_.set_payload_max_length(context_->options.max_upload_bytes);
  http_.set_keep_alive_timeout(2);
  install_security();
  add_project_routes(http_, *context_);
  add_data_routes(http_, *context_);
  add_feature_routes(http_, *context_);
  add_job_routes(http_, *context_);
  add_train_routes(http_, *context_);
  add_deploy_routes(http_, *context_);
  add_web_asset_routes(http_, *context_);
  // Errors the router produces itself (no route, body too large) get a JSON body too.
  http_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) {
          send_error(res, 413,
                     fmt::format("request body too large (the limit is {} bytes)",
                                 context_->options.max_upload_bytes));
        } else if (res.status == 404) {
          send_error(res, 404, fmt::format("no such resource: {} {}", req.method, req.path));
        } else {
          send_error(res, res.status, fmt::format("HTTP error {}", res.status));
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
}

StudioServer::~StudioServer() {
  stop();
}

void StudioServer::install_security() {
  http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const StudioOptions& o = context_->options;
    if (is_loopback_host(o.host) && !is_loopback_host(host_of(req.get_header_value("Host")))) {
      send_error(res, 403, "this Studio only answers requests addressed to the loopback host");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!o.token.empty()) {
      std::string given = cookie_value(req, "kiln_token");
      const std::string auth = req.get_header_value("Authorization");
      if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
      if (req.has_param("token")) given = req.get_param_value("token");
      if (!same_secret(given, o.token)) {
        send_error(res, 401, "access token required: open the URL kiln studio printed");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (is_mutating(req.method) && !req.has_header("X-Kiln-Studio")) {
      send_error(res, 403, "requests that change the project need the header X-Kiln-Studio: 1");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // The token from the printed URL becomes a cookie, so the page's own requests carry it.
  http_.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string& token = context_->options.token;
    if (!token.empty() && req.has_param("token") && req.get_param_value("token") == token) {
      res.set_header("Set-Cookie",
                     fmt::format("kiln_token={}; Path=/; HttpOnly; SameSite=Strict", token));
    }
  });
}

int StudioServer::bind() {
  const StudioOptions& o = context_->options;
  if (o.port == 0) {
    port_ = http_.bind_to_any_port(o.host);
    if (port_ < 0) throw Error(fmt::format("cannot listen on {}", o.host));
  } else {
    if (!http_.bind_to_port(o.host, o.port)) {
      throw Error(fmt::format("cannot listen on {}:{} (in use? try --port)", o.host, o.port));
    }
    port_ = o.port;
  }
  return port_;
}

void StudioServer::run() {
  http_.listen_after_bind();
}

int StudioServer::start_in_background() {
  const int port = bind();
  thread_ = std::thread([this] { run(); });
  // httplib's stop() does nothing before the accept loop has started: wait for it, so a stop()
  // right after start cannot be lost.
  while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void StudioServer::stop() {
  context_->stopping = true;
  http_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string StudioServer::url() const {
  const std::string& host = context_->options.host;
  const std::string shown = host == "0.0.0.0" ? "127.0.0.1" : host;
  std::string url = fmt::format("http://{}:{}/", shown, port_);
  if (!context_->options.token.empty()) url += "?token=" + context_->options.token;
  return url;
}

}  // namespace kiln::studio
