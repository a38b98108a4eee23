#include "sync/report.h"

#include "sync/config.h"

namespace ponte {

const std::vector<std::string>& RouteOrder() {
  static const std::vector<std::string> kOrder = {kRouteCustomersToMilvus, kRouteCustomersToPloomes,
                                                  kRouteTasks, kRouteInteractions};
  return kOrder;
}

int RouteReport::Skipped() const {
  int n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

nlohmann::json RouteReport::ToJson() const {
  static const char* kOutcomes[] = {"created", "updated", "linked", "unchanged", "skipped", "retrying", "dead"};
  nlohmann::json records_json = nlohmann::json::array();
  for (const auto& r : records) {
    records_json.push_back({{"origin", r.origin},
                            {"outcome", kOutcomes[static_cast<int>(r.outcome)]},
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
          {"error", error},         {"cursor_before", cursor_before},
          {"cursor_after", cursor_after}, {"api_calls", api_calls},
          {"records", records_json}};
}

}  // namespace ponte
