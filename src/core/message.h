#pragma once
// The canonical message, on the layout of TOTVS' standard messages ("Mensagem Única"):
//
//   { "Header":  { "UUID", "Type", "Transaction", "Version", "SourceApplication",
//                  "ProductName", "ProductVersion", "GeneratedOn" },
//     "Content": { "Event": "upsert" | "delete", "BusinessContent": { ... } },
//     "ReturnContent": { "ListOfInternalId": [ { "name", "origin", "destination" } ] } }
//
// Customers travel as the standard's CustomerVendor, version 2.007 (Name up to 80 characters;
// 2.000 allows 40). Helpdesk tickets travel as Ticket, ponte's own message: the standard has
// none for them (see docs/messages.md). Each BusinessContent is checked against schemas/*.json.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ponte {

using Json = nlohmann::json;

inline constexpr std::string_view kCustomerVendorTransaction = "CustomerVendor";
inline constexpr std::string_view kCustomerVendorVersion = "2.007";
inline constexpr std::string_view kTicketTransaction = "Ticket";
inline constexpr std::string_view kTicketVersion = "1.000";

// One ListOfInternalId entry: the InternalId of the same record in the origin and the
// destination system. ponte stores each one as a de/para link.
struct InternalIdPair {
  std::string name;         // the message name, e.g. "CustomerVendor"
  std::string origin;       // InternalId in the system the message came from
  std::string destination;  // InternalId in the system it was written to
  friend bool operator==(const InternalIdPair&, const InternalIdPair&) = default;
};

struct Message {
  std::string uuid;
  std::string transaction;   // message name
  std::string version;       // e.g. "2.007"
  std::string product_name;  // the system the record came from: "ploomes", "milvus"
  std::string generated_on;  // UTC ISO 8601
  std::string event = "upsert";
  Json business_content = Json::object();
  std::vector<InternalIdPair> return_content;

  Json ToJson() const;
  // Reads an envelope, checking its shape (not the BusinessContent; see ValidateMessage).
  static Result<Message> FromJson(const Json& json);
};

// Whether the message is in the version ponte writes for its transaction today (older ones come
// from a journal written before an upgrade).
bool IsCurrentVersion(const Message& message);

// A new message with a fresh UUID and the current time.
Message NewMessage(std::string_view transaction, std::string_view version,
                   std::string_view product_name, Json business_content);

}  // namespace ponte
