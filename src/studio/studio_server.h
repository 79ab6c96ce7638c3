// `kiln studio`: an HTTP server over one project folder serving the web app and its JSON API
// (docs/api.md). Bound to 127.0.0.1 unless told otherwise; on any other address every request
// must carry the access token printed at start. Requests that change anything must carry the
// header X-Kiln-Studio (a page on another site cannot send it without the server's consent), and
// on loopback the Host header must name loopback (no DNS rebinding).
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "studio/project_lock.h"
#include "studio/studio_context.h"

namespace kiln::studio {

bool is_loopback_host(const std::string& host);
// 32 hex digits from std::random_device.
std::string make_access_token();

class StudioServer {
 public:
  // Takes the project folder's Studio lock (kiln::Error if another Studio holds it). A non-loopback
  // host without a token gets a fresh one (see options().token).
  explicit StudioServer(StudioOptions options);
  ~StudioServer();
  StudioServer(const StudioServer&) = delete;
  StudioServer& operator=(const StudioServer&) = delete;

  // Binds host:port (port 0: a free one) and returns the port; kiln::Error when it cannot.
  int bind();
  // Serves until stop(); bind() first.
  void run();
  // bind() and run() on a background thread (tests).
  int start_in_background();
  void stop();

  int port() const { return port_; }
  const StudioOptions& options() const { return context_->options; }
  std::string url() const;  // with ?token=... when there is one

 private:
  void install_security();

  std::unique_ptr<ProjectLock> lock_;
  std::unique_ptr<StudioContext> context_;
  httplib::Server http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace kiln::studio
