#include "connectors/ploomes/ploomes_client.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/json_fields.h"

namespace ponte::ploomes {
namespace {

template <typename Params>
std::string QueryOf(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += fmt::format("{}={}", k, UrlEncode(v));
  }
  return out;
}

std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) { return QueryOf(params); }

// OData date-time literal: São Paulo time with its offset, as Ploomes answers and as its own API
// collection filters. Right whether the offset is honoured or the wall time is read as local.
std::string DateLiteral(Instant t) { return FormatIsoLocal(t); }

// Guards against a server that keeps answering: no real listing has this many pages.
constexpr int kMaxPages = 200'000;

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
  std::optional<Instant> from = since;  // this page: LastUpdateDate ge from
  int skip = 0;                         // records of this same query already read
  std::map<int64_t, std::pair<Instant, size_t>> read;  // Id -> (LastUpdateDate, index in out)
  while (true) {
    if (out.pages >= kMaxPages) {
      return Fail(Error::DataLoss(fmt::format("{}: more than {} pages; the listing was stopped", endpoint, kMaxPages))
                      .WithSystem("ploomes"));
    }
    std::vector<std::string> clauses;
    if (!q.filter.empty()) clauses.push_back("(" + q.filter + ")");
    if (from) clauses.push_back(fmt::format("LastUpdateDate ge {}", DateLiteral(*from)));
    std::string filter;
    for (const auto& c : clauses) filter += (filter.empty() ? "" : " and ") + c;
    ApiCall call = ValueCall("GET", endpoint,
                             "/" + q.entity_set + Query({{"$filter", filter},
                                                         {"$orderby", "LastUpdateDate asc,Id asc"},
                                                         {"$top", std::to_string(kMaxPageSize)},
                                                         {"$skip", skip > 0 ? std::to_string(skip) : ""},
                                                         {"$expand", q.expand},
                                                         {"$select", q.select}}));
    auto response = api_.Call(call);
    if (!response) return Fail(response.error());
    auto values = Values(*response, endpoint);
    if (!values) return Fail(values.error());
    ++out.pages;
    int fresh = 0;
    std::optional<Instant> first, last;
    for (auto& v : *values) {
      if (!v.contains("Id") || !v["Id"].is_number_integer() || !v.contains("LastUpdateDate") ||
          !v["LastUpdateDate"].is_string()) {
        return Fail(Error::DataLoss(fmt::format("{}: a record has no numeric Id or LastUpdateDate",
                                                endpoint))
                        .WithSystem("ploomes"));
      }
      auto when = ParseIsoInstant(v["LastUpdateDate"].get<std::string>());
      if (!when) return Fail(Error(when.error()).WithSystem("ploomes").WithRecord(v["Id"].dump()));
      if (!first) first = *when;
      last = *when;
      const int64_t id = v["Id"].get<int64_t>();
      auto seen = read.find(id);
      if (seen != read.end() && seen->second.first >= *when) continue;  // read already
      ++fresh;
      if (seen != read.end()) {
        // Updated while the listing ran: the newer version replaces the older one.
        seen->second.first = *when;
        out.records[seen->second.second] = std::move(v);
      } else {
        read[id] = {*when, out.records.size()};
        out.records.push_back(std::move(v));
      }
    }
    // A short page is the last one. A full page may be followed by more: ask again.
    if (values->size() < static_cast<size_t>(kMaxPageSize)) break;
    if (fresh == 0) {
      return Fail(Error::DataLoss(fmt::format(
                      "{}: a full page repeated records already read; the listing is refused and "
                      "will be read again",
                      endpoint))
                      .WithSystem("ploomes"));
    }
    if (from && *first >= *last - kPageOverlap) {
      skip += static_cast<int>(values->size());  // the whole page shares the overlap: step on
    } else {
      from = *last - kPageOverlap;
      skip = 0;
    }
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
  // Ordered: an account's default order may be anything (ploomes.default_order).
  auto response = api_.Call(ValueCall("GET", endpoint,
                                      "/" + entity_set + Query({{"$filter", filter},
                                                                {"$orderby", "Id"},
                                                                {"$top", std::to_string(kMaxPageSize)},
                                                                {"$expand", expand}})));
  if (!response) return Fail(response.error());
  return Values(*response, endpoint);
}

Result<std::vector<Json>> PloomesClient::Raw(const std::string& entity_set,
                                             std::vector<std::pair<const char*, std::string>> options) {
  const std::string endpoint = "GET /" + entity_set;
  auto response = api_.Call(ValueCall("GET", endpoint, "/" + entity_set + QueryOf(options)));
  if (!response) return Fail(response.error());
  return Values(*response, endpoint);
}

Status PloomesClient::Delete(const std::string& entity_set, const std::string& id) {
  auto response = api_.Call({"DELETE", fmt::format("DELETE /{}(id)", entity_set), fmt::format("/{}({})", entity_set, id)});
  if (!response) return Fail(response.error());
  return {};
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
  const std::string endpoint = "GET /Tags";
  std::vector<Json> all;
  std::set<int64_t> ids;
  for (int skip = 0;; skip += kMaxPageSize) {
    auto response = api_.Call(ValueCall(
        "GET", endpoint,
        "/Tags" + Query({{"$filter", "EntityId eq 12 or EntityId eq 36"},
                         {"$orderby", "Id"},
                         {"$top", std::to_string(kMaxPageSize)},
                         {"$skip", skip > 0 ? std::to_string(skip) : ""}})));
    if (!response) return Fail(response.error());
    auto values = Values(*response, endpoint);
    if (!values) return Fail(values.error());
    size_t fresh = 0;
    for (auto& v : *values) {
      auto id = IntField(v, "Id");
      if (id && ids.insert(*id).second) {
        all.push_back(std::move(v));
        ++fresh;
      }
    }
    // The last page is short; an answer that ignores $top and $skip repeats itself (nothing new).
    if (values->size() != static_cast<size_t>(kMaxPageSize) || fresh == 0) break;
  }
  return all;
}

Status PloomesClient::DeleteWebhook(const std::string& id) { return Delete("Webhooks", id); }

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
