#pragma once
// The sandbox's in-memory world: both systems' records, counters, quotas, and the shared
// services (clock, faults, webhook queue) every route handler uses. One mutex guards the data.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox/data_generator.h"
#include "sandbox/faults.h"
#include "sandbox/sandbox_clock.h"
#include "sandbox/sandbox_options.h"

namespace ponte::sandbox::detail {

using Json = nlohmann::json;

struct PloomesData {
  std::map<int64_t, Json> contacts;
  std::map<int64_t, Json> tasks;
  std::map<int64_t, Json> interactions;
  std::map<int64_t, Json> tags;
  std::map<int64_t, Json> webhooks;
  int64_t next_contact = 40100000;
  int64_t next_task = 40500000;
  int64_t next_interaction = 40700000;
  int64_t next_webhook = 50000001;
  int64_t next_relation = 90000000;  // ids of Tags/Phones relation rows
};

struct MilvusData {
  std::map<int64_t, Json> clients;  // by numeric id
  std::map<int64_t, Json> tickets;  // by codigo
  int64_t next_client = 30000;
  int64_t next_codigo = 1000;
  int64_t next_ticket_id = 884000;
};

// The ERP: customers by its own InternalId (company|branch|code|store), and its de/para of
// what senders call them (XXF in Protheus), keyed "SourceApplication|sender's InternalId".
struct TotvsData {
  std::map<std::string, Json> customers;
  std::map<std::string, std::string> depara;
  int next_code = 1;
  int64_t loads = 0;  // InternalIdLoad messages received
};

// A sliding one-minute window per key, on the sandbox clock.
class Quota {
 public:
  // Whether one more request fits; if not, how long until one does.
  bool Admit(const std::string& key, int per_minute, Instant now,
             std::chrono::milliseconds* retry_after);

 private:
  std::map<std::string, std::deque<Instant>> windows_;
};

struct WebhookEvent {
  std::string url;
  std::string validation_key;
  Json payload;
};

struct World {
  explicit World(const SandboxOptions& o);

  SandboxOptions options;
  SandboxClock clock;
  FaultInjector faults;

  std::mutex mu;  // guards everything below
  PloomesData ploomes;
  MilvusData milvus;
  TotvsData totvs;
  Quota quota;
  std::map<std::string, std::map<int, int64_t>> calls;  // "ploomes GET /Contacts" -> status -> n
  std::map<std::string, int64_t> throttled;             // api -> 429s from the quota
  std::map<std::string, int64_t> injected;              // fault kind -> count
  std::deque<WebhookEvent> webhook_queue;
  std::map<std::string, int64_t> webhook_stats;  // delivered, failed, duplicated
  std::mt19937_64 rng;  // unspecified orders and occasional blocks; seeded, under mu

  // A server timestamp for a Ploomes record, at the precision the reality says: milliseconds,
  // or SQL Server datetime's 1/300 s ticks kept at full precision (".7266667"). Responses show
  // it rounded to milliseconds (DisplayDate); filters compare the full value.
  std::string Stamp(Instant t) const;

  // (Re)creates the generated data from the seed. Caller holds mu.
  void GenerateLocked();
  // Queues webhook events for a Ploomes change. Caller holds mu.
  void FireWebhooksLocked(int entity_id, const char* entity_set, const char* action,
                          const Json& old_record, const Json& new_record);
  Json StatsLocked() const;
};

// A stored Ploomes timestamp as responses show it: rounded to milliseconds, zeros trimmed.
std::string DisplayDate(const std::string& stored);

// Ploomes webhook form of a record: dates without offset, OtherProperties as a map.
Json WebhookForm(const Json& record);

}  // namespace ponte::sandbox::detail
