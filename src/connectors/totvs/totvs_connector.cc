#include "connectors/totvs/totvs_connector.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/fnv.h"
#include "core/log.h"
#include "core/utf8.h"

namespace ponte::totvs {
namespace {

constexpr const char* kTransactions = "/totvseai/standardmessage/v1/transactions";
constexpr const char* kContents = "/totvseai/standardmessage/v1/contents/";
constexpr std::string_view kLoadTransaction = "InternalIdLoad";

// The longest Name a CustomerVendor version allows: 40 up to 2.006, 80 from 2.007.
size_t NameLimit(const std::string& version) { return version >= "2.007" ? 80 : 40; }

Json Attributes(const std::string& sender_id) { return {{"sender_id", sender_id}}; }

}  // namespace

TotvsConnector::TotvsConnector(ApiClient& api, TotvsOptions options) : api_(api), options_(std::move(options)) {}

std::string TotvsConnector::SenderId(const Message& message, const std::optional<LinkedRecord>& linked) {
  if (linked) {
    auto attrs = Json::parse(linked->attributes, nullptr, false);
    if (attrs.is_object() && attrs.value("sender_id", "") != "") return attrs["sender_id"];
  }
  // One InternalId per customer whichever system its message came from: two routes that write
  // the same customer before either is linked (a Ploomes contact and its Milvus client, in one
  // run) reach the same ERP record through the ERP's de/para, and so does ponte after its store
  // is lost. The CPF/CNPJ is the customer's key in every system ponte joins.
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (cv && cv->document) return SenderIdOf(*cv->document);
  return fmt::format("{}|{}", message.product_name, message.business_content.value("InternalId", ""));
}

std::string TotvsConnector::SenderIdOf(const Document& doc) {
  return fmt::format("{}|{}", DocumentKindName(doc.kind), doc.canonical);
}

Result<Answer> TotvsConnector::Post(const Json& message, const std::string& what) {
  ApiCall call{"POST", "POST /transactions", kTransactions, message.dump()};
  auto response = api_.Call(call);
  if (!response) return Fail(response.error());
  auto answer = ReadAnswer(response->body);
  if (!answer) return Fail(Error(answer.error()).WithSystem(options_.name));
  if (answer->responded && !answer->ok()) {
    // The ERP refused the message itself (a field, a version): sending it again changes nothing.
    return Fail(Error::InvalidArgument(fmt::format("{} refused {}: {}", options_.name, what,
                                                   answer->errors.empty() ? "Status " + answer->status
                                                                          : fmt::format("{}", fmt::join(answer->errors, "; "))))
                    .WithSystem(options_.name));
  }
  return answer;
}

Result<CustomerWrite> TotvsConnector::WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) {
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (!cv) return Fail(cv.error());
  if (const size_t n = Utf8Length(cv->name); n > NameLimit(options_.message_version)) {
    // Never cut: the short name would travel back to the system the customer came from.
    return Fail(Error::InvalidArgument(fmt::format(
                    "/Name: is {} characters long, more than the {} CustomerVendor {} allows in {}; shorten it "
                    "in {}, or set systems.{}.message_version = \"2.007\" if the ERP takes that version",
                    n, NameLimit(options_.message_version), options_.message_version, options_.name,
                    message.product_name, options_.name))
                    .WithSystem(options_.name));
  }
  const std::string sender_id = SenderId(message, linked);
  if (linked && SenderId(message, std::nullopt) == sender_id && linked->attributes.find("sender_id") == std::string::npos) {
    // A customer born in the ERP (or linked before ponte kept the id it sends) is known to the
    // ERP by its own InternalId only: its de/para learns ponte's first, or the update would
    // arrive as a new customer.
    PONTE_RETURN_IF_ERROR(LoadInternalIds({{sender_id, linked->internal_id}}));
  }
  Json content = message.business_content;
  content["InternalId"] = sender_id;
  content.erase("Code");  // the ERP numbers its customers itself
  const Json body = BusinessMessage(options_.sender, kCustomerVendorTransaction, options_.message_version,
                                    message.uuid, content);
  auto answer = Post(body, fmt::format("customer {}", sender_id));
  if (!answer) return Fail(answer.error());
  CustomerWrite out{"", ContentHash(*cv), Attributes(sender_id).dump()};
  for (const auto& pair : answer->internal_ids) {
    if (pair.origin == sender_id && !pair.destination.empty()) out.internal_id = pair.destination;
  }
  if (!out.internal_id.empty()) return out;
  if (linked) {
    out.internal_id = linked->internal_id;  // an update: the record is the one linked
    return out;
  }
  // Accepted without saying which InternalId it gave (an async receiver): the customer is found
  // by its document, or, while the ERP has not processed it yet, on the next run.
  auto found = FindCustomers(*cv->document);
  if (!found) return Fail(found.error());
  if (found->size() == 1) {
    out.internal_id = found->front().internal_id;
    return out;
  }
  return Fail(Error::Unavailable(fmt::format(
                  "{} accepted customer {} without its InternalId and lists {} customers with CPF/CNPJ {}; "
                  "ponte looks again on the next run",
                  options_.name, sender_id, found->size(), cv->document->canonical))
                  .WithSystem(options_.name));
}

Result<std::string> TotvsConnector::AdoptCustomer(const std::string& internal_id, const Message& message) {
  const std::string sender_id = SenderId(message, std::nullopt);
  PONTE_RETURN_IF_ERROR(LoadInternalIds({{sender_id, internal_id}}));
  return Attributes(sender_id).dump();
}

Status TotvsConnector::LoadInternalIds(const std::vector<std::pair<std::string, std::string>>& sender_to_own) {
  Json items = Json::array();
  for (const auto& [theirs, own] : sender_to_own) items.push_back({{"IntegrationId", theirs}, {"NewIntegrationId", own}});
  Json content = {{"ExecutionIdentifier", static_cast<int64_t>(SystemClock::Get().Now().time_since_epoch().count() % 1'000'000'000)},
                  {"ListOfEntity", Json::array({{{"EntityName", kCustomerVendorTransaction}, {"ListOfInternalIdLoad", items}}})}};
  if (!options_.sender.company_id.empty()) content["CompanyId"] = options_.sender.company_id;
  if (!options_.sender.branch_id.empty()) content["BranchId"] = options_.sender.branch_id;
  auto answer = Post(BusinessMessage(options_.sender, kLoadTransaction, "1.000", NewMessage(kLoadTransaction, "1.000", "ponte", {}).uuid, content),
                     fmt::format("an InternalIdLoad of {} link(s)", sender_to_own.size()));
  if (!answer) return Fail(answer.error());
  if (!answer->responded) return {};  // queued: the ERP loads it when it processes the queue
  std::vector<std::string> refused;
  if (const Json* entities = Member(answer->return_content, "ListOfEntityReturn"); entities && entities->is_array()) {
    for (const auto& entity : *entities) {
      const Json* loaded = Member(entity, "ListOfInternalIdLoadReturn");
      if (!loaded || !loaded->is_array()) continue;
      for (const auto& item : *loaded) {
        if (Text(item, "Status") != "OK" && Text(item, "Status") != "Ok") {
          refused.push_back(fmt::format("{} -> {}: {}", Text(item, "OriginInternalId"), Text(item, "DestinationInternalId"),
                                        Text(item, "StatusMessage")));
        }
      }
    }
  }
  if (!refused.empty()) {
    return Fail(Error::FailedPrecondition(fmt::format("{} refused to load {} link(s) into its de/para: {}", options_.name,
                                                      refused.size(), fmt::join(refused, "; ")))
                    .WithSystem(options_.name));
  }
  return {};
}

Result<Listing<CustomerVendor>> TotvsConnector::CustomersChangedSince(std::optional<Instant>) {
  // The contents API has no change dates: every customer, each time.
  Listing<CustomerVendor> listing;
  const std::string resource = ContentsResource(kCustomerVendorTransaction, options_.message_version);
  for (int page = 1;; ++page) {
    ApiCall call{"GET", "GET /contents/customervendor",
                 fmt::format("{}{}?page={}&pageSize={}", kContents, resource, page, options_.page_size)};
    call.listing = true;
    call.check = [](const HttpResponse& r) -> Status {
      Json j = Json::parse(r.body, nullptr, false);
      if (!j.is_object() || !Member(j, "Items") || !Member(j, "Items")->is_array()) {
        return Fail(Error::DataLoss("the ERP's contents answer has no Items array"));
      }
      return {};
    };
    auto response = api_.Call(call);
    if (!response) return Fail(response.error());
    Json j = Json::parse(response->body, nullptr, false);
    ++listing.pages;
    const Json& items = *Member(j, "Items");
    for (const auto& item : items) {
      std::string id = item.value("InternalId", "");
      if (id.empty()) {
        id = ComposeCustomerId({Text(item, "CompanyId"), Text(item, "BranchId"), Text(item, "Code"), Text(item, "StoreId")});
      }
      auto cv = CustomerVendor::FromBusinessContent(item);
      if (!cv || !cv->document) {
        listing.skipped.push_back({id, cv ? "no CPF/CNPJ in GovernmentalInformation" : cv.error().message});
        continue;
      }
      cv->internal_id = id;
      SourceRecord<CustomerVendor> rec;
      rec.record = std::move(*cv);
      rec.internal_id = id;
      listing.records.push_back(std::move(rec));
    }
    const Json* more = Member(j, "HasNext");
    if (!more || !more->is_boolean() || !more->get<bool>() || items.empty()) break;
  }
  return listing;
}

Result<std::optional<SourceRecord<CustomerVendor>>> TotvsConnector::ReadCustomer(const std::string& internal_id) {
  PONTE_RETURN_IF_ERROR(SplitCustomerId(internal_id));
  ApiCall call{"GET", "GET /contents/customervendor/:id",
               kContents + ContentsResource(kCustomerVendorTransaction, options_.message_version) + "/" +
                   UrlEncode(internal_id)};
  auto response = api_.Call(call);
  if (!response) {
    if (response.error().code == ErrorCode::kNotFound) return std::optional<SourceRecord<CustomerVendor>>();
    return Fail(response.error());
  }
  Json item = Json::parse(response->body, nullptr, false);
  auto cv = CustomerVendor::FromBusinessContent(item);
  if (!cv) return Fail(Error(cv.error()).WithSystem(options_.name).WithRecord(internal_id));
  cv->internal_id = internal_id;
  SourceRecord<CustomerVendor> rec;
  rec.record = std::move(*cv);
  rec.internal_id = internal_id;
  return std::optional(std::move(rec));
}

Result<std::vector<SourceRecord<CustomerVendor>>> TotvsConnector::FindCustomers(const Document& doc) {
  // Whether the contents API filters by a GovernmentalInformation field is not documented: the
  // listing is read and compared by canonical document, so any typing of it matches.
  auto listing = CustomersChangedSince(std::nullopt);
  if (!listing) return Fail(listing.error());
  std::vector<SourceRecord<CustomerVendor>> found;
  for (auto& rec : listing->records) {
    if (rec.record.document && rec.record.document->canonical == doc.canonical) found.push_back(std::move(rec));
  }
  return found;
}

std::string TotvsConnector::ContentHash(const CustomerVendor& cv) const {
  // The ERP keeps the whole BusinessContent it was sent: every canonical field counts, except
  // the InternalId (each side has its own).
  Json content = cv.ToBusinessContent();
  content.erase("InternalId");
  content.erase("Code");
  return Fnv1aHex(content.dump());
}

}  // namespace ponte::totvs
