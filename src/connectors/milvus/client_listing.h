#pragma once
// Every Milvus client, although cliente/busca stops at 1000 clients without a word and has no
// paging. A capped answer is split by the documented status filter (1 active, 2 blocked), then
// by nome_fantasia partitions: every name with a letter or digit holds one of a..z, 0..9, and a
// partition still at the cap is split again by one more neighbouring character on either side
// (only the neighbours that can matter: see ListByName).
//
// Partitions prove completeness only if nome_fantasia selects by substring, which nothing
// documents (milvus.busca_name_match in ../shared/api/unknowns.md). So the listing checks each
// answer against the clients it has already seen: a partition that leaves out a seen client
// whose name holds the text, or returns one whose name lacks it, shows the filter is not a
// substring match; the finding is kept and the listing says it is incomplete instead of
// pretending. Once a finding says the filter is not a substring match, no partition is tried.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/milvus/milvus_client.h"
#include "core/findings.h"

namespace ponte::milvus {

struct ClientListingResult {
  std::map<int64_t, nlohmann::json> clients;  // by id
  bool complete = true;
  std::string incomplete_reason;  // what could not be seen, why, and what to do
  int calls = 0;                  // cliente/busca calls spent
};

class ClientListing {
 public:
  // max_calls: the most busca calls one listing may spend (each may cost a minute of quota).
  ClientListing(MilvusClient& client, Findings* findings, int max_calls)
      : client_(client), findings_(findings), max_calls_(max_calls) {}

  Result<ClientListingResult> Run();

 private:
  struct Answer {
    std::vector<nlohmann::json> clients;
    bool capped = false;
  };
  Result<Answer> Busca(int status, const std::string& name);
  // Asks one partition and keeps its answer: whether it was capped. Sets the result incomplete
  // (and answers false) when the budget is spent, the filter is no substring match, or a text
  // is as long as partitions go.
  Result<bool> Ask(const std::string& part, int status, size_t left);
  Status ListByName(int status);
  // Checks a partition's answer against the clients seen so far; false (after learning what the
  // answer shows) when nome_fantasia did not behave as a substring match.
  bool Verify(const std::string& part, int status, const Answer& answer, std::string* problem);
  void Keep(const Answer& answer);
  void Learn(const std::string& value, const std::string& evidence);
  std::string Incomplete(const std::string& why) const;

  MilvusClient& client_;
  Findings* findings_;
  int max_calls_;
  ClientListingResult result_;
  bool substring_seen_ = false;  // a partition already matched mid-word: the finding is kept
};

// Folds ASCII letters to lower case ("strict": what a substring filter must match at least).
std::string FoldCase(std::string_view text);
// Also folds the accented letters Portuguese uses ("lenient": what a filter may match at most).
std::string FoldAccents(std::string_view text);

}  // namespace ponte::milvus
