#include "studio/web_assets.h"

namespace kiln::studio {

const WebAsset* find_web_asset(std::string_view path) {
  for (const WebAsset& asset : embedded_web_assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

bool web_assets_built() {
  return find_web_asset("index.html") != nullptr;
}

std::string_view content_type_for(std::string_view path) {
  const auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace kiln::studio
