#include "server/request_body.h"

#include <fmt/format.h>

#include "server/admin_api.h"

namespace ponte::server {
namespace {

// A Content-Length holds at most this many digits before it is taken for too large.
constexpr size_t kMaxLengthDigits = 18;

}  // namespace

BodyRead ReadBody(const httplib::Request& req, const httplib::ContentReader& reader, size_t limit, std::string& body) {
  if (req.has_header("Content-Length")) {
    // Announced too large: refused without reading it.
    const std::string length = req.get_header_value("Content-Length");
    if (length.size() > kMaxLengthDigits || length.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(length) > limit) {
      return BodyRead::kTooLarge;
    }
  }
  bool too_large = false;
  const bool read = reader([&](const char* data, size_t n) {
    if (body.size() + n > limit) {
      too_large = true;
      return false;  // stop reading: the rest is never read
    }
    body.append(data, n);
    return true;
  });
  if (too_large) return BodyRead::kTooLarge;
  return read ? BodyRead::kRead : BodyRead::kUnreadable;
}

void RefuseBody(httplib::Response& res, BodyRead why, std::string_view too_large) {
  res.set_header("Connection", "close");
  if (why == BodyRead::kTooLarge) {
    SendError(res, 413, "too_large", too_large);
  } else {
    SendError(res, 400, "malformed", "the body could not be read: send it whole, with Content-Length or chunked encoding");
  }
}

void PostWithBody(httplib::Server& server, const std::string& pattern, size_t limit, BodyHandler handler) {
  server.Post(pattern, [limit, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                                            const httplib::ContentReader& reader) {
    std::string body;
    if (auto read = ReadBody(req, reader, limit, body); read != BodyRead::kRead) {
      return RefuseBody(res, read, "the body is larger than server.max_body_bytes");
    }
    handler(req, body, res);
  });
}

void RefuseOtherBodies(httplib::Server& server, size_t limit) {
  auto refuse = [limit](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    if (auto read = ReadBody(req, reader, limit, body); read != BodyRead::kRead) {
      return RefuseBody(res, read, "the body is larger than server.max_body_bytes");
    }
    SendError(res, 404, "not_found", fmt::format("no endpoint {} {} (see docs/api.md)", req.method, req.path));
  };
  server.Post(".*", refuse);
  server.Put(".*", refuse);
  server.Patch(".*", refuse);
  server.Delete(".*", refuse);
}

}  // namespace ponte::server
