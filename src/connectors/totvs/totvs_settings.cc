#include "connectors/totvs/totvs_settings_reader.h"

#include "core/config_read.h"

namespace ponte::totvs {
namespace {

// The CustomerVendor versions on the PascalCase event model ponte writes (2.006 and 2.008 are
// the camelCase API model, a different message).
bool IsEventModelVersion(const std::string& v) {
  return v == "2.000" || v == "2.001" || v == "2.002" || v == "2.003" || v == "2.004" || v == "2.005" || v == "2.007";
}

}  // namespace

using config_read::KeyError;
using config_read::Read;

const std::set<std::string>& SettingKeys() {
  static const std::set<std::string> keys = {"user", "message_version", "source_application", "company_id",
                                             "branch_id", "page_size"};
  return keys;
}

Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table&,
                                                              const std::string& where, const std::string& source) {
  auto s = std::make_shared<TotvsSettings>();
  PONTE_RETURN_IF_ERROR(Read(system, "user", s->user, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "message_version", s->message_version, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "source_application", s->source_application, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "company_id", s->company_id, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "branch_id", s->branch_id, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "page_size", s->page_size, where, source));
  if (s->user.empty()) return Fail(KeyError(source, where + "user", "required: the ERP's REST user (its password is the key)"));
  if (!IsEventModelVersion(s->message_version)) {
    return Fail(KeyError(source, where + "message_version",
                         "expected a CustomerVendor version of the event model: 2.000 to 2.005 or 2.007 "
                         "(2.006 and 2.008 are the camelCase API model)"));
  }
  if (s->source_application.empty()) return Fail(KeyError(source, where + "source_application", "cannot be empty"));
  if (s->page_size < 1 || s->page_size > 1000) return Fail(KeyError(source, where + "page_size", "expected 1 to 1000"));
  return std::shared_ptr<const ConnectorSettings>(std::move(s));
}

}  // namespace ponte::totvs
