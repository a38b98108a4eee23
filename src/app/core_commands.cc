// `ponte internalid compose|split` and `ponte doc check`: the core model from the command line.

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/cli.h"
#include "core/document.h"
#include "core/internal_id.h"

namespace ponte {
namespace {

struct InternalIdOptions {
  std::vector<std::string> parts;
  std::string id;
  std::string layout;
  std::string field;
};

const KeyLayout* LayoutOrReport(const std::string& name, int& exit_code) {
  if (name.empty()) return nullptr;
  auto layout = FindKeyLayout(name);
  if (!layout) {
    std::cerr << "ponte: " << layout.error().message << "\n";
    exit_code = kExitUsage;
    return nullptr;
  }
  return *layout;
}

void Compose(const InternalIdOptions& o, int& exit_code) {
  const KeyLayout* layout = LayoutOrReport(o.layout, exit_code);
  if (exit_code != kExitOk) return;
  auto id = layout ? ComposeInternalId(*layout, o.parts) : ComposeInternalId(o.parts);
  if (!id) {
    std::cerr << "ponte: " << id.error().message << "\n";
    exit_code = kExitSomeFailed;
    return;
  }
  std::cout << *id << "\n";
}

void Split(const InternalIdOptions& o, int& exit_code) {
  const KeyLayout* layout = LayoutOrReport(o.layout, exit_code);
  if (exit_code != kExitOk) return;
  if (!o.field.empty()) {
    if (!layout) {
      std::cerr << "ponte: --field needs --layout, so the part's position is known\n";
      exit_code = kExitUsage;
      return;
    }
    auto value = InternalIdField(*layout, o.id, o.field);
    if (!value) {
      std::cerr << "ponte: " << value.error().message << "\n";
      exit_code = kExitSomeFailed;
      return;
    }
    std::cout << *value << "\n";
    return;
  }
  auto parts = layout ? SplitInternalId(*layout, o.id) : SplitInternalId(o.id);
  if (!parts) {
    std::cerr << "ponte: " << parts.error().message << "\n";
    exit_code = kExitSomeFailed;
    return;
  }
  for (size_t i = 0; i < parts->size(); ++i) {
    if (layout) {
      std::cout << layout->fields[i].name << "=" << (*parts)[i] << "\n";
    } else {
      std::cout << (*parts)[i] << "\n";
    }
  }
}

void CheckDocuments(const std::vector<std::string>& values, int& exit_code) {
  for (const auto& value : values) {
    auto doc = ParseDocument(value);
    if (doc) {
      std::cout << fmt::format("{}\t{}\t{}\tvalid\n", value, doc->canonical,
                               DocumentKindName(doc->kind));
    } else {
      std::cout << fmt::format("{}\t-\t-\tinvalid: {}\n", value, doc.error().message);
      exit_code = kExitSomeFailed;
    }
  }
}

}  // namespace

void AddCoreCommands(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<InternalIdOptions>();
  auto* internalid = app.add_subcommand(
      "internalid", "Compose or split a TOTVS InternalId (key parts joined by '|')");
  internalid->require_subcommand(1);
  const std::string layouts = fmt::format("{}", fmt::join(KeyLayoutNames(), ", "));

  auto* compose = internalid->add_subcommand("compose", "Join key parts into an InternalId");
  compose->add_option("parts", opts->parts, "The key parts, in order")->required();
  compose->add_option("--layout", opts->layout,
                      "Check the parts against a named key layout (" + layouts + ")");
  compose->callback([opts, &exit_code] { Compose(*opts, exit_code); });

  auto* split = internalid->add_subcommand("split", "Split an InternalId into its key parts");
  split->add_option("id", opts->id, "The InternalId, e.g. 50|10|123456")->required();
  split->add_option("--layout", opts->layout,
                    "Check against a named key layout and name the parts (" + layouts + ")");
  split->add_option("--field", opts->field, "Print only this part (needs --layout)");
  split->callback([opts, &exit_code] { Split(*opts, exit_code); });

  auto values = std::make_shared<std::vector<std::string>>();
  auto* doc = app.add_subcommand("doc", "Brazilian documents (CPF and CNPJ)");
  doc->require_subcommand(1);
  auto* check = doc->add_subcommand(
      "check",
      "Validate CPFs/CNPJs in any notation. Prints one line per value: input, canonical form, "
      "kind, and valid or the reason. Exits 1 if any is invalid.");
  check->add_option("values", *values, "CPF or CNPJ values (punctuation allowed)")->required();
  check->callback([values, &exit_code] { CheckDocuments(*values, exit_code); });
}

}  // namespace ponte
