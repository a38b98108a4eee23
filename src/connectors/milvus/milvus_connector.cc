#include "connectors/milvus/milvus_connector.h"

#include <map>

#include <fmt/format.h>

#include "core/json_fields.h"

namespace ponte::milvus {
namespace {

// nome_fantasia substrings that partition a capped listing: every name with a letter or digit
// lands in at least one.
constexpr std::string_view kPartitions = "abcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

Result<std::vector<ClientRef>> MilvusConnector::FindClientsByDocument(const Document& doc) {
  auto found = client_.Busca(doc.canonical, "");
  if (!found) return Fail(found.error());
  std::vector<ClientRef> out;
  for (const auto& c : found->clients) {
    auto cv = ClientToCustomer(c);
    if (!cv || !cv->document || cv->document->canonical != doc.canonical) continue;
    out.push_back({cv->internal_id, TokenOf(c), *cv});
  }
  return out;
}

Result<ClientRef> MilvusConnector::CreateClient(const CustomerVendor& cv, int64_t integration_id) {
  if (!cv.document) {
    return Fail(Error::InvalidArgument("Milvus needs a CPF/CNPJ to create a client").WithSystem("milvus"));
  }
  auto id = client_.CreateClient(CustomerToClientCreate(cv, integration_id));
  if (!id) return Fail(id.error());
  auto found = FindClientsByDocument(*cv.document);
  if (!found) return Fail(found.error());
  for (auto& ref : *found) {
    if (ref.id == std::to_string(*id)) return ref;
  }
  return Fail(Error::DataLoss(fmt::format("client {} was created but busca by its document does "
                                          "not return it (no token yet)",
                                          *id))
                  .WithSystem("milvus"));
}

Status MilvusConnector::UpdateClient(const std::string& id, const CustomerVendor& cv) {
  return client_.UpdateClient(id, CustomerToClientUpdate(cv));
}

Result<Listing<CustomerVendor>> MilvusConnector::ListClients() {
  Listing<CustomerVendor> out;
  std::map<std::string, Json> by_id;
  auto first = client_.Busca("", "");
  if (!first) return Fail(first.error());
  out.pages = 1;
  auto keep = [&by_id](std::vector<Json>& clients) {
    for (auto& c : clients) {
      std::string key = c.contains("id") ? c["id"].dump() : "?";
      by_id[key] = std::move(c);
    }
  };
  keep(first->clients);
  if (first->hit_cap) {
    std::vector<char> capped;
    for (char p : kPartitions) {
      auto part = client_.Busca("", std::string(1, p));
      if (!part) return Fail(part.error());
      ++out.pages;
      if (part->hit_cap) capped.push_back(p);
      keep(part->clients);
    }
    if (!capped.empty()) {
      out.complete = false;
      out.incomplete_reason = fmt::format(
          "Milvus cliente/busca returned its cap of {} clients, and so did {} of the name "
          "partitions; {} clients were seen, more may exist",
          kBuscaCap, capped.size(), by_id.size());
    }
  }
  for (const auto& [id, c] : by_id) {
    auto cv = ClientToCustomer(c);
    if (!cv) {
      out.skipped.push_back({id, cv.error().message});
      continue;
    }
    out.records.push_back({*cv, cv->internal_id, Instant{}, Instant{}, TokenOf(c)});
  }
  return out;
}

Result<std::string> MilvusConnector::CreateTicket(const Ticket& t, const std::string& client_token,
                                                  const std::string& reference) {
  auto codigo = client_.CreateTicket(TicketToChamado(t, client_token, reference, defaults_));
  if (!codigo) return Fail(codigo.error());
  return std::to_string(*codigo);
}

Result<std::optional<std::string>> MilvusConnector::FindTicketByReference(
    const std::string& client_token, const std::string& reference) {
  auto tickets = client_.ListTickets({{"cliente_token", client_token}, {"status", "Todos"}});
  if (!tickets) return Fail(tickets.error());
  for (const auto& t : *tickets) {
    // value() would throw on a ticket that is not an object or has a non-text description.
    if (StringField(t, "descricao").find(reference) != std::string::npos) {
      if (auto code = IntField(t, "codigo")) return std::optional<std::string>(std::to_string(*code));
      if (auto code = StringField(t, "codigo"); !code.empty()) return std::optional<std::string>(code);
      // Linking to no code, or creating a second ticket, would both be wrong: retry later.
      return Fail(Error::DataLoss(fmt::format("Milvus listed a ticket carrying {} without a readable codigo", reference))
                      .WithSystem("milvus"));
    }
  }
  return std::optional<std::string>();
}

}  // namespace ponte::milvus
