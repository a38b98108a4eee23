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

#include "app/internal/config_read.h"
#include "app/internal/config_routes.h"
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

// The CustomerVendor versions on the PascalCase event model ponte writes (2.006 and 2.008 are
// the camelCase API model, a different message).
bool IsEventModelVersion(const std::string& v) {
  return v == "2.000" || v == "2.001" || v == "2.002" || v == "2.003" || v == "2.004" || v == "2.005" || v == "2.007";
}

Status ReadSystem(const toml::table& root, const std::string& name, const std::string& kind, SystemConfig& s,
                  const std::string& source) {
  auto t = root[name].as_table();
  if (!t) return Fail(KeyError(source, "systems." + name, "expected a table"));
  const std::string where = "systems." + name + ".";
  std::set<std::string> keys = {"kind", "base_url", "key_env", "key_file", "requests_per_minute", "burst", "timeout_ms",
                                "tls_insecure", "quotas", "forbidden_backoff_ms", "unreachable_seconds"};
  const bool ploomes = kind == "ploomes";
  if (ploomes) {
    keys.insert({"document_field", "cursor_overlap_seconds"});
  } else if (kind == "milvus") {
    keys.insert({"listing_budget", "busca_cap"});
  } else {
    keys.insert({"user", "message_version", "source_application", "company_id", "branch_id", "page_size"});
  }
  PONTE_RETURN_IF_ERROR(CheckKeys(*t, keys, "systems." + name, source));
  s.kind = kind;
  PONTE_RETURN_IF_ERROR(Read(*t, "user", s.user, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "message_version", s.message_version, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "source_application", s.source_application, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "company_id", s.company_id, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "branch_id", s.branch_id, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "page_size", s.page_size, where, source));
  if (kind == "totvs") {
    if (s.user.empty()) return Fail(KeyError(source, where + "user", "required: the ERP's REST user (its password is the key)"));
    if (!IsEventModelVersion(s.message_version)) {
      return Fail(KeyError(source, where + "message_version",
                           "expected a CustomerVendor version of the event model: 2.000 to 2.005 or 2.007 "
                           "(2.006 and 2.008 are the camelCase API model)"));
    }
    if (s.source_application.empty()) return Fail(KeyError(source, where + "source_application", "cannot be empty"));
    if (s.page_size < 1 || s.page_size > 1000) return Fail(KeyError(source, where + "page_size", "expected 1 to 1000"));
  }
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
  PONTE_RETURN_IF_ERROR(Read(*t, "document_field", s.document_field, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "cursor_overlap_seconds", s.cursor_overlap_seconds, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "listing_budget", s.listing_budget, where, source));
  PONTE_RETURN_IF_ERROR(Read(*t, "busca_cap", s.busca_cap, where, source));
  if (ploomes && s.document_field != "auto" && s.document_field != "register" && s.document_field != "cnpj_cpf" &&
      s.document_field != "both") {
    return Fail(KeyError(source, where + "document_field", "expected auto, register, cnpj_cpf or both"));
  }
  if (s.cursor_overlap_seconds < 0 || s.cursor_overlap_seconds > 86400) {
    return Fail(KeyError(source, where + "cursor_overlap_seconds", "expected 0 to 86400 seconds"));
  }
  if (s.listing_budget < 1) return Fail(KeyError(source, where + "listing_budget", "must be at least 1"));
  if (s.busca_cap < 1) return Fail(KeyError(source, where + "busca_cap", "must be at least 1"));
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
  Config c;
  PONTE_RETURN_IF_ERROR(CheckKeys(root, {"store", "systems", "routes", "tickets", "delivery", "server"}, "", source));
  PONTE_RETURN_IF_ERROR(Read(root, "store", c.store, "", source));
  if (!c.store.starts_with("sqlite:") && !c.store.starts_with("postgres://") && !c.store.starts_with("postgresql://")) {
    // The value is not repeated: a store string may hold a password.
    const auto scheme = c.store.find("://");
    return Fail(KeyError(source, "store",
                         fmt::format("{}: use sqlite:PATH or postgres://user@host/db",
                                     scheme == std::string::npos ? "not a store URL" : "'" + c.store.substr(0, std::min<size_t>(scheme, 16)) + "' stores are not supported")));
  }
  if (auto systems = root["systems"].as_table()) {
    for (const auto& [key, node] : *systems) {
      const std::string name(key.str());
      const bool built_in = name == "ploomes" || name == "milvus";
      std::string kind = built_in ? name : "";
      if (auto t = node.as_table()) {
        if (auto k = (*t)["kind"].value<std::string>()) kind = *k;
        else if (t->contains("kind")) return Fail(KeyError(source, "systems." + name + ".kind", "expected a string"));
      }
      if (built_in && kind != name) {
        return Fail(KeyError(source, "systems." + name + ".kind",
                             fmt::format("the system named {} is of kind {}; name a {} system otherwise", name, name, kind)));
      }
      if (kind.empty()) {
        return Fail(KeyError(source, "systems." + name + ".kind", "required: ploomes, milvus or totvs"));
      }
      if (kind != "ploomes" && kind != "milvus" && kind != "totvs") {
        return Fail(KeyError(source, "systems." + name + ".kind", fmt::format("unknown kind '{}' (ploomes, milvus or totvs)", kind)));
      }
      bool name_ok = !name.empty() && name.size() <= 32 && std::islower(static_cast<unsigned char>(name[0]));
      for (char ch : name) name_ok &= std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
      if (!name_ok) {
        return Fail(KeyError(source, "systems." + name, "a system name is a-z, 0-9 and _, starting with a letter (it appears in de/para refs)"));
      }
      SystemConfig& s = name == "ploomes" ? c.ploomes : name == "milvus" ? c.milvus : c.systems[name];
      if (!built_in) {
        // A named system has no address or key to default to.
        s = SystemConfig{};
        s.key_env.clear();
        for (char ch : "PONTE_" + name + "_KEY") s.key_env += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (kind == "milvus") s.quotas.listings_per_minute = 1;
        if (auto t = node.as_table(); t && !t->contains("base_url")) {
          return Fail(KeyError(source, "systems." + name + ".base_url", "required for a named system"));
        }
      }
      PONTE_RETURN_IF_ERROR(ReadSystem(*systems, name, kind, s, source));
    }
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
  if (auto tickets = root["tickets"].as_table()) {
    PONTE_RETURN_IF_ERROR(CheckKeys(*tickets, {"mesa", "setor", "tecnico", "category_by_tag"}, "tickets", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "mesa", c.tickets.mesa, "tickets.", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "setor", c.tickets.setor, "tickets.", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "tecnico", c.tickets.tecnico, "tickets.", source));
    if (auto map = (*tickets)["category_by_tag"].as_table()) {
      for (const auto& [tag, value] : *map) {
        auto s = value.value<std::string>();
        if (!s) return Fail(KeyError(source, "tickets.category_by_tag." + std::string(tag.str()), "expected a string"));
        c.tickets.category_by_tag[std::string(tag.str())] = *s;
      }
    }
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
