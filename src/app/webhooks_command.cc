// `ponte webhooks register`: points Ploomes' create and update webhooks at `ponte serve`.
//
// The validation key travels in the callback URL (?key=...), which `ponte serve` accepts: how
// Ploomes hands the ValidationKey to a receiver is not known (ploomes.webhook_key in
// ../shared/api/unknowns.md), but a URL comes back exactly as it was registered. Running it again
// is harmless, and after the key changed it replaces the webhooks that carry the old one.

#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/default_config.h"
#include "app/runtime.h"

namespace ponte {
namespace {

struct WebhooksOptions {
  std::string config = "ponte.toml";
  std::string url;  // the callback URL, without the key
};

// The URL without its `key` query parameter (and what it was, if any).
std::string WithoutKey(const std::string& url, std::string* key = nullptr) {
  const auto q = url.find('?');
  if (q == std::string::npos) return url;
  std::string kept;
  size_t start = q + 1;
  while (start <= url.size()) {
    size_t amp = url.find('&', start);
    const std::string item = url.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (item.starts_with("key=")) {
      if (key) *key = item.substr(4);
    } else if (!item.empty()) {
      kept += (kept.empty() ? "?" : "&") + item;
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return url.substr(0, q) + kept;
}

std::string WithKey(const std::string& url, const std::string& key) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "key=" + UrlEncode(key);
}

void RegisterWebhooks(GlobalOptions& g, WebhooksOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  Runtime& r = **rt;
  const ServerConfig& sc = r.config.server;
  std::string url = WithoutKey(o.url);
  if (url.empty() && !sc.public_url.empty()) {
    url = sc.public_url + (sc.public_url.ends_with("/") ? "" : "/") + "webhooks/ploomes";
  }
  if (url.empty()) {
    std::cerr << "ponte: give --url (how Ploomes reaches this server, such as https://ponte.example.com/webhooks/ploomes) "
                 "or set server.public_url\n";
    exit_code = kExitUsage;
    return;
  }
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    std::cerr << fmt::format("ponte: the callback URL '{}' must start with https://\n", url);
    exit_code = kExitUsage;
    return;
  }
  if (url.starts_with("http://")) {
    std::cerr << "ponte: WARNING: the callback URL is plain http; the validation key will cross the network unencrypted\n";
  }
  auto key = ReadSecret(sc.webhook_key_env, sc.webhook_key_file, "webhook validation key", "server.webhook_key");
  if (!key) {
    std::cerr << "ponte: " << key.error().message << " (ponte serve must know the same key)\n";
    exit_code = kExitUsage;
    return;
  }
  const std::string callback = WithKey(url, *key);
  auto account = r.Ploomes();
  if (!ReportIfError(account, exit_code, kExitUsage)) return;
  ploomes::PloomesConnector& ploomes = **account;
  auto existing = ploomes.Webhooks();
  if (!ReportIfError(existing, exit_code)) return;
  struct Wanted {
    const char* route;
    int entity_id;
    const char* set;
  };
  const Wanted wanted[] = {{kRouteCustomersToMilvus, 1, "Contacts"},
                           {kRouteTasks, 12, "Tasks"},
                           {kRouteInteractions, 36, "InteractionRecords"}};
  int added = 0, kept = 0, replaced = 0;
  for (const auto& w : wanted) {
    if (!r.config.routes.at(w.route).enabled) continue;
    for (const auto& [action_id, action] : {std::pair{1, "Create"}, std::pair{2, "Update"}}) {
      bool current = false;
      for (const auto& h : *existing) {
        if (h.entity_id != w.entity_id || h.action_id != action_id || WithoutKey(h.callback_url) != url) continue;
        if (h.callback_url == callback) {
          current = true;
          continue;
        }
        // The same receiver with an old key (or none): ponte serve would refuse its calls.
        if (!ReportIfError(ploomes.DeleteWebhook(h.id), exit_code)) return;
        ++replaced;
      }
      if (current) {
        ++kept;
        std::cout << fmt::format("{} {}: already registered\n", w.set, action);
        continue;
      }
      auto id = ploomes.RegisterWebhook(w.entity_id, action_id, callback, *key);
      if (!id && w.entity_id == 36 && id.error().http_status == 400) {
        // ploomes.webhook_entity_36: some accounts may not offer webhooks for interaction records.
        std::cerr << fmt::format(
            "ponte: WARNING: Ploomes refused webhooks for interaction records ({}); polling still delivers "
            "them every {} s\n",
            id.error().message, sc.poll_interval_seconds);
        break;
      }
      if (!ReportIfError(id, exit_code)) return;
      ++added;
      std::cout << fmt::format("{} {}: registered (webhook {})\n", w.set, action, *id);
    }
  }
  // The key is part of the URL Ploomes calls; it is never printed.
  std::cout << fmt::format("{} webhook(s) registered, {} already there, {} replaced (old key), calling {} with the "
                           "validation key in ?key=\n",
                           added, kept, replaced, url);
}

}  // namespace

void AddWebhooksCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<WebhooksOptions>();
  auto* webhooks = app.add_subcommand("webhooks", "Ploomes webhooks that call ponte serve");
  webhooks->require_subcommand(1);
  auto* reg = webhooks->add_subcommand(
      "register",
      "Register create and update webhooks for every enabled route. Idempotent; after the validation key "
      "changed it replaces the webhooks that carry the old one");
  reg->add_option("--config", o->config, "Configuration file")->capture_default_str();
  reg->add_option("--url", o->url, "Callback URL (default server.public_url + /webhooks/ploomes)");
  reg->callback([&g, o, &exit_code] { RegisterWebhooks(g, *o, exit_code); });
}

}  // namespace ponte
