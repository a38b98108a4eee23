// The Ploomes emulator's writes: POST, PATCH and DELETE on the entity sets, and the changes the
// admin API makes as a person in Ploomes' screens. Behaviour follows ../shared/api/ploomes.md;
// unconfirmed parts are SandboxOptions switches.

#include <optional>

#include <fmt/format.h>

#include "core/document.h"
#include "sandbox/internal/http_support.h"
#include "sandbox/internal/ploomes_sets.h"
#include "sandbox/internal/routes.h"
#include "sandbox/odata.h"

namespace ponte::sandbox::detail {
namespace {

// Normalizes a written record: relation rows get ids and owners, dates are the server's.
void ApplyWrite(World& w, const EntitySet& set, Json& record, const Json& body, bool create,
                std::optional<Instant> at = std::nullopt) {
  const std::string now = w.Stamp(at ? *at : w.clock.Now());
  // ploomes.tag_touches_task=no: a change of tags alone leaves LastUpdateDate as it was.
  bool only_tags = !create && !body.empty();
  for (auto it = body.begin(); it != body.end(); ++it) only_tags &= it.key() == "Tags";
  const bool touch = !(only_tags && w.options.reality.Is("ploomes.tag_touches_task", "no"));
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "Id" || it.key() == "CreateDate" || it.key() == "LastUpdateDate") continue;
    if (it.key() == "OtherProperties" && record.contains("OtherProperties") && !create) {
      // [UNKNOWN] merge by FieldKey (the notes' default for the emulator).
      for (const auto& p : it.value()) {
        bool replaced = false;
        for (auto& q : record["OtherProperties"]) {
          if (q.value("FieldKey", "") == p.value("FieldKey", "")) {
            q = p;
            replaced = true;
          }
        }
        if (!replaced) record["OtherProperties"].push_back(p);
      }
      continue;
    }
    record[it.key()] = it.value();  // Phones and Tags are replaced whole
  }
  if (record.contains("Tags") && record["Tags"].is_array()) {
    for (auto& t : record["Tags"]) {
      if (!t.contains("Id")) t["Id"] = w.ploomes.next_relation++;
      t[set.owner_field] = record["Id"];
    }
  } else {
    record["Tags"] = Json::array();
  }
  if (record.contains("Phones") && record["Phones"].is_array()) {
    for (auto& p : record["Phones"]) {
      if (!p.contains("Id")) p["Id"] = w.ploomes.next_relation++;
      p["ContactId"] = record["Id"];
    }
  }
  if (!record.contains("OtherProperties")) record["OtherProperties"] = Json::array();
  if (w.options.ploomes_mirror_register && record.contains("Register") && record["Register"].is_string()) {
    record[record.value("TypeId", 1) == 2 ? "CPF" : "CNPJ"] = record["Register"];
  }
  if (create) record["CreateDate"] = now;
  if (touch) record["LastUpdateDate"] = now;
}

// Where the reality keeps a contact's CPF/CNPJ on an API write (ploomes.document_field): refused
// in CNPJ/CPF, or Register silently dropped. False after answering 400.
bool AcceptDocumentFields(World& w, const EntitySet& set, Json& body, httplib::Response& res) {
  if (std::string_view(set.name) != "Contacts") return true;
  const std::string& field = w.options.reality.Get("ploomes.document_field");
  if (field == "register") {
    for (const char* key : {"CNPJ", "CPF"}) {
      if (body.contains(key) && !body[key].is_null()) {
        SendPloomesError(res, 400, "BadRequest",
                         fmt::format("The property '{}' cannot be written; the document goes in Register", key));
        return false;
      }
    }
  } else if (field == "cnpj_cpf") {
    body.erase("Register");
  }
  return true;
}

// The answer to a POST or PATCH: the record as stored, or (ploomes.post_echo=sent_fields) only
// the keys the request sent, with the Id.
Json Echo(World& w, const Json& stored, const Json& body, const httplib::Request& req) {
  Json shaped = Shape(w, stored, req.get_param_value("$select"), ParseExpandNames(req.get_param_value("$expand")));
  if (!w.options.reality.Is("ploomes.post_echo", "sent_fields")) return shaped;
  Json out = {{"Id", stored["Id"]}};
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (stored.contains(it.key())) out[it.key()] = shaped.contains(it.key()) ? shaped[it.key()] : stored[it.key()];
  }
  return out;
}

}  // namespace

void Create(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, res, Api::kPloomes);
  if (!body || !AcceptDocumentFields(w, set, *body, res)) return;
  if (std::string_view(set.name) == "Contacts" &&
      (!body->contains("Name") || !(*body)["Name"].is_string() || (*body)["Name"].get<std::string>().empty())) {
    return SendPloomesError(res, 400, "BadRequest", "Name is required");
  }
  std::lock_guard lock(w.mu);
  int64_t id = (w.ploomes.*(set.next_id))++;
  Json record = {{"Id", id}};
  ApplyWrite(w, set, record, *body, true);
  (w.ploomes.*(set.records))[id] = record;
  w.FireWebhooksLocked(set.entity_id, set.name, "Create", nullptr, record);
  SendJson(res, 200, {{"@odata.context", Context(w, set.name)},
                      {"value", Json::array({Echo(w, record, *body, req)})}});
}

void Patch(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, res, Api::kPloomes);
  if (!body || !AcceptDocumentFields(w, set, *body, res)) return;
  const int64_t id = KeyFromPath(req);
  std::lock_guard lock(w.mu);
  auto& records = w.ploomes.*(set.records);
  auto it = records.find(id);
  if (it == records.end()) {
    return SendPloomesError(res, 404, "NotFound", fmt::format("{}({}) not found", set.name, id));
  }
  Json old = it->second;
  ApplyWrite(w, set, it->second, *body, false);
  w.FireWebhooksLocked(set.entity_id, set.name, "Update", old, it->second);
  SendJson(res, 200, {{"@odata.context", Context(w, set.name)},
                      {"value", Json::array({Echo(w, it->second, *body, req)})}});
}

void Delete(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res) {
  const int64_t id = KeyFromPath(req);
  std::lock_guard lock(w.mu);
  auto& records = w.ploomes.*(set.records);
  auto it = records.find(id);
  if (it == records.end()) {
    return SendPloomesError(res, 404, "NotFound", fmt::format("{}({}) not found", set.name, id));
  }
  Json old = it->second;
  records.erase(it);
  w.FireWebhooksLocked(set.entity_id, set.name, "Delete", old, nullptr);
  res.status = 200;
}

// Used by the admin API to act as a person working in Ploomes' own screens (no quota, no
// faults, webhooks fire as usual).
Result<Json> PloomesUserWrite(World& w, const std::string& set_name, std::optional<int64_t> id,
                              const Json& body) {
  const EntitySet* set = SetNamed(set_name);
  if (!set) return Fail(Error::NotFound("unknown entity set " + set_name));
  std::lock_guard lock(w.mu);
  auto& records = w.ploomes.*(set->records);
  if (!id) {
    int64_t new_id = (w.ploomes.*(set->next_id))++;
    Json record = {{"Id", new_id}};
    ApplyWrite(w, *set, record, body, true);
    records[new_id] = record;
    w.FireWebhooksLocked(set->entity_id, set->name, "Create", nullptr, record);
    return record;
  }
  auto it = records.find(*id);
  if (it == records.end()) return Fail(Error::NotFound(fmt::format("{}({}) not found", set_name, *id)));
  Json old = it->second;
  ApplyWrite(w, *set, it->second, body, false);
  w.FireWebhooksLocked(set->entity_id, set->name, "Update", old, it->second);
  return it->second;
}

Result<Json> PloomesBulkImport(World& w, const std::string& set_name, const Json& records) {
  const EntitySet* set = SetNamed(set_name);
  if (!set) return Fail(Error::NotFound("unknown entity set " + set_name));
  std::lock_guard lock(w.mu);
  const Instant at = w.clock.Now();  // an import writes every record in the same instant
  Json ids = Json::array();
  for (const auto& body : records) {
    if (!body.is_object()) return Fail(Error::InvalidArgument("an import is an array of JSON objects"));
    const int64_t id = (w.ploomes.*(set->next_id))++;
    Json record = {{"Id", id}};
    ApplyWrite(w, *set, record, body, true, at);
    (w.ploomes.*(set->records))[id] = record;
    ids.push_back(id);
  }
  return ids;
}

}  // namespace ponte::sandbox::detail
