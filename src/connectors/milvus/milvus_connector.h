#pragma once
// The Milvus connector: what the sync routes ask of Milvus, in canonical terms. Because the
// full client listing is capped at 1000 and may cost a minute of quota per call, nothing here
// depends on it for correctness: clients are looked up by document, and a listing that meets
// the cap says so.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connectors/milvus/milvus_client.h"
#include "connectors/milvus/milvus_mapping.h"
#include "core/customer_vendor.h"
#include "core/findings.h"
#include "core/listing.h"

namespace ponte::milvus {

struct ClientRef {
  std::string id;     // numeric id (the InternalId)
  std::string token;  // what chamado/criar takes
  CustomerVendor customer;
};

// Clients waiting for a per-document busca past which one whole listing (name partitions, a few
// hundred buscas at most) costs less of the listing quota.
inline constexpr size_t kListingBeatsLookups = 50;

struct MilvusOptions {
  Findings* findings = nullptr;  // what ponte learned about this account; may be null
  int listing_budget = 200;      // most cliente/busca calls one full listing may spend
  size_t busca_cap = kBuscaCap;  // how many clients a capped cliente/busca answers
};

class MilvusConnector {
 public:
  MilvusConnector(ApiClient& api, TicketDefaults defaults, MilvusOptions options = {})
      : client_(api, options.busca_cap, options.findings), defaults_(std::move(defaults)), options_(options) {}

  // Clients whose cnpj_cpf is this document (normally zero or one). Milvus may keep a document
  // as it was typed (milvus.document_storage): unless ponte found it keeps bare digits, the
  // punctuated form and the number without leading zeros are asked too, one busca each, until
  // one answers.
  Result<std::vector<ClientRef>> FindClientsByDocument(const Document& doc);
  // cliente/criar; the new client's id. Its token (what a ticket needs) comes only through a
  // listing: see Tokens, which asks for many at once.
  Result<std::string> CreateClient(const CustomerVendor& cv, int64_t integration_id);
  struct WantedToken {
    std::string id;  // the client's id
    Document doc;    // its CPF/CNPJ, to ask for it alone when a listing does not answer it
  };
  // The tokens of these clients (id -> token): one listing of every client when it answers them
  // all (one listing, however many were created), else one busca by document for each missing.
  // A client found nowhere is left out of the answer; the answer also holds the token of every
  // other client a listing showed (worth keeping: a later ticket needs no listing).
  // one_listing: only the one busca of every client (no per-document busca, no partitions).
  Result<std::map<std::string, std::string>> Tokens(const std::vector<WantedToken>& wanted, bool one_listing = false);
  Status UpdateClient(const std::string& id, const CustomerVendor& cv);
  // A create was refused for a document another client holds (milvus.criar_duplicate_document).
  void LearnThatCriarRefusesDuplicates(const std::string& answer);
  bool CriarRefusesDuplicates() const {
    return options_.findings && options_.findings->Is("milvus.criar_duplicate_document", "refused");
  }

  // Every client it can see (see client_listing.h for how it gets past busca's cap); complete is
  // false, with what could not be seen and what to do, when it cannot prove it saw them all.
  // exhaustive false: one busca and what it answers, for an index that may be partial.
  Result<Listing<CustomerVendor>> ListClients(bool exhaustive = true);

  MilvusClient& client() { return client_; }

  // chamado/criar with ponte's reference in the description; returns the codigo.
  Result<std::string> CreateTicket(const Ticket& t, const std::string& client_token,
                                   const std::string& reference);
  // The codigo of a ticket of this client whose description holds `reference`, if any.
  Result<std::optional<std::string>> FindTicketByReference(const std::string& client_token,
                                                           const std::string& reference);
  // Every ticket ponte wrote, found by the reference in its description: reference (as
  // TicketReference makes it) -> codigo. One listing of all tickets: how a lost de/para is
  // rebuilt without creating a ticket twice.
  Result<std::map<std::string, std::string>> TicketsByReference();

 private:
  MilvusClient client_;
  TicketDefaults defaults_;
  MilvusOptions options_;
};

}  // namespace ponte::milvus
