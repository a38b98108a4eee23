#pragma once
// Milvus records <-> canonical messages. The adapter is the only place that composes a Milvus
// InternalId (the client's numeric id; tickets: the codigo) and reads Milvus field names.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/customer_vendor.h"
#include "core/ticket.h"

namespace ponte::milvus {

using Json = nlohmann::json;

// Fields the old integration script left empty because "there is no exact correspondence",
// filled from configuration (docs/mappings.md). Empty values are not sent.
struct TicketDefaults {
  std::string mesa;        // chamado_mesa, by name
  std::string setor;       // chamado_setor, by name
  std::string tecnico;     // chamado_tecnico, by e-mail
  std::map<std::string, std::string> category_by_tag;  // tag name -> chamado_categoria_primaria
};

Result<std::string> ClientInternalId(const Json& client);
// A client as CustomerVendor (busca returns no addresses, e-mails or phones).
Result<CustomerVendor> ClientToCustomer(const Json& client);
// The client's token (what chamado/criar takes as cliente_id).
std::string TokenOf(const Json& client);

// Bodies of cliente/criar and cliente/alterar. `integration_id` goes to cliente_id_integracao
// (the origin's numeric id, 0 when it has none).
Json CustomerToClientCreate(const CustomerVendor& cv, int64_t integration_id);
Json CustomerToClientUpdate(const CustomerVendor& cv);

// The marker ponte writes into a ticket's description so a ticket created just before a crash
// is found again instead of created twice: "[ponte ploomes:Task:40500001]".
std::string TicketReference(const std::string& system, const std::string& source_message,
                            const std::string& internal_id);

Json TicketToChamado(const Ticket& t, const std::string& client_token,
                     const std::string& reference, const TicketDefaults& defaults);

// Content hash of what a Milvus client read (cliente/busca) returns of a customer. For a
// person Milvus keeps one name (razao_social = nome_fantasia = nome).
std::string CustomerHash(const CustomerVendor& cv);

}  // namespace ponte::milvus
