// `ponte demo`: until the sync engine lands, the demo walks the core model end to end: it reads
// CPF/CNPJ values as CRMs hold them, builds canonical CustomerVendor messages, validates them
// against the schemas and prints the InternalIds and de/para pairs they carry.

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "core/customer_vendor.h"
#include "core/internal_id.h"
#include "core/schema_validator.h"

namespace ponte {
namespace {

struct SampleContact {
  const char* ploomes_id;
  const char* name;
  const char* document;
};

constexpr SampleContact kSamples[] = {
    {"401000001", "Padaria São João Ltda", "12.345.678/0001-95"},
    {"401000002", "José Ávila", "123.456.789-09"},
    {"401000003", "Construtora Ômega S/A", "12.ABC.345/01DE-35"},
    {"401000004", "Cliente com CPF errado", "123.456.789-00"},
};

void RunDemo(int& exit_code) {
  std::cout << "ponte demo: the core model (the sync engine is not built yet)\n\n";
  int valid = 0, invalid = 0;
  for (const auto& s : kSamples) {
    auto doc = ParseDocument(s.document);
    if (!doc) {
      ++invalid;
      std::cout << fmt::format("  skip  Ploomes {}: {}\n", s.ploomes_id, doc.error().message);
      continue;
    }
    CustomerVendor cv;
    cv.internal_id = s.ploomes_id;
    cv.name = s.name;
    cv.document = *doc;
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                           cv.ToBusinessContent());
    auto status = ValidateMessage(m);
    if (!status) {
      std::cerr << "ponte demo: " << status.error().ToString() << "\n";
      exit_code = kExitSomeFailed;
      return;
    }
    ++valid;
    std::cout << fmt::format("  ok    Ploomes {} -> CustomerVendor {} {} ({}), message valid\n",
                             s.ploomes_id, DocumentKindName(doc->kind), doc->Formatted(),
                             cv.EntityType());
  }
  std::vector<std::string> parts = {"50", "10", "123456"};
  std::cout << fmt::format("\nInternalId of a Protheus item: {}\n",
                           *ComposeInternalId(**FindKeyLayout("Item"), parts));
  std::cout << fmt::format("\n{} valid message(s), {} record(s) skipped with a reason\n", valid,
                           invalid);
}

}  // namespace

void AddDemoCommand(CLI::App& app, int& exit_code) {
  auto* demo = app.add_subcommand(
      "demo", "Run ponte against its built-in sandbox and print a report (no credentials)");
  demo->callback([&exit_code] { RunDemo(exit_code); });
}

}  // namespace ponte
