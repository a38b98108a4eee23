// `ponte serve`: the routes in watch mode plus the HTTP server (webhooks, admin API, metrics,
// dashboard).

#include <unistd.h>

#include <condition_variable>
#include <iostream>
#include <mutex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/runtime.h"
#include "app/signals.h"
#include "app/systemd_notify.h"
#include "connectors/ploomes/ploomes_settings.h"
#include "core/log.h"
#include "core/shutdown.h"
#include "server/http_server.h"
#include "server/sync_service.h"

namespace ponte {
namespace {

struct ServeOptions {
  std::string config = "ponte.toml";
  std::string listen;  // overrides server.listen
  int interval_seconds = 0;  // overrides server.poll_interval_seconds
};

// An optional secret: absent is fine (the feature is off), unreadable is an error.
Result<std::string> OptionalSecret(const std::string& env, const std::string& file, const std::string& what,
                                   const std::string& keys) {
  auto secret = ReadSecret(env, file, what, keys);
  if (secret) return secret;
  if (file.empty()) return std::string();
  return Fail(secret.error());
}

void Serve(GlobalOptions& g, ServeOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  Runtime& r = **rt;
  ServerConfig& sc = r.config.server;
  if (!o.listen.empty()) sc.listen = o.listen;
  if (o.interval_seconds > 0) sc.poll_interval_seconds = o.interval_seconds;
  auto address = server::ParseListenAddress(sc.listen);
  if (!address) {
    std::cerr << "ponte: " << address.error().message << "\n";
    exit_code = kExitUsage;
    return;
  }
  auto webhook_key = OptionalSecret(sc.webhook_key_env, sc.webhook_key_file, "webhook validation key", "server.webhook_key");
  auto admin_token = OptionalSecret(sc.admin_token_env, sc.admin_token_file, "admin token", "server.admin_token");
  for (const auto* s : {&webhook_key, &admin_token}) {
    if (!*s) {
      std::cerr << "ponte: " << s->error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
  }
  server::ServerOptions so;
  so.host = address->first;
  so.port = address->second;
  so.webhook_key = *webhook_key;
  so.webhook_key_header = sc.webhook_key_header.empty() ? ploomes::kWebhookKeyHeader : sc.webhook_key_header;
  so.admin_token = *admin_token;
  so.max_body_bytes = static_cast<size_t>(sc.max_body_bytes);
  so.allowed_hosts = sc.allowed_hosts;
  if (!sc.public_url.empty()) so.allowed_hosts.push_back(sc.public_url);  // its host name counts
  // Each TOTVS ERP may push its changes, signing in as ponte signs in to it.
  for (const auto& [name, erp] : r.erps) so.eai_senders.push_back({name, erp.authorization, erp.sender});

  BlockTerminationSignals();
  server::SyncService service({r.config, *r.store, r.calls, SystemClock::Get(), r.Circuits(), r.Systems()},
                              ThisWorkerName());
  auto http = server::HttpServer::Start(so, service, *r.store, r.calls, SystemClock::Get());
  if (!http) {
    std::cerr << "ponte: " << http.error().message << "\n";
    exit_code = http.error().code == ErrorCode::kUnavailable ? kExitUnreachable : kExitUsage;
    return;
  }
  service.Start();
  std::cout << fmt::format("ponte serve: listening on {} (dashboard /, API /api, metrics /metrics)", (*http)->url())
            << std::endl;
  log::Info("serve_listening", {{"url", (*http)->url()}, {"store", r.store->Describe()}});
  if (so.webhook_key.empty()) {
    log::Warn("webhooks_off", {{"reason", fmt::format("no validation key in {}", sc.webhook_key_env.empty()
                                                                                ? "server.webhook_key_file"
                                                                                : sc.webhook_key_env)},
                               {"poll_interval_s", std::to_string(sc.poll_interval_seconds)}});
  } else {
    log::Info("webhooks_on", {{"url", (*http)->url() + "/webhooks/ploomes"},
                              {"poll_interval_s", std::to_string(sc.poll_interval_seconds)}});
  }
  if (so.admin_token.empty()) log::Info("admin_api", {{"access", "loopback clients only"}});
  // Under systemd (Type=notify) the unit is ready now: the port is bound and the routes run.
  NotifySystemd("READY=1");

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  OnTerminationSignal([&] {
    RequestShutdown();  // every wait for a quota, a backoff or an API call ends now
    std::lock_guard lock(mu);
    stop = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stop; });
  }
  NotifySystemd("STOPPING=1");
  log::Info("serve_stopping", {{"note", "finishing the record in hand and giving back claimed deliveries"}});
  (*http)->Stop();
  service.Stop();
  log::Info("serve_stopped");
  exit_code = kExitOk;
}

}  // namespace

void AddServeCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "Run the routes continuously with webhooks, an admin API, metrics and a dashboard");
  serve->add_option("--config", o->config, "Configuration file")->capture_default_str();
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (default server.listen, 127.0.0.1:8400; port 0: any)");
  serve->add_option("--interval", o->interval_seconds, "Seconds between polls (default server.poll_interval_seconds)");
  serve->footer(
      "Secrets come from the environment: PONTE_WEBHOOK_KEY (the webhooks' validation key; without it webhooks are "
      "refused and only polling runs) and PONTE_ADMIN_TOKEN (bearer token of the admin API; required to listen "
      "beyond loopback). SIGTERM or Ctrl-C stops gracefully. See docs/api.md.");
  serve->callback([&g, o, &exit_code] { Serve(g, *o, exit_code); });
}

}  // namespace ponte
