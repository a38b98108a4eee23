#pragma once
// UTF-8 validity, for text from outside (HTTP paths, queries, imported ids) before it reaches
// JSON, which must be valid UTF-8, and a one-line form of such text for reports and messages.

#include <cstddef>
#include <string>
#include <string_view>

namespace ponte {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. NUL is
// valid UTF-8; callers that cannot hold it check for it themselves.
bool IsValidUtf8(std::string_view text);

// The text as one printable line of valid UTF-8: a backslash becomes "\\", a tab, newline or
// carriage return "\t", "\n", "\r", any other control character and any byte that is not part
// of well-formed UTF-8 "\xNN". Well-formed text without those characters comes back unchanged,
// so an operator's report keeps one value per line whatever the value holds.
std::string EscapeForOneLine(std::string_view text);

// Characters (code points) of well-formed UTF-8: the bytes that do not continue a sequence. What
// a length limit counts (a schema's maxLength, an ERP's Name, a SQL substr).
size_t Utf8Length(std::string_view text);

}  // namespace ponte
