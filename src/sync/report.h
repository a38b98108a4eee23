#pragma once
// What a route run did, for the CLI report, --json and the admin API.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ponte {

enum class Outcome { kCreated, kUpdated, kLinked, kUnchanged, kSkipped, kRetrying, kDead };

struct RecordOutcome {
  std::string origin;  // "<system>:<InternalId>", e.g. "crm:40100001"
  Outcome outcome;
  std::string detail;  // skip reason, error, or what would be done (dry run)
};

struct RouteReport {
  std::string route;
  bool ran = false;
  int read = 0;
  int created = 0;
  int updated = 0;
  int linked = 0;
  int unchanged = 0;
  int retrying = 0;
  int dead = 0;
  int queued = 0;                      // journaled for any worker to deliver (share_work)
  bool polled_elsewhere = false;       // another worker holds the route's lock
  std::map<std::string, int> skipped;  // reason kind -> count
  bool complete = true;                // the listing saw everything
  // The source listing could not see every record (a capped listing it could not get past):
  // records it did not see are not delivered, so the run fails (exit 1) and says why.
  bool records_unseen = false;
  std::string incomplete_reason;
  std::string error;                   // the run failed (source unreachable, ...)
  bool unreachable = false;
  bool auth_failed = false;            // a system refused ponte's key: fix the configuration
  std::string cursor_before;
  std::string cursor_after;
  int64_t api_calls = 0;
  std::vector<RecordOutcome> records;  // filled in dry runs and for --json

  int Delivered() const { return created + updated + linked; }
  int Skipped() const;
  nlohmann::json ToJson() const;
};

const char* OutcomeName(Outcome outcome);  // "created", ...
// Adds what `from` (another part of the same route's work: its pushed records) did to `into`.
void MergeReport(RouteReport& into, const RouteReport& from);
// One log line for a route's run: its counts, and its error (logged as an error).
void LogRouteRun(const RouteReport& r);

}  // namespace ponte
