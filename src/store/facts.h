#pragma once
// Typed views of the store's facts: the findings of core/findings.h, and what the last listing
// of a route saw (complete or not, and why), so commands that did not run the listing
// (`sync --explain`, the dashboard, /metrics) can tell an operator.

#include <optional>
#include <string>
#include <vector>

#include "core/findings.h"
#include "store/store.h"

namespace ponte {

Status SaveFinding(Store& store, const Finding& finding);
Result<std::vector<Finding>> LoadFindings(Store& store);
// Loads the store's findings into `findings` and saves every later one back to the store.
Status BindFindings(Store& store, Findings& findings);

struct ListingState {
  std::string route;
  bool complete = true;
  std::string reason;  // why it was not complete, and what to do about it
  int seen = 0;        // records the listing could read
  Instant at{};
};

Status SaveListingState(Store& store, const ListingState& state);
Result<std::optional<ListingState>> LoadListingState(Store& store, const std::string& route);

// When a route last read its whole source and delivered or journaled all of it: what "cursor
// lag" measures (a quiet route whose cursor stands still is not behind).
Status SaveCompleteRun(Store& store, const std::string& route, Instant at);
Result<std::optional<Instant>> LastCompleteRun(Store& store, const std::string& route);

}  // namespace ponte
