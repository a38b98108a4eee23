#include "connectors/ploomes/ploomes_client.h"

#include <fmt/format.h>

namespace ponte::ploomes {
namespace {

std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += fmt::format("{}={}", k, UrlEncode(v));
  }
  return out;
}

// OData date-time literal: UTC, unquoted.
std::string DateLiteral(Instant t) { return FormatUtc(t); }

}  // namespace

Result<std::vector<Json>> PloomesClient::Values(const HttpResponse& response,
                                                const std::string& endpoint) {
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("value") ||
      !body["value"].is_array()) {
    return Fail(Error::DataLoss(fmt::format("{} answered {} without a JSON \"value\" array: {}",
                                            endpoint, response.status,
                                            BodyExcerpt(response.body)))
                    .WithSystem("ploomes"));
  }
  return body["value"].get<std::vector<Json>>();
}

ApiCall PloomesClient::ValueCall(std::string method, std::string endpoint, std::string path,
                                 std::string body) {
  ApiCall call{std::move(method), endpoint, std::move(path), std::move(body)};
  call.check = [endpoint](const HttpResponse& r) -> Status {
    auto values = Values(r, endpoint);
    if (!values) return Fail(values.error());
    return {};
  };
  return call;
}

Result<ListPage> PloomesClient::ListChangedSince(const ListQuery& q, std::optional<Instant> since) {
  ListPage out;
  const std::string endpoint = "GET /" + q.entity_set;
  std::optional<std::pair<std::string, int64_t>> after;  // keyset: (LastUpdateDate, Id)
  while (true) {
    std::vector<std::string> clauses;
    if (!q.filter.empty()) clauses.push_back("(" + q.filter + ")");
    if (after) {
      clauses.push_back(fmt::format("(LastUpdateDate gt {0} or (LastUpdateDate eq {0} and Id gt {1}))",
                                    after->first, after->second));
    } else if (since) {
      clauses.push_back(fmt::format("LastUpdateDate ge {}", DateLiteral(*since)));
    }
    std::string filter;
    for (const auto& c : clauses) filter += (filter.empty() ? "" : " and ") + c;
    ApiCall call = ValueCall("GET", endpoint,
                             "/" + q.entity_set + Query({{"$filter", filter},
                                                         {"$orderby", "LastUpdateDate asc,Id asc"},
                                                         {"$top", std::to_string(kMaxPageSize)},
                                                         {"$expand", q.expand},
                                                         {"$select", q.select}}));
    auto response = api_.Call(call);
    if (!response) return Fail(response.error());
    auto values = Values(*response, endpoint);
    if (!values) return Fail(values.error());
    ++out.pages;
    for (auto& v : *values) {
      if (!v.contains("Id") || !v["Id"].is_number_integer() || !v.contains("LastUpdateDate") ||
          !v["LastUpdateDate"].is_string()) {
        return Fail(Error::DataLoss(fmt::format("{}: a record has no numeric Id or LastUpdateDate",
                                                endpoint))
                        .WithSystem("ploomes"));
      }
      auto when = ParseIsoInstant(v["LastUpdateDate"].get<std::string>());
      if (!when) return Fail(Error(when.error()).WithSystem("ploomes").WithRecord(v["Id"].dump()));
      std::pair<std::string, int64_t> key{FormatUtc(*when), v["Id"].get<int64_t>()};
      if (after && key <= *after) {
        return Fail(Error::DataLoss(fmt::format(
                        "{}: the server repeated records already read (Id {}); the page is "
                        "refused and will be read again",
                        endpoint, key.second))
                        .WithSystem("ploomes"));
      }
      after = key;
      out.records.push_back(std::move(v));
    }
    // A short page is the last one. A full page may be followed by more: ask again.
    if (values->size() < static_cast<size_t>(kMaxPageSize)) break;
  }
  return out;
}

Result<std::optional<Json>> PloomesClient::Get(const std::string& entity_set,
                                               const std::string& id, const std::string& expand) {
  const std::string endpoint = "GET /" + entity_set;
  auto found = Find(entity_set, "Id eq " + id, expand);
  if (!found) return Fail(found.error());
  if (found->empty()) return std::optional<Json>();
  return std::optional<Json>(std::move(found->front()));
}

Result<std::vector<Json>> PloomesClient::Find(const std::string& entity_set,
                                              const std::string& filter, const std::string& expand) {
  const std::string endpoint = "GET /" + entity_set;
  auto response = api_.Call(ValueCall("GET", endpoint,
                                      "/" + entity_set + Query({{"$filter", filter},
                                                                {"$top", std::to_string(kMaxPageSize)},
                                                                {"$expand", expand}})));
  if (!response) return Fail(response.error());
  return Values(*response, endpoint);
}

Result<Json> PloomesClient::Create(const std::string& entity_set, const Json& body,
                                   const std::string& expand) {
  const std::string endpoint = "POST /" + entity_set;
  auto response = api_.Call({"POST", endpoint, "/" + entity_set + Query({{"$expand", expand}}), body.dump()});
  if (!response) return Fail(response.error());
  auto values = Values(*response, endpoint);
  if (!values) return Fail(values.error());
  if (values->empty()) {
    return Fail(Error::DataLoss(endpoint + " answered without the created record").WithSystem("ploomes"));
  }
  return std::move(values->front());
}

Result<Json> PloomesClient::Patch(const std::string& entity_set, const std::string& id,
                                  const Json& body, const std::string& expand) {
  const std::string endpoint = fmt::format("PATCH /{}(id)", entity_set);
  auto response = api_.Call({"PATCH", endpoint,
                             fmt::format("/{}({}){}", entity_set, id, Query({{"$expand", expand}})),
                             body.dump()});
  if (!response) return Fail(response.error());
  auto values = Values(*response, endpoint);
  if (!values) return Fail(values.error());
  if (values->empty()) return Json::object();
  return std::move(values->front());
}

Result<std::vector<Json>> PloomesClient::Tags() {
  auto response = api_.Call(ValueCall("GET", "GET /Tags", "/Tags"));
  if (!response) return Fail(response.error());
  return Values(*response, "GET /Tags");
}

Result<Json> PloomesClient::RegisterWebhook(int entity_id, int action_id,
                                            const std::string& callback_url,
                                            const std::string& validation_key) {
  Json body = {{"EntityId", entity_id}, {"ActionId", action_id}, {"CallbackUrl", callback_url},
               {"ValidationKey", validation_key}};
  auto response = api_.Call({"POST", "POST /Webhooks", "/Webhooks", body.dump()});
  if (!response) return Fail(response.error());
  auto values = Values(*response, "POST /Webhooks");
  if (!values) return Fail(values.error());
  return values->empty() ? Json::object() : values->front();
}

}  // namespace ponte::ploomes
