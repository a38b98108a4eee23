#include "support/sandbox_checks.h"

#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/json_fields.h"
#include "core/time.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace ponte::testing {

using Json = nlohmann::json;

std::string ContactDocumentText(const Json& contact) {
  for (const char* field : {"CNPJ", "CPF", "Register"}) {
    std::string text = StringField(contact, field);
    if (!text.empty()) return text;
  }
  return "";
}

namespace {

std::optional<Json> Dump(httplib::Client& sandbox, const std::string& path) {
  auto res = sandbox.Get(path);
  if (!res || res->status != 200) return std::nullopt;
  Json j = Json::parse(res->body, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  return j;
}

std::string Canonical(const std::string& text) {
  auto doc = ParseDocument(text);
  return doc ? doc->canonical : "";
}

// The ticket tags of the sandbox's data: ENTREGA and INSTALAÇÃO of tasks and of interactions.
constexpr int64_t kTicketTags[] = {40049715, 40049716, 40049815, 40049816};

}  // namespace

ContactsInMilvus CheckContactsInMilvus(httplib::Client& sandbox, const std::string& cutoff) {
  auto all = CheckEverythingDelivered(sandbox, cutoff);
  if (!all.ok) return {0, -1};
  return {all.contacts_eligible, all.contacts_missing};
}

DeliveryCheck CheckEverythingDelivered(httplib::Client& sandbox, const std::string& cutoff) {
  DeliveryCheck out;
  auto contacts = Dump(sandbox, "/_sandbox/ploomes/Contacts");
  auto clients = Dump(sandbox, "/_sandbox/milvus/clients");
  auto tasks = Dump(sandbox, "/_sandbox/ploomes/Tasks");
  auto interactions = Dump(sandbox, "/_sandbox/ploomes/InteractionRecords");
  auto tickets = Dump(sandbox, "/_sandbox/milvus/tickets");
  if (!contacts || !clients || !tasks || !interactions || !tickets) {
    out.ok = false;
    return out;
  }
  auto note = [&out](const std::string& what) {
    if (std::count(out.missing.begin(), out.missing.end(), ';') < 5) out.missing += what + "; ";
  };
  std::set<std::string> in_milvus, in_ploomes, ticketed;
  std::map<int64_t, std::string> contact_docs;
  for (const auto& c : *clients) in_milvus.insert(Canonical(StringField(c, "cnpj_cpf")));
  for (const auto& c : *contacts) {
    const std::string doc = Canonical(ContactDocumentText(c));
    in_ploomes.insert(doc);
    if (auto id = IntField(c, "Id")) contact_docs[*id] = doc;
  }
  for (const auto& t : *tickets) {
    const std::string d = StringField(t, "descricao");
    auto at = d.find("[ponte ");
    if (at != std::string::npos) ticketed.insert(d.substr(at + 7, d.find(']', at) - at - 7));
  }
  const Instant since = StartOfLocalDay(*ParseDate(cutoff));
  for (const auto& c : *contacts) {
    const std::string doc = Canonical(ContactDocumentText(c));
    auto created = ParseIsoInstant(StringField(c, "CreateDate"));
    if (doc.empty() || !created || *created < since) continue;
    ++out.contacts_eligible;
    if (!in_milvus.count(doc)) {
      ++out.contacts_missing;
      note("contact " + std::to_string(IntField(c, "Id").value_or(0)) + " not in Milvus");
    }
  }
  for (const auto& c : *clients) {
    const std::string doc = Canonical(StringField(c, "cnpj_cpf"));
    if (doc.empty()) continue;
    ++out.clients_eligible;
    if (!in_ploomes.count(doc)) {
      ++out.clients_missing;
      note("client " + std::to_string(IntField(c, "id").value_or(0)) + " not in Ploomes");
    }
  }
  auto tickets_of = [&](const Json& records, const char* message) {
    for (const auto& r : records) {
      bool tagged = false;
      if (r.contains("Tags") && r["Tags"].is_array()) {
        for (const auto& t : r["Tags"]) {
          for (int64_t tag : kTicketTags) tagged |= IntField(t, "TagId") == tag;
        }
      }
      auto contact = IntField(r, "ContactId");
      if (!tagged || !contact || contact_docs[*contact].empty()) continue;
      ++out.tickets_eligible;
      const std::string source = fmt::format("ploomes:{}:{}", message, IntField(r, "Id").value_or(0));
      if (!ticketed.count(source)) {
        ++out.tickets_missing;
        note(source + " has no ticket");
      }
    }
  };
  tickets_of(*tasks, "Task");
  tickets_of(*interactions, "InteractionRecord");
  return out;
}

ErpCheck CheckErpDelivered(httplib::Client& sandbox, const std::string& cutoff) {
  ErpCheck out;
  auto contacts = Dump(sandbox, "/_sandbox/ploomes/Contacts");
  auto clients = Dump(sandbox, "/_sandbox/milvus/clients");
  auto erp = Dump(sandbox, "/_sandbox/totvs/customers");
  if (!contacts || !clients || !erp) {
    out.ok = false;
    return out;
  }
  auto note = [&out](const std::string& what) {
    if (std::count(out.missing.begin(), out.missing.end(), ';') < 5) out.missing += what + "; ";
  };
  std::set<std::string> in_erp, in_ploomes, in_milvus;
  for (const auto& c : *erp) {
    auto cv = CustomerVendor::FromBusinessContent(c);
    if (cv && cv->document) in_erp.insert(cv->document->canonical);
  }
  for (const auto& c : *contacts) in_ploomes.insert(Canonical(ContactDocumentText(c)));
  for (const auto& c : *clients) in_milvus.insert(Canonical(StringField(c, "cnpj_cpf")));
  const Instant since = StartOfLocalDay(*ParseDate(cutoff));
  for (const auto& c : *contacts) {
    const std::string doc = Canonical(ContactDocumentText(c));
    auto created = ParseIsoInstant(StringField(c, "CreateDate"));
    if (doc.empty() || !created || *created < since) continue;
    ++out.customers_eligible;
    if (!in_erp.count(doc)) ++out.customers_missing, note("contact " + doc + " not in the ERP");
  }
  for (const auto& c : *clients) {
    const std::string doc = Canonical(StringField(c, "cnpj_cpf"));
    if (doc.empty()) continue;
    ++out.customers_eligible;
    if (!in_erp.count(doc)) ++out.customers_missing, note("client " + doc + " not in the ERP");
  }
  for (const std::string& doc : in_erp) {
    ++out.erp_customers;
    if (!in_ploomes.count(doc) || !in_milvus.count(doc)) ++out.erp_missing, note("ERP customer " + doc + " not in both");
  }
  return out;
}

DocumentsHeld Documents(httplib::Client& sandbox) {
  DocumentsHeld out;
  if (auto contacts = Dump(sandbox, "/_sandbox/ploomes/Contacts")) {
    for (const auto& c : *contacts) out.ploomes.insert(Canonical(ContactDocumentText(c)));
  }
  if (auto clients = Dump(sandbox, "/_sandbox/milvus/clients")) {
    for (const auto& c : *clients) out.milvus.insert(Canonical(StringField(c, "cnpj_cpf")));
  }
  return out;
}

int64_t CountAnswers(const Json& stats, std::string_view api, int status) {
  int64_t n = 0;
  const std::string prefix = std::string(api) + " ";
  const std::string code = std::to_string(status);
  for (const auto& [endpoint, by_status] : stats["calls"].items()) {
    if (endpoint.starts_with(prefix) && by_status.contains(code)) n += by_status[code].get<int64_t>();
  }
  return n;
}

}  // namespace ponte::testing
