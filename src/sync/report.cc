#include "sync/report.h"

#include <algorithm>

#include "core/log.h"
#include "sync/config.h"

namespace ponte {

int RouteReport::Skipped() const {
  int n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

const char* OutcomeName(Outcome outcome) {
  static const char* kOutcomes[] = {"created", "updated", "linked", "unchanged", "skipped", "retrying", "dead"};
  return kOutcomes[static_cast<int>(outcome)];
}

void MergeReport(RouteReport& into, const RouteReport& from) {
  into.ran |= from.ran;
  into.read += from.read;
  into.created += from.created;
  into.updated += from.updated;
  into.linked += from.linked;
  into.unchanged += from.unchanged;
  into.retrying += from.retrying;
  into.dead += from.dead;
  into.queued += from.queued;
  for (const auto& [reason, n] : from.skipped) into.skipped[reason] += n;
  into.complete &= from.complete;
  into.records_unseen |= from.records_unseen;
  if (into.incomplete_reason.empty()) into.incomplete_reason = from.incomplete_reason;
  if (into.error.empty()) into.error = from.error;
  into.unreachable |= from.unreachable;
  into.auth_failed |= from.auth_failed;
  into.api_calls += from.api_calls;
  into.records.insert(into.records.end(), from.records.begin(), from.records.end());
}

void LogRouteRun(const RouteReport& r) {
  const auto level = !r.error.empty() ? log::Level::kError
                     : r.dead > 0 || r.records_unseen ? log::Level::kWarn
                                                      : log::Level::kInfo;
  log::Write(level, "route_run",
             {{"route", r.route}, {"read", std::to_string(r.read)}, {"created", std::to_string(r.created)},
              {"updated", std::to_string(r.updated)}, {"linked", std::to_string(r.linked)},
              {"skipped", std::to_string(r.Skipped())}, {"retrying", std::to_string(r.retrying)},
              {"dead", std::to_string(r.dead)}, {"complete", r.complete ? "true" : "false"},
              {"api_calls", std::to_string(r.api_calls)}, {"error", r.error}});
}

nlohmann::json RouteReport::ToJson() const {
  nlohmann::json records_json = nlohmann::json::array();
  for (const auto& r : records) {
    records_json.push_back({{"origin", r.origin},
                            {"outcome", OutcomeName(r.outcome)},
                            {"detail", r.detail}});
  }
  return {{"route", route},         {"ran", ran},
          {"read", read},           {"created", created},
          {"updated", updated},     {"linked", linked},
          {"unchanged", unchanged}, {"retrying", retrying},
          {"dead", dead},           {"skipped", skipped},
          {"queued", queued},       {"polled_elsewhere", polled_elsewhere},
          {"complete", complete},   {"records_unseen", records_unseen},
          {"incomplete_reason", incomplete_reason},
          {"error", error},         {"auth_failed", auth_failed},
          {"unreachable", unreachable}, {"cursor_before", cursor_before},
          {"cursor_after", cursor_after}, {"api_calls", api_calls},
          {"records", records_json}};
}

}  // namespace ponte
