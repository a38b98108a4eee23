#pragma once
// Reading and writing de/para links as files: CSV and JSON Lines for ponte's own export and
// import, and the mongoexport output of the old integration script's "sent customers"
// collection, so a user who migrates keeps its memory of what was already sent.
//
// Every reader is all or nothing: the first bad line is an InvalidArgument naming the line
// number and the reason, and nothing is returned.

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace ponte {

enum class DeParaFormat { kCsv, kJsonl, kMongoexport };
Result<DeParaFormat> ParseDeParaFormat(std::string_view name);

struct DeParaImportOptions {
  DeParaFormat format = DeParaFormat::kCsv;
  // mongoexport: the field holding the CPF/CNPJ, and the message name of the records.
  std::string document_field = "cnpj_cpf";
  std::string message = "CustomerVendor";
};

// CSV: header "message,system_a,id_a,system_b,id_b,natural_key", RFC 4180 quoting.
// JSONL: {"message":..,"a":"system:id","b":"system:id","natural_key":..} per line.
// mongoexport: one document per line; each valid CPF/CNPJ becomes a remembered id
// "legacy:<canonical document>" with that natural key. An invalid document is an error.
Result<std::vector<Store::ImportPair>> ReadDePara(std::istream& in,
                                                  const DeParaImportOptions& options);

// Writes every entity's links as pairs (the first member paired with each other member), in
// CSV or JSONL. Returns the number of rows written.
Result<size_t> WriteDePara(std::ostream& out, DeParaFormat format,
                           const std::vector<LinkRow>& links);

}  // namespace ponte
