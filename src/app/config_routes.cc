// The routes of ponte.toml: each route's filters, and [[routes]] (routes as data).

#include "app/internal/config_routes.h"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/default_config.h"
#include "core/config_read.h"
#include "core/ticket.h"
#include "core/time.h"

namespace ponte::config_read {

// A route's filters and switches, the same in [routes.<name>] and [[routes]]. Each route takes
// only the filters it applies: a filter accepted and ignored is a silent surprise (tags on a
// customer route; a cutoff where nothing reads creation dates).
Status ReadRouteFilters(const toml::table& t, const std::string& key, const std::string& at, const Config& c,
                        RouteConfig& rc, const std::string& source, std::set<std::string> keys) {
  const std::string where = at + ".";
  const bool ticket_route = rc.message == "Ticket";
  std::vector<std::string> allowed = {"enabled", "full_listing_hours"};
  // A cutoff compares creation dates: only a source that lists them (Ploomes) has one.
  const bool dated_source = IsBuiltInRoute(key) ? key != kRouteCustomersToPloomes : SystemKind(c, rc.from) == "ploomes";
  if (dated_source) allowed.push_back("cutoff");
  if (ticket_route) {
    allowed.push_back("tags");
    allowed.push_back("tag_ids");
    allowed.push_back("fields");
  }
  for (const char* filter : {"cutoff", "tags", "tag_ids", "fields"}) {
    if (t.contains(filter) && std::find(allowed.begin(), allowed.end(), filter) == allowed.end()) {
      return Fail(KeyError(source, where + filter,
                           fmt::format("the route {} has no {} filter (docs/config.md lists each route's filters)",
                                       key, filter)));
    }
  }
  keys.insert({"enabled", "cutoff", "tags", "tag_ids", "full_listing_hours", "fields"});
  PONTE_RETURN_IF_ERROR(CheckKeys(t, keys, at, source));
  PONTE_RETURN_IF_ERROR(Read(t, "enabled", rc.enabled, where, source));
  PONTE_RETURN_IF_ERROR(Read(t, "full_listing_hours", rc.full_listing_hours, where, source));
  if (rc.full_listing_hours < 0) {
    return Fail(KeyError(source, where + "full_listing_hours", "cannot be negative (0: never)"));
  }
  PONTE_RETURN_IF_ERROR(Read(t, "cutoff", rc.cutoff, where, source));
  if (!rc.cutoff.empty() && !ParseDate(rc.cutoff)) {
    return Fail(KeyError(source, where + "cutoff", "expected a date YYYY-MM-DD (local, America/Sao_Paulo)"));
  }
  for (const char* list : {"tags", "tag_ids"}) {
    if (t.contains(list) && !t[list].as_array()) {
      return Fail(KeyError(source, where + list, "expected a list, e.g. [\"ENTREGA\"]"));
    }
  }
  if (auto tags = t["tags"].as_array()) {
    rc.tags.clear();
    for (const auto& tag : *tags) {
      auto s = tag.value<std::string>();
      if (!s) return Fail(KeyError(source, where + "tags", "expected a list of tag names"));
      rc.tags.push_back(*s);
    }
  }
  if (auto ids = t["tag_ids"].as_array()) {
    for (const auto& id : *ids) {
      auto n = id.value_exact<int64_t>();
      if (!n) return Fail(KeyError(source, where + "tag_ids", "expected a list of numbers"));
      rc.tag_ids.push_back(*n);
    }
  }
  return ReadFieldMappings(t, where, rc, source);
}

// `fields = { "task_<GUID>" = "RequestDescription" }`: each custom field of the route's records,
// by its key in the source, fills one Ticket field.
Status ReadFieldMappings(const toml::table& t, const std::string& where, RouteConfig& rc, const std::string& source) {
  if (!t.contains("fields")) return {};
  const auto* fields = t["fields"].as_table();
  if (!fields) {
    return Fail(KeyError(source, where + "fields",
                         "expected a table of custom field key = Ticket field, e.g. { \"task_<GUID>\" = \"RequestDescription\" }"));
  }
  const auto& names = TicketFieldNames();
  for (const auto& [key, value] : *fields) {
    const std::string field_key(key.str());
    const std::string at = fmt::format("{}fields.\"{}\"", where, field_key);
    bool key_ok = !field_key.empty();
    for (char ch : field_key) key_ok &= std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
    if (!key_ok) {
      return Fail(KeyError(source, at, "a custom field is named by its key, e.g. task_6C3A21F0-... (Ploomes: /Fields, FieldKey)"));
    }
    auto field = value.value<std::string>();
    if (!field || std::find(names.begin(), names.end(), *field) == names.end()) {
      return Fail(KeyError(source, at,
                           fmt::format("unknown Ticket field '{}' (fields: {})", field.value_or(""), fmt::join(names, ", "))));
    }
    rc.fields[field_key] = *field;
  }
  return {};
}

// A Ticket route between named systems: tasks or interactions of a Ploomes account become
// tickets of a Milvus account (the only kinds with ticket connectors).
static Status CheckTicketRoute(const Config& c, const std::string& where, const std::string& from, const std::string& to,
                        const std::string& records, const std::string& source) {
  if (SystemKind(c, from) != "ploomes" || SystemKind(c, to) != "milvus") {
    return Fail(KeyError(source, where + ".message",
                         fmt::format("a Ticket route goes from a system of kind ploomes to one of kind milvus ({} is {}, "
                                     "{} is {}); between other systems a route carries CustomerVendor",
                                     from, SystemKind(c, from), to, SystemKind(c, to))));
  }
  if (records != "Task" && records != "InteractionRecord") {
    return Fail(KeyError(source, where + ".records",
                         records.empty() ? std::string("required on a Ticket route: Task or InteractionRecord")
                                         : fmt::format("unknown records '{}' (Task or InteractionRecord)", records)));
  }
  return {};
}

// [[routes]]: the routes that run, in order, each naming its systems and message. Listing them
// replaces the default routes: a built-in route not listed does not run.
Status ReadRouteList(const toml::array& list, Config& c, const std::string& source) {
  for (auto& [name, rc] : c.routes) rc.enabled = false;
  std::set<std::string> seen;
  std::vector<std::string> systems;
  for (const auto& [name, s] : c.systems) systems.push_back(name);
  const std::string known_systems = fmt::format("{}", fmt::join(systems, ", "));
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = fmt::format("routes[{}]", i + 1);
    auto t = list.get(i)->as_table();
    if (!t) return Fail(KeyError(source, at, "expected a table ([[routes]] with name, from, message, to)"));
    std::string name, from, to, message, records;
    PONTE_RETURN_IF_ERROR(Read(*t, "name", name, at + ".", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "from", from, at + ".", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "to", to, at + ".", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "message", message, at + ".", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "records", records, at + ".", source));
    if (name.empty()) return Fail(KeyError(source, at + ".name", "required"));
    if (!seen.insert(name).second) return Fail(KeyError(source, at + ".name", "the route " + name + " is listed twice"));
    const std::string where = fmt::format("routes[{}] ({})", i + 1, name);
    if (IsBuiltInRoute(name)) {
      // The four routes of ponte 0.1 keep their systems and message; naming them is optional.
      RouteConfig& rc = c.routes.at(name);
      for (const auto& [field, given, fixed] : {std::tuple{"from", from, rc.from}, std::tuple{"to", to, rc.to},
                                                std::tuple{"message", message, rc.message},
                                                std::tuple{"records", records, rc.records}}) {
        if (!given.empty() && given != fixed) {
          return Fail(KeyError(source, where + "." + field,
                               fmt::format("{} has {} = \"{}\"; a route with other systems needs another name", name,
                                           field, fixed)));
        }
      }
      rc.enabled = true;
      PONTE_RETURN_IF_ERROR(
          ReadRouteFilters(*t, name, where, c, rc, source, {"name", "from", "to", "message", "records"}));
      continue;
    }
    bool name_ok = !name.empty() && name.size() <= 64;
    for (char ch : name) name_ok &= std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
    if (!name_ok) return Fail(KeyError(source, at + ".name", "a route name is a-z, 0-9 and _ (it names cursors and reports)"));
    for (const auto& [field, value] : {std::pair{"from", from}, std::pair{"to", to}}) {
      if (value.empty()) return Fail(KeyError(source, where + "." + field, "required: a system (" + known_systems + ")"));
      if (!FindSystem(c, value)) {
        return Fail(KeyError(source, where + "." + field,
                             fmt::format("unknown system '{}' (systems: {}; declare others as [systems.<name>] with a kind)",
                                         value, known_systems)));
      }
    }
    if (from == to) return Fail(KeyError(source, where + ".to", "a route goes from one system to another"));
    if (message.empty()) message = "CustomerVendor";
    if (message != "CustomerVendor" && message != "Ticket") {
      return Fail(KeyError(source, where + ".message", fmt::format("unknown message '{}' (CustomerVendor or Ticket)", message)));
    }
    RouteConfig rc;
    rc.from = from;
    rc.to = to;
    rc.message = message;
    std::set<std::string> keys = {"name", "from", "to", "message"};
    if (message == "Ticket") {
      PONTE_RETURN_IF_ERROR(CheckTicketRoute(c, where, from, to, records, source));
      rc.records = records;
      keys.insert("records");
    }
    PONTE_RETURN_IF_ERROR(ReadRouteFilters(*t, name, where, c, rc, source, keys));
    if (message == "Ticket" && rc.tags.empty() && rc.tag_ids.empty()) {
      return Fail(KeyError(source, where + ".tags",
                           "a Ticket route needs tags or tag_ids: the records carrying one of them become tickets"));
    }
    c.routes[name] = rc;
    c.route_order.push_back(name);
  }
  return {};
}

}  // namespace ponte::config_read
