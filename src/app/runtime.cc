#include "app/runtime.h"

#include <iostream>
#include <tuple>

#include <fmt/format.h>
#include <openssl/sha.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "connectors/milvus/milvus_customers.h"
#include "connectors/milvus/milvus_tickets.h"
#include "connectors/ploomes/ploomes_customers.h"
#include "connectors/ploomes/ploomes_tickets.h"
#include "connectors/totvs/totvs_connector.h"
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

std::unique_ptr<RateLimiter> Limiter(const SystemConfig& s, const char* system, const std::string& key, Store& store) {
  return Bucket(s.requests_per_minute, s.burst, system, key, store);
}

// Quotas of one class of call allow no burst: "more than a minute between listings" means one
// call at a time.
void AddClassLimiters(Runtime& rt, const SystemConfig& s, const char* system, const std::string& key, ApiClient& api) {
  for (auto [quota, per_minute, name] : {std::tuple{QuotaClass::kListings, s.quotas.listings_per_minute, "listings"},
                                         std::tuple{QuotaClass::kWrites, s.quotas.writes_per_minute, "writes"}}) {
    auto limiter = Bucket(per_minute, 1, std::string(system) + ":" + name, key, *rt.store);
    if (!limiter) continue;
    api.SetClassLimiter(quota, limiter.get());
    rt.class_limiters.push_back(std::move(limiter));
  }
}

ApiClientOptions ClientOptions(const SystemConfig& s, const char* system, const char* auth_header,
                               const std::string& key) {
  ApiClientOptions o{system, s.base_url, auth_header, key,
                     s.key_env.empty() ? fmt::format("systems.{}.key_file", system) : s.key_env,
                     std::chrono::milliseconds(s.timeout_ms)};
  o.retry.forbidden_backoff = std::chrono::milliseconds(s.forbidden_backoff_ms);
  o.circuit.unreachable_budget = std::chrono::seconds(s.unreachable_seconds);
  return o;
}

// A named system ([systems.<name>]): its key, client, limiters and connector.
Status AddNamedSystem(Runtime& rt, const std::string& name, const SystemConfig& s, std::string key) {
  if (key.empty()) {
    auto k = ReadApiKey(s, name);
    if (!k) return Fail(k.error());
    key = *k;
  }
  if (s.tls_insecure) {
    std::cerr << "ponte: WARNING: TLS certificate verification is OFF for " << s.base_url
              << " (tls_insecure = true); anyone on the network path can read the API key\n";
  }
  // Limiters are keyed by system and key: two accounts never share a bucket.
  rt.named_limiters.push_back(Bucket(s.requests_per_minute, s.burst, name, key, *rt.store));
  const bool totvs = s.kind == "totvs";
  if (totvs) {
    // A TOTVS ERP's REST takes HTTP Basic: the key is the password of systems.<name>.user. The
    // ERP pushing to ponte signs in the same way.
    rt.erps[name] = {"Basic " + Base64Encode(s.user + ":" + key),
                     {s.source_application, kPonteVersion, s.company_id, s.branch_id}};
  }
  const std::string auth = totvs ? rt.erps[name].authorization : key;
  rt.named_apis.push_back(std::make_unique<ApiClient>(
      ClientOptions(s, name.c_str(), s.kind == "ploomes" ? "User-Key" : "Authorization", auth), *rt.transport,
      rt.named_limiters.back().get(), rt.calls, SystemClock::Get()));
  ApiClient& api = *rt.named_apis.back();
  AddClassLimiters(rt, s, name.c_str(), key, api);
  if (totvs) {
    totvs::TotvsOptions o;
    o.name = name;
    o.message_version = s.message_version;
    o.sender = rt.erps[name].sender;
    o.page_size = s.page_size;
    rt.customer_systems[name] = std::make_unique<totvs::TotvsConnector>(api, o);
  } else if (s.kind == "ploomes") {
    rt.named_ploomes.push_back(std::make_unique<ploomes::PloomesConnector>(
        api, ploomes::PloomesOptions{std::chrono::seconds(s.cursor_overlap_seconds), s.document_field, nullptr}));
    rt.customer_systems[name] = std::make_unique<ploomes::PloomesCustomers>(name, *rt.named_ploomes.back());
    rt.ticket_sources[name] = std::make_unique<ploomes::PloomesTickets>(name, *rt.named_ploomes.back());
  } else {
    rt.named_milvus.push_back(std::make_unique<milvus::MilvusConnector>(
        api, rt.config.tickets, milvus::MilvusOptions{nullptr, s.listing_budget, static_cast<size_t>(s.busca_cap)}));
    rt.customer_systems[name] = std::make_unique<milvus::MilvusCustomers>(name, *rt.named_milvus.back());
    rt.ticket_targets[name] = std::make_unique<milvus::MilvusTickets>(name, *rt.named_milvus.back());
  }
  return {};
}

}  // namespace

SystemsByName Runtime::Systems() const {
  SystemsByName named;
  for (const auto& [name, system] : customer_systems) named.customers[name] = system.get();
  for (const auto& [name, source] : ticket_sources) named.ticket_sources[name] = source.get();
  for (const auto& [name, target] : ticket_targets) named.ticket_targets[name] = target.get();
  return defaults->Systems(named);
}

std::vector<const Circuit*> Runtime::Circuits() const {
  std::vector<const Circuit*> out = {&ploomes_api->circuit(), &milvus_api->circuit()};
  for (const auto& api : named_apis) out.push_back(&api->circuit());
  return out;
}

Result<std::unique_ptr<Runtime>> MakeRuntime(Config config, const std::string& store_override,
                                             const std::string& ploomes_key,
                                             const std::string& milvus_key,
                                             const std::map<std::string, std::string>& named_keys) {
  auto rt = std::make_unique<Runtime>();
  rt->config = std::move(config);
  if (!store_override.empty()) rt->config.store = store_override;
  auto store = OpenStore(rt->config.store);
  if (!store) return Fail(store.error());
  rt->store = std::move(*store);
  std::string pkey = ploomes_key, mkey = milvus_key;
  if (pkey.empty()) {
    auto k = ReadApiKey(rt->config.ploomes, "ploomes");
    if (!k) return Fail(k.error());
    pkey = *k;
  }
  if (mkey.empty()) {
    auto k = ReadApiKey(rt->config.milvus, "milvus");
    if (!k) return Fail(k.error());
    mkey = *k;
  }
  if (mkey.size() > 7 && (mkey.starts_with("Bearer ") || mkey.starts_with("bearer "))) {
    // Milvus takes the raw token; "Bearer <token>" is refused on every call.
    return Fail(Error::InvalidArgument(fmt::format(
        "the Milvus token in {} starts with 'Bearer ': Milvus takes the token alone, remove the prefix",
        rt->config.milvus.key_env.empty() ? "systems.milvus.key_file" : rt->config.milvus.key_env)));
  }
  for (const auto* s : {&rt->config.ploomes, &rt->config.milvus}) {
    if (s->tls_insecure) {
      std::cerr << "ponte: WARNING: TLS certificate verification is OFF for " << s->base_url
                << " (tls_insecure = true); anyone on the network path can read the API key\n";
    }
  }
  TransportOptions topts;
  topts.tls_insecure = rt->config.ploomes.tls_insecure || rt->config.milvus.tls_insecure;
  rt->transport = MakeCurlTransport(topts);
  rt->ploomes_limiter = Limiter(rt->config.ploomes, "ploomes", pkey, *rt->store);
  rt->milvus_limiter = Limiter(rt->config.milvus, "milvus", mkey, *rt->store);
  rt->ploomes_api = std::make_unique<ApiClient>(ClientOptions(rt->config.ploomes, "ploomes", "User-Key", pkey),
                                                *rt->transport, rt->ploomes_limiter.get(), rt->calls, SystemClock::Get());
  rt->milvus_api = std::make_unique<ApiClient>(ClientOptions(rt->config.milvus, "milvus", "Authorization", mkey),
                                               *rt->transport, rt->milvus_limiter.get(), rt->calls, SystemClock::Get());
  AddClassLimiters(*rt, rt->config.ploomes, "ploomes", pkey, *rt->ploomes_api);
  AddClassLimiters(*rt, rt->config.milvus, "milvus", mkey, *rt->milvus_api);
  if (auto bound = BindFindings(*rt->store, rt->findings); !bound) return Fail(bound.error());
  rt->ploomes = std::make_unique<ploomes::PloomesConnector>(
      *rt->ploomes_api,
      ploomes::PloomesOptions{std::chrono::seconds(rt->config.ploomes.cursor_overlap_seconds),
                              rt->config.ploomes.document_field, &rt->findings});
  rt->milvus = std::make_unique<milvus::MilvusConnector>(
      *rt->milvus_api, rt->config.tickets,
      milvus::MilvusOptions{&rt->findings, rt->config.milvus.listing_budget,
                            static_cast<size_t>(rt->config.milvus.busca_cap)});
  rt->defaults = std::make_unique<DefaultSystems>(*rt->ploomes, *rt->milvus);
  for (const auto& [name, s] : rt->config.systems) {
    auto key = named_keys.find(name);
    PONTE_RETURN_IF_ERROR(AddNamedSystem(*rt, name, s, key == named_keys.end() ? "" : key->second));
  }
  return rt;
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
