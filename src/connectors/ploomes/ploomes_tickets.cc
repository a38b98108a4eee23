#include "connectors/ploomes/ploomes_tickets.h"

#include <fmt/format.h>

namespace ponte::ploomes {
namespace {

// The entity set of Ploomes' API that holds a kind of record.
Result<std::string> EntitySetOf(std::string_view records) {
  if (records == "Task") return std::string("Tasks");
  if (records == "InteractionRecord") return std::string("InteractionRecords");
  return Fail(Error::InvalidArgument(
      fmt::format("Ploomes has no '{}' records that become tickets; it has Task and InteractionRecord", records)));
}

}  // namespace

Result<Listing<TicketCandidate>> PloomesTickets::CandidatesChangedSince(std::string_view records,
                                                                        std::optional<Instant> since,
                                                                        const TagMap& tags) {
  auto set = EntitySetOf(records);
  if (!set) return Fail(set.error());
  return *set == "Tasks" ? ploomes_.TasksChangedSince(since, tags) : ploomes_.InteractionsChangedSince(since, tags);
}

Result<std::optional<SourceRecord<TicketCandidate>>> PloomesTickets::CandidateFromEvent(std::string_view records,
                                                                                        const std::string& id,
                                                                                        const std::string& body,
                                                                                        const TagMap& tags) {
  auto set = EntitySetOf(records);
  if (!set) return Fail(set.error());
  return ploomes_.TicketSourceFromWebhook(*set, id, body, tags);
}

}  // namespace ponte::ploomes
