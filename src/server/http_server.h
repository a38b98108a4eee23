#pragma once
// The HTTP side of `ponte serve` (cpp-httplib): Ploomes webhooks, the admin JSON API, /metrics,
// /healthz, /readyz and the dashboard page. docs/api.md documents every endpoint.
//
// Who may call what:
// - /webhooks/ploomes: anyone who knows the validation key (Ploomes). No key configured: every
//   webhook is refused, never silently accepted.
// - /api/*, /metrics: loopback clients when no admin token is set; with a token, only requests
//   carrying `Authorization: Bearer <token>`. Listening beyond loopback requires a token.
// - /, /healthz, /readyz: anyone (they hold no data).

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "net/call_counter.h"
#include "server/eai_receiver.h"
#include "server/sync_service.h"
#include "store/store.h"

namespace ponte::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8400;  // 0: any free port
  std::string webhook_key;  // empty: webhooks are refused with 503
  std::string webhook_key_header = "X-Ploomes-Validation-Key";
  std::string admin_token;  // empty: loopback clients only
  size_t max_body_bytes = 1 << 20;
  // Host names (besides loopback names and the listen address) the admin API and the dashboard
  // answer to, as names or URLs ("ponte.example.com", "https://ponte.example.com"): DNS
  // rebinding sends a foreign name, and gets 403.
  std::vector<std::string> allowed_hosts;
  size_t threads = 1024;  // connections served at once; idle ones cannot starve the others
  // TOTVS ERPs that push their changes to ponte (eai_receiver.h); none: the path is not served.
  std::vector<EaiSender> eai_senders;
};

// Splits "HOST:PORT" ("[::1]:8400" for IPv6). InvalidArgument names what is wrong.
Result<std::pair<std::string, int>> ParseListenAddress(const std::string& listen);
bool IsLoopbackHost(const std::string& host);

class HttpServer {
 public:
  // Binds and serves on background threads. FailedPrecondition when the address is not loopback
  // and no admin token is set; Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, SyncService& service,
                                                   Store& store, CallCounter& calls, const Clock& clock);
  ~HttpServer();

  int port() const;
  std::string url() const;  // http://HOST:PORT
  void Stop();  // stops accepting; requests in progress finish

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ponte::server
