// The Ploomes emulator: entity sets under /ploomes with the OData options, and webhooks; the
// writes are in ploomes_writes.cc. Behaviour follows ../shared/api/ploomes.md; unconfirmed
// parts are SandboxOptions switches.

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/document.h"
#include "sandbox/internal/http_support.h"
#include "sandbox/internal/ploomes_sets.h"
#include "sandbox/internal/routes.h"
#include "sandbox/odata.h"

namespace ponte::sandbox::detail {

namespace {

const EntitySet kSets[] = {
    {"Contacts", 1, "ContactId", &PloomesData::contacts, &PloomesData::next_contact},
    {"Tasks", 12, "TaskId", &PloomesData::tasks, &PloomesData::next_task},
    {"InteractionRecords", 36, "InteractionRecordId", &PloomesData::interactions,
     &PloomesData::next_interaction},
};

// Navigation properties: present on the stored record, returned only when expanded.
const std::set<std::string> kNavigation = {"Phones", "Tags", "OtherProperties", "City", "State",
                                           "Contacts", "Contact", "Owner", "Company"};

}  // namespace

std::string Context(World& w, const std::string& set) {
  return fmt::format("http://{}:{}/ploomes/$metadata#{}", w.options.host, w.options.port, set);
}

// Applies $select and $expand to one stored record. Caller holds w.mu.
Json Shape(World& w, const Json& record, const std::string& select,
           const std::vector<std::string>& expand) {
  Json out = Json::object();
  std::set<std::string> selected;
  for (const auto& s : SplitTopLevel(select, ',')) selected.insert(s);
  for (auto it = record.begin(); it != record.end(); ++it) {
    if (kNavigation.count(it.key())) continue;
    if (!selected.empty() && !selected.count(it.key())) continue;
    out[it.key()] = it->is_string() ? Json(DisplayDate(it->get<std::string>())) : it.value();
  }
  for (const auto& e : expand) {
    if (e == "Tags") {
      Json tags = record.value("Tags", Json::array());
      for (auto& t : tags) {
        auto tag = w.ploomes.tags.find(t.value("TagId", int64_t{0}));
        if (tag != w.ploomes.tags.end()) t["Tag"] = tag->second;
      }
      out["Tags"] = tags;
    } else if (e == "Phones" || e == "OtherProperties") {
      out[e] = record.value(e, Json::array());
    } else if (e == "City") {
      out["City"] = nullptr;
      for (const auto& c : Cities()) {
        if (record.value("CityId", int64_t{0}) == c.id) {
          out["City"] = {{"Id", c.id}, {"Name", c.name}, {"StateId", StateIdOf(c.uf)},
                         {"CountryId", 76}, {"IBGECode", c.ibge}};
        }
      }
    } else if (e == "State") {
      out["State"] = nullptr;
      for (const auto& c : Cities()) {
        if (record.value("StateId", int64_t{0}) == StateIdOf(c.uf)) {
          out["State"] = {{"Id", StateIdOf(c.uf)}, {"Name", c.uf}, {"Short", c.uf}, {"CountryId", 76}};
        }
      }
    } else if (e == "Contact") {
      auto id = record.value("ContactId", Json());
      auto it = id.is_number() ? w.ploomes.contacts.find(id.get<int64_t>()) : w.ploomes.contacts.end();
      out["Contact"] = it == w.ploomes.contacts.end() ? Json(nullptr) : Shape(w, it->second, "", {});
    } else if (e == "Contacts") {
      Json people = Json::array();
      for (const auto& [id, c] : w.ploomes.contacts) {
        if (c.value("CompanyId", Json()) == record["Id"]) people.push_back(Shape(w, c, "", {}));
      }
      out["Contacts"] = people;
    }
  }
  return out;
}

const EntitySet* SetNamed(const std::string& name) {
  for (const auto& s : kSets) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

namespace {

FilterOptions FilterOptionsOf(const World& w) {
  return {.ignore_date_offsets = w.options.reality.Is("ploomes.filter_offset", "ignored")};
}

// The $filter of a request, or nullptr when it has none; false after answering 400.
bool ReadFilter(const World& w, const httplib::Request& req, httplib::Response& res,
                std::unique_ptr<FilterExpr>& filter) {
  if (!req.has_param("$filter")) return true;
  auto f = ParseFilter(req.get_param_value("$filter"), FilterOptionsOf(w));
  if (!f) {
    SendPloomesError(res, 400, "BadRequest", f.error().message);
    return false;
  }
  filter = std::move(*f);
  return true;
}

// The $orderby of a request (empty when it has none); false after answering 400.
bool ReadOrder(const httplib::Request& req, httplib::Response& res, std::vector<OrderKey>& order) {
  if (!req.has_param("$orderby")) return true;
  auto o = ParseOrderBy(req.get_param_value("$orderby"));
  if (!o) {
    SendPloomesError(res, 400, "BadRequest", o.error().message);
    return false;
  }
  order = std::move(*o);
  return true;
}

// The order of a listing without $orderby (ploomes.default_order). Caller holds w.mu.
void DefaultOrder(World& w, std::vector<const Json*>& rows) {
  const std::string& order = w.options.reality.Get("ploomes.default_order");
  if (order == "create_date_desc") {
    SortRecords(rows, {{"CreateDate", true}});
  } else if (order == "unspecified") {
    std::shuffle(rows.begin(), rows.end(), w.rng);
  }  // "id": the map's order already
}

void List(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res) {
  std::unique_ptr<FilterExpr> filter;
  if (!ReadFilter(w, req, res, filter)) return;
  std::vector<OrderKey> order;
  if (!ReadOrder(req, res, order)) return;
  int top = w.options.ploomes_max_page;
  if (req.has_param("$top")) {
    try {
      top = std::stoi(req.get_param_value("$top"));
    } catch (...) {
      return SendPloomesError(res, 400, "BadRequest", "$top must be a number");
    }
    if (top > w.options.ploomes_max_page) {
      if (w.options.ploomes_reject_oversized_top) {
        return SendPloomesError(res, 400, "BadRequest",
                                fmt::format("$top cannot exceed {}", w.options.ploomes_max_page));
      }
      top = w.options.ploomes_max_page;  // the silent cap that loses records without an error
    }
  }
  int skip = 0;
  if (req.has_param("$skip")) {
    try {
      skip = std::stoi(req.get_param_value("$skip"));
    } catch (...) {
      return SendPloomesError(res, 400, "BadRequest", "$skip must be a number");
    }
  }
  if (req.has_header("X-Sandbox-Duplicate-Page") && skip >= top) skip -= top;
  const auto expand = ParseExpandNames(req.get_param_value("$expand"));
  const std::string select = req.get_param_value("$select");
  std::lock_guard lock(w.mu);
  std::vector<const Json*> rows;
  for (const auto& [id, r] : w.ploomes.*(set.records)) {
    if (!filter || filter->Matches(r)) rows.push_back(&r);
  }
  if (order.empty()) {
    DefaultOrder(w, rows);
  } else {
    SortRecords(rows, order);
  }
  Json value = Json::array();
  for (size_t i = static_cast<size_t>(std::max(0, skip)); i < rows.size() && static_cast<int>(value.size()) < top; ++i) {
    value.push_back(Shape(w, *rows[i], select, expand));
  }
  Json body = {{"@odata.context", Context(w, set.name)}, {"value", value}};
  if (w.options.ploomes_next_link && skip + top < static_cast<int>(rows.size())) {
    body["@odata.nextLink"] = fmt::format("{}?$skip={}&$top={}", set.name, skip + top, top);
  }
  SendJson(res, 200, body);
}

void GetOne(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res) {
  const int64_t id = KeyFromPath(req);
  std::lock_guard lock(w.mu);
  auto& records = w.ploomes.*(set.records);
  auto it = records.find(id);
  if (it == records.end()) {
    return SendPloomesError(res, 404, "NotFound", fmt::format("{}({}) not found", set.name, id));
  }
  SendJson(res, 200, {{"@odata.context", Context(w, set.name)},
                      {"value", Json::array({Shape(w, it->second, req.get_param_value("$select"),
                                                   ParseExpandNames(req.get_param_value("$expand")))})}});
}

void SimpleList(World& w, const char* set, const Json& rows, httplib::Response& res) {
  SendJson(res, 200, {{"@odata.context", Context(w, set)}, {"value", rows}});
}

}  // namespace

void RegisterPloomesRoutes(httplib::Server& server, World& w) {
  const std::string sets = "(Contacts|Tasks|InteractionRecords)";
  server.Get("/ploomes/" + sets, Guard(w, Api::kPloomes, "/{set}", [&w](const auto& req, auto& res) {
    List(w, *SetNamed(req.matches[1]), req, res);
  }));
  server.Get(R"(/ploomes/)" + sets + R"(\((\d+)\))", Guard(w, Api::kPloomes, "/{set}(id)", [&w](const auto& req, auto& res) {
    GetOne(w, *SetNamed(req.matches[1]), req, res);
  }));
  server.Post("/ploomes/" + sets, Guard(w, Api::kPloomes, "/{set}", [&w](const auto& req, auto& res) {
    Create(w, *SetNamed(req.matches[1]), req, res);
  }));
  server.Patch(R"(/ploomes/)" + sets + R"(\((\d+)\))", Guard(w, Api::kPloomes, "/{set}(id)", [&w](const auto& req, auto& res) {
    Patch(w, *SetNamed(req.matches[1]), req, res);
  }));
  server.Delete(R"(/ploomes/)" + sets + R"(\((\d+)\))", Guard(w, Api::kPloomes, "/{set}(id)", [&w](const auto& req, auto& res) {
    Delete(w, *SetNamed(req.matches[1]), req, res);
  }));
  server.Post(R"(/ploomes/Tasks\((\d+)\)/Finish)", Guard(w, Api::kPloomes, "/Tasks(id)/Finish", [&w](const auto& req, auto& res) {
    std::lock_guard lock(w.mu);
    auto it = w.ploomes.tasks.find(std::stoll(req.matches[1]));
    if (it == w.ploomes.tasks.end()) return SendPloomesError(res, 404, "NotFound", "Task not found");
    it->second["Finished"] = true;
    it->second["FinishDate"] = FormatIsoLocal(w.clock.Now());
    SendJson(res, 200, {{"value", Json::array({it->second})}});
  }));
  server.Get("/ploomes/Tags", Guard(w, Api::kPloomes, "/Tags", [&w](const auto& req, auto& res) {
    std::unique_ptr<FilterExpr> filter;
    if (!ReadFilter(w, req, res, filter)) return;
    std::vector<OrderKey> order;
    if (!ReadOrder(req, res, order)) return;
    std::lock_guard lock(w.mu);
    std::vector<const Json*> rows;
    for (const auto& [id, t] : w.ploomes.tags) {
      if (!filter || filter->Matches(t)) rows.push_back(&t);
    }
    if (order.empty()) {
      DefaultOrder(w, rows);
    } else {
      SortRecords(rows, order);
    }
    // ploomes.tags_paging: one answer with every tag, or pages of at most 300 like the other sets.
    size_t skip = 0, top = rows.size();
    if (w.options.reality.Is("ploomes.tags_paging", "paged")) {
      top = static_cast<size_t>(w.options.ploomes_max_page);
      try {
        if (req.has_param("$top")) top = std::min<size_t>(top, std::stoul(req.get_param_value("$top")));
        if (req.has_param("$skip")) skip = std::stoul(req.get_param_value("$skip"));
      } catch (...) {
        return SendPloomesError(res, 400, "BadRequest", "$top and $skip must be numbers");
      }
    }
    Json page = Json::array();
    for (size_t i = skip; i < rows.size() && page.size() < top; ++i) page.push_back(*rows[i]);
    SimpleList(w, "Tags", page, res);
  }));
  server.Get("/ploomes/Cities", Guard(w, Api::kPloomes, "/Cities", [&w](const auto& req, auto& res) {
    std::unique_ptr<FilterExpr> filter;
    if (!ReadFilter(w, req, res, filter)) return;
    Json rows = Json::array();
    for (const auto& c : Cities()) {
      Json city = {{"Id", c.id}, {"Name", c.name}, {"StateId", StateIdOf(c.uf)}, {"CountryId", 76},
                   {"IBGECode", c.ibge}};
      if (!filter || filter->Matches(city)) rows.push_back(city);
    }
    SimpleList(w, "Cities", rows, res);
  }));
  server.Get("/ploomes/Cities@Countries@States", Guard(w, Api::kPloomes, "/Cities@Countries@States", [&w](const auto&, auto& res) {
    Json rows = Json::array();
    std::set<std::string> seen;
    for (const auto& c : Cities()) {
      if (seen.insert(c.uf).second) {
        rows.push_back({{"Id", StateIdOf(c.uf)}, {"Name", c.uf}, {"Short", c.uf}, {"CountryId", 76}});
      }
    }
    SimpleList(w, "Cities@Countries@States", rows, res);
  }));
  server.Get("/ploomes/Webhooks@Actions", Guard(w, Api::kPloomes, "/Webhooks@Actions", [&w](const auto&, auto& res) {
    SimpleList(w, "Webhooks@Actions",
               Json::array({{{"Id", 1}, {"Name", "Create"}}, {{"Id", 2}, {"Name", "Update"}},
                            {{"Id", 3}, {"Name", "Delete"}}}),
               res);
  }));
  server.Get("/ploomes/Webhooks", Guard(w, Api::kPloomes, "/Webhooks", [&w](const auto&, auto& res) {
    std::lock_guard lock(w.mu);
    Json rows = Json::array();
    for (const auto& [id, h] : w.ploomes.webhooks) rows.push_back(h);
    SimpleList(w, "Webhooks", rows, res);
  }));
  server.Post("/ploomes/Webhooks", Guard(w, Api::kPloomes, "/Webhooks", [&w](const auto& req, auto& res) {
    auto body = ParseBody(req, res, Api::kPloomes);
    if (!body) return;
    if (!body->contains("CallbackUrl") || !(*body)["CallbackUrl"].is_string() ||
        !body->contains("EntityId") || !body->contains("ActionId")) {
      return SendPloomesError(res, 400, "BadRequest", "EntityId, ActionId and CallbackUrl are required");
    }
    if ((*body)["EntityId"] == 36 && w.options.reality.Is("ploomes.webhook_entity_36", "refused")) {
      return SendPloomesError(res, 400, "BadRequest", "Entity 36 does not support webhooks");
    }
    std::lock_guard lock(w.mu);
    int64_t id = w.ploomes.next_webhook++;
    Json hook = {{"Id", id},
                 {"EntityId", (*body)["EntityId"]},
                 {"ActionId", (*body)["ActionId"]},
                 {"CallbackUrl", (*body)["CallbackUrl"]},
                 {"ValidationKey", body->value("ValidationKey", "")},
                 {"Active", true}};
    w.ploomes.webhooks[id] = hook;
    SimpleList(w, "Webhooks", Json::array({hook}), res);
  }));
  server.Delete(R"(/ploomes/Webhooks\((\d+)\))", Guard(w, Api::kPloomes, "/Webhooks(id)", [&w](const auto& req, auto& res) {
    std::lock_guard lock(w.mu);
    w.ploomes.webhooks.erase(std::stoll(req.matches[1]));
    res.status = 200;
  }));
  server.Get("/ploomes/Self", Guard(w, Api::kPloomes, "/Self", [&w](const auto&, auto& res) {
    SimpleList(w, "Self", Json::array({{{"Id", 10000002}, {"Name", "Integração ponte"},
                                        {"AccountId", w.options.ploomes_account_id}}}),
               res);
  }));
}

}  // namespace ponte::sandbox::detail
