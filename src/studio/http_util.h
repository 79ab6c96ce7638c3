// Small helpers shared by the Studio's route files: JSON replies, JSON request bodies, errors
// that carry their HTTP status, and a wrapper that turns every exception into a JSON error reply.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace kiln::studio {

// Thrown by route handlers; the wrapper replies {"error": message} with this status.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
void send_error(httplib::Response& res, int status, const std::string& message);

// The request body as a JSON object; 400 with the parser's position on malformed JSON.
nlohmann::json parse_json_body(const httplib::Request& req);

// Typed fields of a JSON object, 400 naming the field when the type is wrong.
std::optional<std::string> optional_string(const nlohmann::json& body, const std::string& key);
std::optional<double> optional_number(const nlohmann::json& body, const std::string& key);

// The decimal id in regex capture `index` of the route; 400 when it does not parse.
int64_t path_id(const httplib::Request& req, size_t index = 1);

// Query parameter as a bounded integer, `fallback` when absent; 400 when malformed.
int64_t query_int(const httplib::Request& req, const std::string& key, int64_t fallback,
                  int64_t min, int64_t max);

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
// Replies 4xx/5xx JSON for HttpError (its status), kiln::Error (400) and anything else (500).
Handler guarded(Handler handler);

}  // namespace kiln::studio
