#include "app/runtime.h"

#include <algorithm>
#include <iostream>
#include <tuple>

#include <fmt/format.h>
#include <openssl/sha.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/system_kinds.h"
#include "connectors/milvus/milvus_customers.h"
#include "connectors/milvus/milvus_settings.h"
#include "connectors/milvus/milvus_tickets.h"
#include "connectors/ploomes/ploomes_customers.h"
#include "connectors/ploomes/ploomes_settings.h"
#include "connectors/ploomes/ploomes_tickets.h"
#include "connectors/totvs/totvs_connector.h"
#include "connectors/totvs/totvs_settings.h"
#include "core/base64.h"
#include "core/version.h"
#include "store/facts.h"

namespace ponte {
namespace {

// A fingerprint of an API key, to name its shared bucket: never the key itself.
std::string KeyFingerprint(const std::string& key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string hex;
  for (int i = 0; i < 8; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// One bucket per system, key and quota, kept in the store: all workers together stay under the
// quota, and so does a process started a moment after another stopped (a minute's listing
// quota outlives the process that spent it).
std::unique_ptr<RateLimiter> Bucket(double per_minute, int burst, const std::string& bucket,
                                    const std::string& key, Store& store) {
  if (per_minute <= 0) return nullptr;
  const BucketShape shape = ShapeForQuota(per_minute, burst);
  const double capacity = shape.capacity, refill = shape.refill_per_second;
  const std::string id = KeyFingerprint(key);
  return std::make_unique<SharedRateLimiter>(
      [&store, bucket, id, capacity, refill](Instant now) { return store.TakeToken(bucket, id, capacity, refill, now); },
      [&store, bucket, id](Instant now) { (void)store.DrainTokens(bucket, id, now); });
}

// Quotas of one class of call allow no burst: "more than a minute between listings" means one
// call at a time.
void AddClassLimiters(Runtime& rt, const SystemConfig& s, const std::string& system, const std::string& key,
                      ApiClient& api) {
  for (auto [quota, per_minute, name] : {std::tuple{QuotaClass::kListings, s.quotas.listings_per_minute, "listings"},
                                         std::tuple{QuotaClass::kWrites, s.quotas.writes_per_minute, "writes"}}) {
    auto limiter = Bucket(per_minute, 1, system + ":" + name, key, *rt.store);
    if (!limiter) continue;
    api.SetClassLimiter(quota, limiter.get());
    rt.limiters.push_back(std::move(limiter));
  }
}

ApiClientOptions ClientOptions(const SystemConfig& s, const std::string& system, const char* auth_header,
                               const std::string& key) {
  ApiClientOptions o{system, s.base_url, auth_header, key,
                     s.key_env.empty() ? fmt::format("systems.{}.key_file", system) : s.key_env,
                     std::chrono::milliseconds(s.timeout_ms)};
  o.retry.forbidden_backoff = std::chrono::milliseconds(s.forbidden_backoff_ms);
  o.circuit.unreachable_budget = std::chrono::seconds(s.unreachable_seconds);
  return o;
}

// A system some enabled route uses: its key, client, limiters and connector. `findings`: what
// ponte learned of the account (the default ones), else null.
Status AddSystem(Runtime& rt, const std::string& name, const SystemConfig& s, std::string key, Findings* findings) {
  if (key.empty()) {
    auto k = ReadApiKey(s, name);
    if (!k) return Fail(k.error());
    key = *k;
  }
  if (s.kind == "milvus" && key.size() > 7 && (key.starts_with("Bearer ") || key.starts_with("bearer "))) {
    // Milvus takes the raw token; "Bearer <token>" is refused on every call.
    return Fail(Error::InvalidArgument(fmt::format(
        "the Milvus token in {} starts with 'Bearer ': Milvus takes the token alone, remove the prefix",
        s.key_env.empty() ? "systems." + name + ".key_file" : s.key_env)));
  }
  if (s.tls_insecure) {
    std::cerr << "ponte: WARNING: TLS certificate verification is OFF for " << s.base_url
              << " (tls_insecure = true); anyone on the network path can read the API key\n";
  }
  // Limiters are keyed by system and key: two accounts never share a bucket.
  auto limiter = Bucket(s.requests_per_minute, s.burst, name, key, *rt.store);
  const bool totvs = s.kind == "totvs";
  if (totvs) {
    // A TOTVS ERP's REST takes HTTP Basic: the key is the password of systems.<name>.user. The
    // ERP pushing to ponte signs in the same way.
    const auto& ts = SettingsOf<totvs::TotvsSettings>(s);
    rt.erps[name] = {"Basic " + Base64Encode(ts.user + ":" + key),
                     {ts.source_application, kPonteVersion, ts.company_id, ts.branch_id}};
  }
  const std::string auth = totvs ? rt.erps[name].authorization : key;
  auto& api = rt.apis[name] = std::make_unique<ApiClient>(
      ClientOptions(s, name, s.kind == "ploomes" ? "User-Key" : "Authorization", auth), *rt.transport, limiter.get(),
      rt.calls, SystemClock::Get());
  if (limiter) rt.limiters.push_back(std::move(limiter));
  AddClassLimiters(rt, s, name, key, *api);
  if (totvs) {
    const auto& ts = SettingsOf<totvs::TotvsSettings>(s);
    totvs::TotvsOptions o;
    o.name = name;
    o.message_version = ts.message_version;
    o.sender = rt.erps[name].sender;
    o.page_size = ts.page_size;
    rt.customer_systems[name] = std::make_unique<totvs::TotvsConnector>(*api, o);
  } else if (s.kind == "ploomes") {
    const auto& ps = SettingsOf<ploomes::PloomesSettings>(s);
    auto& connector = rt.ploomes_accounts[name] = std::make_unique<ploomes::PloomesConnector>(
        *api, ploomes::PloomesOptions{std::chrono::seconds(ps.cursor_overlap_seconds), ps.document_field, findings});
    rt.customer_systems[name] = std::make_unique<ploomes::PloomesCustomers>(name, *connector);
    rt.ticket_sources[name] = std::make_unique<ploomes::PloomesTickets>(name, *connector);
  } else if (s.kind == "milvus") {
    const auto& ms = SettingsOf<milvus::MilvusSettings>(s);
    auto& connector = rt.milvus_accounts[name] = std::make_unique<milvus::MilvusConnector>(
        *api, ms.tickets, milvus::MilvusOptions{findings, ms.listing_budget, static_cast<size_t>(ms.busca_cap)});
    rt.customer_systems[name] = std::make_unique<milvus::MilvusCustomers>(name, *connector);
    rt.ticket_targets[name] = std::make_unique<milvus::MilvusTickets>(name, *connector);
  } else {
    return Fail(Error::InvalidArgument(fmt::format("systems.{}: ponte has no connector of kind '{}'", name, s.kind)));
  }
  return {};
}

Error NotInUse(const std::string& name, std::string_view kind) {
  return Error::FailedPrecondition(fmt::format(
      "no enabled route uses a {} system named {} (this command speaks to the one the routes use)", kind, name));
}

}  // namespace

SystemsByName Runtime::Systems() const {
  SystemsByName named;
  for (const auto& [name, system] : customer_systems) named.customers[name] = system.get();
  for (const auto& [name, source] : ticket_sources) named.ticket_sources[name] = source.get();
  for (const auto& [name, target] : ticket_targets) named.ticket_targets[name] = target.get();
  return named;
}

std::vector<const Circuit*> Runtime::Circuits() const {
  std::vector<const Circuit*> out;
  for (const auto& [name, api] : apis) out.push_back(&api->circuit());
  return out;
}

Result<ploomes::PloomesConnector*> Runtime::Ploomes(const std::string& name) const {
  auto it = ploomes_accounts.find(name);
  if (it == ploomes_accounts.end()) return Fail(NotInUse(name, "ploomes"));
  return it->second.get();
}

Result<milvus::MilvusConnector*> Runtime::Milvus(const std::string& name) const {
  auto it = milvus_accounts.find(name);
  if (it == milvus_accounts.end()) return Fail(NotInUse(name, "milvus"));
  return it->second.get();
}

Result<ApiClient*> Runtime::Api(const std::string& name) const {
  auto it = apis.find(name);
  if (it == apis.end()) return Fail(NotInUse(name, SystemKind(config, name)));
  return it->second.get();
}

Result<std::unique_ptr<Runtime>> MakeRuntime(Config config, const std::string& store_override,
                                             const std::map<std::string, std::string>& keys) {
  auto rt = std::make_unique<Runtime>();
  rt->config = std::move(config);
  if (!store_override.empty()) rt->config.store = store_override;
  auto store = OpenStore(rt->config.store);
  if (!store) return Fail(store.error());
  rt->store = std::move(*store);
  const std::vector<std::string> in_use = SystemsInUse(rt->config);
  TransportOptions topts;
  for (const auto& name : in_use) {
    if (const SystemConfig* s = FindSystem(rt->config, name)) topts.tls_insecure |= s->tls_insecure;
  }
  rt->transport = MakeCurlTransport(topts);
  if (auto bound = BindFindings(*rt->store, rt->findings); !bound) return Fail(bound.error());
  for (const auto& name : in_use) {
    const SystemConfig* s = FindSystem(rt->config, name);
    if (!s) return Fail(Error::InvalidArgument(fmt::format("a route uses the system {}, which is not configured", name)));
    auto key = keys.find(name);
    // What ponte learns of an account (the unknowns a probe settles) is kept for the default two.
    Findings* findings = name == "ploomes" || name == "milvus" ? &rt->findings : nullptr;
    PONTE_RETURN_IF_ERROR(AddSystem(*rt, name, *s, key == keys.end() ? "" : key->second, findings));
  }
  return rt;
}

int CheckKeysOnline(Runtime& rt, std::ostream& out) {
  int exit_code = kExitOk;
  for (const auto& [name, api] : rt.apis) {
    auto answer = api->Call(KeyCheckCall(rt.config.systems.at(name)));
    if (answer) {
      out << fmt::format("  {}: online, the key is accepted\n", name);
      continue;
    }
    out << fmt::format("  {}: {}\n", name, answer.error().ToString());
    const bool auth =
        answer.error().code == ErrorCode::kUnauthenticated || answer.error().code == ErrorCode::kPermissionDenied;
    exit_code = std::max(exit_code, auth ? kExitUsage : kExitUnreachable);
  }
  return exit_code;
}

Result<Config> LoadConfigOrReport(const std::string& config_path, int& exit_code) {
  auto config = LoadConfigFile(config_path);
  if (!config) {
    std::cerr << "ponte: " << config.error().message << "\n";
    exit_code = kExitUsage;
  }
  return config;
}

Result<std::unique_ptr<Runtime>> RuntimeOrReport(const GlobalOptions& g, const std::string& config_path,
                                                 int& exit_code) {
  auto config = LoadConfigOrReport(config_path, exit_code);
  if (!config) return Fail(config.error());
  // --store, then $PONTE_STORE, then the file's store: the resolution every command shares.
  auto rt = MakeRuntime(*config, StoreOverride(g));
  if (!rt) {
    std::cerr << "ponte: " << rt.error().ToString() << "\n";
    // A damaged or unreachable store is exit 3 (what to do is in the message); a setting or a key
    // to fix is exit 2.
    const auto code = rt.error().code;
    exit_code = code == ErrorCode::kUnavailable || code == ErrorCode::kDataLoss || code == ErrorCode::kInternal
                    ? kExitUnreachable
                    : kExitUsage;
  }
  return rt;
}

}  // namespace ponte
