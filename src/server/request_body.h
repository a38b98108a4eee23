#pragma once
// Every request body `ponte serve` reads goes through here, whatever its transfer encoding:
// a Content-Length over the limit is refused without reading a byte, and a chunked body (whose
// length cpp-httplib does not check) is cut off as soon as it passes the limit. Too large: 413;
// cut short or unreadable: 400. Both close the connection.

#include <functional>
#include <string>
#include <string_view>

#include <httplib.h>

namespace ponte::server {

enum class BodyRead { kRead, kTooLarge, kUnreadable };

// Reads the body into `body`, at most `limit` bytes of it.
BodyRead ReadBody(const httplib::Request& req, const httplib::ContentReader& reader, size_t limit, std::string& body);

// Answers a body that was not read: 413 with `too_large` as the message, or 400.
void RefuseBody(httplib::Response& res, BodyRead why, std::string_view too_large);

using BodyHandler = std::function<void(const httplib::Request&, const std::string& body, httplib::Response&)>;

// POST `pattern`, its body read within `limit` before `handler` sees it.
void PostWithBody(httplib::Server& server, const std::string& pattern, size_t limit, BodyHandler handler);

// Registered after every other route: any other POST, PUT, PATCH or DELETE has its body read
// within `limit` (never whole) and is answered 404.
void RefuseOtherBodies(httplib::Server& server, size_t limit);

}  // namespace ponte::server
