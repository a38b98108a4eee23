#pragma once
// ponte's configuration, one struct per TOML table (docs/config.md documents every key).
// Keys match the fields one to one; the app's loader rejects unknown keys.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/connector_settings.h"

namespace ponte {

// An API's quotas per class of call, besides SystemConfig::requests_per_minute (every call).
struct QuotaConfig {
  double listings_per_minute = 0;  // 0: no limit of its own
  double writes_per_minute = 0;
};

struct SystemConfig {
  std::string kind;      // which connector talks to it ([systems.<name>] kind)
  std::string base_url;
  std::string key_env;   // environment variable holding the API key
  std::string key_file;  // or a file holding it (first line)
  double requests_per_minute = 0;  // in any minute (0: no client-side limit)
  int burst = 0;                   // calls at once (0, 1: one); each extra slows the minute by one
  int timeout_ms = 30'000;
  bool tls_insecure = false;       // logged loudly when set
  QuotaConfig quotas;
  int forbidden_backoff_ms = 10'000;  // first wait before a read answered 403 is asked again
  int unreachable_seconds = 30;       // no answer for this long: ponte stops calling the system
  std::shared_ptr<const ConnectorSettings> settings;  // the kind's own (docs/config.md)
};

struct RouteConfig {
  bool enabled = true;
  std::string cutoff;               // a route from a source with creation dates: YYYY-MM-DD, local date
  std::vector<std::string> tags;    // tasks/interactions: tag names
  std::vector<int64_t> tag_ids;     // or TagIds directly
  // A route that reads from a cursor reads its whole source again this often (0: never): a
  // change that did not move LastUpdateDate (a tag added to a task, on some accounts) is seen.
  int full_listing_hours = 24;
  // Which system it reads, the message it carries and the system it writes ([[routes]]).
  std::string from;
  std::string message = "CustomerVendor";
  std::string to;
  // A ticket route: which records of `from` become tickets ("Task", "InteractionRecord").
  std::string records;
  // A ticket route: custom fields of those records, by the source's key (a CRM's FieldKey),
  // to the Ticket field each fills (TicketFieldNames).
  std::map<std::string, std::string> fields;
};

struct DeliveryConfig {
  int max_attempts = 6;          // delivery attempts across runs before the dead-letter queue
  int retry_base_seconds = 30;   // first wait between attempts, doubling, at most an hour
  int lease_seconds = 300;       // how long a worker holds a claimed delivery
  // How long a write ponte lost sight of (its answer timed out or was cut, ponte was killed
  // while it was in flight) may still be applied by its system. The record is looked for only
  // after this, so a write still in flight is found instead of made a second time.
  int write_settle_seconds = 60;
};

// `ponte serve`: where it listens and where its secrets come from (never the secrets).
struct ServerConfig {
  std::string listen = "127.0.0.1:8400";
  int poll_interval_seconds = 60;  // the polling safety net under the webhooks
  std::string webhook_key_env = "PONTE_WEBHOOK_KEY";  // the ValidationKey given to the webhooks' system
  std::string webhook_key_file;
  std::string webhook_key_header;  // empty: the header the webhooks' system sends its key in
  std::string admin_token_env = "PONTE_ADMIN_TOKEN";  // bearer token of the admin API
  std::string admin_token_file;
  int64_t max_body_bytes = 1 << 20;  // larger webhook or API bodies get 413
  std::string public_url;  // how the webhooks' system reaches this server (`ponte webhooks register`)
  // Host names the admin API and the dashboard answer to besides loopback names and the listen
  // address (DNS rebinding protection); public_url's host is added.
  std::vector<std::string> allowed_hosts;
};

struct Config {
  std::string store = "sqlite:ponte.db";
  // Every system of the hub by name, each with its kind.
  std::map<std::string, SystemConfig> systems;
  std::map<std::string, RouteConfig> routes;
  // The routes in the order a full run takes them (customers before the tickets that need them).
  std::vector<std::string> route_order;
  DeliveryConfig delivery;
  ServerConfig server;
};

// Route names in the order a full run takes them.
std::vector<std::string> RouteOrder(const Config& config);
bool IsRoute(const Config& config, std::string_view name);  // one of RouteOrder(config)
// The systems some enabled route reads or writes: the only ones a run needs keys for.
std::vector<std::string> SystemsInUse(const Config& config);

// The kind of a configured system, or "" when there is no such system.
std::string SystemKind(const Config& config, std::string_view system);
const SystemConfig* FindSystem(const Config& config, std::string_view system);

}  // namespace ponte
