#pragma once
// Mensagem Única as a TOTVS ERP's REST EAI carries it (../shared/totvs.md, "Transport"):
// BusinessMessages ponte sends, the ResponseMessages the ERP answers, and the ERP's composite
// InternalIds. Only the totvs connector composes or splits these.
//
// What is unconfirmed is read leniently: member names in any case ("ListOfInternalId",
// "ListOfInternalID", "origin"), blanks around values trimmed, and an answer without a
// ResponseMessage (an async receiver's bare 2xx) told apart from a refusal.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/message.h"

namespace ponte::totvs {

using Json = nlohmann::json;

// How ponte introduces itself in a message header.
struct Sender {
  std::string source_application = "PONTE";  // the ERP's de/para keys what ponte sends by it
  std::string product_version;
  std::string company_id;  // Header.CompanyId / BranchId, when the ERP routes by them
  std::string branch_id;
};

// {Header, Content} of a BusinessMessage: an upsert event of `transaction` whose Content is the
// BusinessContent itself, delivered synchronously.
Json BusinessMessage(const Sender& sender, std::string_view transaction, std::string_view version,
                     const std::string& uuid, const Json& business_content);

// What a ResponseMessage said.
struct Answer {
  bool responded = false;  // false: a bare acknowledgement, with no ResponseMessage
  std::string status;      // ProcessingInformation.Status: "Ok", "ERROR" (as sent)
  std::vector<std::string> errors;  // "CODE: message" of each detail
  std::vector<InternalIdPair> internal_ids;  // ReturnContent.ListOfInternalId
  Json return_content = Json::object();

  bool ok() const;  // a ResponseMessage whose Status is OK, in any case
};

// Reads the body of the ERP's answer to a BusinessMessage. An empty body or one without
// Content is an acknowledgement (responded false); a body that is not JSON is DataLoss.
Result<Answer> ReadAnswer(std::string_view body);

// A BusinessMessage an ERP sent to ponte (its REST EAI pushing a change): the header's routing
// and the BusinessContent.
struct Received {
  std::string uuid;
  std::string transaction;         // as sent ("CUSTOMERVENDOR", "CustomerVendor")
  std::string version;
  std::string event;               // "upsert" or "delete"
  std::string source_application;  // the sender's instance (SentBy of the answer)
  Json content = Json::object();
};
// Reads a received BusinessMessage, names and values in any case. InvalidArgument saying what
// is missing: not JSON, no Header or Content, no UUID or Transaction.
Result<Received> ReadBusinessMessage(std::string_view body);

// The ResponseMessage ponte answers a received message with: Status OK and the InternalIds it
// took the record under (ReturnContent.ListOfInternalId: {Name, Origin: the sender's,
// Destination: ponte's}), or Status ERROR with one Details entry per error.
Json ResponseMessage(const Sender& sender, const Received& received, const std::vector<InternalIdPair>& internal_ids,
                     const std::vector<std::string>& errors);

// Whether two names are the same without regard to case, as ERPs spell them ("CUSTOMERVENDOR",
// "CustomerVendor"; "OK", "Ok").
bool SameName(std::string_view a, std::string_view b);
// A member of a JSON object by case-insensitive name, or null.
const Json* Member(const Json& object, std::string_view name);
// A string member, trimmed of the blanks ERPs pad codes with; "" when absent.
std::string Text(const Json& object, std::string_view name);

// A customer's InternalId in a Protheus-like ERP: company|branch|code|store. Parts are kept as
// the ERP sends them (a branch may be padded with blanks): an InternalId is an identifier, not
// text to tidy.
struct CustomerKey {
  std::string company;
  std::string branch;
  std::string code;
  std::string store;
};
std::string ComposeCustomerId(const CustomerKey& key);
// InvalidArgument unless the id has the four parts and a code.
Result<CustomerKey> SplitCustomerId(std::string_view internal_id);

// The path segment of a transaction's contents: "customervendor_2_000".
std::string ContentsResource(std::string_view transaction, std::string_view version);

}  // namespace ponte::totvs
