#include "core/message.h"

#include <random>

#include <fmt/format.h>

#include "core/time.h"
#include "core/version.h"

namespace ponte {
namespace {

constexpr std::string_view kSourceApplication = "ponte";
constexpr std::string_view kMessageType = "BusinessMessage";

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  // Version 4, variant 1.
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                     a & 0xffff, b >> 48, b & 0xffffffffffffULL);
}

Result<std::string> RequiredString(const Json& obj, const char* key, std::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return Fail(Error::InvalidArgument(
        fmt::format("message {} has no string field '{}'", where, key)));
  }
  return it->get<std::string>();
}

}  // namespace

Json Message::ToJson() const {
  Json list = Json::array();
  for (const auto& p : return_content) {
    list.push_back({{"name", p.name}, {"origin", p.origin}, {"destination", p.destination}});
  }
  return {
      {"Header",
       {{"UUID", uuid},
        {"Type", kMessageType},
        {"Transaction", transaction},
        {"Version", version},
        {"SourceApplication", kSourceApplication},
        {"ProductName", product_name},
        // The official transactionHeaderType requires it; ponte is the product that wrote it.
        {"ProductVersion", kPonteVersion},
        {"GeneratedOn", generated_on}}},
      {"Content", {{"Event", event}, {"BusinessContent", business_content}}},
      {"ReturnContent", {{"ListOfInternalId", list}}},
  };
}

Result<Message> Message::FromJson(const Json& json) {
  if (!json.is_object()) return Fail(Error::InvalidArgument("a message must be a JSON object"));
  auto header = json.find("Header");
  auto content = json.find("Content");
  if (header == json.end() || !header->is_object()) {
    return Fail(Error::InvalidArgument("message has no Header object"));
  }
  if (content == json.end() || !content->is_object()) {
    return Fail(Error::InvalidArgument("message has no Content object"));
  }
  Message m;
  auto assign = [](std::string& out, Result<std::string> value) -> Status {
    if (!value) return Fail(value.error());
    out = std::move(*value);
    return {};
  };
  PONTE_RETURN_IF_ERROR(assign(m.uuid, RequiredString(*header, "UUID", "Header")));
  PONTE_RETURN_IF_ERROR(assign(m.transaction, RequiredString(*header, "Transaction", "Header")));
  PONTE_RETURN_IF_ERROR(assign(m.version, RequiredString(*header, "Version", "Header")));
  PONTE_RETURN_IF_ERROR(assign(m.product_name, RequiredString(*header, "ProductName", "Header")));
  PONTE_RETURN_IF_ERROR(assign(m.generated_on, RequiredString(*header, "GeneratedOn", "Header")));
  PONTE_RETURN_IF_ERROR(assign(m.event, RequiredString(*content, "Event", "Content")));
  if (m.event != "upsert" && m.event != "delete") {
    return Fail(Error::InvalidArgument(
        fmt::format("message Content.Event is '{}', expected upsert or delete", m.event)));
  }
  auto bc = content->find("BusinessContent");
  if (bc == content->end() || !bc->is_object()) {
    return Fail(Error::InvalidArgument("message Content has no BusinessContent object"));
  }
  m.business_content = *bc;
  if (auto rc = json.find("ReturnContent"); rc != json.end() && rc->is_object()) {
    if (auto list = rc->find("ListOfInternalId"); list != rc->end()) {
      if (!list->is_array()) {
        return Fail(Error::InvalidArgument("ReturnContent.ListOfInternalId must be an array"));
      }
      for (const auto& entry : *list) {
        if (!entry.is_object()) {
          return Fail(Error::InvalidArgument("ListOfInternalId entries must be objects"));
        }
        InternalIdPair p;
        PONTE_RETURN_IF_ERROR(assign(p.name, RequiredString(entry, "name", "ListOfInternalId")));
        PONTE_RETURN_IF_ERROR(
            assign(p.origin, RequiredString(entry, "origin", "ListOfInternalId")));
        PONTE_RETURN_IF_ERROR(
            assign(p.destination, RequiredString(entry, "destination", "ListOfInternalId")));
        m.return_content.push_back(std::move(p));
      }
    }
  }
  return m;
}

bool IsCurrentVersion(const Message& message) {
  return (message.transaction == kCustomerVendorTransaction && message.version == kCustomerVendorVersion) ||
         (message.transaction == kTicketTransaction && message.version == kTicketVersion);
}

Message NewMessage(std::string_view transaction, std::string_view version,
                   std::string_view product_name, Json business_content) {
  Message m;
  m.uuid = NewUuid();
  m.transaction = transaction;
  m.version = version;
  m.product_name = product_name;
  m.generated_on = FormatUtc(SystemClock::Get().Now());
  m.business_content = std::move(business_content);
  return m;
}

}  // namespace ponte
