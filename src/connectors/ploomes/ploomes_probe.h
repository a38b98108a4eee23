#pragma once
// `ponte probe` for a Ploomes account: settles the ploomes.* unknowns of core/realities.h by
// asking, and reports each with the evidence. Read-only unless options.write; then it creates
// contacts, a task and webhooks named "ponte probe ..." and deletes them again.

#include <vector>

#include "connectors/ploomes/ploomes_connector.h"
#include "core/probe.h"
#include "net/call_counter.h"

namespace ponte::ploomes {

// One finding per ploomes.* unknown, in the order of Unknowns(). `calls` is the counter of the
// API client under `connector`: how many reads Ploomes refused with 403 along the way is itself
// a finding.
std::vector<Finding> ProbePloomes(PloomesConnector& connector, const CallCounter& calls,
                                  const ProbeOptions& options);

}  // namespace ponte::ploomes
