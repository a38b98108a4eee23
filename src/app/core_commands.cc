// `ponte internalid compose|split` and `ponte doc check`: the core model from the command line.

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/cli.h"
#include "core/document.h"
#include "core/internal_id.h"
#include "core/utf8.h"

namespace ponte {
namespace {

struct InternalIdOptions {
  std::string first_part;
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

void Compose(const CLI::App& command, const InternalIdOptions& o, int& exit_code) {
  auto parts = TakeValuesAsTyped(command, o.first_part);
  if (!ReportIfError(parts, exit_code, kExitUsage)) return;
  const KeyLayout* layout = LayoutOrReport(o.layout, exit_code);
  if (exit_code != kExitOk) return;
  auto id = layout ? ComposeInternalId(*layout, *parts) : ComposeInternalId(*parts);
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

// One line per value: the input as typed (escaped to one line), canonical form, kind, verdict.
bool CheckOneDocument(std::string_view value) {
  const std::string shown = EscapeForOneLine(value);
  auto doc = ParseDocument(value);
  if (doc) {
    std::cout << fmt::format("{}\t{}\t{}\tvalid\n", shown, doc->canonical,
                             DocumentKindName(doc->kind));
    return true;
  }
  std::cout << fmt::format("{}\t-\t-\tinvalid: {}\n", shown, doc.error().message);
  return false;
}

struct CheckCounts {
  size_t valid = 0;
  size_t invalid = 0;
};

void Count(bool valid, CheckCounts& counts) { ++(valid ? counts.valid : counts.invalid); }

// `ponte doc check -`: a file of documents, one per line (CRLF and a UTF-8 BOM as a spreadsheet
// writes them). Blank lines hold no document and are skipped; every other line gets its line.
CheckCounts CheckDocumentsFrom(std::istream& in) {
  CheckCounts counts;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    first = false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Count(CheckOneDocument(line), counts);
  }
  return counts;
}

void CheckDocuments(const CLI::App& command, const std::string& first, int& exit_code) {
  auto values = TakeValuesAsTyped(command, first);
  if (!ReportIfError(values, exit_code, kExitUsage)) return;
  CheckCounts counts;
  bool read_stdin = false;
  for (const auto& value : *values) {
    if (value == "-") {
      if (read_stdin) continue;  // standard input can be read once
      read_stdin = true;
      const CheckCounts from_file = CheckDocumentsFrom(std::cin);
      counts.valid += from_file.valid;
      counts.invalid += from_file.invalid;
    } else {
      Count(CheckOneDocument(value), counts);
    }
  }
  if (read_stdin) {
    std::cerr << fmt::format("ponte: {} documents checked: {} valid, {} invalid\n",
                             counts.valid + counts.invalid, counts.valid, counts.invalid);
  }
  if (counts.invalid > 0) exit_code = kExitSomeFailed;
}

}  // namespace

void AddCoreCommands(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<InternalIdOptions>();
  auto* internalid = app.add_subcommand(
      "internalid", "Compose or split a TOTVS InternalId (key parts joined by '|')");
  internalid->require_subcommand(1);
  const std::string layouts = fmt::format("{}", fmt::join(KeyLayoutNames(), ", "));

  auto* compose = internalid->add_subcommand("compose", "Join key parts into an InternalId");
  AcceptValuesAsTyped(*compose);
  compose->add_option("parts", opts->first_part, "The key parts, in order (PART...)")
      ->required();
  compose->add_option("--layout", opts->layout,
                      "Check the parts against a named key layout (" + layouts + ")");
  compose->callback([compose, opts, &exit_code] { Compose(*compose, *opts, exit_code); });

  auto* split = internalid->add_subcommand("split", "Split an InternalId into its key parts");
  split->add_option("id", opts->id, "The InternalId, e.g. 50|10|123456")->required();
  split->add_option("--layout", opts->layout,
                    "Check against a named key layout and name the parts (" + layouts + ")");
  split->add_option("--field", opts->field, "Print only this part (needs --layout)");
  split->callback([opts, &exit_code] { Split(*opts, exit_code); });

  auto first_value = std::make_shared<std::string>();
  auto* doc = app.add_subcommand("doc", "Brazilian documents (CPF and CNPJ)");
  doc->require_subcommand(1);
  auto* check = doc->add_subcommand(
      "check",
      "Validate CPFs/CNPJs. Prints one tab-separated line per value: the input as typed (a "
      "control character or a byte that is not UTF-8 escaped as \\n, \\xNN), canonical form, "
      "kind, and valid or the reason. `-` reads one value per line from standard input. "
      "Exits 1 if any is invalid. The policy per input form is in docs/messages.md.");
  AcceptValuesAsTyped(*check);
  check->add_option("values", *first_value,
                    "CPF or CNPJ values (VALUE...), written out or bare digits; - for stdin")
      ->required();
  check->callback([check, first_value, &exit_code] {
    CheckDocuments(*check, *first_value, exit_code);
  });
}

}  // namespace ponte
