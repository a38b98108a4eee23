#pragma once
// ponte's configuration, one struct per TOML table (docs/config.md documents every key).
// Keys match the fields one to one; the app's loader rejects unknown keys.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/milvus/milvus_mapping.h"

namespace ponte {

inline constexpr const char* kRouteCustomersToMilvus = "customers_ploomes_to_milvus";
inline constexpr const char* kRouteCustomersToPloomes = "customers_milvus_to_ploomes";
inline constexpr const char* kRouteTasks = "tasks_ploomes_to_milvus";
inline constexpr const char* kRouteInteractions = "interactions_ploomes_to_milvus";

// An API's quotas per class of call, besides SystemConfig::requests_per_minute (every call).
struct QuotaConfig {
  double listings_per_minute = 0;  // 0: no limit of its own
  double writes_per_minute = 0;
};

struct SystemConfig {
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
  // Ploomes only (docs/config.md).
  std::string document_field = "auto";  // where a written contact's CPF/CNPJ goes
  int cursor_overlap_seconds = 30;      // how far before its cursor a listing reads again
  // Milvus only.
  int listing_budget = 200;  // most cliente/busca calls one full client listing may spend
  int busca_cap = 1000;      // how many clients a capped cliente/busca answers
  // A named system's connector ([systems.<name>] kind): "ploomes", "milvus" or "totvs". The
  // systems named ploomes and milvus have their kind by name.
  std::string kind;
  // TOTVS only (docs/config.md): HTTP Basic user (the key is its password), the CustomerVendor
  // version the ERP takes, how ponte introduces itself, and the contents page size.
  std::string user;
  std::string message_version = "2.000";
  std::string source_application = "PONTE";
  std::string company_id;
  std::string branch_id;
  int page_size = 50;
};

struct RouteConfig {
  bool enabled = true;
  std::string cutoff;               // customers_ploomes_to_milvus: YYYY-MM-DD, local date
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
  // A ticket route: custom fields of those records, by the source's key (a Ploomes FieldKey),
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
  std::string webhook_key_env = "PONTE_WEBHOOK_KEY";  // the ValidationKey given to Ploomes
  std::string webhook_key_file;
  std::string webhook_key_header = "X-Ploomes-Validation-Key";
  std::string admin_token_env = "PONTE_ADMIN_TOKEN";  // bearer token of the admin API
  std::string admin_token_file;
  int64_t max_body_bytes = 1 << 20;  // larger webhook or API bodies get 413
  std::string public_url;  // how Ploomes reaches this server, for `ponte webhooks register`
  // Host names the admin API and the dashboard answer to besides loopback names and the listen
  // address (DNS rebinding protection); public_url's host is added.
  std::vector<std::string> allowed_hosts;
};

struct Config {
  std::string store = "sqlite:ponte.db";
  SystemConfig ploomes{"https://api2.ploomes.com", "PONTE_PLOOMES_KEY", "", 120, 0, 30'000, false};
  // Milvus listings: one a minute per token, as integrators report, until a probe says otherwise.
  SystemConfig milvus{"https://apiintegracao.milvus.com.br", "PONTE_MILVUS_TOKEN", "", 0, 0, 30'000, false, {1, 0}};
  // Systems besides ploomes and milvus, by name: an ERP, a second account of a product.
  std::map<std::string, SystemConfig> systems;
  std::map<std::string, RouteConfig> routes = {
      {kRouteCustomersToMilvus, {true, "2024-02-24", {}, {}, 24, "ploomes", "CustomerVendor", "milvus"}},
      {kRouteCustomersToPloomes, {true, "", {}, {}, 24, "milvus", "CustomerVendor", "ploomes"}},
      {kRouteTasks, {true, "", {"INSTALAÇÃO", "ENTREGA"}, {}, 24, "ploomes", "Ticket", "milvus", "Task"}},
      {kRouteInteractions, {true, "", {"INSTALAÇÃO", "ENTREGA"}, {}, 24, "ploomes", "Ticket", "milvus", "InteractionRecord"}},
  };
  // Routes between named systems (any besides the four above), in the order they run, after
  // the four.
  std::vector<std::string> hub_routes;
  milvus::TicketDefaults tickets;
  DeliveryConfig delivery;
  ServerConfig server;
};

// Route names in the order a full run takes them: the four of ponte 0.1 (customers before the
// tickets that need them), then the hub's routes.
std::vector<std::string> RouteOrder(const Config& config);
bool IsRoute(const Config& config, std::string_view name);  // one of RouteOrder(config)
// One of the four routes of ponte 0.1, which run on the ploomes and milvus systems; the
// others are the hub's routes between named systems.
bool IsBuiltInRoute(std::string_view name);
// The default route a Ploomes webhook of an entity set feeds ("Contacts", "Tasks",
// "InteractionRecords").
std::string RouteOfWebhook(std::string_view entity_set);

// The kind of a configured system ("ploomes", "milvus", "totvs"), or "" when none is named so.
std::string SystemKind(const Config& config, std::string_view system);
const SystemConfig* FindSystem(const Config& config, std::string_view system);

// The default routes of an ERP system joined to the hub (`ponte demo --systems`): customers
// from Ploomes and Milvus to it and from it to both, named customers_<from>_to_<to>.
void AddErpRoutes(Config& config, const std::string& erp);

}  // namespace ponte
