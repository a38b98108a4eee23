#include "store/facts.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace ponte {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFindingPrefix = "finding:";
constexpr std::string_view kListingPrefix = "listing:";
constexpr std::string_view kCompleteRunPrefix = "complete_run:";

Instant InstantOr0(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return Instant{};
  auto t = ParseIsoInstant(j[key].get<std::string>());
  return t ? *t : Instant{};
}

}  // namespace

Status SaveFinding(Store& store, const Finding& f) {
  Json j = {{"value", f.value}, {"evidence", f.evidence}, {"observed_at", FormatUtc(f.observed_at)}};
  return store.PutFact(std::string(kFindingPrefix) + f.key, j.dump(), f.observed_at);
}

Result<std::vector<Finding>> LoadFindings(Store& store) {
  auto facts = store.ListFacts(kFindingPrefix);
  if (!facts) return Fail(facts.error());
  std::vector<Finding> out;
  for (const auto& [key, value] : *facts) {
    Json j = Json::parse(value, nullptr, false);
    if (!j.is_object() || !j.contains("value") || !j["value"].is_string()) continue;
    out.push_back({key.substr(kFindingPrefix.size()), j["value"].get<std::string>(),
                   j.value("evidence", ""), InstantOr0(j, "observed_at")});
  }
  return out;
}

Status BindFindings(Store& store, Findings& findings) {
  auto loaded = LoadFindings(store);
  if (!loaded) return Fail(loaded.error());
  findings.Load(*loaded);
  findings.OnLearn([&store](const Finding& f) { (void)SaveFinding(store, f); });
  return {};
}

Status SaveListingState(Store& store, const ListingState& s) {
  Json j = {{"complete", s.complete}, {"reason", s.reason}, {"seen", s.seen}, {"at", FormatUtc(s.at)}};
  return store.PutFact(std::string(kListingPrefix) + s.route, j.dump(), s.at);
}

Result<std::optional<ListingState>> LoadListingState(Store& store, const std::string& route) {
  auto fact = store.GetFact(std::string(kListingPrefix) + route);
  if (!fact) return Fail(fact.error());
  if (!*fact) return std::optional<ListingState>();
  Json j = Json::parse(**fact, nullptr, false);
  if (!j.is_object()) return std::optional<ListingState>();
  ListingState s;
  s.route = route;
  s.complete = j.value("complete", true);
  s.reason = j.value("reason", "");
  s.seen = j.value("seen", 0);
  s.at = InstantOr0(j, "at");
  return std::optional<ListingState>(std::move(s));
}

Status SaveCompleteRun(Store& store, const std::string& route, Instant at) {
  return store.PutFact(std::string(kCompleteRunPrefix) + route, FormatUtc(at), at);
}

Result<std::optional<Instant>> LastCompleteRun(Store& store, const std::string& route) {
  auto fact = store.GetFact(std::string(kCompleteRunPrefix) + route);
  if (!fact) return Fail(fact.error());
  if (!*fact) return std::optional<Instant>();
  auto at = ParseIsoInstant(**fact);
  if (!at) return std::optional<Instant>();
  return std::optional<Instant>(*at);
}

}  // namespace ponte
