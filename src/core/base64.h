#pragma once
// Base64 (RFC 4648, with padding), for HTTP Basic credentials: the TOTVS ERPs' REST EAI
// takes "Authorization: Basic base64(user:password)".

#include <string>
#include <string_view>

namespace ponte {

std::string Base64Encode(std::string_view bytes);

}  // namespace ponte
