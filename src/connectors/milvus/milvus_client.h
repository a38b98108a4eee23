#pragma once
// REST calls to the Milvus integration API (see ../shared/api/milvus.md). Three identifiers:
// a client's numeric id (alterar/excluir) and its short token (chamado/criar), a ticket's
// codigo. Creates answer a bare JSON scalar, updates 204, listings page by query string.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/findings.h"
#include "net/http_client.h"

namespace ponte::milvus {

using Json = nlohmann::json;

// cliente/busca returns at most this many clients and has no paging [OBS].
inline constexpr size_t kBuscaCap = 1000;
// cliente/busca's status filter [DOC]: active and blocked.
inline constexpr int kAnyStatus = 3;
// chamado/listagem page size (documented maximum).
inline constexpr int kListagemPageSize = 1000;

struct BuscaResult {
  std::vector<Json> clients;
  bool hit_cap = false;  // exactly the cap came back: there may be more, unseen
};

class MilvusClient {
 public:
  // busca_cap: how many clients a capped busca answers (1000 observed; a sandbox may use less).
  // findings: whether busca spends the listing quota (milvus.listing_quota); unknown: it does.
  explicit MilvusClient(ApiClient& api, size_t busca_cap = kBuscaCap, const Findings* findings = nullptr)
      : api_(api), busca_cap_(busca_cap), findings_(findings) {}

  // GET cliente/busca with the given filters (documento, nome_fantasia; empty: none) and status
  // (1 active, 2 blocked, 3 both). An answer of busca_cap clients may be cut short (hit_cap).
  Result<BuscaResult> Busca(const std::string& documento, const std::string& nome_fantasia,
                            int status = kAnyStatus);
  size_t busca_cap() const { return busca_cap_; }
  Result<int64_t> CreateClient(const Json& body);       // the new client's numeric id
  Status UpdateClient(const std::string& id, const Json& body);
  Status DeleteClient(const std::string& id);
  Result<int64_t> CreateTicket(const Json& body);       // the ticket's codigo
  // Every ticket matching filtro_body, paging the query string to the last page.
  Result<std::vector<Json>> ListTickets(const Json& filtro_body);

 private:
  ApiClient& api_;
  size_t busca_cap_;
  const Findings* findings_;
};

// Reads a bare JSON scalar answer: 123 or "123" (some clients strip quotes, so both appear).
Result<int64_t> ParseBareId(const std::string& body, const std::string& endpoint);

}  // namespace ponte::milvus
