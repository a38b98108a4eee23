#pragma once
// Crash points: the places in ponte's write paths where a process that dies leaves a different
// state for its restart to find (before a write, after the system answered but before the
// journal knows, between a write and its link...). The crash-point matrix
// (tests/crash_matrix_test.cc) kills ponte at each of them, in each write path, and checks
// that the restart neither duplicates nor loses a record.
//
// A process started with PONTE_CRASH_AT="<site>" or "<site>:<n>" SIGKILLs itself the n-th time
// (default: the first) any of its threads passes that site; "<site>:<n>:stop" sends itself
// SIGTERM there instead, a stop asked at that very point. Without the variable a crash point
// costs one relaxed atomic load. It is a testing aid: an operator never sets it.

#include <span>
#include <string_view>

namespace ponte {

struct CrashSite {
  std::string_view name;
  std::string_view what;  // what a death there leaves behind
};

// Every crash point in ponte, each passed by at least one write path.
inline constexpr CrashSite kCrashSites[] = {
    {"delivery.claimed", "a delivery is claimed (its lease held), nothing sent yet"},
    {"customer.before_write", "the attempt is counted, the customer's write not sent"},
    {"write.in_flight", "a write's request went out whole, its answer has not come back"},
    {"customer.after_write", "the system answered the write, the journal does not know"},
    {"customer.after_link", "linked and done, the versions and attributes not kept yet"},
    {"customer.after_adopt", "a system was told of a customer found by document, not linked yet"},
    {"customer.between_steps", "a two-step write made the record but not its second step"},
    {"attributes.before_save", "a system told late attributes (a client's token), not kept yet"},
    {"ticket.before_write", "the attempt is counted, the ticket not sent"},
    {"ticket.after_write", "the ticket was created, the journal does not know"},
    {"cursor.before_save", "every record read was handled, the route's cursor has not moved"},
    {"inbox.after_append", "a push is journaled in the inbox, not answered yet"},
    {"inbox.after_answer", "a push was answered 2xx, not delivered yet"},
    {"inbox.before_done", "a push was offered to its routes, not marked done in the inbox"},
};

// Dies here when PONTE_CRASH_AT names `site` and this is its n-th pass.
void CrashPoint(std::string_view site);

}  // namespace ponte
