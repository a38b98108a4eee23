#pragma once
// `ponte probe` for a Milvus account: settles the milvus.* unknowns of core/realities.h by
// asking, and reports each with the evidence. Read-only unless options.write; then it creates
// clients named "ponte probe ..." and deletes them again.

#include <vector>

#include "connectors/milvus/milvus_client.h"
#include "core/probe.h"
#include "net/call_counter.h"

namespace ponte::milvus {

// One finding per milvus.* unknown, in the order of Unknowns(). `paced` is the client ponte
// normally uses (its listings wait on the listing quota); `unpaced` talks to the same account
// without any limiter or retry, for the one probe that must see a 429; `calls` counts for both.
std::vector<Finding> ProbeMilvus(MilvusClient& paced, MilvusClient& unpaced, const CallCounter& calls,
                                 const ProbeOptions& options);

}  // namespace ponte::milvus
