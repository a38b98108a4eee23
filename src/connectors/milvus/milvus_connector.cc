#include "connectors/milvus/milvus_connector.h"

#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "connectors/milvus/client_listing.h"
#include "core/json_fields.h"

namespace ponte::milvus {

Result<std::vector<ClientRef>> MilvusConnector::FindClientsByDocument(const Document& doc) {
  std::vector<std::string> forms = {doc.canonical};
  if (!(options_.findings && options_.findings->Is("milvus.document_storage", "digits"))) {
    forms.push_back(doc.Formatted());
    const size_t digits = doc.canonical.find_first_not_of('0');
    if (digits > 0 && digits != std::string::npos) forms.push_back(doc.canonical.substr(digits));
  }
  for (const auto& form : forms) {
    auto found = client_.Busca(form, "");
    if (!found) return Fail(found.error());
    std::vector<ClientRef> out;
    for (const auto& c : found->clients) {
      auto cv = ClientToCustomer(c);
      if (!cv || !cv->document || cv->document->canonical != doc.canonical) continue;
      out.push_back({cv->internal_id, TokenOf(c), *cv});
    }
    if (out.empty()) continue;
    if (form != doc.canonical && options_.findings) {
      options_.findings->Learn({"milvus.document_storage", "as_typed",
                                "cliente/busca found a client by its document as typed, not by its bare digits",
                                SystemClock::Get().Now()});
    }
    return out;
  }
  return std::vector<ClientRef>{};
}

void MilvusConnector::LearnThatCriarRefusesDuplicates(const std::string& answer) {
  if (!options_.findings) return;
  options_.findings->Learn({"milvus.criar_duplicate_document", "refused",
                            "cliente/criar refused a document another client holds: " + answer.substr(0, 200),
                            SystemClock::Get().Now()});
}

Result<std::string> MilvusConnector::CreateClient(const CustomerVendor& cv, int64_t integration_id) {
  if (!cv.document) {
    return Fail(Error::InvalidArgument("Milvus needs a CPF/CNPJ to create a client").WithSystem("milvus"));
  }
  auto id = client_.CreateClient(CustomerToClientCreate(cv, integration_id));
  if (!id) return Fail(id.error());
  return std::to_string(*id);
}

Result<std::map<std::string, std::string>> MilvusConnector::Tokens(const std::vector<WantedToken>& wanted,
                                                                   bool one_listing) {
  std::map<std::string, std::string> out;
  if (wanted.empty()) return out;
  auto all = client_.Busca("", "");
  if (!all) return Fail(all.error());
  std::set<std::string> ids;
  for (const auto& w : wanted) ids.insert(w.id);
  size_t answered = 0;
  for (const auto& c : all->clients) {
    auto id = ClientInternalId(c);
    if (!id || TokenOf(c).empty()) continue;
    out[*id] = TokenOf(c);
    answered += ids.count(*id);
  }
  if (one_listing) return out;
  // Past the cap, new clients may be the ones left out; when many are, the whole listing (name
  // partitions) costs less than a busca for each.
  if (all->hit_cap && wanted.size() - answered >= kListingBeatsLookups) {
    auto listed = ClientListing(client_, options_.findings, options_.listing_budget).Run();
    if (!listed) return Fail(listed.error());
    for (const auto& [id, c] : listed->clients) {
      if (!TokenOf(c).empty()) out[std::to_string(id)] = TokenOf(c);
    }
  }
  for (const auto& w : wanted) {
    if (out.count(w.id)) continue;
    auto found = FindClientsByDocument(w.doc);  // past the cap, or answered after the listing
    if (!found) return Fail(found.error());
    for (const auto& ref : *found) {
      if (ref.id == w.id && !ref.token.empty()) out[w.id] = ref.token;
    }
  }
  return out;
}

Status MilvusConnector::UpdateClient(const std::string& id, const CustomerVendor& cv) {
  return client_.UpdateClient(id, CustomerToClientUpdate(cv));
}

Result<Listing<CustomerVendor>> MilvusConnector::ListClients(bool exhaustive) {
  auto listed = ClientListing(client_, options_.findings, exhaustive ? options_.listing_budget : 1).Run();
  if (!listed) return Fail(listed.error());
  Listing<CustomerVendor> out;
  out.pages = listed->calls;
  out.complete = listed->complete;
  out.incomplete_reason = listed->incomplete_reason;
  for (const auto& [id, c] : listed->clients) {
    auto cv = ClientToCustomer(c);
    if (!cv) {
      out.skipped.push_back({std::to_string(id), cv.error().message});
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

Result<std::map<std::string, std::string>> MilvusConnector::TicketsByReference() {
  auto tickets = client_.ListTickets({{"status", "Todos"}});
  if (!tickets) return Fail(tickets.error());
  static const std::regex kReference(R"(\[ponte [a-z]+:[A-Za-z]+:[^\]\s]+\])");
  std::map<std::string, std::string> out;
  for (const auto& t : *tickets) {
    const std::string description = StringField(t, "descricao");
    std::smatch m;
    if (!std::regex_search(description, m, kReference)) continue;
    std::string code = StringField(t, "codigo");
    if (auto n = IntField(t, "codigo")) code = std::to_string(*n);
    if (!code.empty()) out.emplace(m[0].str(), code);  // the oldest keeps the link (listed by codigo)
  }
  return out;
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
