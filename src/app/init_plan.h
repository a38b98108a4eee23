#pragma once
// What `ponte init` gathers (the systems to join, where their keys are, the routes) and the
// files it writes from it: a commented ponte.toml and, for a service, the environment file the
// systemd unit reads. Pure: the prompts and the key checks are init_command.cc's.

#include <string>
#include <vector>

#include "core/error.h"
#include "sync/config.h"

namespace ponte {

struct InitSystem {
  std::string name;      // ploomes, milvus, erp...: how routes and the de/para name it
  std::string kind;      // ploomes, milvus, totvs
  std::string base_url;
  std::string user;      // a TOTVS ERP's REST user
  std::string key_env;   // the variable that holds the key (default PONTE_<NAME>_KEY)
  std::string key_file;  // or the file that does
  std::string key;       // typed at the prompt: written to the environment or key file, never to ponte.toml
};

struct InitPlan {
  std::vector<InitSystem> systems;
  std::vector<std::string> routes;  // chosen from OfferedRoutes, in run order
  std::string store = "sqlite:ponte.db";
};

// A system as init first proposes it: the kind's public address and key variable.
InitSystem ProposedSystem(const std::string& name, const std::string& kind);

// The configuration the plan's systems would run with before routes are chosen: the default
// systems and routes among them, and an ERP's default routes to and from the others.
Config PlannedConfig(const InitPlan& plan);
// The routes whose two systems are both in the plan, in run order: what init offers.
std::vector<std::string> OfferedRoutes(const InitPlan& plan);

// ponte.toml for the plan, with a comment on each key saying what it does; keys appear as the
// names of variables or files, never as values.
std::string ConfigText(const InitPlan& plan);
// The systemd unit's EnvironmentFile: one VARIABLE=key line per key typed at the prompt.
std::string EnvironmentText(const InitPlan& plan);

}  // namespace ponte
