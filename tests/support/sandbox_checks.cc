#include "support/sandbox_checks.h"

#include "core/document.h"
#include "core/json_fields.h"
#include "core/time.h"

namespace ponte::testing {

using Json = nlohmann::json;

std::string ContactDocumentText(const Json& contact) {
  std::string cnpj = StringField(contact, "CNPJ");
  return cnpj.empty() ? StringField(contact, "CPF") : cnpj;
}

ContactsInMilvus CheckContactsInMilvus(httplib::Client& sandbox, const std::string& cutoff) {
  ContactsInMilvus out;
  const Instant since = StartOfLocalDay(*ParseDate(cutoff));
  const httplib::Headers ploomes_key = {{"User-Key", "sandbox-ploomes-key"}};
  const httplib::Headers milvus_token = {{"Authorization", "sandbox-milvus-token"}};
  constexpr int kPage = 300;
  for (int skip = 0;; skip += kPage) {
    auto res = sandbox.Get("/ploomes/Contacts?$top=" + std::to_string(kPage) + "&$skip=" + std::to_string(skip),
                           ploomes_key);
    if (!res || res->status != 200) {
      out.missing = -1;  // the check itself failed: never reads as "nothing missing"
      return out;
    }
    const Json values = Json::parse(res->body)["value"];
    for (const auto& c : values) {
      auto doc = ParseDocument(ContactDocumentText(c));
      auto created = ParseIsoInstant(c.value("CreateDate", ""));
      if (!doc || !created || *created < since) continue;
      ++out.eligible;
      auto found = sandbox.Get("/milvus/api/cliente/busca?status=3&documento=" + doc->canonical, milvus_token);
      if (!found || found->status != 200 || Json::parse(found->body)["lista"].empty()) ++out.missing;
    }
    if (values.size() < kPage) break;
  }
  return out;
}

int64_t CountAnswers(const Json& stats, std::string_view api, int status) {
  int64_t n = 0;
  const std::string prefix = std::string(api) + " ";
  const std::string code = std::to_string(status);
  for (const auto& [endpoint, by_status] : stats["calls"].items()) {
    if (endpoint.starts_with(prefix) && by_status.contains(code)) n += by_status[code].get<int64_t>();
  }
  return n;
}

}  // namespace ponte::testing
