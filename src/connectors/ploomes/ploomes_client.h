#pragma once
// REST calls to Ploomes (see ../shared/api/ploomes.md): OData listings paged to the end, reads
// by id, contact writes, tags and webhooks. Answers are unwrapped from the
// {"@odata.context", "value": [...]} envelope; a malformed answer is DataLoss (retried by the
// sync loop), never a silent empty page.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "net/http_client.h"

namespace ponte::ploomes {

using Json = nlohmann::json;

// Ploomes' documented page size limit; asking for more is silently capped by the server.
inline constexpr int kMaxPageSize = 300;
// How far a page reaches back before the last timestamp read: above the 1/300 s tick and the
// rounding of the shown value, far below the spread of a page.
inline constexpr std::chrono::milliseconds kPageOverlap{10};

struct ListQuery {
  std::string entity_set;  // "Contacts"
  std::string filter;      // OData $filter, may be empty
  std::string expand;      // "Phones,City,State"
  std::string select;
};

struct ListPage {
  std::vector<Json> records;
  int pages = 0;
};

class PloomesClient {
 public:
  explicit PloomesClient(ApiClient& api) : api_(api) {}

  // Every record changed at or after `since` (LastUpdateDate), oldest first. Pages go by
  // timestamp with an overlap: each page asks for LastUpdateDate ge (the last one read, minus
  // kPageOverlap) and drops the (Id, LastUpdateDate) pairs already read. It never asks for
  // LastUpdateDate eq a value: Ploomes may store SQL Server datetime ticks of 1/300 s and show
  // them rounded, so the value it shows matches nothing (ploomes.timestamp_precision). A page
  // that lies wholly inside the overlap (a bulk import sharing one tick) is followed with $skip.
  // Date literals go in São Paulo time with their offset, right whether Ploomes honours the
  // offset or reads the wall time as local (ploomes.filter_offset). A full page that brings
  // nothing new (a repeated page) is refused as DataLoss.
  Result<ListPage> ListChangedSince(const ListQuery& query, std::optional<Instant> since);
  // One record by id, with $expand; nullopt when it does not exist.
  Result<std::optional<Json>> Get(const std::string& entity_set, const std::string& id,
                                  const std::string& expand);
  // Records matching a $filter (one page of at most 300, ordered by Id).
  Result<std::vector<Json>> Find(const std::string& entity_set, const std::string& filter,
                                 const std::string& expand = "");
  // One page of a listing with the given OData options, as they are: for `ponte probe`, which
  // asks what a listing answers when it is asked in unusual ways.
  Result<std::vector<Json>> Raw(const std::string& entity_set,
                                std::vector<std::pair<const char*, std::string>> options);
  Status Delete(const std::string& entity_set, const std::string& id);
  Result<Json> Create(const std::string& entity_set, const Json& body, const std::string& expand);
  Result<Json> Patch(const std::string& entity_set, const std::string& id, const Json& body,
                     const std::string& expand);
  // Every task and interaction tag (EntityId 12 and 36, filtered by Ploomes), paged by Id:
  // right whether /Tags pages at 300 or answers everything at once (ploomes.tags_paging).
  Result<std::vector<Json>> Tags();
  Status DeleteWebhook(const std::string& id);
  Result<Json> RegisterWebhook(int entity_id, int action_id, const std::string& callback_url,
                               const std::string& validation_key);

  // The records of an OData answer: its "value" array, or DataLoss quoting the start of a body
  // that is not one (public for the fuzzer, which feeds it any bytes).
  static Result<std::vector<Json>> Values(const HttpResponse& response, const std::string& endpoint);

 private:
  // An ApiCall whose answer must carry the OData "value" array.
  static ApiCall ValueCall(std::string method, std::string endpoint, std::string path,
                           std::string body = "");
  ApiClient& api_;
};

}  // namespace ponte::ploomes
