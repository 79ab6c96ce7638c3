// kiln studio [-C DIR] [--port N] [--host H]: serves Kiln Studio, the local web interface over
// the project in DIR (created from the browser if DIR holds none yet), until interrupted.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "core/error.h"
#include "studio/studio_server.h"

namespace kiln::cli {

namespace {

struct StudioArgs {
  std::string dir = ".";
  std::string host = "127.0.0.1";
  int port = 8720;
  int max_upload_mb = 256;
};

void run_studio(const StudioArgs& args) {
  studio::StudioOptions options;
  options.root = args.dir;
  options.host = args.host;
  options.port = args.port;
  options.max_upload_bytes = static_cast<size_t>(args.max_upload_mb) << 20;
  if (!std::filesystem::is_directory(options.root)) {
    throw Error(fmt::format("{}: no such folder", args.dir));
  }
  studio::StudioServer server(options);
  server.bind();
  fmt::print("Kiln Studio for {} at {}\n",
             std::filesystem::absolute(options.root).lexically_normal().string(), server.url());
  if (!server.options().token.empty()) {
    fmt::print("access token: {} (listening on {}: anyone who can reach it needs this token)\n",
               server.options().token, args.host);
  }
  fmt::print("press Ctrl-C to stop\n");
  std::fflush(stdout);
  server.run();
}

}  // namespace

void add_studio_command(CLI::App& app) {
  auto args = std::make_shared<StudioArgs>();
  CLI::App* cmd = app.add_subcommand(
      "studio", "Serve Kiln Studio, the local web interface over a project (docs/api.md)");
  cmd->add_option("-C", args->dir, "Project directory (default: the current directory)");
  cmd->add_option("--port", args->port, "TCP port (default 8720; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--host", args->host,
                  "Address to listen on (default 127.0.0.1; any other needs the printed token)");
  cmd->add_option("--max-upload-mb", args->max_upload_mb, "Largest upload request (default 256)")
      ->check(CLI::Range(1, 4096));
  cmd->callback([args] { run_studio(*args); });
}

}  // namespace kiln::cli
