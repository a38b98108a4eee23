#include "app/report_printer.h"

#include <fmt/format.h>

#include "app/cli.h"

namespace ponte {

void PrintReports(std::ostream& out, const std::vector<RouteReport>& reports) {
  for (const auto& r : reports) {
    const int delivered = r.Delivered();
    out << fmt::format("{}{}\n", r.route, r.polled_elsewhere ? "   (another worker is reading its source; delivered what was due)" : "");
    if (r.queued > 0) out << fmt::format("  queued {:>4} for the workers to deliver\n", r.queued);
    out << fmt::format("  read {:>5}   created {:>4}   updated {:>4}   linked {:>4}   unchanged {:>4}\n",
                       r.read, r.created, r.updated, r.linked, r.unchanged);
    if (r.Skipped() > 0) {
      out << fmt::format("  skipped {:>3}:", r.Skipped());
      for (const auto& [reason, n] : r.skipped) out << fmt::format(" {} {};", n, reason);
      out << "\n";
    }
    if (r.retrying > 0 || r.dead > 0) {
      out << fmt::format("  failed {:>4}   ({} will be retried, {} in the dead-letter queue: ponte dlq list)\n",
                         r.retrying + r.dead, r.retrying, r.dead);
    }
    out << fmt::format("  API calls {:>4}   ({} per delivered record)\n", r.api_calls,
                       delivered > 0 ? fmt::format("{:.2f}", static_cast<double>(r.api_calls) / delivered)
                                     : std::string("-"));
    if (r.records_unseen) {
      out << fmt::format("  INCOMPLETE: {}\n", r.incomplete_reason);
    } else if (!r.complete && r.error.empty()) {
      out << fmt::format("  PARTIAL: {}\n", r.incomplete_reason);
    }
    if (!r.error.empty()) out << fmt::format("  FAILED: {} (the cursor did not move)\n", r.error);
  }
}

int ExitCodeFor(const std::vector<RouteReport>& reports) {
  bool auth = false, unreachable = false, failed = false;
  for (const auto& r : reports) {
    auth |= r.auth_failed;
    unreachable |= r.unreachable || !r.error.empty();
    failed |= r.dead > 0 || r.records_unseen;
  }
  if (auth) return kExitUsage;  // a key to fix in the configuration
  if (unreachable) return kExitUnreachable;
  if (failed) return kExitSomeFailed;
  return kExitOk;
}

}  // namespace ponte
