#include "connectors/milvus/milvus_settings_reader.h"

#include "core/config_read.h"

namespace ponte::milvus {

using config_read::CheckKeys;
using config_read::KeyError;
using config_read::Read;

const std::set<std::string>& SettingKeys() {
  static const std::set<std::string> keys = {"listing_budget", "busca_cap"};
  return keys;
}

Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table& root,
                                                              const std::string& where, const std::string& source) {
  auto s = std::make_shared<MilvusSettings>();
  PONTE_RETURN_IF_ERROR(Read(system, "listing_budget", s->listing_budget, where, source));
  PONTE_RETURN_IF_ERROR(Read(system, "busca_cap", s->busca_cap, where, source));
  if (s->listing_budget < 1) return Fail(KeyError(source, where + "listing_budget", "must be at least 1"));
  if (s->busca_cap < 1) return Fail(KeyError(source, where + "busca_cap", "must be at least 1"));
  if (auto tickets = root["tickets"].as_table()) {
    TicketDefaults& t = s->tickets;
    PONTE_RETURN_IF_ERROR(CheckKeys(*tickets, {"mesa", "setor", "tecnico", "category_by_tag"}, "tickets", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "mesa", t.mesa, "tickets.", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "setor", t.setor, "tickets.", source));
    PONTE_RETURN_IF_ERROR(Read(*tickets, "tecnico", t.tecnico, "tickets.", source));
    if (auto map = (*tickets)["category_by_tag"].as_table()) {
      for (const auto& [tag, value] : *map) {
        auto category = value.value<std::string>();
        if (!category) return Fail(KeyError(source, "tickets.category_by_tag." + std::string(tag.str()), "expected a string"));
        t.category_by_tag[std::string(tag.str())] = *category;
      }
    }
  }
  return std::shared_ptr<const ConnectorSettings>(std::move(s));
}

}  // namespace ponte::milvus
