#include "app/config_loader.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "app/default_config.h"
#include "app/internal/config_routes.h"
#include "app/internal/kind_readers.h"
#include "app/system_kinds.h"
#include "core/config_read.h"
#include "core/time.h"

namespace ponte {
namespace {

using config_read::CheckKeys;
using config_read::KeyError;
using config_read::Read;
using config_read::ReadRouteFilters;
using config_read::ReadRouteList;

// A *_env setting names a variable; a key pasted there would be echoed in "set the variable X"
// messages. It is refused without repeating it: upper-case letters, digits and _, and a long
// run without _ (a hex key, a token) is taken for a pasted secret.
Status CheckVariableName(const std::string& name, const std::string& key, const std::string& source) {
  if (name.empty()) return {};
  bool ok = name.size() <= 64 && (std::isupper(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) ok &= std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  ok &= !(name.size() >= 20 && name.find('_') == std::string::npos);
  if (ok) return {};
  return Fail(KeyError(source, key,
                       "must be the NAME of an environment variable (A-Z, 0-9, _, e.g. PONTE_PLOOMES_KEY), not the key "
                       "itself: put the key in that variable (the value given is not repeated here)"));
}

Status ReadSystem(const toml::table& root, const toml::table& systems, const std::string& name,
                  const KindReader& kind, SystemConfig& s, const std::string& source) {
  auto t = systems[name].as_table();
  if (!t) return Fail(KeyError(source, "systems." + name, "expected a table"));
  const std::string where = "systems." + name + ".";
  std::set<std::string> keys = {"kind", "base_url", "key_env", "key_file", "requests_per_minute", "burst", "timeout_ms",
                                "tls_insecure", "quotas", "forbidden_backoff_ms", "unreachable_seconds"};
  keys.insert(kind.setting_keys().begin(), kind.setting_keys().end());
  PONTE_RETURN_IF_ERROR(CheckKeys(*t, keys, "systems." + name, source));
  s.kind = std::string(kind.name);
  // What is peculiar to the kind, its connector reads.
  auto settings = kind.parse(*t, root, where, source);
  if (!settings) return Fail(settings.error());
  s.settings = *settings;
  PONTE_RETURN_IF_ERROR(Read(*t, "base_url", s.base_url, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "key_env", s.key_env, where, source));
  PONTE_RETURN_IF_ERROR(CheckVariableName(s.key_env, where + "key_env", source));
  PONTE_RETURN_IF_ERROR(Read(*t, "key_file", s.key_file, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "requests_per_minute", s.requests_per_minute, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "burst", s.burst, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "timeout_ms", s.timeout_ms, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "tls_insecure", s.tls_insecure, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "forbidden_backoff_ms", s.forbidden_backoff_ms, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "unreachable_seconds", s.unreachable_seconds, where, source));
  if (s.unreachable_seconds < 1 || s.unreachable_seconds > 3600) {
    return Fail(KeyError(source, where + "unreachable_seconds", "expected 1 to 3600 seconds"));
  }
  if (auto q = (*t)["quotas"].as_table()) {
    const std::string qwhere = where + "quotas.";
    PONTE_RETURN_IF_ERROR(CheckKeys(*q, {"listings_per_minute", "writes_per_minute"}, where + "quotas", source));
    PONTE_RETURN_IF_ERROR(Read(*q, "listings_per_minute", s.quotas.listings_per_minute, qwhere, source));
    PONTE_RETURN_IF_ERROR(Read(*q, "writes_per_minute", s.quotas.writes_per_minute, qwhere, source));
    for (auto [key, v] : {std::pair{"listings_per_minute", s.quotas.listings_per_minute},
                          std::pair{"writes_per_minute", s.quotas.writes_per_minute}}) {
      if (v < 0) return Fail(KeyError(source, qwhere + key, "cannot be negative (0: no limit of its own)"));
    }
  } else if (t->contains("quotas")) {
    return Fail(KeyError(source, where + "quotas", "expected a table"));
  }
  if (s.forbidden_backoff_ms < 1) return Fail(KeyError(source, where + "forbidden_backoff_ms", "must be at least 1"));
  if (!s.base_url.starts_with("http://") && !s.base_url.starts_with("https://")) {
    return Fail(KeyError(source, where + "base_url", "must start with http:// or https://"));
  }
  if (s.requests_per_minute < 0) return Fail(KeyError(source, where + "requests_per_minute", "cannot be negative"));
  // Each value that would break a guarantee is refused, naming the key and its range.
  if (s.burst < 0) return Fail(KeyError(source, where + "burst", "cannot be negative (0 or 1: one call at a time)"));
  if (s.timeout_ms < 100 || s.timeout_ms > 600'000) {
    return Fail(KeyError(source, where + "timeout_ms", "must be 100..600000 (0 would mean no timeout at all)"));
  }
  if (!s.key_file.empty() && std::filesystem::is_directory(s.key_file)) {
    return Fail(KeyError(source, where + "key_file", "is a directory; name the file that holds the key"));
  }
  return {};
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Fail(Error::InvalidArgument(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description())));
  }
  Config c = DefaultConfig();
  PONTE_RETURN_IF_ERROR(CheckKeys(root, {"store", "systems", "routes", "tickets", "delivery", "server"}, "", source));
  PONTE_RETURN_IF_ERROR(Read(root, "store", c.store, "", source));
  if (!c.store.starts_with("sqlite:") && !c.store.starts_with("postgres://") && !c.store.starts_with("postgresql://")) {
    // The value is not repeated: a store string may hold a password.
    const auto scheme = c.store.find("://");
    return Fail(KeyError(source, "store",
                         fmt::format("{}: use sqlite:PATH or postgres://user@host/db",
                                     scheme == std::string::npos ? "not a store URL" : "'" + c.store.substr(0, std::min<size_t>(scheme, 16)) + "' stores are not supported")));
  }
  std::set<std::string> configured;
  if (auto systems = root["systems"].as_table()) {
    for (const auto& [key, node] : *systems) {
      const std::string name(key.str());
      auto known = c.systems.find(name);
      const bool built_in = known != c.systems.end();
      std::string kind = built_in ? known->second.kind : "";
      if (auto t = node.as_table()) {
        if (auto k = (*t)["kind"].value<std::string>()) kind = *k;
        else if (t->contains("kind")) return Fail(KeyError(source, "systems." + name + ".kind", "expected a string"));
      }
      if (built_in && kind != known->second.kind) {
        return Fail(KeyError(source, "systems." + name + ".kind",
                             fmt::format("the system named {} is of kind {}; name a {} system otherwise", name,
                                         known->second.kind, kind)));
      }
      if (kind.empty()) return Fail(KeyError(source, "systems." + name + ".kind", "required: " + KindNames()));
      const KindReader* info = FindKindReader(kind);
      if (!info) {
        return Fail(KeyError(source, "systems." + name + ".kind", fmt::format("unknown kind '{}' ({})", kind, KindNames())));
      }
      bool name_ok = !name.empty() && name.size() <= 32 && std::islower(static_cast<unsigned char>(name[0]));
      for (char ch : name) name_ok &= std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
      if (!name_ok) {
        return Fail(KeyError(source, "systems." + name, "a system name is a-z, 0-9 and _, starting with a letter (it appears in de/para refs)"));
      }
      SystemConfig& s = c.systems[name];
      if (!built_in) {
        // A named system has no address or key to default to.
        s = DefaultSystem(kind);
        s.key_env = DefaultKeyEnv(name);
        if (auto t = node.as_table(); t && !t->contains("base_url")) {
          return Fail(KeyError(source, "systems." + name + ".base_url", "required for a named system"));
        }
      }
      PONTE_RETURN_IF_ERROR(ReadSystem(root, *systems, name, *info, s, source));
      configured.insert(name);
    }
  }
  // The default systems the file does not describe still take what applies to their kind
  // elsewhere in it ([tickets] for a Milvus system).
  for (auto& [name, s] : c.systems) {
    if (configured.count(name)) continue;
    auto settings = FindKindReader(s.kind)->parse(toml::table{}, root, "systems." + name + ".", source);
    if (!settings) return Fail(settings.error());
    s.settings = *settings;
  }
  if (auto list = root["routes"].as_array()) {
    PONTE_RETURN_IF_ERROR(ReadRouteList(*list, c, source));
  } else if (auto routes = root["routes"].as_table()) {
    for (const auto& [name, node] : *routes) {
      const std::string key(name.str());
      auto it = c.routes.find(key);
      if (it == c.routes.end()) {
        return Fail(KeyError(source, "routes." + key, "unknown route (customers_ploomes_to_milvus, "
                                                      "customers_milvus_to_ploomes, tasks_ploomes_to_milvus, "
                                                      "interactions_ploomes_to_milvus; other routes are [[routes]] "
                                                      "entries, docs/config.md)"));
      }
      auto t = node.as_table();
      if (!t) return Fail(KeyError(source, "routes." + key, "expected a table"));
      PONTE_RETURN_IF_ERROR(ReadRouteFilters(*t, key, "routes." + key, c, it->second, source));
    }
  } else if (root.contains("routes")) {
    return Fail(KeyError(source, "routes", "expected [[routes]] entries or [routes.<name>] tables"));
  }
  if (auto d = root["delivery"].as_table()) {
    PONTE_RETURN_IF_ERROR(CheckKeys(*d, {"max_attempts", "retry_base_seconds", "lease_seconds", "write_settle_seconds"},
                                    "delivery", source));
    PONTE_RETURN_IF_ERROR(Read(*d, "max_attempts", c.delivery.max_attempts, "delivery.", source));
    PONTE_RETURN_IF_ERROR(Read(*d, "retry_base_seconds", c.delivery.retry_base_seconds, "delivery.", source));
    PONTE_RETURN_IF_ERROR(Read(*d, "lease_seconds", c.delivery.lease_seconds, "delivery.", source));
    PONTE_RETURN_IF_ERROR(Read(*d, "write_settle_seconds", c.delivery.write_settle_seconds, "delivery.", source));
    if (c.delivery.max_attempts < 1) return Fail(KeyError(source, "delivery.max_attempts", "must be at least 1"));
    if (c.delivery.retry_base_seconds < 0 || c.delivery.retry_base_seconds > 3600) {
      return Fail(KeyError(source, "delivery.retry_base_seconds", "must be 0..3600"));
    }
    // 0 would let every worker take every delivery at once. Keep it well above one delivery's
    // retries in production (docs/scaling.md): a shorter lease lets a second worker write too.
    if (c.delivery.lease_seconds < 5 || c.delivery.lease_seconds > 86'400) {
      return Fail(KeyError(source, "delivery.lease_seconds", "must be 5..86400 (default 300: longer than one delivery's retries)"));
    }
    // 0 would look for a write still in flight before it lands, and write the record again.
    if (c.delivery.write_settle_seconds < 1 || c.delivery.write_settle_seconds > 3600) {
      return Fail(KeyError(source, "delivery.write_settle_seconds",
                           "must be 1..3600 (default 60: longer than a system takes to apply a write)"));
    }
  }
  if (auto t = root["server"].as_table()) {
    auto& sv = c.server;
    PONTE_RETURN_IF_ERROR(CheckKeys(*t, {"listen", "poll_interval_seconds", "webhook_key_env", "webhook_key_file",
                                         "webhook_key_header", "admin_token_env", "admin_token_file",
                                         "max_body_bytes", "public_url", "allowed_hosts"},
                                    "server", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "listen", sv.listen, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "poll_interval_seconds", sv.poll_interval_seconds, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "webhook_key_env", sv.webhook_key_env, "server.", source));
    PONTE_RETURN_IF_ERROR(CheckVariableName(sv.webhook_key_env, "server.webhook_key_env", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "webhook_key_file", sv.webhook_key_file, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "webhook_key_header", sv.webhook_key_header, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "admin_token_env", sv.admin_token_env, "server.", source));
    PONTE_RETURN_IF_ERROR(CheckVariableName(sv.admin_token_env, "server.admin_token_env", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "admin_token_file", sv.admin_token_file, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "max_body_bytes", sv.max_body_bytes, "server.", source));
    PONTE_RETURN_IF_ERROR(Read(*t, "public_url", sv.public_url, "server.", source));
    if (auto hosts = (*t)["allowed_hosts"].as_array()) {
      for (const auto& h : *hosts) {
        auto name = h.value<std::string>();
        if (!name || name->empty()) return Fail(KeyError(source, "server.allowed_hosts", "expected a list of host names"));
        sv.allowed_hosts.push_back(*name);
      }
    } else if ((*t).contains("allowed_hosts")) {
      return Fail(KeyError(source, "server.allowed_hosts", "expected a list of host names"));
    }
    if (sv.poll_interval_seconds < 1) return Fail(KeyError(source, "server.poll_interval_seconds", "must be at least 1"));
    if (sv.max_body_bytes < 1024) return Fail(KeyError(source, "server.max_body_bytes", "must be at least 1024"));
    if (sv.listen.find(':') == std::string::npos) {
      return Fail(KeyError(source, "server.listen", "expected HOST:PORT, such as 127.0.0.1:8400"));
    }
  }
  return c;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Fail(Error::InvalidArgument(fmt::format(
        "cannot read the configuration {} (create it from docs/config.md, or pass --config)", path)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

Result<std::string> ReadSecret(const std::string& env, const std::string& file, const std::string& what,
                               const std::string& config_keys) {
  if (!env.empty()) {
    if (const char* v = std::getenv(env.c_str()); v && *v) return std::string(v);
  }
  if (!file.empty()) {
    std::ifstream in(file);
    std::string secret;
    if (in && std::getline(in, secret) && !secret.empty()) {
      while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
      return secret;
    }
    return Fail(Error::FailedPrecondition(fmt::format("the {} file {} cannot be read or is empty", what, file)));
  }
  return Fail(Error::FailedPrecondition(fmt::format(
      "no {}: set the environment variable {} (or {})", what,
      env.empty() ? "named by " + config_keys + "_env" : env, config_keys + "_file")));
}

Result<std::string> ReadApiKey(const SystemConfig& s, const std::string& name) {
  return ReadSecret(s.key_env, s.key_file, name + " API key", "systems." + name + ".key");
}

}  // namespace ponte
