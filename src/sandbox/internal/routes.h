#pragma once
// Route registration for each part of the sandbox server.

#include <optional>

#include <httplib.h>

#include "core/error.h"
#include "sandbox/internal/world.h"

namespace ponte::sandbox::detail {

void RegisterPloomesRoutes(httplib::Server& server, World& world);
void RegisterMilvusRoutes(httplib::Server& server, World& world);
void RegisterTotvsRoutes(httplib::Server& server, World& world);
void RegisterAdminRoutes(httplib::Server& server, World& world);

// A change made "by a person" in Ploomes (no quota, no faults; webhooks fire): creates when
// `id` is empty, else merges `body` into the record.
Result<Json> PloomesUserWrite(World& world, const std::string& set, std::optional<int64_t> id,
                              const Json& body);
// A bulk import in Ploomes' screens: every record of the array created in one instant (the
// records share their CreateDate and LastUpdateDate); no webhooks fire. Answers the new ids.
Result<Json> PloomesBulkImport(World& world, const std::string& set, const Json& records);
// A customer keyed in the ERP's own screen (no de/para entry; no quota, no faults).
Result<Json> TotvsUserWrite(World& world, const Json& business_content);
// A change keyed in the ERP's screen: `fields` merged into the customer (RFC 7396).
Result<Json> TotvsUserUpdate(World& world, const std::string& internal_id, const Json& fields);
// The ERP's generated customers; `shared` documents are ones Ploomes contacts also have.
// Caller holds world.mu.
void GenerateTotvsLocked(World& world, DataGenerator& gen, const std::vector<std::string>& shared);
// The same in Milvus, for clients.
Result<Json> MilvusUserWrite(World& world, std::optional<int64_t> id, const Json& body);

}  // namespace ponte::sandbox::detail
