#pragma once
// The Milvus connector: what the sync routes ask of Milvus, in canonical terms. Because the
// full client listing is capped at 1000 and may cost a minute of quota per call, nothing here
// depends on it for correctness: clients are looked up by document, and a listing that meets
// the cap says so.

#include <optional>
#include <string>
#include <vector>

#include "connectors/milvus/milvus_client.h"
#include "connectors/milvus/milvus_mapping.h"
#include "core/customer_vendor.h"
#include "core/listing.h"

namespace ponte::milvus {

struct ClientRef {
  std::string id;     // numeric id (the InternalId)
  std::string token;  // what chamado/criar takes
  CustomerVendor customer;
};

class MilvusConnector {
 public:
  MilvusConnector(ApiClient& api, TicketDefaults defaults)
      : client_(api), defaults_(std::move(defaults)) {}

  // Clients whose cnpj_cpf is this document (normally zero or one).
  Result<std::vector<ClientRef>> FindClientsByDocument(const Document& doc);
  // cliente/criar, then a busca by document for the token (the create answer has only the id).
  Result<ClientRef> CreateClient(const CustomerVendor& cv, int64_t integration_id);
  Status UpdateClient(const std::string& id, const CustomerVendor& cv);

  // Every client it can see. One busca; when that meets the cap, one busca per letter and digit
  // of nome_fantasia, merged; complete is false (with the reason) when any of those also meets
  // the cap, or a client could not be mapped.
  Result<Listing<CustomerVendor>> ListClients();

  // chamado/criar with ponte's reference in the description; returns the codigo.
  Result<std::string> CreateTicket(const Ticket& t, const std::string& client_token,
                                   const std::string& reference);
  // The codigo of a ticket of this client whose description holds `reference`, if any.
  Result<std::optional<std::string>> FindTicketByReference(const std::string& client_token,
                                                           const std::string& reference);

 private:
  MilvusClient client_;
  TicketDefaults defaults_;
};

}  // namespace ponte::milvus
