#include "server/http_server.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/crash_point.h"
#include "core/log.h"
#include "core/utf8.h"
#include "server/admin_api.h"
#include "server/request_body.h"
#include "server/webhook.h"

namespace ponte::server {

std::string_view DashboardHtml();  // generated from dashboard.html

namespace {

using Json = nlohmann::json;

// Ploomes' webhook calls and browsers send a dozen headers of a few hundred bytes.
constexpr size_t kMaxHeaders = 64;
constexpr size_t kMaxHeaderBytes = 16 * 1024;
// A webhook without its key in a header or the URL may still carry it in the body
// (ValidationKey); until the key is seen, at most this much of its body is read.
constexpr size_t kMaxUnauthenticatedBody = 64 * 1024;

std::string AsciiLower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The host name of a Host header ("name:port", "[::1]:port") or of an Origin
// ("http://name:port"); lower case.
std::string HostName(std::string_view value) {
  if (auto scheme = value.find("://"); scheme != std::string_view::npos) value.remove_prefix(scheme + 3);
  std::string host;
  if (value.starts_with('[')) {
    host = std::string(value.substr(1, value.find(']') == std::string_view::npos ? 0 : value.find(']') - 1));
  } else {
    host = std::string(value.substr(0, value.find_first_of(":/")));
  }
  return AsciiLower(host);
}

bool IsLoopbackClient(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr.starts_with("127.") || addr == "::ffff:127.0.0.1";
}

// The key Ploomes sent: the configured header, the body's ValidationKey, or ?key= in the
// callback URL (some integrators register it there). The notes say the delivery of the key is
// unconfirmed, so all three are accepted.
std::string PresentedKey(const httplib::Request& req, const std::string& header, const WebhookEvent* event) {
  if (req.has_header(header.c_str())) return req.get_header_value(header.c_str());
  if (req.has_param("key")) return req.get_param_value("key");
  if (event) return event->validation_key;
  return "";
}

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(Error::InvalidArgument(fmt::format("listen address '{}' is not HOST:PORT (such as 127.0.0.1:8400)", listen)));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) {
    return Fail(Error::InvalidArgument(fmt::format("listen address '{}' has no valid port (0 to 65535)", listen)));
  }
  return std::pair{host, port};
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  return false;
}

struct HttpServer::Impl {
  ServerOptions options;
  AdminContext admin;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  int listen_socket = -1;  // the bound socket, seen through the socket-options hook

  Impl(const ServerOptions& o, SyncService& service, Store& store, CallCounter& calls, const Clock& clock)
      : options(o), admin{service, store, calls, clock, !o.webhook_key.empty(), o.max_body_bytes} {}

  // Admin requests: the token when one is set, else loopback only.
  bool Authorized(const httplib::Request& req) const {
    if (!options.admin_token.empty()) {
      const std::string auth = req.get_header_value("Authorization");
      // The scheme is case-insensitive (RFC 9110): "bearer" is as good as "Bearer".
      return AsciiLower(auth.substr(0, 7)) == "bearer " && SecretsEqual(auth.substr(7), options.admin_token);
    }
    return IsLoopbackClient(req.remote_addr);
  }

  bool AllowedHost(const std::string& name) const {
    if (name.empty()) return false;
    if (IsLoopbackHost(name) || name == options.host) return true;
    return std::any_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                       [&](const std::string& allowed) { return HostName(allowed) == name; });
  }

  httplib::Server::HandlerResponse Guard(const httplib::Request& req, httplib::Response& res) {
    // Every string from the request reaches JSON or the log: it must be UTF-8.
    bool utf8 = IsValidUtf8(req.path);
    for (const auto& [k, v] : req.params) utf8 &= IsValidUtf8(k) && IsValidUtf8(v);
    if (!utf8) {
      SendError(res, 400, "bad_request", "the request's path or query is not valid UTF-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib caps each header line (8 KiB) but not their number; ponte caps both.
    size_t header_bytes = 0;
    for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size();
    if (req.headers.size() > kMaxHeaders || header_bytes > kMaxHeaderBytes) {
      SendError(res, 431, "headers_too_large",
                fmt::format("at most {} headers and {} bytes of them", kMaxHeaders, kMaxHeaderBytes));
      return httplib::Server::HandlerResponse::Handled;
    }
    const bool admin_path = req.path.starts_with("/api/") || req.path == "/metrics";
    // DNS rebinding: a page on attacker.example resolves its name to 127.0.0.1, and the browser
    // then sends ponte "Host: attacker.example" (and that Origin). The admin API and the page
    // answer only to ponte's own names.
    if (admin_path || req.path == "/") {
      const std::string host = HostName(req.get_header_value("Host"));
      const std::string origin = req.get_header_value("Origin");
      if (!AllowedHost(host) || (!origin.empty() && origin != "null" && !AllowedHost(HostName(origin)))) {
        log::Warn("host_refused", {{"path", req.path}, {"client", req.remote_addr}, {"host", host}});
        SendError(res, 403, "forbidden",
                  "this Host or Origin is not one of ponte's names; add it to server.allowed_hosts if it is yours");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (!admin_path) return httplib::Server::HandlerResponse::Unhandled;
    if (!Authorized(req)) {
      log::Warn("admin_refused", {{"method", req.method}, {"path", req.path}, {"client", req.remote_addr},
                                  {"reason", options.admin_token.empty() ? "not a loopback client"
                                                                         : "missing or wrong bearer token"}});
      res.set_header("WWW-Authenticate", "Bearer realm=\"ponte\"");
      SendError(res, 401, "unauthorized",
                options.admin_token.empty() ? "the admin API answers loopback clients only"
                                            : "send the admin token as 'Authorization: Bearer <token>'");
      return httplib::Server::HandlerResponse::Handled;
    }
    // A web page on another site can make a browser send a simple POST to localhost; it cannot
    // add a custom header without a CORS preflight, which ponte never grants.
    if (req.method == "POST" && req.get_header_value("X-Ponte-Request") != "1") {
      SendError(res, 403, "forbidden", "admin POST requests need the header 'X-Ponte-Request: 1'");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  // Reads the body through `reader` with the limits above, whatever its transfer encoding
  // (cpp-httplib checks Content-Length, not chunked bodies), then handles it.
  void ReadWebhook(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    if (options.webhook_key.empty()) return Webhook(req, "", res);
    // A key in a header or the URL is checked before a byte of the body is read.
    const std::string early = PresentedKey(req, options.webhook_key_header, nullptr);
    if (!early.empty() && !SecretsEqual(early, options.webhook_key)) return Webhook(req, "", res);
    const size_t limit = early.empty() ? std::min(options.max_body_bytes, kMaxUnauthenticatedBody) : options.max_body_bytes;
    std::string body;
    if (auto read = ReadBody(req, reader, limit, body); read != BodyRead::kRead) {
      CountWebhook(read == BodyRead::kTooLarge ? "too_large" : "malformed");
      return RefuseBody(res, read,
                        early.empty() ? fmt::format("a webhook without its key in a header or the URL may send {} bytes at most",
                                                    limit)
                                      : "the body is larger than server.max_body_bytes");
    }
    Webhook(req, body, res);
  }

  void Webhook(const httplib::Request& req, const std::string& body, httplib::Response& res) {
    if (options.webhook_key.empty()) {
      CountWebhook("refused");
      log::Warn("webhook_refused", {{"client", req.remote_addr}, {"reason", "no validation key is configured"}});
      SendError(res, 503, "webhooks_off",
                "this ponte has no webhook validation key; set server.webhook_key_env (PONTE_WEBHOOK_KEY)");
      return;
    }
    auto event = ParseWebhookBody(body);
    // The key is checked before anything about the body is answered.
    const std::string presented = PresentedKey(req, options.webhook_key_header, event ? &*event : nullptr);
    if (!SecretsEqual(presented, options.webhook_key)) {
      CountWebhook("unauthorized");
      log::Warn("webhook_refused", {{"client", req.remote_addr},
                                    {"reason", presented.empty() ? "missing validation key" : "wrong validation key"}});
      SendError(res, 401, "unauthorized", "missing or wrong validation key");
      return;
    }
    if (!event) {
      CountWebhook("malformed");
      log::Warn("webhook_malformed", {{"client", req.remote_addr}, {"reason", event.error().message}});
      SendError(res, 400, "malformed", event.error().message);
      return;
    }
    std::string why;
    if (!IsRoutable(*event, &why)) {
      CountWebhook("ignored");
      res.status = 202;
      res.set_content(Json{{"queued", false}, {"reason", why}}.dump(), "application/json");
      return;
    }
    // Kept in the store before it is answered: a crash after the answer loses nothing.
    InboxItem item;
    item.source = "ploomes";
    item.kind = "webhook";
    item.entity_set = event->entity_set;
    item.record_id = event->id;
    item.body = event->record;
    auto kept = admin.service.Keep(item);
    if (!kept) {
      CountWebhook("busy");
      res.set_header("Retry-After", "30");
      SendError(res, 503, "busy", kept.error().message);
      return;
    }
    CrashPoint("inbox.after_append");
    CountWebhook("accepted");
    res.status = 202;
    res.set_content(Json{{"queued", true}, {"record", event->entity_set + "(" + event->id + ")"}}.dump(),
                    "application/json");
  }

  void CountWebhook(const std::string& result) { admin.service.CountWebhook(result); }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options, SyncService& service, Store& store,
                                                      CallCounter& calls, const Clock& clock) {
  if (!IsLoopbackHost(options.host) && options.admin_token.empty()) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "ponte serve will not listen on {} without an admin token: the admin API would be open to the network. "
        "Set PONTE_ADMIN_TOKEN (server.admin_token_env), or listen on 127.0.0.1",
        options.host)));
  }
  auto impl = std::make_unique<Impl>(options, service, store, calls, clock);
  Impl* self = impl.get();
  auto& s = impl->server;
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which lets a second `ponte serve`
  // bind the same port and take half the requests. One port, one server.
  s.set_socket_options([self](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    self->listen_socket = sock;
  });
  s.set_payload_max_length(options.max_body_bytes);
  // Idle or slow clients hold a thread each for at most the read timeout; with a pool far larger
  // than a busy integration needs, hundreds of them leave threads for everyone else
  // (ServerTest.IdleConnectionsDoNotStarveOthers).
  s.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  s.set_read_timeout(5, 0);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_timeout(2);
  s.set_pre_routing_handler([self](const auto& req, auto& res) { return self->Guard(req, res); });
  s.set_exception_handler([](const auto&, auto& res, std::exception_ptr) {
    SendError(res, 500, "internal", "ponte could not answer this request; see its log");
  });
  s.set_error_handler([](const auto& req, auto& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      SendError(res, 413, "too_large", "the body is larger than server.max_body_bytes");
    } else if (res.status == 404) {
      SendError(res, 404, "not_found", fmt::format("no endpoint {} {} (see docs/api.md)", req.method, req.path));
    }
  });
  s.Post("/webhooks/ploomes", [self](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) { self->ReadWebhook(req, res, reader); });
  s.Get("/", [](const auto&, auto& res) {
    res.set_header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(std::string(DashboardHtml()), "text/html; charset=utf-8");
  });
  s.Get("/healthz", [](const auto&, auto& res) { res.set_content("ok\n", "text/plain"); });
  s.Get("/readyz", [self](const auto&, auto& res) {
    // Not ready while a system refuses ponte or does not answer: a load balancer or an alert on
    // /readyz sees the outage the routes are waiting out.
    auto version = self->admin.store.SchemaVersion();
    const std::string open_circuit = OpenCircuit(self->admin.service);
    const bool ready = version.has_value() && self->admin.service.running() && open_circuit.empty();
    res.status = ready ? 200 : 503;
    res.set_content(ready      ? "ready\n"
                    : !version ? "store unreachable\n"
                    : !self->admin.service.running() ? "not running\n"
                                                     : open_circuit + "\n",
                    "text/plain");
  });
  RegisterAdminApi(s, impl->admin);
  RegisterEaiReceiver(s, options.eai_senders, service, options.max_body_bytes);
  RefuseOtherBodies(s, options.max_body_bytes);
  // Called once an answer is written: a push answered 2xx is in the inbox, whatever happens next.
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const bool push = req.path == "/webhooks/ploomes" || req.path == kEaiTransactionsPath;
    if (push && res.status >= 200 && res.status < 300) CrashPoint("inbox.after_answer");
  });
  if (options.port == 0) {
    impl->port = s.bind_to_any_port(options.host);
    if (impl->port <= 0) return Fail(Error::Unavailable(fmt::format("cannot listen on {}", options.host)));
  } else {
    if (!s.bind_to_port(options.host, options.port)) {
      return Fail(Error::Unavailable(fmt::format(
          "cannot listen on {}:{} (in use, or not an address of this machine); choose another with --listen",
          options.host, options.port)));
    }
    impl->port = options.port;
  }
  // cpp-httplib listens with a backlog of 5: a burst of connections (or a few hundred idle ones
  // arriving together) would have their SYNs dropped and retried for seconds. Linux lets
  // listen() on a listening socket raise it.
  if (impl->listen_socket >= 0) ::listen(impl->listen_socket, SOMAXCONN);
  impl->thread = std::thread([self] { self->server.listen_after_bind(); });
  // cpp-httplib's stop() does nothing before its accept loop runs: a Stop() right after Start()
  // (a SIGTERM at startup) would wait forever. Start returns once the server is accepting.
  for (int i = 0; i < 5000 && !s.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  const bool v6 = impl_->options.host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", impl_->options.host, v6 ? "]" : "", impl_->port);
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace ponte::server
