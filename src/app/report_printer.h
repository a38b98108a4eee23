#pragma once
// Human and JSON renderings of route reports, shared by `ponte sync` and `ponte demo`.

#include <ostream>
#include <vector>

#include "sync/report.h"

namespace ponte {

void PrintReports(std::ostream& out, const std::vector<RouteReport>& reports);
// 0 all delivered, 1 some went to the dead-letter queue, 3 a system or the store unreachable.
int ExitCodeFor(const std::vector<RouteReport>& reports);

}  // namespace ponte
