// `ponte depara get|link|list|export|import|check|rebuild|push` and `ponte store check`.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/runtime.h"
#include "connectors/totvs/totvs_connector.h"
#include "core/document.h"
#include "core/time.h"
#include "store/depara_io.h"
#include "store/store.h"
#include "sync/engine.h"

namespace ponte {
namespace {

struct DeParaOptions {
  std::string message;
  std::string system;
  std::string id;
  std::string to;
  std::vector<std::string> refs;
  bool json = false;
  std::string format = "csv";
  std::string file;
  std::string document_field = "cnpj_cpf";
  std::string natural_key;
  std::string config = kDefaultConfigPath;  // for the store it names
};

void Get(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  SystemRef from{o.system, o.id};
  if (!o.to.empty()) {
    auto id = (*store)->Lookup(o.message, from, o.to);
    if (!ReportIfError(id, exit_code)) return;
    if (!id->has_value()) {
      std::cerr << fmt::format("ponte: {} {} has no {} link\n", o.message, from.ToString(), o.to);
      exit_code = kExitSomeFailed;
      return;
    }
    std::cout << **id << "\n";
    return;
  }
  auto members = (*store)->Entity(o.message, from);
  if (!ReportIfError(members, exit_code)) return;
  if (members->empty()) {
    std::cerr << fmt::format("ponte: {} {} is not linked\n", o.message, from.ToString());
    exit_code = kExitSomeFailed;
    return;
  }
  for (const auto& m : *members) {
    std::cout << fmt::format("{}\t{}\t{}\t{}\n", m.ref.ToString(),
                             m.info.natural_key.empty() ? "-" : m.info.natural_key,
                             m.info.route.empty() ? "-" : m.info.route, FormatUtc(m.linked_at));
  }
}

void LinkPair(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto a = SystemRef::Parse(o.refs.at(0));
  auto b = SystemRef::Parse(o.refs.at(1));
  if (!a || !b) {
    std::cerr << "ponte: " << (a ? b.error() : a.error()).message << "\n";
    exit_code = kExitUsage;
    return;
  }
  std::string key;
  if (!o.natural_key.empty()) {
    auto doc = ParseDocument(o.natural_key);
    if (!doc) {
      std::cerr << "ponte: --natural-key: " << doc.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    key = doc->canonical;
  }
  auto store = OpenStoreOrReport(g, o.config, exit_code);
  if (!store) return;
  auto s = (*store)->Link(o.message, *a, *b, {key, "", "manual"});
  if (!ReportIfError(s, exit_code)) return;
  std::cout << fmt::format("linked {} {} <-> {}\n", o.message, a->ToString(), b->ToString());
}

void List(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto links = (*store)->ListLinks({o.message, o.system});
  if (!ReportIfError(links, exit_code)) return;
  for (const auto& l : *links) {
    if (o.json) {
      std::cout << nlohmann::json{{"entity", l.entity_id},
                                  {"message", l.message},
                                  {"system", l.ref.system},
                                  {"internal_id", l.ref.internal_id},
                                  {"natural_key", l.info.natural_key},
                                  {"route", l.info.route},
                                  {"linked_at", FormatUtc(l.linked_at)}}
                       .dump()
                << "\n";
    } else {
      std::cout << fmt::format("{}\t{}\t{}\t{}\n", l.entity_id, l.message, l.ref.ToString(),
                               l.info.natural_key.empty() ? "-" : l.info.natural_key);
    }
  }
  if (!o.json) std::cerr << fmt::format("{} link(s)\n", links->size());
}

void Export(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto format = ParseDeParaFormat(o.format);
  if (!ReportIfError(format, exit_code, kExitUsage)) return;
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto links = (*store)->ListLinks({});
  if (!ReportIfError(links, exit_code)) return;
  auto rows = WriteDePara(std::cout, *format, *links);
  if (!ReportIfError(rows, exit_code)) return;
  std::cerr << fmt::format("exported {} pair(s)\n", *rows);
}

void Import(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto format = ParseDeParaFormat(o.format);
  if (!ReportIfError(format, exit_code, kExitUsage)) return;
  std::ifstream in(o.file);
  if (!in || std::filesystem::is_directory(o.file)) {
    std::cerr << fmt::format("ponte: cannot read {}{}\n", o.file,
                             std::filesystem::is_directory(o.file) ? ": it is a directory; give the file to import" : "");
    exit_code = kExitUsage;
    return;
  }
  auto pairs = ReadDePara(in, {*format, o.document_field, "CustomerVendor"});
  if (!pairs) {
    std::cerr << fmt::format("ponte: {}: {}; nothing was imported\n", o.file,
                             pairs.error().message);
    exit_code = kExitSomeFailed;
    return;
  }
  auto store = OpenStoreOrReport(g, o.config, exit_code);
  if (!store) return;
  auto s = (*store)->ImportLinks(*pairs);
  if (!s) {
    std::cerr << fmt::format("ponte: {}: {} ({}); nothing was imported\n", o.file,
                             s.error().message, s.error().record);
    exit_code = kExitSomeFailed;
    return;
  }
  std::cout << fmt::format("imported {} record(s) from {}\n", pairs->size(), o.file);
}

void Check(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto problems = (*store)->CheckDePara();
  if (!ReportIfError(problems, exit_code)) return;
  for (const auto& p : *problems) {
    std::cout << fmt::format("{}\t{}\t{}\n", p.kind, p.message, p.detail);
  }
  std::cerr << fmt::format("{} problem(s) found in the de/para\n", problems->size());
  if (!problems->empty()) exit_code = kExitSomeFailed;
}

void StoreCheck(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto result = (*store)->IntegrityCheck();
  if (!ReportIfError(result, exit_code)) return;
  auto version = (*store)->SchemaVersion();
  std::cout << fmt::format("{}: schema version {}, integrity: {}\n", (*store)->Describe(),
                           version.value_or(0), *result);
  if (*result != "ok") exit_code = kExitSomeFailed;
}

// The de/para found again from the systems (a lost store, a new one): needs the API keys.
void Rebuild(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  SyncEngine engine((*rt)->config, *(*rt)->store, (*rt)->Systems(), (*rt)->calls, SystemClock::Get());
  const auto report = engine.RebuildDePara();
  std::cout << fmt::format("linked {} customer(s) by CPF/CNPJ and {} ticket(s) by ponte's reference; {} conflict(s); "
                           "{} API call(s)\n",
                           report.customers_linked, report.tickets_linked, report.conflicts, report.api_calls);
  if (!report.error.empty()) {
    std::cerr << "ponte: " << report.error << "\n";
    exit_code = kExitUnreachable;
  } else if (!report.complete) {
    std::cerr << "ponte: a listing could not see every record; customers it did not see are linked by the next sync\n";
    exit_code = kExitSomeFailed;
  } else if (report.conflicts > 0) {
    std::cerr << "ponte: some pairs were refused by the de/para; `ponte depara check` lists them\n";
    exit_code = kExitSomeFailed;
  }
}

// Most pairs in one InternalIdLoad message.
constexpr size_t kLoadBatch = 200;

// The de/para's customers of a TOTVS ERP loaded into the ERP's own de/para (InternalIdLoad), so
// its records are updated, not created again, by the InternalIds ponte sends: after `depara
// import` or `rebuild`, or when ponte joins an ERP that already holds the customers.
void Push(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  auto it = (*rt)->customer_systems.find(o.system);
  auto* erp = it == (*rt)->customer_systems.end() ? nullptr : dynamic_cast<totvs::TotvsConnector*>(it->second.get());
  if (!erp) {
    std::cerr << fmt::format("ponte: '{}' is not a system of kind totvs in {}; only a TOTVS ERP keeps its own de/para\n",
                             o.system, o.config);
    exit_code = kExitUsage;
    return;
  }
  Store& store = *(*rt)->store;
  auto links = store.ListLinks({"CustomerVendor", o.system});
  if (!ReportIfError(links, exit_code)) return;
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<const LinkRow*> rows;
  int without_document = 0;
  for (const auto& link : *links) {
    auto attrs = nlohmann::json::parse(link.attributes, nullptr, false);
    std::string sender = attrs.is_object() ? attrs.value("sender_id", "") : "";
    if (sender.empty()) {
      auto doc = ParseDocument(link.info.natural_key);
      if (!doc) {
        ++without_document;
        continue;
      }
      sender = totvs::TotvsConnector::SenderIdOf(*doc);
    }
    pairs.emplace_back(sender, link.ref.internal_id);
    rows.push_back(&link);
  }
  size_t loaded = 0, messages = 0;
  for (size_t at = 0; at < pairs.size(); at += kLoadBatch) {
    const std::vector<std::pair<std::string, std::string>> batch(pairs.begin() + at,
                                                                  pairs.begin() + std::min(pairs.size(), at + kLoadBatch));
    if (auto s = erp->LoadInternalIds(batch); !s) {
      std::cerr << "ponte: " << s.error().ToString() << "\n";
      exit_code = s.error().halts_system ? kExitUnreachable : kExitSomeFailed;
      break;
    }
    ++messages;
    for (size_t i = at; i < at + batch.size(); ++i) {
      auto attrs = nlohmann::json::parse(rows[i]->attributes, nullptr, false);
      if (!attrs.is_object()) attrs = nlohmann::json::object();
      attrs["sender_id"] = pairs[i].first;
      (void)store.SetAttributes("CustomerVendor", rows[i]->ref, attrs.dump());
    }
    loaded += batch.size();
  }
  std::cout << fmt::format("loaded {} customer link(s) into {}'s de/para in {} InternalIdLoad message(s)", loaded,
                           o.system, messages);
  if (without_document > 0) std::cout << fmt::format("; {} without a CPF/CNPJ left out", without_document);
  std::cout << "\n";
}

void StoreBackup(GlobalOptions& g, const DeParaOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  if (!ReportIfError((*store)->Backup(o.file), exit_code, kExitUsage)) return;
  std::cout << fmt::format("{} backed up to {} (restore: stop ponte, copy it back as the store file, "
                           "run `ponte store check`)\n",
                           (*store)->Describe(), o.file);
}

}  // namespace

void AddDeParaCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<DeParaOptions>();
  auto* depara = app.add_subcommand(
      "depara", "The de/para store: which InternalIds in each system are the same entity");
  depara->require_subcommand(1);

  auto* get = depara->add_subcommand("get", "Show an InternalId's entity, or its id in another system");
  get->add_option("name", o->message, "Message name, e.g. CustomerVendor or Ticket")->required();
  get->add_option("system", o->system, "System of the id, e.g. ploomes")->required();
  get->add_option("id", o->id, "The InternalId")->required();
  get->add_option("--to", o->to, "Print only the id in this system");
  get->callback([&g, o, &exit_code] { Get(g, *o, exit_code); });

  auto* link = depara->add_subcommand("link", "Link two InternalIds as one entity");
  link->add_option("name", o->message, "Message name")->required();
  link->add_option("refs", o->refs, "SYSTEM:ID SYSTEM:ID")->required()->expected(2);
  link->add_option("--natural-key", o->natural_key, "The entity's CPF/CNPJ");
  link->callback([&g, o, &exit_code] { LinkPair(g, *o, exit_code); });

  auto* list = depara->add_subcommand("list", "List links");
  list->add_option("name", o->message, "Only this message name");
  list->add_option("--system", o->system, "Only ids of this system");
  list->add_flag("--json", o->json, "One JSON object per line");
  list->callback([&g, o, &exit_code] { List(g, *o, exit_code); });

  auto* exp = depara->add_subcommand("export", "Write every link to standard output");
  exp->add_option("--format", o->format, "csv or jsonl")->capture_default_str();
  exp->callback([&g, o, &exit_code] { Export(g, *o, exit_code); });

  auto* imp = depara->add_subcommand(
      "import",
      "Import links, all or nothing. mongoexport reads the old integration script's collection "
      "of sent customers so they are linked, not created again");
  imp->add_option("file", o->file, "The file to read")->required();
  imp->add_option("--format", o->format, "csv, jsonl or mongoexport")->capture_default_str();
  imp->add_option("--document-field", o->document_field,
                  "mongoexport: the field holding the CPF/CNPJ")
      ->capture_default_str();
  imp->callback([&g, o, &exit_code] { Import(g, *o, exit_code); });

  auto* check = depara->add_subcommand(
      "check",
      "De/para integrity: natural keys that disagree across a link, one CPF/CNPJ linked as "
      "several entities, ids linked to nothing. Exits 1 when it finds a problem");
  check->callback([&g, o, &exit_code] { Check(g, *o, exit_code); });

  auto* rebuild = depara->add_subcommand(
      "rebuild",
      "Find the de/para again from the systems after the store was lost: customers by CPF/CNPJ, "
      "tickets by ponte's reference in their description. Writes nothing to the systems");
  rebuild->callback([&g, o, &exit_code] { Rebuild(g, *o, exit_code); });

  auto* push = depara->add_subcommand(
      "push",
      "Load the de/para's customers of a TOTVS ERP into the ERP's own de/para (InternalIdLoad), so an "
      "update from ponte reaches the record it names. Run it after `depara import` or `depara rebuild`");
  push->add_option("system", o->system, "The ERP's system name, e.g. erp")->required();
  push->callback([&g, o, &exit_code] { Push(g, *o, exit_code); });

  auto* store = app.add_subcommand("store", "The store itself");
  store->require_subcommand(1);
  auto* integrity = store->add_subcommand(
      "check", "Run the database's integrity check (SQLite PRAGMA integrity_check)");
  integrity->callback([&g, o, &exit_code] { StoreCheck(g, *o, exit_code); });
  auto* backup = store->add_subcommand(
      "backup", "Copy the SQLite store, consistently, while ponte runs (docs/deploy.md: backup and restore)");
  backup->add_option("file", o->file, "The new file to write")->required();
  backup->callback([&g, o, &exit_code] { StoreBackup(g, *o, exit_code); });
  // Every command finds the store the way sync and serve do, so links imported here are the
  // links the service reads.
  for (auto* cmd : {get, link, list, exp, imp, check, rebuild, push, integrity, backup}) {
    cmd->add_option("--config", o->config, "Configuration file (for its store)")->capture_default_str();
  }
}

}  // namespace ponte
