#pragma once
// What a system of kind ploomes takes besides every system's settings ([systems.<name>] in
// docs/config.md). Its connector parses them (ploomes_settings_reader.h), so the
// configuration names no Ploomes detail.

#include <string>

#include "core/connector_settings.h"

namespace ponte::ploomes {

// The header Ploomes sends a webhook's ValidationKey in (when it sends it in a header at all).
inline constexpr const char* kWebhookKeyHeader = "X-Ploomes-Validation-Key";

struct PloomesSettings : ConnectorSettings {
  std::string document_field = "auto";  // where a written contact's CPF/CNPJ goes
  int cursor_overlap_seconds = 30;      // how far before its cursor a listing reads again
};

}  // namespace ponte::ploomes
