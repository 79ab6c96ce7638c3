// The web app: "/" is index.html and "/assets/NAME" the bundle's files, served from the table
// embedded at build time (so no request path ever reaches the file system).
#include <fmt/format.h>

#include "studio/http_util.h"
#include "studio/routes.h"
#include "studio/web_assets.h"

namespace kiln::studio {

namespace {

constexpr const char* kNotBuiltPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>Kiln Studio</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Kiln Studio</h1>
<p>The web assets were not built: this kiln was configured without node/npm
(or with <code>-DKILN_STUDIO_WEB=OFF</code>). The JSON API under <code>/api/</code> works;
see docs/api.md. Install node and npm (<code>tools/install_deps.sh</code>) and rebuild to get
the web app.</p>
</body></html>
)";

void serve(const WebAsset& asset, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_content(asset.bytes.data(), asset.bytes.size(),
                  std::string(content_type_for(asset.path)));
}

}  // namespace

void add_web_asset_routes(httplib::Server& server, StudioContext&) {
  server.Get("/", guarded([](const httplib::Request&, httplib::Response& res) {
               if (const WebAsset* index = find_web_asset("index.html")) {
                 serve(*index, res);
               } else {
                 res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
               }
             }));
  server.Get(R"(/assets/([A-Za-z0-9_.-]+))",
             guarded([](const httplib::Request& req, httplib::Response& res) {
               const WebAsset* asset = find_web_asset(req.matches[1].str());
               if (!asset) throw HttpError(404, fmt::format("no asset {}", req.path));
               serve(*asset, res);
             }));
}

}  // namespace kiln::studio
