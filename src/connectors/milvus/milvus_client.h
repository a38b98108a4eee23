#pragma once
// REST calls to the Milvus integration API (see ../shared/api/milvus.md). Three identifiers:
// a client's numeric id (alterar/excluir) and its short token (chamado/criar), a ticket's
// codigo. Creates answer a bare JSON scalar, updates 204, listings page by query string.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http_client.h"

namespace ponte::milvus {

using Json = nlohmann::json;

// cliente/busca returns at most this many clients and has no paging [OBS].
inline constexpr size_t kBuscaCap = 1000;
// chamado/listagem page size (documented maximum).
inline constexpr int kListagemPageSize = 1000;

struct BuscaResult {
  std::vector<Json> clients;
  bool hit_cap = false;  // exactly the cap came back: there may be more, unseen
};

class MilvusClient {
 public:
  explicit MilvusClient(ApiClient& api) : api_(api) {}

  // GET cliente/busca with the given filters (documento, nome_fantasia) and status 3 (active
  // and blocked).
  Result<BuscaResult> Busca(const std::string& documento, const std::string& nome_fantasia);
  Result<int64_t> CreateClient(const Json& body);       // the new client's numeric id
  Status UpdateClient(const std::string& id, const Json& body);
  Result<int64_t> CreateTicket(const Json& body);       // the ticket's codigo
  // Every ticket matching filtro_body, paging the query string to the last page.
  Result<std::vector<Json>> ListTickets(const Json& filtro_body);

 private:
  ApiClient& api_;
};

// Reads a bare JSON scalar answer: 123 or "123" (some clients strip quotes, so both appear).
Result<int64_t> ParseBareId(const std::string& body, const std::string& endpoint);

}  // namespace ponte::milvus
