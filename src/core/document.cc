#include "core/document.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/utf8.h"

namespace ponte {
namespace {

constexpr size_t kCpfLength = 11;
constexpr size_t kCnpjLength = 14;

// A spreadsheet or a form drops leading zeros of a number; restoring more than two would be
// guessing (a three-digit "191" is not anybody's CPF).
constexpr size_t kMaxRestoredZeros = 2;

// Characters people and CRMs put between the digits; anything else is an error.
bool IsSeparator(char c) {
  return c == '.' || c == '-' || c == '/' || c == ' ' || c == '_' || c == ',';
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A character named in an error message: quoted when printable, else escaped (\n, \xFF).
std::string PrintableChar(char c) {
  const std::string shown = EscapeForOneLine(std::string_view(&c, 1));
  return shown.size() == 1 ? fmt::format("'{}'", shown) : shown;
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
        fmt::format("'{}' is not a valid {}: all digits are equal", EscapeForOneLine(raw), name)));
  }
  const std::string_view stem(body.data(), length - 2);
  const std::string expected =
      kind == DocumentKind::kCpf ? CpfCheckDigits(stem) : CnpjCheckDigits(stem);
  if (body.compare(length - 2, 2, expected) != 0) {
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not a valid {}: check digits are {}, expected {}", EscapeForOneLine(raw), name,
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
  // Blanks around the value are a cell's or a form's padding, not part of the document.
  std::string_view value = raw;
  while (!value.empty() && IsBlank(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsBlank(value.back())) value.remove_suffix(1);

  std::string body;
  bool has_letter = false;
  bool has_separator = false;
  for (char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      body += c;
    } else if (IsAsciiLetter(c)) {
      body += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      has_letter = true;
    } else if (IsSeparator(c)) {
      has_separator = true;
    } else {
      return Fail(Error::InvalidArgument(
          fmt::format("'{}' is not a CPF/CNPJ: the character {} does not belong in one",
                      EscapeForOneLine(raw), PrintableChar(c))));
    }
  }
  if (body.empty()) return Fail(Error::InvalidArgument("the CPF/CNPJ is empty"));

  if (has_letter) {
    // Alphanumeric CNPJ: letters only in the 12-character root, the check digits stay numeric.
    if (body.size() != kCnpjLength) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' is not a valid CNPJ: an alphanumeric CNPJ has 14 characters, this has {}",
          EscapeForOneLine(raw), body.size())));
    }
    if (!std::isdigit(static_cast<unsigned char>(body[12])) ||
        !std::isdigit(static_cast<unsigned char>(body[13]))) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' is not a valid CNPJ: the last two characters (check digits) must be digits",
          EscapeForOneLine(raw))));
    }
    return Validate(std::move(body), DocumentKind::kCnpj, raw);
  }
  if (body.size() > kCnpjLength) {
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not a CPF/CNPJ: {} digits is too long (CPF has 11, CNPJ 14)", EscapeForOneLine(raw),
        body.size())));
  }

  // The kind follows from the number of digits alone, never from which check digits happen to
  // match: a mistyped CPF must not become a valid CNPJ (see docs/messages.md, "Documents").
  if (has_separator) {
    // A written-out document shows every digit; one missing is a typo, not a dropped zero.
    if (body.size() == kCpfLength) return Validate(std::move(body), DocumentKind::kCpf, raw);
    if (body.size() == kCnpjLength) return Validate(std::move(body), DocumentKind::kCnpj, raw);
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not a valid CPF/CNPJ: it has {} digits, and a written-out CPF has 11, a CNPJ "
        "14 (leading zeros are restored only on a value of bare digits)",
        EscapeForOneLine(raw), body.size())));
  }
  // Bare digits: a spreadsheet's numeric cell drops leading zeros, and up to two are restored.
  // 12 to 14 digits can only be a CNPJ, 9 to 11 only a CPF (a CNPJ would have lost three).
  if (body.size() >= kCnpjLength - kMaxRestoredZeros) {
    return Validate(std::move(body), DocumentKind::kCnpj, raw);
  }
  if (body.size() >= kCpfLength - kMaxRestoredZeros) {
    return Validate(std::move(body), DocumentKind::kCpf, raw);
  }
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not a valid CPF/CNPJ: {} digits is too short (CPF has 11, CNPJ 14; at most {} "
      "dropped leading zeros are restored, so write it out in full)",
      EscapeForOneLine(raw), body.size(), kMaxRestoredZeros)));
}

Result<Document> ParseDocument(std::string_view raw, DocumentKind expected) {
  auto doc = ParseDocument(raw);
  if (doc && doc->kind != expected) {
    return Fail(Error::InvalidArgument(fmt::format("'{}' is a valid {}, but a {} was expected",
                                                   EscapeForOneLine(raw), DocumentKindName(doc->kind),
                                                   DocumentKindName(expected))));
  }
  return doc;
}

}  // namespace ponte
