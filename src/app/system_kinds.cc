#include "app/system_kinds.h"

#include <cctype>

#include "app/internal/kind_readers.h"
#include "connectors/milvus/milvus_settings_reader.h"
#include "connectors/ploomes/ploomes_settings_reader.h"
#include "connectors/totvs/eai_messages.h"
#include "connectors/totvs/totvs_settings_reader.h"
#include "core/message.h"

namespace ponte {
namespace {

const SystemKindInfo kKinds[] = {
    {"ploomes", "Ploomes CRM"},
    {"milvus", "Milvus helpdesk"},
    {"totvs", "TOTVS ERP (EAI REST)"},
};

const KindReader kReaders[] = {
    {"ploomes", ploomes::SettingKeys, ploomes::ParseSettings},
    {"milvus", milvus::SettingKeys, milvus::ParseSettings},
    {"totvs", totvs::SettingKeys, totvs::ParseSettings},
};

}  // namespace

const SystemKindInfo* FindKind(std::string_view kind) {
  for (const auto& k : kKinds) {
    if (k.name == kind) return &k;
  }
  return nullptr;
}

const KindReader* FindKindReader(std::string_view kind) {
  for (const auto& k : kReaders) {
    if (k.name == kind) return &k;
  }
  return nullptr;
}

std::string KindNames() { return "ploomes, milvus or totvs"; }

std::string DefaultKeyEnv(const std::string& name) {
  std::string env;
  for (char ch : "PONTE_" + name + "_KEY") env += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return env;
}

SystemConfig DefaultSystem(const std::string& kind) {
  SystemConfig s;
  s.kind = kind;
  if (kind == "ploomes") s.settings = std::make_shared<ploomes::PloomesSettings>();
  if (kind == "totvs") s.settings = std::make_shared<totvs::TotvsSettings>();
  if (kind == "milvus") {
    s.settings = std::make_shared<milvus::MilvusSettings>();
    // Milvus listings: one a minute per token, as integrators report, until a probe says otherwise.
    s.quotas.listings_per_minute = 1;
  }
  return s;
}

ApiCall KeyCheckCall(const SystemConfig& system) {
  if (system.kind == "ploomes") return {"GET", "GET /Contacts", "/Contacts?$top=1&$select=Id"};
  // A search by a document nobody has: one call, nothing listed.
  if (system.kind == "milvus") return {"GET", "GET /api/cliente/busca", "/api/cliente/busca?documento=00000000000"};
  // The first page of one customer of the ERP's contents.
  const auto& ts = SettingsOf<totvs::TotvsSettings>(system);
  return {"GET", "GET /contents/customervendor",
          "/totvseai/standardmessage/v1/contents/" + totvs::ContentsResource(kCustomerVendorTransaction, ts.message_version) +
              "?page=1&pageSize=1"};
}

}  // namespace ponte
