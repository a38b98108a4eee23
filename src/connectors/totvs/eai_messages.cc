#include "connectors/totvs/eai_messages.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/time.h"

namespace ponte::totvs {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const Json* Member(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (SameName(it.key(), name)) return &it.value();
  }
  return nullptr;
}

std::string Text(const Json& object, std::string_view name) {
  const Json* v = Member(object, name);
  if (!v) return "";
  if (v->is_string()) return Trimmed(v->get<std::string>());
  if (v->is_number()) return v->dump();
  return "";
}

Json BusinessMessage(const Sender& sender, std::string_view transaction, std::string_view version,
                     const std::string& uuid, const Json& business_content) {
  Json header = {{"UUID", uuid},
                 {"Type", "BusinessMessage"},
                 {"SubType", "event"},
                 {"Event", "upsert"},
                 {"Transaction", transaction},
                 {"Version", version},
                 {"SourceApplication", sender.source_application},
                 {"ProductName", "PONTE"},
                 {"ProductVersion", sender.product_version},
                 {"GeneratedOn", FormatUtc(SystemClock::Get().Now())},
                 {"DeliveryType", "sync"}};
  if (!sender.company_id.empty()) header["CompanyId"] = sender.company_id;
  if (!sender.branch_id.empty()) header["BranchId"] = sender.branch_id;
  return {{"Header", header}, {"Content", business_content}};
}

Result<Received> ReadBusinessMessage(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return Fail(Error::InvalidArgument("the message is not JSON"));
  const Json* header = Member(j, "Header");
  const Json* content = Member(j, "Content");
  if (!header || !header->is_object() || !content || !content->is_object()) {
    return Fail(Error::InvalidArgument("a BusinessMessage is {\"Header\": {...}, \"Content\": {...}}"));
  }
  Received r;
  r.uuid = Text(*header, "UUID");
  r.transaction = Text(*header, "Transaction");
  r.version = Text(*header, "Version");
  r.event = Text(*header, "Event");
  r.source_application = Text(*header, "SourceApplication");
  r.content = *content;
  if (r.uuid.empty()) return Fail(Error::InvalidArgument("the message's Header has no UUID"));
  if (r.transaction.empty()) return Fail(Error::InvalidArgument("the message's Header has no Transaction"));
  if (r.event.empty()) r.event = "upsert";
  return r;
}

Json ResponseMessage(const Sender& sender, const Received& received, const std::vector<InternalIdPair>& internal_ids,
                     const std::vector<std::string>& errors) {
  const std::string now = FormatUtc(SystemClock::Get().Now());
  Json header = {{"UUID", "ponte-" + received.uuid},
                 {"Type", "Response"},
                 {"Transaction", received.transaction},
                 {"Version", received.version},
                 {"SourceApplication", sender.source_application},
                 {"ProductName", "PONTE"},
                 {"ProductVersion", sender.product_version},
                 {"GeneratedOn", now},
                 {"DeliveryType", "sync"}};
  Json details = Json::array();
  for (const auto& e : errors) details.push_back({{"Code", "PONTE"}, {"Message", e}});
  Json ids = Json::array();
  for (const auto& p : internal_ids) ids.push_back({{"Name", p.name}, {"Origin", p.origin}, {"Destination", p.destination}});
  Json content = {{"ReceivedMessage", {{"UUID", received.uuid}, {"SentBy", received.source_application}, {"Event", received.event}}},
                  {"ProcessingInformation", {{"ProcessedOn", now}, {"Status", errors.empty() ? "OK" : "ERROR"}, {"Details", details}}},
                  {"ReturnContent", {{"ListOfInternalId", ids}}}};
  return {{"Header", header}, {"Content", content}};
}

bool Answer::ok() const { return responded && SameName(status, "ok"); }

Result<Answer> ReadAnswer(std::string_view body) {
  Answer a;
  if (std::all_of(body.begin(), body.end(), [](unsigned char c) { return std::isspace(c); })) return a;
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return Fail(Error::DataLoss("the ERP answered a message with something that is not JSON"));
  const Json* content = Member(j, "Content");
  if (!content || !content->is_object()) return a;  // an acknowledgement ({} or a receipt)
  a.responded = true;
  if (const Json* info = Member(*content, "ProcessingInformation")) {
    a.status = Text(*info, "Status");
    // JSON receivers list errors in Details; some Protheus adapters in ListOfMessages.
    for (const char* key : {"Details", "ListOfMessages"}) {
      const Json* details = Member(*info, key);
      if (!details || !details->is_array()) continue;
      for (const auto& d : *details) {
        const std::string code = Text(d, "Code"), message = Text(d, "Message");
        a.errors.push_back(code.empty() ? message : code + ": " + message);
      }
    }
  }
  if (const Json* rc = Member(*content, "ReturnContent"); rc && rc->is_object()) {
    a.return_content = *rc;
    if (const std::string error = Text(*rc, "Error"); !error.empty()) a.errors.push_back(error);
    if (const Json* list = Member(*rc, "ListOfInternalId"); list && list->is_array()) {
      for (const auto& item : *list) {
        a.internal_ids.push_back({Text(item, "Name"), Text(item, "Origin"), Text(item, "Destination")});
      }
    }
  }
  return a;
}

std::string ComposeCustomerId(const CustomerKey& key) {
  return fmt::format("{}|{}|{}|{}", key.company, key.branch, key.code, key.store);
}

Result<CustomerKey> SplitCustomerId(std::string_view internal_id) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t bar = internal_id.find('|', start);
    parts.emplace_back(internal_id.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 4 || Trimmed(parts[2]).empty()) {
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not a customer InternalId of a TOTVS ERP (company|branch|code|store)", internal_id)));
  }
  return CustomerKey{parts[0], parts[1], parts[2], parts[3]};
}

std::string ContentsResource(std::string_view transaction, std::string_view version) {
  std::string out;
  for (char c : transaction) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out += '_';
  for (char c : version) out += c == '.' ? '_' : c;
  return out;
}

}  // namespace ponte::totvs
