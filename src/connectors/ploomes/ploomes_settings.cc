#include "connectors/ploomes/ploomes_settings_reader.h"

#include "core/config_read.h"

namespace ponte::ploomes {

using config_read::KeyError;
using config_read::Read;

const std::set<std::string>& SettingKeys() {
  static const std::set<std::string> keys = {"document_field", "cursor_overlap_seconds"};
  return keys;
}

Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table&,
                                                              const std::string& where, const std::string& source) {
  auto s = std::make_shared<PloomesSettings>();
  PONTE_RETURN_IF_ERROR(Read(system, "document_field", s->document_field, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "cursor_overlap_seconds", s->cursor_overlap_seconds, where, source));
  if (s->document_field != "auto" && s->document_field != "register" && s->document_field != "cnpj_cpf" &&
      s->document_field != "both") {
    return Fail(KeyError(source, where + "document_field", "expected auto, register, cnpj_cpf or both"));
  }
  if (s->cursor_overlap_seconds < 0 || s->cursor_overlap_seconds > 86400) {
    return Fail(KeyError(source, where + "cursor_overlap_seconds", "expected 0 to 86400 seconds"));
  }
  return std::shared_ptr<const ConnectorSettings>(std::move(s));
}

}  // namespace ponte::ploomes
