#include "connectors/ploomes/ploomes_connector.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/crash_point.h"
#include "core/document.h"
#include "core/json_fields.h"

namespace ponte::ploomes {
namespace {

std::string Upper(std::string s) {
  // ASCII and the Latin-1 accented letters Portuguese uses (UTF-8, two bytes).
  static const std::pair<std::string_view, std::string_view> kAccents[] = {
      {"á", "Á"}, {"à", "À"}, {"â", "Â"}, {"ã", "Ã"}, {"é", "É"}, {"ê", "Ê"}, {"í", "Í"},
      {"ó", "Ó"}, {"ô", "Ô"}, {"õ", "Õ"}, {"ú", "Ú"}, {"ç", "Ç"}};
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [lower, upper] : kAccents) {
    for (size_t p; (p = s.find(lower)) != std::string::npos;) s.replace(p, lower.size(), upper);
  }
  return s;
}

std::string ODataString(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<SourceRecord<CustomerVendor>> PloomesConnector::ToSourceRecord(const Json& contact) {
  auto cv = ContactToCustomer(contact);
  if (!cv) return Fail(cv.error());
  auto updated = LastUpdateOf(contact);
  auto created = CreatedOf(contact);
  if (!updated || !created) {
    return Fail(Error::DataLoss("contact without readable CreateDate/LastUpdateDate")
                    .WithSystem("ploomes").WithRecord(cv->internal_id));
  }
  return SourceRecord<CustomerVendor>{*cv, cv->internal_id, *updated, *created};
}

Result<Listing<CustomerVendor>> PloomesConnector::ContactsChangedSince(std::optional<Instant> since) {
  if (since) *since -= options_.cursor_overlap;
  auto page = client_.ListChangedSince({"Contacts", "", kContactExpand, ""}, since);
  if (!page) return Fail(page.error());
  Listing<CustomerVendor> out;
  out.pages = page->pages;
  out.reread = options_.cursor_overlap;
  for (const auto& c : page->records) {
    auto r = ToSourceRecord(c);
    if (r) {
      out.records.push_back(std::move(*r));
    } else {
      out.skipped.push_back({c.contains("Id") ? c["Id"].dump() : "?", r.error().message});
    }
  }
  return out;
}

Result<std::optional<SourceRecord<CustomerVendor>>> PloomesConnector::GetContact(const std::string& id) {
  auto c = client_.Get("Contacts", id, kContactExpand);
  if (!c) return Fail(c.error());
  if (!c->has_value()) return std::optional<SourceRecord<CustomerVendor>>();
  auto r = ToSourceRecord(**c);
  if (!r) return Fail(r.error());
  return std::optional<SourceRecord<CustomerVendor>>(std::move(*r));
}

Result<std::vector<std::string>> PloomesConnector::FindContactsByDocument(const Document& doc) {
  // CRMs hold documents as typed: look for the bare and the punctuated form in each field, the
  // bare form without the leading zeros a spreadsheet drops, and an alphanumeric CNPJ in lower
  // case. Other forms (spaces, partial masks) only the index finds, by canonical form.
  std::vector<std::string> forms{doc.canonical, doc.Formatted()};
  if (const auto first = doc.canonical.find_first_not_of('0'); first > 0 && first != std::string::npos) {
    forms.push_back(doc.canonical.substr(first));
  }
  std::string lower = doc.canonical;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != doc.canonical) forms.push_back(lower);
  std::vector<std::string> clauses;
  for (const char* field : {"CNPJ", "CPF", "Register"}) {
    for (const auto& form : forms) clauses.push_back(fmt::format("{} eq {}", field, ODataString(form)));
  }
  auto found = client_.Find("Contacts", fmt::format("{}", fmt::join(clauses, " or ")));
  if (!found) return Fail(found.error());
  std::vector<std::string> ids;
  for (const auto& c : *found) {
    if (auto id = InternalIdOf(c)) ids.push_back(*id);
  }
  return ids;
}

Result<PlaceIds> PloomesConnector::Place(const Address& address) {
  PlaceIds place;
  if (address.state.empty()) return place;
  std::lock_guard lock(mu_);
  if (state_ids_.empty()) {
    auto states = client_.Find("Cities@Countries@States", "");
    if (!states) return Fail(states.error());
    for (const auto& s : *states) state_ids_[StringField(s, "Short")] = IntField(s, "Id").value_or(0);
  }
  if (auto it = state_ids_.find(address.state); it != state_ids_.end()) place.state_id = it->second;
  if (!address.city_name.empty() && place.state_id) {
    const std::string key = address.city_name + "|" + address.state;
    auto it = cities_.find(key);
    if (it == cities_.end()) {
      auto found = client_.Find("Cities", fmt::format("Name eq {} and StateId eq {}",
                                                      ODataString(address.city_name), *place.state_id));
      if (!found) return Fail(found.error());
      std::optional<int64_t> id;
      if (!found->empty()) id = IntField(found->front(), "Id");
      it = cities_.emplace(key, id).first;
    }
    place.city_id = it->second;
  }
  return place;
}

Result<std::vector<std::string>> PloomesConnector::FindUndocumentedContacts(const std::string& name,
                                                                          Instant since) {
  auto found = client_.Find("Contacts", fmt::format("Name eq {} and CreateDate ge {} and Register eq null and "
                                                    "CNPJ eq null and CPF eq null",
                                                    ODataString(name), FormatIsoLocal(since)));
  if (!found) return Fail(found.error());
  std::vector<std::string> ids;
  for (const auto& c : *found) {
    if (auto id = InternalIdOf(c)) ids.push_back(*id);
  }
  return ids;
}

DocumentPlacement PloomesConnector::Placement() const {
  if (auto forced = ParseDocumentPlacement(options_.document_field)) return *forced;
  if (options_.findings) {
    if (auto v = options_.findings->Value("ploomes.document_field")) {
      if (auto found = ParseDocumentPlacement(*v)) return *found;
    }
  }
  return DocumentPlacement::kRegister;
}

void PloomesConnector::Learn(const std::string& key, const std::string& value, const std::string& evidence) {
  if (options_.findings) options_.findings->Learn({key, value, evidence, SystemClock::Get().Now()});
}

namespace {

// Whether Ploomes kept `doc` on the contact: in CNPJ, CPF or Register.
bool KeepsDocument(const Json& contact, const Document& doc, DocumentPlacement* where) {
  bool in_register = false, in_fields = false;
  for (const char* field : {"CNPJ", "CPF", "Register"}) {
    auto read = ParseDocument(StringField(contact, field));
    if (!read || read->canonical != doc.canonical) continue;
    (std::string_view(field) == "Register" ? in_register : in_fields) = true;
  }
  if (where) {
    *where = in_register && in_fields ? DocumentPlacement::kBoth
             : in_register            ? DocumentPlacement::kRegister
                                      : DocumentPlacement::kCnpjCpf;
  }
  return in_register || in_fields;
}

}  // namespace

Result<Json> PloomesConnector::Settle(Json answer, const CustomerVendor& cv, DocumentPlacement written) {
  auto id = InternalIdOf(answer);
  if (!id) return Fail(Error::DataLoss("Ploomes answered a contact write without its Id").WithSystem("ploomes"));
  // ploomes.post_echo: a real POST answers the whole record; if this one holds only what was
  // sent, read the contact again so its hash and dates are what the next listing will show.
  if (!answer.contains("LastUpdateDate") || !answer.contains("CreateDate")) {
    Learn("ploomes.post_echo", "sent_fields", "a contact write was answered without CreateDate and LastUpdateDate");
    auto again = client_.Get("Contacts", *id, kContactExpand);
    if (!again) return Fail(again.error());
    if (!*again) return Fail(Error::DataLoss(fmt::format("contact {} was written but cannot be read back", *id)).WithSystem("ploomes"));
    answer = std::move(**again);
  } else {
    Learn("ploomes.post_echo", "full", "a contact write was answered with the whole record");
  }
  if (!cv.document) return answer;
  DocumentPlacement kept;
  if (KeepsDocument(answer, *cv.document, &kept)) {
    // Conclusive only when both placements were offered: Ploomes shows which it keeps.
    if (written == DocumentPlacement::kBoth) {
      Learn("ploomes.document_field", std::string(DocumentPlacementName(kept)),
            fmt::format("a contact written with the CPF/CNPJ in Register and in CNPJ/CPF kept it in {}",
                        DocumentPlacementName(kept)));
    }
    return answer;
  }
  // Ploomes dropped the document where it was written: move it to the other placement now, or
  // the contact could never be found by its CPF/CNPJ again.
  const DocumentPlacement other =
      written == DocumentPlacement::kRegister ? DocumentPlacement::kCnpjCpf : DocumentPlacement::kRegister;
  CrashPoint("customer.between_steps");  // the contact exists, its document not where it is found
  auto patched = client_.Patch("Contacts", *id, DocumentOnly(*cv.document, other), kContactExpand);
  if (!patched) return Fail(patched.error());
  auto again = client_.Get("Contacts", *id, kContactExpand);
  if (!again) return Fail(again.error());
  if (!*again || !KeepsDocument(**again, *cv.document, nullptr)) {
    return Fail(Error::DataLoss(fmt::format("Ploomes kept the CPF/CNPJ of contact {} neither in Register nor in CNPJ/CPF", *id))
                    .WithSystem("ploomes").WithRecord(*id));
  }
  Learn("ploomes.document_field", std::string(DocumentPlacementName(other)),
        fmt::format("a contact written with the CPF/CNPJ in {} did not keep it; written in {} it did",
                    DocumentPlacementName(written), DocumentPlacementName(other)));
  return std::move(**again);
}

Result<SourceRecord<CustomerVendor>> PloomesConnector::CreateContact(const CustomerVendor& cv) {
  auto place = Place(cv.address);
  if (!place) return Fail(place.error());
  DocumentPlacement placement = Placement();
  auto created = client_.Create("Contacts", CustomerToContact(cv, *place, true, placement), kContactExpand);
  if (!created && created.error().http_status == 400 && placement != DocumentPlacement::kRegister) {
    // A 400 is a refusal (nothing was created): Ploomes may take the document only in Register.
    created = client_.Create("Contacts", CustomerToContact(cv, *place, true, DocumentPlacement::kRegister), kContactExpand);
    if (created) {
      Learn("ploomes.document_field", "register",
            "POST /Contacts with the CPF/CNPJ in CNPJ/CPF answered 400; with Register only it was accepted");
    }
    placement = DocumentPlacement::kRegister;
  }
  if (!created) return Fail(created.error());
  auto settled = Settle(std::move(*created), cv, placement);
  if (!settled) return Fail(settled.error());
  return ToSourceRecord(*settled);
}

Result<SourceRecord<CustomerVendor>> PloomesConnector::UpdateContact(const std::string& id,
                                                                     const CustomerVendor& cv) {
  auto place = Place(cv.address);
  if (!place) return Fail(place.error());
  DocumentPlacement placement = Placement();
  auto updated = client_.Patch("Contacts", id, CustomerToContact(cv, *place, false, placement), kContactExpand);
  if (!updated && updated.error().http_status == 400 && placement != DocumentPlacement::kRegister) {
    updated = client_.Patch("Contacts", id, CustomerToContact(cv, *place, false, DocumentPlacement::kRegister), kContactExpand);
    if (updated) {
      Learn("ploomes.document_field", "register",
            "PATCH /Contacts with the CPF/CNPJ in CNPJ/CPF answered 400; with Register only it was accepted");
    }
    placement = DocumentPlacement::kRegister;
  }
  if (!updated) return Fail(updated.error());
  if (updated->empty()) updated = Json{{"Id", std::stoll(id)}};  // a PATCH that answers no record
  auto settled = Settle(std::move(*updated), cv, placement);
  if (!settled) return Fail(settled.error());
  return ToSourceRecord(*settled);
}

Result<std::map<int64_t, std::string>> PloomesConnector::ResolveTags(
    const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  if (!tags_) {
    auto tags = client_.Tags();
    if (!tags) return Fail(tags.error());
    tags_ = std::move(*tags);
  }
  std::map<int64_t, std::string> out;
  std::vector<std::string> known;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& t : *tags_) {
      const int64_t entity = IntField(t, "EntityId").value_or(0);
      if (entity != kTaskEntity && entity != kInteractionEntity) continue;
      if (Upper(StringField(t, "Name")) == Upper(name)) {
        out[IntField(t, "Id").value_or(0)] = StringField(t, "Name");
        found = true;
      }
    }
    if (!found) {
      for (const auto& t : *tags_) known.push_back(StringField(t, "Name"));
      std::sort(known.begin(), known.end());
      known.erase(std::unique(known.begin(), known.end()), known.end());
      constexpr size_t kNamesShown = 30;
      const size_t more = known.size() > kNamesShown ? known.size() - kNamesShown : 0;
      known.resize(known.size() - more);
      return Fail(Error::InvalidArgument(fmt::format(
                      "Ploomes has no task or interaction tag named '{}' (its tags: {}{})", name,
                      fmt::join(known, ", "), more ? fmt::format(" and {} more", more) : ""))
                      .WithSystem("ploomes"));
    }
  }
  return out;
}

Result<SourceRecord<TicketCandidate>> PloomesConnector::ToTicketSource(
    const std::string& entity_set, const Json& r, const std::map<int64_t, std::string>& tags) {
  auto ticket = entity_set == "Tasks" ? TaskToTicket(r, tags) : InteractionToTicket(r, tags);
  if (!ticket) return Fail(ticket.error());
  auto updated = LastUpdateOf(r);
  auto created = CreatedOf(r);
  if (!updated || !created) {
    return Fail(Error::DataLoss("record without readable CreateDate/LastUpdateDate")
                    .WithSystem("ploomes").WithRecord(ticket->internal_id));
  }
  TicketCandidate source{*ticket, HasAnyTag(r, tags), ContactIdOf(r), CustomFieldsOf(r)};
  return SourceRecord<TicketCandidate>{std::move(source), ticket->internal_id, *updated, *created};
}

Result<Listing<TicketCandidate>> PloomesConnector::TicketSourcesChangedSince(
    const std::string& entity_set, std::optional<Instant> since,
    const std::map<int64_t, std::string>& tags) {
  if (since) *since -= options_.cursor_overlap;
  std::vector<std::string> clauses;
  for (const auto& [id, name] : tags) clauses.push_back(fmt::format("t/TagId eq {}", id));
  std::string filter;
  if (!clauses.empty()) filter = fmt::format("Tags/any(t: {})", fmt::join(clauses, " or "));
  auto page = client_.ListChangedSince({entity_set, filter, kTicketSourceExpand, ""}, since);
  if (!page) return Fail(page.error());
  Listing<TicketCandidate> out;
  out.pages = page->pages;
  out.reread = options_.cursor_overlap;
  for (const auto& r : page->records) {
    auto s = ToTicketSource(entity_set, r, tags);
    if (s) {
      out.records.push_back(std::move(*s));
    } else {
      out.skipped.push_back({r.contains("Id") ? r["Id"].dump() : "?", s.error().message});
    }
  }
  return out;
}

Result<Listing<TicketCandidate>> PloomesConnector::TasksChangedSince(
    std::optional<Instant> since, const std::map<int64_t, std::string>& tags) {
  return TicketSourcesChangedSince("Tasks", since, tags);
}

Result<Listing<TicketCandidate>> PloomesConnector::InteractionsChangedSince(
    std::optional<Instant> since, const std::map<int64_t, std::string>& tags) {
  return TicketSourcesChangedSince("InteractionRecords", since, tags);
}

Result<std::optional<SourceRecord<TicketCandidate>>> PloomesConnector::GetTicketSource(
    const std::string& entity_set, const std::string& id, const std::map<int64_t, std::string>& tags) {
  auto r = client_.Get(entity_set, id, kTicketSourceExpand);
  if (!r) return Fail(r.error());
  if (!r->has_value()) return std::optional<SourceRecord<TicketCandidate>>();
  auto s = ToTicketSource(entity_set, **r, tags);
  if (!s) return Fail(s.error());
  return std::optional<SourceRecord<TicketCandidate>>(std::move(*s));
}

Result<std::optional<SourceRecord<TicketCandidate>>> PloomesConnector::TicketSourceFromWebhook(
    const std::string& entity_set, const std::string& id, const std::string& record,
    const std::map<int64_t, std::string>& tags) {
  Json r = Json::parse(record, nullptr, false);
  const bool whole = r.is_object() && InternalIdOf(r).value_or("") == id && r.contains("Tags") && r["Tags"].is_array() &&
                     r.contains("ContactId");
  if (whole) {
    auto source = ToTicketSource(entity_set, r, tags);
    if (source) return std::optional<SourceRecord<TicketCandidate>>(std::move(*source));
  }
  return GetTicketSource(entity_set, id, tags);
}

Result<std::vector<Webhook>> PloomesConnector::Webhooks() {
  auto hooks = client_.Find("Webhooks", "");
  if (!hooks) return Fail(hooks.error());
  std::vector<Webhook> out;
  for (const auto& h : *hooks) {
    auto id = IntField(h, "Id");
    if (!id) continue;
    out.push_back({std::to_string(*id), static_cast<int>(IntField(h, "EntityId").value_or(0)),
                   static_cast<int>(IntField(h, "ActionId").value_or(0)), StringField(h, "CallbackUrl")});
  }
  return out;
}

Status PloomesConnector::DeleteWebhook(const std::string& id) { return client_.DeleteWebhook(id); }

Result<std::string> PloomesConnector::RegisterWebhook(int entity_id, int action_id,
                                                      const std::string& url,
                                                      const std::string& validation_key) {
  auto hook = client_.RegisterWebhook(entity_id, action_id, url, validation_key);
  if (!hook) return Fail(hook.error());
  return hook->contains("Id") ? (*hook)["Id"].dump() : std::string("?");
}

}  // namespace ponte::ploomes
