// The TOTVS ERP emulator under /totvs: a Protheus-like receiver of Mensagem Única over the REST
// EAI transport (../shared/totvs.md): POST .../transactions for CustomerVendor and
// InternalIdLoad, GET .../contents/customervendor_2_000 for what it holds. Like a real ERP it
// keeps its own de/para (XXF): a sender's InternalId it knows is an update, one it does not is
// a new customer. Unconfirmed parts (the answer to a write, the spelling of ListOfInternalId)
// are switches.

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/time.h"
#include "core/utf8.h"
#include "sandbox/internal/http_support.h"
#include "sandbox/internal/routes.h"

namespace ponte::sandbox::detail {
namespace {

constexpr const char* kBase = "/totvs/totvseai/standardmessage/v1";
constexpr int kTotvsDefaultPageSize = 10;  // [C] 378275208
constexpr int kTotvsMaxPageSize = 100;
constexpr const char* kProduct = "PROTHEUS";
constexpr const char* kSourceApplication = "SANDBOX_ERP";

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A member of a JSON object by case-insensitive name: real ERPs mix UpperCamelCase and
// camelCase ("Header", "header").
const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (Lower(it.key()) == Lower(std::string(key))) return &it.value();
  }
  return nullptr;
}

std::string Text(const Json& object, std::string_view key) {
  const Json* v = Member(object, key);
  if (!v || !v->is_string()) return "";
  std::string s = v->get<std::string>();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The longest Name each version allows: 40 up to 2.006, 80 from 2.007.
size_t NameLimit(const std::string& version) { return version >= "2.007" ? 80 : 40; }

std::string CustomerInternalId(const World& w, int code) {
  return fmt::format("{}|{}|{:06d}|01", w.options.totvs_company, w.options.totvs_branch, code);
}

// A new customer as the ERP keeps it: the content as received, under its own keys.
Json NewCustomerLocked(World& w, Json content) {
  const int code = w.totvs.next_code++;
  const std::string id = CustomerInternalId(w, code);
  content["InternalId"] = id;
  content["Code"] = fmt::format("{:06d}", code);
  content["StoreId"] = "01";
  content["CompanyId"] = w.options.totvs_company;
  content["BranchId"] = w.options.totvs_branch;
  content["CompanyInternalId"] = w.options.totvs_company + "|" + w.options.totvs_branch;
  w.totvs.customers[id] = content;
  return content;
}

// What the ERP refuses in a customer (A1_NOME's size, A1_CGC's check digits), or "".
std::string Invalid(const Json& content, const std::string& version) {
  const std::string name = Text(content, "Name");
  if (name.empty()) return "Name: campo obrigatório";
  const size_t chars = Utf8Length(name);
  if (chars > NameLimit(version)) {
    return fmt::format("Name: tamanho {} maior que o permitido ({}) na versão {}", chars, NameLimit(version), version);
  }
  auto cv = CustomerVendor::FromBusinessContent(content);
  if (!cv) return "GovernmentalInformation: " + cv.error().message;
  if (!cv->document) return "GovernmentalInformation: CPF/CNPJ obrigatório";
  return "";
}

Json ListOfInternalId(const World& w, const std::vector<std::array<std::string, 3>>& items) {
  const bool lower = w.options.totvs_id_case == "lower";
  Json list = Json::array();
  for (const auto& [name, origin, destination] : items) {
    list.push_back(lower ? Json{{"name", name}, {"origin", origin}, {"destination", destination}}
                         : Json{{"Name", name}, {"Origin", origin}, {"Destination", destination}});
  }
  return list;
}

// The ResponseMessage to a BusinessMessage (TDN [A]): who is answered, how it went, and what
// the ERP wants the sender to know.
Json Response(const World& w, const Json& header, const std::string& status, Json return_content,
              Json details = Json::array()) {
  return {{"Header",
           {{"UUID", fmt::format("{:08x}-resp", std::hash<std::string>{}(Text(header, "UUID")) & 0xffffffffu)},
            {"Type", "Response"},
            {"Transaction", Text(header, "Transaction")},
            {"Version", Text(header, "Version")},
            {"SourceApplication", kSourceApplication},
            {"ProductName", kProduct},
            {"ProductVersion", "12.1.2310"},
            {"CompanyId", w.options.totvs_company},
            {"BranchId", w.options.totvs_branch},
            {"GeneratedOn", FormatIsoLocal(w.clock.Now())},
            {"DeliveryType", "sync"}}},
          {"Content",
           {{"ReceivedMessage",
             {{"UUID", Text(header, "UUID")}, {"SentBy", Text(header, "SourceApplication")}, {"Event", Text(header, "Event")}}},
            {"ProcessingInformation", {{"ProcessedOn", FormatIsoLocal(w.clock.Now())}, {"Status", status}, {"Details", details}}},
            {"ReturnContent", std::move(return_content)}}}};
}

void Refuse(World& w, httplib::Response& res, const Json& header, const std::string& code, const std::string& message) {
  // A business error travels as a ResponseMessage with Status ERROR under HTTP 200, as the SOAP
  // receiveMessage did: a client that reads only the HTTP status takes it for a success.
  SendJson(res, 200, Response(w, header, "ERROR", Json::object(),
                              Json::array({{{"Code", code}, {"Message", message}, {"DetailedMessage", ""}, {"HelpUrl", ""}}})));
}

void ReceiveCustomer(World& w, const Json& header, const Json& content, httplib::Response& res) {
  const std::string version = Text(header, "Version");
  if (version < "2.000" || version > "2.007") {
    return Refuse(w, res, header, "EAI002", fmt::format("versão {} de CUSTOMERVENDOR não habilitada (2.000 a 2.007)", version));
  }
  if (Lower(Text(header, "Event")) == "delete") return Refuse(w, res, header, "EAI003", "exclusão não habilitada");
  if (const std::string why = Invalid(content, version); !why.empty()) return Refuse(w, res, header, "MATA030", why);
  const std::string sender_id = Text(content, "InternalId");
  if (sender_id.empty()) return Refuse(w, res, header, "EAI004", "InternalId obrigatório");
  const std::string key = Text(header, "SourceApplication") + "|" + sender_id;
  std::string own;
  {
    std::lock_guard lock(w.mu);
    auto known = w.totvs.depara.find(key);
    if (known != w.totvs.depara.end() && w.totvs.customers.count(known->second)) {
      own = known->second;
      Json& stored = w.totvs.customers[own];
      for (auto it = content.begin(); it != content.end(); ++it) {
        if (it.key() != "InternalId" && it.key() != "Code" && it.key() != "CompanyId" && it.key() != "BranchId" &&
            it.key() != "CompanyInternalId" && it.key() != "StoreId") {
          stored[it.key()] = it.value();
        }
      }
    } else {
      own = NewCustomerLocked(w, content)["InternalId"];
      w.totvs.depara[key] = own;
    }
  }
  if (w.options.totvs_answer == "ack_only") {
    res.status = 202;  // accepted for the queue; the Response would travel later, on its own
    return;
  }
  SendJson(res, 200, Response(w, header, "Ok", {{w.options.totvs_id_case == "lower" ? "ListOfInternalID" : "ListOfInternalId",
                                                 ListOfInternalId(w, {{"CustomerVendor", sender_id, own}})}}));
}

// InternalIdLoad 1.000: the sender's InternalIds of records the ERP has, loaded into its de/para.
void ReceiveInternalIdLoad(World& w, const Json& header, const Json& content, httplib::Response& res) {
  const Json* entities = Member(content, "ListOfEntity");
  if (!entities || !entities->is_array()) return Refuse(w, res, header, "EAI005", "ListOfEntity obrigatório");
  Json returns = Json::array();
  std::lock_guard lock(w.mu);
  ++w.totvs.loads;
  for (const auto& entity : *entities) {
    const std::string name = Text(entity, "EntityName");
    Json loaded = Json::array();
    const Json* items = Member(entity, "ListOfInternalIdLoad");
    for (const Json& item : items && items->is_array() ? *items : Json::array()) {
      const std::string theirs = Text(item, "IntegrationId"), ours = Text(item, "NewIntegrationId");
      // NewIntegrationId is the ERP's own InternalId: kept as sent, blanks and all.
      const Json* raw_ours = Member(item, "NewIntegrationId");
      const std::string own = raw_ours && raw_ours->is_string() ? raw_ours->get<std::string>() : ours;
      std::string status = "OK", message;
      if (Lower(name) != "customervendor") {
        status = "ERROR", message = "entidade não habilitada: " + name;
      } else if (theirs.empty() || !w.totvs.customers.count(own)) {
        status = "ERROR", message = "registro não encontrado: " + own;
      } else {
        w.totvs.depara[Text(header, "SourceApplication") + "|" + theirs] = own;
      }
      loaded.push_back({{"OriginInternalId", theirs}, {"DestinationInternalId", own}, {"Status", status}, {"StatusMessage", message}});
    }
    returns.push_back({{"EntityName", name}, {"ListOfInternalIdLoadReturn", loaded}});
  }
  SendJson(res, 200, Response(w, header, "Ok", {{"ExecutionIdentifier", Member(content, "ExecutionIdentifier") ? *Member(content, "ExecutionIdentifier") : Json(0)},
                                                 {"ListOfEntityReturn", returns}}));
}

void Transactions(World& w, const httplib::Request& req, httplib::Response& res) {
  if (req.has_param("batchType")) {
    return SendTotvsError(res, 400, "FE003", "lotes não habilitados neste receptor; envie uma mensagem por requisição");
  }
  auto body = ParseBody(req, res, Api::kTotvs);
  if (!body) return;
  const Json* header = Member(*body, "Header");
  const Json* content = Member(*body, "Content");
  if (!header || !header->is_object() || !content || !content->is_object()) {
    return SendTotvsError(res, 400, "FE001", "Header e Content obrigatórios");
  }
  if (Lower(Text(*header, "Type")) != "businessmessage") {
    return SendTotvsError(res, 400, "FE001", "Type deve ser BusinessMessage");
  }
  // Content is the BusinessContent itself; {BusinessContent: ...} is read too.
  const Json* business = Member(*content, "BusinessContent");
  const Json& bc = business && business->is_object() ? *business : *content;
  const std::string transaction = Lower(Text(*header, "Transaction"));
  if (transaction == "customervendor") return ReceiveCustomer(w, *header, bc, res);
  if (transaction == "internalidload") return ReceiveInternalIdLoad(w, *header, bc, res);
  Refuse(w, res, *header, "EAI001", fmt::format("transação {} não habilitada", Text(*header, "Transaction")));
}

void Contents(World& w, const httplib::Request& req, httplib::Response& res) {
  int page = kTotvsDefaultPageSize, size = kTotvsDefaultPageSize;
  try {
    page = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 1;
    size = req.has_param("pageSize") ? std::stoi(req.get_param_value("pageSize")) : kTotvsDefaultPageSize;
  } catch (...) {
    return SendTotvsError(res, 400, "FE001", "page e pageSize devem ser números");
  }
  if (page < 1 || size < 1) return SendTotvsError(res, 400, "FE001", "page e pageSize começam em 1");
  size = std::min(size, kTotvsMaxPageSize);
  std::lock_guard lock(w.mu);
  Json items = Json::array();
  int index = 0;
  const int first = (page - 1) * size;
  for (const auto& [id, c] : w.totvs.customers) {
    if (index >= first && index < first + size) items.push_back(c);
    ++index;
  }
  SendJson(res, 200, {{"HasNext", first + size < index}, {"Items", items}});
}

void ContentById(World& w, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(w.mu);
  auto it = w.totvs.customers.find(req.matches[2]);
  if (it == w.totvs.customers.end()) return SendTotvsError(res, 404, "FE404", "registro não encontrado");
  SendJson(res, 200, it->second);
}

}  // namespace

void GenerateTotvsLocked(World& w, DataGenerator& gen, const std::vector<std::string>& shared) {
  w.totvs = TotvsData{};
  std::set<std::string> used;
  for (int i = 0; i < w.options.totvs_customers; ++i) {
    GeneratedPerson p = gen.Person(false);
    CustomerVendor cv;
    // A quarter are customers the CRM has too (same document, typed the ERP's way: digits).
    const bool share = !shared.empty() && gen.Real() < 0.25;
    const size_t pick = shared.empty() ? 0 : static_cast<size_t>(gen.Uniform(0, static_cast<int>(shared.size()) - 1));
    // Each CRM customer is in the ERP at most once, and so is every document.
    auto doc = ParseDocument(p.document);
    if (share && used.insert(shared[pick]).second) {
      doc = ParseDocument(shared[pick]);
    } else {
      while (!doc || !used.insert(doc->canonical).second) doc = ParseDocument(gen.ValidDocument(p.company));
    }
    cv.document = *doc;
    cv.name = p.name.substr(0, 40);  // A1_NOME
    if (cv.name.size() < p.name.size()) {
      while (!cv.name.empty() && (static_cast<unsigned char>(cv.name.back()) & 0xC0) == 0x80) cv.name.pop_back();
      if (!cv.name.empty() && (static_cast<unsigned char>(cv.name.back()) & 0xC0) == 0xC0) cv.name.pop_back();
    }
    cv.short_name = p.company && !p.trade_name.empty() ? p.trade_name : "";
    cv.email = p.email;
    cv.phone = p.phone;
    cv.address = {p.street, p.number, "", p.district, p.city ? p.city->name : "",
                  p.city ? std::to_string(p.city->ibge) : "", p.city ? p.city->uf : "", p.zip};
    Json content = cv.ToBusinessContent();
    content.erase("InternalId");
    content.erase("Code");
    NewCustomerLocked(w, std::move(content));
  }
}

Result<Json> TotvsUserWrite(World& w, const Json& business_content) {
  if (const std::string why = Invalid(business_content, "2.007"); !why.empty()) return Fail(Error::InvalidArgument(why));
  std::lock_guard lock(w.mu);
  return NewCustomerLocked(w, business_content);
}

Result<Json> TotvsUserUpdate(World& w, const std::string& internal_id, const Json& fields) {
  std::lock_guard lock(w.mu);
  auto it = w.totvs.customers.find(internal_id);
  if (it == w.totvs.customers.end()) return Fail(Error::NotFound("no ERP customer " + internal_id));
  Json changed = it->second;
  changed.merge_patch(fields);
  changed["InternalId"] = internal_id;
  if (const std::string why = Invalid(changed, "2.007"); !why.empty()) return Fail(Error::InvalidArgument(why));
  it->second = changed;
  return changed;
}

void RegisterTotvsRoutes(httplib::Server& server, World& w) {
  server.Post(std::string(kBase) + "/transactions",
              Guard(w, Api::kTotvs, "/transactions", [&w](const auto& q, auto& r) { Transactions(w, q, r); }));
  server.Get(std::string(kBase) + R"(/contents/(customervendor_2_\d{3}))",
             Guard(w, Api::kTotvs, "/contents/customervendor", [&w](const auto& q, auto& r) { Contents(w, q, r); }, true));
  server.Get(std::string(kBase) + R"(/contents/(customervendor_2_\d{3})/(.+))",
             Guard(w, Api::kTotvs, "/contents/customervendor/:id", [&w](const auto& q, auto& r) { ContentById(w, q, r); }));
}

}  // namespace ponte::sandbox::detail
