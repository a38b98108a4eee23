#include "core/document.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ponte {
namespace {

constexpr size_t kCpfLength = 11;
constexpr size_t kCnpjLength = 14;

// Characters people and CRMs put around the digits; anything else is an error.
bool IsPunctuation(char c) {
  return c == '.' || c == '-' || c == '/' || c == ' ' || c == '\t' || c == '_' || c == ',';
}

// The CNPJ check-digit rule works on "character value = ASCII code - 48", which gives digits
// their usual value and letters 17 ('A') to 42 ('Z'); this keeps numeric CNPJs unchanged.
int CharValue(char c) { return static_cast<unsigned char>(c) - '0'; }

char Mod11Digit(int sum) {
  int remainder = sum % 11;
  return remainder < 2 ? '0' : static_cast<char>('0' + (11 - remainder));
}

bool AllEqual(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return c == s.front(); });
}

Result<Document> Validate(std::string body, DocumentKind kind, std::string_view raw) {
  const size_t length = kind == DocumentKind::kCpf ? kCpfLength : kCnpjLength;
  if (body.size() < length) body.insert(0, length - body.size(), '0');
  const auto name = DocumentKindName(kind);
  if (AllEqual(body)) {
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not a valid {}: all digits are equal", raw, name)));
  }
  const std::string_view stem(body.data(), length - 2);
  const std::string expected =
      kind == DocumentKind::kCpf ? CpfCheckDigits(stem) : CnpjCheckDigits(stem);
  if (body.compare(length - 2, 2, expected) != 0) {
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not a valid {}: check digits are {}, expected {}", raw, name,
                    body.substr(length - 2), expected)));
  }
  return Document{kind, std::move(body)};
}

}  // namespace

std::string_view DocumentKindName(DocumentKind kind) {
  return kind == DocumentKind::kCpf ? "CPF" : "CNPJ";
}

std::string CpfCheckDigits(std::string_view first_nine) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += CharValue(first_nine[i]) * static_cast<int>(10 - i);
  // CPF: 11 - (sum mod 11), and 10 or 11 become 0, which is what Mod11Digit computes.
  const char d1 = Mod11Digit(sum);
  sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += CharValue(first_nine[i]) * static_cast<int>(11 - i);
  sum += CharValue(d1) * 2;
  return {d1, Mod11Digit(sum)};
}

std::string CnpjCheckDigits(std::string_view first_twelve) {
  // Weights run 2..9 from the right, restarting after 9.
  auto check = [](std::string_view chars) {
    int sum = 0;
    int weight = 2;
    for (size_t i = chars.size(); i-- > 0;) {
      sum += CharValue(chars[i]) * weight;
      weight = weight == 9 ? 2 : weight + 1;
    }
    return Mod11Digit(sum);
  };
  std::string s(first_twelve.substr(0, 12));
  const char d1 = check(s);
  s += d1;
  return {d1, check(s)};
}

std::string Document::Formatted() const {
  const std::string& c = canonical;
  if (kind == DocumentKind::kCpf) {
    return fmt::format("{}.{}.{}-{}", c.substr(0, 3), c.substr(3, 3), c.substr(6, 3),
                       c.substr(9, 2));
  }
  return fmt::format("{}.{}.{}/{}-{}", c.substr(0, 2), c.substr(2, 3), c.substr(5, 3),
                     c.substr(8, 4), c.substr(12, 2));
}

Result<Document> ParseDocument(std::string_view raw) {
  std::string body;
  bool has_letter = false;
  for (char c : raw) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      body += c;
    } else if (std::isalpha(static_cast<unsigned char>(c)) &&
               static_cast<unsigned char>(c) < 0x80) {
      body += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      has_letter = true;
    } else if (!IsPunctuation(c)) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' is not a CPF/CNPJ: the character '{}' does not belong in one", raw, c)));
    }
  }
  if (body.empty()) return Fail(Error::InvalidArgument("the CPF/CNPJ is empty"));

  if (has_letter) {
    // Alphanumeric CNPJ: letters only in the 12-character root, the check digits stay numeric.
    if (body.size() != kCnpjLength) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' is not a valid CNPJ: an alphanumeric CNPJ has 14 characters, this has {}", raw,
          body.size())));
    }
    if (!std::isdigit(static_cast<unsigned char>(body[12])) ||
        !std::isdigit(static_cast<unsigned char>(body[13]))) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' is not a valid CNPJ: the last two characters (check digits) must be digits",
          raw)));
    }
    return Validate(std::move(body), DocumentKind::kCnpj, raw);
  }

  if (body.size() > kCnpjLength) {
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not a CPF/CNPJ: {} digits is too long (CPF has 11, CNPJ 14)", raw,
        body.size())));
  }
  if (body.size() > kCpfLength) return Validate(std::move(body), DocumentKind::kCnpj, raw);
  // Up to 11 digits: a CPF, or a CNPJ whose leading zeros a spreadsheet dropped. The CPF
  // reading wins when both check out, since it needs fewer restored zeros.
  auto as_cpf = Validate(body, DocumentKind::kCpf, raw);
  if (as_cpf) return as_cpf;
  auto as_cnpj = Validate(body, DocumentKind::kCnpj, raw);
  if (as_cnpj) return as_cnpj;
  if (body.size() == kCpfLength) return as_cpf;  // the likeliest intent was a CPF
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not a valid CPF/CNPJ: {} digits, and neither the CPF nor the CNPJ check digits "
      "match with the leading zeros restored",
      raw, body.size())));
}

Result<Document> ParseDocument(std::string_view raw, DocumentKind expected) {
  auto doc = ParseDocument(raw);
  if (doc && doc->kind != expected) {
    return Fail(Error::InvalidArgument(fmt::format("'{}' is a valid {}, but a {} was expected",
                                                   raw, DocumentKindName(doc->kind),
                                                   DocumentKindName(expected))));
  }
  return doc;
}

}  // namespace ponte
