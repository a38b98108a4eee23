#include "connectors/ploomes/ploomes_connector.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

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
  auto page = client_.ListChangedSince({"Contacts", "", kContactExpand, ""}, since);
  if (!page) return Fail(page.error());
  Listing<CustomerVendor> out;
  out.pages = page->pages;
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
  // CRMs hold documents as typed: look for the bare and the punctuated form in each field.
  std::vector<std::string> clauses;
  for (const char* field : {"CNPJ", "CPF", "Register"}) {
    clauses.push_back(fmt::format("{} eq {}", field, ODataString(doc.canonical)));
    clauses.push_back(fmt::format("{} eq {}", field, ODataString(doc.Formatted())));
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

Result<SourceRecord<CustomerVendor>> PloomesConnector::CreateContact(const CustomerVendor& cv) {
  auto place = Place(cv.address);
  if (!place) return Fail(place.error());
  auto created = client_.Create("Contacts", CustomerToContact(cv, *place, true), kContactExpand);
  if (!created) return Fail(created.error());
  return ToSourceRecord(*created);
}

Result<SourceRecord<CustomerVendor>> PloomesConnector::UpdateContact(const std::string& id,
                                                                     const CustomerVendor& cv) {
  auto place = Place(cv.address);
  if (!place) return Fail(place.error());
  auto updated = client_.Patch("Contacts", id, CustomerToContact(cv, *place, false), kContactExpand);
  if (!updated) return Fail(updated.error());
  return ToSourceRecord(*updated);
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
      return Fail(Error::InvalidArgument(fmt::format(
                      "Ploomes has no task or interaction tag named '{}' (its tags: {})", name,
                      fmt::join(known, ", ")))
                      .WithSystem("ploomes"));
    }
  }
  return out;
}

Result<SourceRecord<TicketSource>> PloomesConnector::ToTicketSource(
    const std::string& entity_set, const Json& r, const std::map<int64_t, std::string>& tags) {
  auto ticket = entity_set == "Tasks" ? TaskToTicket(r, tags) : InteractionToTicket(r, tags);
  if (!ticket) return Fail(ticket.error());
  auto updated = LastUpdateOf(r);
  auto created = CreatedOf(r);
  if (!updated || !created) {
    return Fail(Error::DataLoss("record without readable CreateDate/LastUpdateDate")
                    .WithSystem("ploomes").WithRecord(ticket->internal_id));
  }
  TicketSource source{*ticket, HasAnyTag(r, tags), ContactIdOf(r)};
  return SourceRecord<TicketSource>{std::move(source), ticket->internal_id, *updated, *created};
}

Result<Listing<TicketSource>> PloomesConnector::TicketSourcesChangedSince(
    const std::string& entity_set, std::optional<Instant> since,
    const std::map<int64_t, std::string>& tags) {
  std::vector<std::string> clauses;
  for (const auto& [id, name] : tags) clauses.push_back(fmt::format("t/TagId eq {}", id));
  std::string filter;
  if (!clauses.empty()) filter = fmt::format("Tags/any(t: {})", fmt::join(clauses, " or "));
  auto page = client_.ListChangedSince({entity_set, filter, kTicketSourceExpand, ""}, since);
  if (!page) return Fail(page.error());
  Listing<TicketSource> out;
  out.pages = page->pages;
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

Result<Listing<TicketSource>> PloomesConnector::TasksChangedSince(
    std::optional<Instant> since, const std::map<int64_t, std::string>& tags) {
  return TicketSourcesChangedSince("Tasks", since, tags);
}

Result<Listing<TicketSource>> PloomesConnector::InteractionsChangedSince(
    std::optional<Instant> since, const std::map<int64_t, std::string>& tags) {
  return TicketSourcesChangedSince("InteractionRecords", since, tags);
}

Result<std::optional<SourceRecord<TicketSource>>> PloomesConnector::GetTicketSource(
    const std::string& entity_set, const std::string& id, const std::map<int64_t, std::string>& tags) {
  auto r = client_.Get(entity_set, id, kTicketSourceExpand);
  if (!r) return Fail(r.error());
  if (!r->has_value()) return std::optional<SourceRecord<TicketSource>>();
  auto s = ToTicketSource(entity_set, **r, tags);
  if (!s) return Fail(s.error());
  return std::optional<SourceRecord<TicketSource>>(std::move(*s));
}

Result<std::set<std::pair<int, int>>> PloomesConnector::WebhooksFor(const std::string& url) {
  auto hooks = client_.Find("Webhooks", "");
  if (!hooks) return Fail(hooks.error());
  std::set<std::pair<int, int>> out;
  for (const auto& h : *hooks) {
    if (StringField(h, "CallbackUrl") == url) {
      out.insert({static_cast<int>(IntField(h, "EntityId").value_or(0)), static_cast<int>(IntField(h, "ActionId").value_or(0))});
    }
  }
  return out;
}

Result<std::string> PloomesConnector::RegisterWebhook(int entity_id, int action_id,
                                                      const std::string& url,
                                                      const std::string& validation_key) {
  auto hook = client_.RegisterWebhook(entity_id, action_id, url, validation_key);
  if (!hook) return Fail(hook.error());
  return hook->contains("Id") ? (*hook)["Id"].dump() : std::string("?");
}

}  // namespace ponte::ploomes
