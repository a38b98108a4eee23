#pragma once
// Validates canonical messages against the JSON schemas in schemas/ (compiled once, see
// core/compiled_schema.h): the envelope against TotvsMessage, the BusinessContent against
// <Transaction>_<version>.json's BusinessContentType.

#include <string>
#include <vector>

#include "core/error.h"
#include "core/message.h"

namespace ponte {

// Every violation, as "<json pointer>: <reason>". Empty means valid.
using SchemaViolations = std::vector<std::string>;

// Validates a whole message JSON (envelope and BusinessContent). InvalidArgument lists the
// violations; NotFound when no schema exists for the transaction and version.
Status ValidateMessageJson(const Json& message);
Status ValidateMessage(const Message& message);

// Validates one BusinessContent for a transaction and version ("2.007").
Status ValidateBusinessContent(std::string_view transaction, std::string_view version,
                               const Json& content);

// The names of the embedded schemas ("CustomerVendor_2_007", ...).
std::vector<std::string> SchemaNames();

}  // namespace ponte
