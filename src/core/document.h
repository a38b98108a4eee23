#pragma once
// Brazilian taxpayer documents: CPF (a person, 11 digits) and CNPJ (a company, 14 characters,
// alphanumeric in its first 12 positions for numbers Receita Federal issues from July 2026).
// The canonical form is the bare characters, upper case. Parsing follows one policy per input form
// (docs/messages.md, "Documents"): blanks around the value are dropped; a written-out value
// (with . - / , _ or spaces between the characters) must show all 11 or 14 of them; a value of
// bare digits may have lost up to two leading zeros in a spreadsheet, which are restored. The kind
// follows from the length alone (9-11 digits a CPF, 12-14 a CNPJ, letters a CNPJ), so a typo
// never turns a person into a company.

#include <string>
#include <string_view>

#include "core/error.h"

namespace ponte {

enum class DocumentKind { kCpf, kCnpj };

std::string_view DocumentKindName(DocumentKind kind);  // "CPF" or "CNPJ"

struct Document {
  DocumentKind kind = DocumentKind::kCpf;
  std::string canonical;  // 11 digits (CPF) or 14 characters (CNPJ), no punctuation

  bool is_person() const { return kind == DocumentKind::kCpf; }
  // 123.456.789-09 or 12.345.678/0001-95.
  std::string Formatted() const;
  friend bool operator==(const Document&, const Document&) = default;
};

// Parses a CPF or CNPJ in any common notation. The error message names the rule that failed:
// empty, a character that does not belong, the length, all-equal digits, or the check digits.
Result<Document> ParseDocument(std::string_view raw);
// Same, but only accepts the given kind.
Result<Document> ParseDocument(std::string_view raw, DocumentKind expected);

// Check digits for the first 9 CPF digits or the first 12 CNPJ characters (exposed for the
// sandbox's data generator and for tests).
std::string CpfCheckDigits(std::string_view first_nine);
std::string CnpjCheckDigits(std::string_view first_twelve);

}  // namespace ponte
