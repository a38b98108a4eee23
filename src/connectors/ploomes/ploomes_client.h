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

  // Every record changed at or after `since` (LastUpdateDate), oldest first, paged by keyset
  // (LastUpdateDate, Id) so a record updated while paging cannot shift another out of view.
  // A page whose records do not advance the key (a repeated page) is refused as DataLoss.
  Result<ListPage> ListChangedSince(const ListQuery& query, std::optional<Instant> since);
  // One record by id, with $expand; nullopt when it does not exist.
  Result<std::optional<Json>> Get(const std::string& entity_set, const std::string& id,
                                  const std::string& expand);
  // Records matching a $filter (one page of at most 300).
  Result<std::vector<Json>> Find(const std::string& entity_set, const std::string& filter,
                                 const std::string& expand = "");
  Result<Json> Create(const std::string& entity_set, const Json& body, const std::string& expand);
  Result<Json> Patch(const std::string& entity_set, const std::string& id, const Json& body,
                     const std::string& expand);
  Result<std::vector<Json>> Tags();
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
