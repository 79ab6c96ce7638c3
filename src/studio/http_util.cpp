#include "studio/http_util.h"

#include <fmt/format.h>

#include <charconv>

#include "core/error.h"

namespace kiln::studio {

void send_json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  // Replace invalid UTF-8 (e.g. from file names) instead of throwing while replying.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, {{"error", message}}, status);
}

nlohmann::json parse_json_body(const httplib::Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw HttpError(400, fmt::format("malformed JSON body: {}", e.what()));
  }
  if (!body.is_object()) throw HttpError(400, "the JSON body must be an object");
  return body;
}

std::optional<std::string> optional_string(const nlohmann::json& body, const std::string& key) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  if (!body[key].is_string()) throw HttpError(400, fmt::format("'{}' must be a string", key));
  return body[key].get<std::string>();
}

std::optional<double> optional_number(const nlohmann::json& body, const std::string& key) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  if (!body[key].is_number()) throw HttpError(400, fmt::format("'{}' must be a number", key));
  return body[key].get<double>();
}

namespace {

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

int64_t path_id(const httplib::Request& req, size_t index) {
  if (req.matches.size() <= index) throw HttpError(400, "missing id in the path");
  const std::optional<int64_t> id = parse_int(req.matches[static_cast<int>(index)].str());
  if (!id || *id <= 0) throw HttpError(400, "the id in the path must be a positive integer");
  return *id;
}

int64_t query_int(const httplib::Request& req, const std::string& key, int64_t fallback,
                  int64_t min, int64_t max) {
  if (!req.has_param(key)) return fallback;
  const std::optional<int64_t> value = parse_int(req.get_param_value(key));
  if (!value || *value < min || *value > max) {
    throw HttpError(
        400, fmt::format("query parameter '{}' must be an integer in [{}, {}]", key, min, max));
  }
  return *value;
}

Handler guarded(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const HttpError& e) {
      send_error(res, e.status(), e.what());
    } catch (const Error& e) {
      send_error(res, 400, e.what());
    } catch (const nlohmann::json::exception& e) {
      send_error(res, 400, fmt::format("invalid JSON value: {}", e.what()));
    } catch (const std::bad_alloc&) {
      send_error(res, 500, "out of memory");
    } catch (const std::exception& e) {
      send_error(res, 500, e.what());
    }
  };
}

}  // namespace kiln::studio
