#pragma once
// Route registration for each part of the sandbox server.

#include <optional>

#include <httplib.h>

#include "core/error.h"
#include "sandbox/internal/world.h"

namespace ponte::sandbox::detail {

void RegisterPloomesRoutes(httplib::Server& server, World& world);
void RegisterMilvusRoutes(httplib::Server& server, World& world);
void RegisterAdminRoutes(httplib::Server& server, World& world);

// A change made "by a person" in Ploomes (no quota, no faults; webhooks fire): creates when
// `id` is empty, else merges `body` into the record.
Result<Json> PloomesUserWrite(World& world, const std::string& set, std::optional<int64_t> id,
                              const Json& body);
// A bulk import in Ploomes' screens: every record of the array created in one instant (the
// records share their CreateDate and LastUpdateDate); no webhooks fire. Answers the new ids.
Result<Json> PloomesBulkImport(World& world, const std::string& set, const Json& records);
// The same in Milvus, for clients.
Result<Json> MilvusUserWrite(World& world, std::optional<int64_t> id, const Json& body);

}  // namespace ponte::sandbox::detail
