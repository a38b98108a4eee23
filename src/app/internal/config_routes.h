#pragma once
// The routes of ponte.toml: [routes.<name>] tables tuning the built-in routes, and [[routes]]
// entries naming every route that runs (docs/hub.md).

#include <set>
#include <string>

#include <toml++/toml.h>

#include "core/error.h"
#include "sync/config.h"

namespace ponte::config_read {

// A route's filters and switches, the same in [routes.<name>] and [[routes]] (at: where to
// name it in errors; keys: the table's keys besides the filters).
Status ReadRouteFilters(const toml::table& t, const std::string& key, const std::string& at, const Config& c,
                        RouteConfig& rc, const std::string& source, std::set<std::string> keys = {});

// A ticket route's `fields`: custom fields of its records, by key, to the Ticket fields they
// fill; an unknown Ticket field is an error that names it and the known ones.
Status ReadFieldMappings(const toml::table& t, const std::string& where, RouteConfig& rc, const std::string& source);

// [[routes]]: the routes that run, in order. The list is the whole list.
Status ReadRouteList(const toml::array& list, Config& c, const std::string& source);

}  // namespace ponte::config_read
