#pragma once
// HTTP as ponte's connectors see it: a request, a response, and a transport that sends one.
// The transport is an interface so tests can script answers (429, timeouts, resets); the real
// one is libcurl (MakeCurlTransport).

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ponte {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};  // whole request
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  // First header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request. A response with any status is a success here; failures are transport
  // failures: Unavailable (refused, reset, DNS), DeadlineExceeded (timeout), DataLoss (the
  // body was cut short). Error messages never hold header values.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // TLS certificates are verified unless this is set, and setting it is logged loudly by the
  // caller (config key tls_insecure); there is no silent way to turn verification off.
  bool tls_insecure = false;
};

// libcurl: one handle per thread reused for keep-alive, gzip accepted, proxies from the usual
// environment variables (https_proxy, no_proxy).
std::unique_ptr<HttpTransport> MakeCurlTransport(const TransportOptions& options = {});

// Percent-encodes a query-string value (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(std::string_view value);

}  // namespace ponte
