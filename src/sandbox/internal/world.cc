#include "sandbox/internal/world.h"

#include <regex>
#include <set>

#include <fmt/format.h>

#include "core/customer_vendor.h"
#include "core/document.h"
#include "sandbox/internal/routes.h"

namespace ponte::sandbox::detail {
namespace {

constexpr std::chrono::minutes kQuotaWindow{1};

std::string DocumentKey(const Json& v) {
  if (!v.is_string()) return "";
  auto doc = ParseDocument(v.get<std::string>());
  return doc ? doc->canonical : "";
}

// Adds a tag relation, as Ploomes lists them on a record.
void Tag(Json& record, int64_t tag_id, const char* owner_field, int64_t& next_relation) {
  record["Tags"].push_back(
      {{"Id", next_relation++}, {"TagId", tag_id}, {owner_field, record["Id"]}});
}

}  // namespace

bool Quota::Admit(const std::string& key, int per_minute, Instant now,
                  std::chrono::milliseconds* retry_after) {
  if (per_minute <= 0) return true;
  auto& w = windows_[key];
  while (!w.empty() && now - w.front() >= kQuotaWindow) w.pop_front();
  if (static_cast<int>(w.size()) < per_minute) {
    w.push_back(now);
    return true;
  }
  if (retry_after) {
    *retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(
        kQuotaWindow - (now - w.front()));
  }
  return false;
}

World::World(const SandboxOptions& o)
    : options(o), clock(SystemClock::Get().Now(), o.time_scale), faults(o.seed), rng(o.seed * 31 + 5) {
  if (!o.faults.empty()) {
    if (auto spec = FaultSpec::Parse(o.faults)) faults.Set(*spec);
  }
  std::lock_guard lock(mu);
  GenerateLocked();
}

std::string World::Stamp(Instant t) const {
  if (!options.reality.Is("ploomes.timestamp_precision", "1/300")) return FormatIsoLocal(t);
  // SQL Server datetime: ticks of 1/300 s. Read back through datetime2 the tick shows seven
  // fraction digits (.7266667), which is what a filter literal is compared with.
  const auto second = std::chrono::floor<std::chrono::seconds>(t);
  const int64_t ms = (t - second).count();
  int64_t tick = (ms * 300 + 500) / 1000;
  Instant whole = Instant{second};
  if (tick == 300) {
    whole += std::chrono::seconds(1);
    tick = 0;
  }
  std::string text = FormatIsoLocal(whole);  // no fraction: a whole second
  const std::string fraction = fmt::format(".{:07d}", (tick * 10'000'000 + 150) / 300);
  return text.insert(text.size() - 6, fraction);  // before the "-03:00" offset
}

std::string DisplayDate(const std::string& stored) {
  auto dot = stored.find('.');
  if (dot == std::string::npos || dot < 19) return stored;
  size_t end = dot + 1;
  while (end < stored.size() && std::isdigit(static_cast<unsigned char>(stored[end]))) ++end;
  if (end - dot - 1 <= 3) return stored;
  auto t = ParseIsoInstant(stored);  // truncated to the millisecond
  if (!t) return stored;
  if (stored[dot + 4] >= '5') *t += std::chrono::milliseconds(1);  // rounded instead
  return FormatIsoLocal(*t);
}

void World::GenerateLocked() {
  ploomes = PloomesData{};
  milvus = MilvusData{};
  totvs = TotvsData{};
  DataGenerator gen(options.seed);
  const Instant now = clock.Now();

  // An account's other tags (deals, contacts, old campaigns) come first by Id, so the ticket tags
  // sit past the first page of 300.
  for (int i = 0; i < options.ploomes_extra_tags; ++i) {
    const int64_t id = 40000001 + i;
    const int entity = i % 3 == 0 ? 36 : (i % 3 == 1 ? 12 : 1);
    ploomes.tags[id] = {{"Id", id}, {"Name", fmt::format("Etiqueta {:03d}", i + 1)}, {"Color", "#8395A7"}, {"EntityId", entity}};
  }
  ploomes.tags[kTagEntrega] = {{"Id", kTagEntrega}, {"Name", "ENTREGA"}, {"Color", "#2E86DE"}, {"EntityId", 12}};
  ploomes.tags[kTagInstalacao] = {{"Id", kTagInstalacao}, {"Name", "INSTALAÇÃO"}, {"Color", "#10AC84"}, {"EntityId", 12}};
  ploomes.tags[kTagManutencao] = {{"Id", kTagManutencao}, {"Name", "MANUTENÇÃO"}, {"Color", "#EE5253"}, {"EntityId", 12}};
  // Interactions have tags of their own entity (36) with the same names.
  ploomes.tags[40049815] = {{"Id", 40049815}, {"Name", "ENTREGA"}, {"Color", "#2E86DE"}, {"EntityId", 36}};
  ploomes.tags[40049816] = {{"Id", 40049816}, {"Name", "INSTALAÇÃO"}, {"Color", "#10AC84"}, {"EntityId", 36}};

  std::vector<GeneratedPerson> people;
  for (int i = 0; i < options.contacts; ++i) {
    GeneratedPerson p = gen.Person();
    int64_t id = ploomes.next_contact++;
    Json contact = PloomesContact(id, p, gen.CreationDate(now));
    contact["CreateDate"] = contact["LastUpdateDate"] = Stamp(*ParseIsoInstant(contact["CreateDate"].get<std::string>()));
    if (options.reality.Is("ploomes.document_field", "register")) {
      // The account keeps documents in Register; CNPJ and CPF stay empty.
      contact["Register"] = contact["CNPJ"].is_null() ? contact["CPF"] : contact["CNPJ"];
      contact["CNPJ"] = contact["CPF"] = nullptr;
    }
    ploomes.contacts[id] = std::move(contact);
    people.push_back(std::move(p));
  }
  // Milvus: about half the clients are customers Ploomes also has (same document), the rest
  // exist only in Milvus.
  std::set<size_t> shared;  // each Ploomes customer appears in Milvus at most once
  for (int i = 0; i < options.milvus_clients; ++i) {
    GeneratedPerson p;
    const size_t pick = people.empty() ? 0 : static_cast<size_t>(gen.Uniform(0, static_cast<int>(people.size()) - 1));
    if (!people.empty() && gen.Real() < 0.5 && shared.insert(pick).second) {
      p = people[pick];
      if (!ParseDocument(p.document)) p = gen.Person(false);
    } else {
      p = gen.Person(false);
    }
    int64_t id = milvus.next_client++;
    milvus.clients[id] = MilvusClient(id, gen.MilvusToken(), p,
                                      options.reality.Is("milvus.document_storage", "as_typed"));
  }
  // Tasks and interactions: most on a contact, some without; most with one of the two tags.
  std::vector<int64_t> contact_ids;
  for (const auto& [id, c] : ploomes.contacts) contact_ids.push_back(id);
  auto pick_contact = [&]() -> Json {
    if (contact_ids.empty() || gen.Real() < 0.12) return nullptr;
    return contact_ids[gen.Uniform(0, static_cast<int>(contact_ids.size()) - 1)];
  };
  for (int i = 0; i < options.tasks; ++i) {
    int64_t id = ploomes.next_task++;
    const Instant created = gen.CreationDate(now);
    const std::string date = FormatIsoLocal(created);
    Json contact = pick_contact();
    Json t = {{"Id", id},
              {"Title", gen.TaskTitle()},
              {"Description", gen.Description()},
              {"TypeId", 1},
              {"ContactId", contact},
              {"ContactName", contact.is_null() ? Json(nullptr)
                                                : ploomes.contacts[contact.get<int64_t>()]["Name"]},
              {"DealId", nullptr},
              {"DateTime", date},
              {"Finished", false},
              {"OwnerId", 10000002},
              {"CreatorId", 10000002},
              {"CreateDate", Stamp(created)},
              {"LastUpdateDate", Stamp(created)},
              {"Tags", Json::array()},
              {"OtherProperties", Json::array()}};
    const double r = gen.Real();
    if (r < 0.35) Tag(t, kTagInstalacao, "TaskId", ploomes.next_relation);
    else if (r < 0.65) Tag(t, kTagEntrega, "TaskId", ploomes.next_relation);
    else if (r < 0.80) Tag(t, kTagManutencao, "TaskId", ploomes.next_relation);
    ploomes.tasks[id] = std::move(t);
  }
  for (int i = 0; i < options.interactions; ++i) {
    int64_t id = ploomes.next_interaction++;
    const Instant created = gen.CreationDate(now);
    const std::string date = FormatIsoLocal(created);
    Json ir = {{"Id", id},
               {"ContactId", pick_contact()},
               {"DealId", nullptr},
               {"Date", date},
               {"Content", "<p>" + gen.Description() + "</p>"},
               {"TypeId", gen.Uniform(1, 7)},
               {"CreatorId", 10000002},
               {"CreateDate", Stamp(created)},
               {"LastUpdateDate", Stamp(created)},
               {"Tags", Json::array()},
               {"OtherProperties", Json::array()}};
    const double r = gen.Real();
    if (r < 0.3) Tag(ir, 40049816, "InteractionRecordId", ploomes.next_relation);
    else if (r < 0.55) Tag(ir, 40049815, "InteractionRecordId", ploomes.next_relation);
    ploomes.interactions[id] = std::move(ir);
  }
  // The ERP: some of its customers are ones the CRM has too.
  std::vector<std::string> crm_documents;
  for (const auto& p : people) {
    if (auto doc = ParseDocument(p.document)) crm_documents.push_back(doc->canonical);
  }
  GenerateTotvsLocked(*this, gen, crm_documents);
}

Json WebhookForm(const Json& record) {
  if (record.is_null()) return nullptr;
  Json out = record;
  for (auto it = out.begin(); it != out.end(); ++it) {
    if (!it->is_string()) continue;
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() >= 19 && s[4] == '-' && s[10] == 'T') {
      if (auto t = ParseIsoInstant(s)) *it = FormatIsoLocalNoOffset(*t);
    }
  }
  Json props = Json::object();
  if (out.contains("OtherProperties") && out["OtherProperties"].is_array()) {
    for (const auto& p : out["OtherProperties"]) {
      for (const char* k : {"StringValue", "IntegerValue", "DecimalValue", "BoolValue", "DateTimeValue"}) {
        if (p.contains(k)) props[p.value("FieldKey", "")] = p[k];
      }
    }
  }
  out["OtherProperties"] = props;
  return out;
}

void World::FireWebhooksLocked(int entity_id, const char* entity_set, const char* action,
                               const Json& old_record, const Json& new_record) {
  const int action_id = std::string_view(action) == "Create" ? 1 : (std::string_view(action) == "Update" ? 2 : 3);
  for (const auto& [id, hook] : ploomes.webhooks) {
    if (hook.value("EntityId", 0) != entity_id || hook.value("ActionId", 0) != action_id) continue;
    if (!hook.value("Active", true)) continue;
    Json payload = {{"Action", action},
                    {"Entity", entity_set},
                    {"AccountId", options.ploomes_account_id},
                    {"ActionUserId", 10000002},
                    {"WebhookId", id},
                    {"WebhookCreatorId", 10000002},
                    {"New", WebhookForm(new_record)},
                    {"Old", WebhookForm(old_record)}};
    webhook_queue.push_back({hook.value("CallbackUrl", ""), hook.value("ValidationKey", ""), payload});
  }
}

Json World::StatsLocked() const {
  auto duplicates = [](const std::map<std::string, std::vector<Json>>& by_key) {
    Json list = Json::array();
    for (const auto& [key, ids] : by_key) {
      if (ids.size() > 1 && !key.empty()) list.push_back({{"key", key}, {"ids", ids}});
    }
    return list;
  };
  std::map<std::string, std::vector<Json>> ploomes_docs, milvus_docs, tickets_by_source;
  for (const auto& [id, c] : ploomes.contacts) {
    std::string key = DocumentKey(c.value("CNPJ", Json())) ;
    if (key.empty()) key = DocumentKey(c.value("CPF", Json()));
    if (key.empty()) key = DocumentKey(c.value("Register", Json()));
    ploomes_docs[key].push_back(id);
  }
  for (const auto& [id, c] : milvus.clients) milvus_docs[DocumentKey(c["cnpj_cpf"])].push_back(id);
  std::map<std::string, std::vector<Json>> totvs_docs;
  for (const auto& [id, c] : totvs.customers) {
    auto cv = CustomerVendor::FromBusinessContent(c);
    totvs_docs[cv && cv->document ? cv->document->canonical : ""].push_back(id);
  }
  static const std::regex kMarker(R"(\[ponte ([^\]]+)\])");
  for (const auto& [codigo, t] : milvus.tickets) {
    std::smatch m;
    const std::string d = t.value("descricao", "");
    if (std::regex_search(d, m, kMarker)) tickets_by_source[m[1]].push_back(codigo);
  }
  Json calls_json = Json::object();
  int64_t total = 0;
  for (const auto& [endpoint, by_status] : calls) {
    for (const auto& [status, n] : by_status) {
      calls_json[endpoint][std::to_string(status)] = n;
      total += n;
    }
  }
  Json totvs_dupes = duplicates(totvs_docs);
  Json ploomes_dupes = duplicates(ploomes_docs), milvus_dupes = duplicates(milvus_docs),
       ticket_dupes = duplicates(tickets_by_source);
  Json sources = Json::object();
  for (const auto& [source, codes] : tickets_by_source) sources[source] = codes.size();
  return {{"clock", FormatUtc(clock.Now())},
          {"ploomes",
           {{"contacts", ploomes.contacts.size()},
            {"tasks", ploomes.tasks.size()},
            {"interactions", ploomes.interactions.size()},
            {"webhooks", ploomes.webhooks.size()},
            {"duplicate_documents", ploomes_dupes.size()},
            {"duplicates", ploomes_dupes}}},
          {"milvus",
           {{"clients", milvus.clients.size()},
            {"tickets", milvus.tickets.size()},
            {"duplicate_documents", milvus_dupes.size()},
            {"duplicates", milvus_dupes},
            {"duplicate_tickets", ticket_dupes.size()},
            {"tickets_by_source", sources}}},
          {"totvs",
           {{"customers", totvs.customers.size()},
            {"duplicate_documents", totvs_dupes.size()},
            {"duplicates", totvs_dupes},
            {"depara_entries", totvs.depara.size()},
            {"internal_id_loads", totvs.loads}}},
          {"calls", calls_json},
          {"calls_total", total},
          {"throttled", throttled},
          {"faults_injected", injected},
          {"webhooks", webhook_stats}};
}

}  // namespace ponte::sandbox::detail
