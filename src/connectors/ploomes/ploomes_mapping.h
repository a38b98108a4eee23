#pragma once
// Ploomes records <-> canonical messages. The adapter is the only place that composes a Ploomes
// InternalId (the numeric Id, one part) and reads Ploomes field names.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/customer_vendor.h"
#include "core/listing.h"
#include "core/ticket.h"

namespace ponte::ploomes {

using Json = nlohmann::json;

// What the mapping needs expanded on a contact listing (no extra calls per record).
inline constexpr const char* kContactExpand = "Phones,City,State";
inline constexpr const char* kTicketSourceExpand = "Tags,OtherProperties";

// The Ploomes InternalId of a record: its numeric Id as a string.
Result<std::string> InternalIdOf(const Json& record);

// A contact as CustomerVendor. The document is the first valid one of CNPJ, CPF and Register;
// a contact with none is InvalidArgument naming what was there (the route skips it).
Result<CustomerVendor> ContactToCustomer(const Json& contact);

// Looks up Ploomes city and state ids for a write.
struct PlaceIds {
  std::optional<int64_t> city_id;
  std::optional<int64_t> state_id;
};

// Where a contact's CPF/CNPJ is written (ploomes.document_field in ../shared/api/unknowns.md).
enum class DocumentPlacement { kRegister, kCnpjCpf, kBoth };
std::string_view DocumentPlacementName(DocumentPlacement p);  // "register", "cnpj_cpf", "both"
std::optional<DocumentPlacement> ParseDocumentPlacement(std::string_view name);

// The body of a POST /Contacts (create) or PATCH (update: only what the canonical message
// carries, so Ploomes fields ponte does not know are left alone).
Json CustomerToContact(const CustomerVendor& cv, const PlaceIds& place, bool create,
                       DocumentPlacement placement = DocumentPlacement::kRegister);
// Only the document, in one placement: the repair of a write whose document Ploomes dropped.
Json DocumentOnly(const Document& doc, DocumentPlacement placement);

// A task or interaction as a Ticket. `tag_names` maps TagId -> name for the configured tags;
// the first matching tag becomes the category. Missing title or contact are reported by the
// route, not here.
Result<Ticket> TaskToTicket(const Json& task, const std::map<int64_t, std::string>& tag_names);
Result<Ticket> InteractionToTicket(const Json& interaction,
                                   const std::map<int64_t, std::string>& tag_names);

// Whether the record carries one of the tags.
bool HasAnyTag(const Json& record, const std::map<int64_t, std::string>& tag_names);

// The record's contact id, if it has one.
std::optional<std::string> ContactIdOf(const Json& record);
// A record's custom fields with a value, as text, by FieldKey: OtherProperties as the REST API
// lists them (`[{FieldKey, <Type>Value}]`) or as a webhook carries them (`{FieldKey: value}`).
// An option field gives its ObjectValueName.
std::map<std::string, std::string> CustomFieldsOf(const Json& record);

// Server timestamps.
Result<Instant> LastUpdateOf(const Json& record);
Result<Instant> CreatedOf(const Json& record);

// Text of an HTML interaction body: tags dropped, entities decoded, whitespace folded.
std::string HtmlToText(std::string_view html);

// Content hash of what a Ploomes contact read returns of a customer: a record ponte wrote
// hashes, read back, to what ponte stored on the de/para link (echo suppression).
std::string CustomerHash(const CustomerVendor& cv);

}  // namespace ponte::ploomes
