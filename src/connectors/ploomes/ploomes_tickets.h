#pragma once
// A Ploomes account as where tickets come from: its tasks and interactions, with the tag ids a
// route's tag names resolve to, read by listing or from a webhook's body.

#include "connectors/ploomes/ploomes_connector.h"
#include "connectors/ticket_system.h"

namespace ponte::ploomes {

class PloomesTickets : public TicketSourceSystem {
 public:
  PloomesTickets(std::string name, PloomesConnector& ploomes) : name_(std::move(name)), ploomes_(ploomes) {}

  const std::string& name() const override { return name_; }
  Result<TagMap> ResolveTags(const std::vector<std::string>& names) override { return ploomes_.ResolveTags(names); }
  // Webhooks name the entity set: Tasks, InteractionRecords.
  std::string PushedEntitySet(std::string_view records) const override { return std::string(records) + "s"; }
  Result<Listing<TicketCandidate>> CandidatesChangedSince(std::string_view records, std::optional<Instant> since,
                                                          const TagMap& tags) override;
  Result<std::optional<SourceRecord<TicketCandidate>>> CandidateFromEvent(std::string_view records,
                                                                          const std::string& id,
                                                                          const std::string& body,
                                                                          const TagMap& tags) override;

 private:
  std::string name_;
  PloomesConnector& ploomes_;
};

}  // namespace ponte::ploomes
