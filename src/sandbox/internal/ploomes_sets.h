#pragma once
// The Ploomes emulator's entity sets, shared by its reads (ploomes_api.cc) and its writes
// (ploomes_writes.cc).

#include <map>
#include <string>
#include <vector>

#include <httplib.h>

#include "sandbox/internal/world.h"

namespace ponte::sandbox::detail {

struct EntitySet {
  const char* name;        // "Contacts"
  int entity_id;           // Ploomes EntityId (1, 12, 36)
  const char* owner_field; // relation field on Tags rows ("ContactId", ...)
  std::map<int64_t, Json> PloomesData::*records;
  int64_t PloomesData::*next_id;
};

// The set of that name ("Contacts", "Tasks", "InteractionRecords"), or nullptr.
const EntitySet* SetNamed(const std::string& name);

// The key of a "/ploomes/<Set>(<id>)" request.
inline int64_t KeyFromPath(const httplib::Request& req) { return std::stoll(req.matches[2]); }

// The @odata.context of an answer about `set`.
std::string Context(World& w, const std::string& set);

// Applies $select and $expand to one stored record. Caller holds w.mu.
Json Shape(World& w, const Json& record, const std::string& select, const std::vector<std::string>& expand);

// POST, PATCH and DELETE on a set, as Ploomes answers them (ploomes_writes.cc).
void Create(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res);
void Patch(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res);
void Delete(World& w, const EntitySet& set, const httplib::Request& req, httplib::Response& res);

}  // namespace ponte::sandbox::detail
