#pragma once
// UTF-8 validity, for text from outside (HTTP paths, queries, imported ids) before it reaches
// JSON, which must be valid UTF-8.

#include <string_view>

namespace ponte {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. NUL is
// valid UTF-8; callers that cannot hold it check for it themselves.
bool IsValidUtf8(std::string_view text);

}  // namespace ponte
