// Systems as named instances of a connector kind, and routes as data ([[routes]]): what the
// loader accepts, and the error naming each thing it cannot.

#include "app/config_loader.h"

#include <gtest/gtest.h>

#include "app/default_config.h"
#include "app/system_kinds.h"
#include "connectors/ploomes/ploomes_settings.h"
#include "connectors/totvs/totvs_settings.h"

namespace ponte {
namespace {

// The routes after the four of ponte 0.1, in run order.
std::vector<std::string> HubRoutes(const Config& c) { return {c.route_order.begin() + 4, c.route_order.end()}; }

constexpr const char* kErp = R"(
[systems.erp]
kind = "totvs"
base_url = "http://protheus.example:8085/rest"
user = "integracao"
company_id = "T1"
)";

TEST(ConfigLoaderTest, TheDefaultRoutesAreTheFourOfBefore) {
  auto c = ParseConfig("", "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(RouteOrder(*c), (std::vector<std::string>{"customers_ploomes_to_milvus", "customers_milvus_to_ploomes",
                                                        "tasks_ploomes_to_milvus", "interactions_ploomes_to_milvus"}));
  EXPECT_EQ(c->routes.at("customers_ploomes_to_milvus").from, "ploomes");
  EXPECT_EQ(c->routes.at("tasks_ploomes_to_milvus").message, "Ticket");
  ASSERT_EQ(c->systems.size(), 2u);
  EXPECT_EQ(c->systems.at("ploomes").kind, "ploomes");
  EXPECT_EQ(c->systems.at("milvus").kind, "milvus");
  EXPECT_EQ(SystemsInUse(*c), (std::vector<std::string>{"milvus", "ploomes"}));
}

TEST(ConfigLoaderTest, ASystemNoEnabledRouteUsesIsNotInUse) {
  auto c = ParseConfig(std::string(kErp) + R"(
[systems.helpdesk_b]
kind = "milvus"
base_url = "https://b.example"

[[routes]]
name = "erp_to_b"
from = "erp"
to = "helpdesk_b"
)", "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(SystemsInUse(*c), (std::vector<std::string>{"erp", "helpdesk_b"}));
  c->routes.at("erp_to_b").enabled = false;
  EXPECT_TRUE(SystemsInUse(*c).empty());
}

TEST(ConfigLoaderTest, ANamedSystemHasAKindAndItsOwnKeyVariable) {
  auto c = ParseConfig(kErp, "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  const SystemConfig& erp = c->systems.at("erp");
  EXPECT_EQ(erp.kind, "totvs");
  EXPECT_EQ(erp.key_env, "PONTE_ERP_KEY");
  EXPECT_EQ(SettingsOf<totvs::TotvsSettings>(erp).message_version, "2.000");
  EXPECT_EQ(SettingsOf<totvs::TotvsSettings>(erp).company_id, "T1");
  EXPECT_EQ(SystemKind(*c, "erp"), "totvs");
  EXPECT_EQ(SystemKind(*c, "ploomes"), "ploomes");
  // Two Ploomes accounts: the second is a named system of kind ploomes.
  auto two = ParseConfig(R"([systems.ploomes_filial]
kind = "ploomes"
base_url = "https://api2.ploomes.com"
document_field = "register"
)", "ponte.toml");
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(SettingsOf<ploomes::PloomesSettings>(two->systems.at("ploomes_filial")).document_field, "register");
  EXPECT_EQ(two->systems.at("ploomes_filial").key_env, "PONTE_PLOOMES_FILIAL_KEY");
}

TEST(ConfigLoaderTest, RoutesAsDataRunInTheirOrderAfterTheFour) {
  auto c = ParseConfig(std::string(kErp) + R"(
[[routes]]
name = "customers_ploomes_to_milvus"
cutoff = "2025-01-01"

[[routes]]
name = "contatos_para_o_erp"
from = "ploomes"
message = "CustomerVendor"
to = "erp"
cutoff = "2024-06-01"

[[routes]]
name = "clientes_do_erp"
from = "erp"
to = "milvus"
)", "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(HubRoutes(*c), (std::vector<std::string>{"contatos_para_o_erp", "clientes_do_erp"}));
  EXPECT_EQ(c->routes.at("customers_ploomes_to_milvus").cutoff, "2025-01-01");
  EXPECT_TRUE(c->routes.at("customers_ploomes_to_milvus").enabled);
  // A list of routes is the whole list: the built-in routes it leaves out do not run.
  EXPECT_FALSE(c->routes.at("tasks_ploomes_to_milvus").enabled);
  EXPECT_EQ(c->routes.at("contatos_para_o_erp").cutoff, "2024-06-01");
  EXPECT_EQ(c->routes.at("clientes_do_erp").message, "CustomerVendor");
  EXPECT_TRUE(IsRoute(*c, "clientes_do_erp"));
  EXPECT_EQ(RouteOrder(*c).back(), "clientes_do_erp");
}

TEST(ConfigLoaderTest, EachMistakeIsAnErrorThatNamesIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[systems.erp]\nbase_url = \"http://x\"\n", "systems.erp.kind: required"},
      {"[systems.erp]\nkind = \"sap\"\nbase_url = \"http://x\"\n", "unknown kind 'sap'"},
      {"[systems.erp]\nkind = \"totvs\"\nbase_url = \"http://x\"\n", "systems.erp.user: required"},
      {"[systems.erp]\nkind = \"totvs\"\nuser = \"u\"\n", "systems.erp.base_url: required"},
      {std::string(kErp) + "message_version = \"2.006\"\n", "camelCase API model"},
      {std::string(kErp) + "busca_cap = 10\n", "systems.erp.busca_cap: unknown key"},
      {"[systems.ploomes]\nkind = \"milvus\"\n", "systems.ploomes.kind"},
      {"[systems.ERP]\nkind = \"totvs\"\nbase_url = \"http://x\"\nuser = \"u\"\n", "a system name is a-z"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"sap\"\n", "unknown system 'sap' (systems: milvus, ploomes"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"ploomes\"\n", "from one system to another"},
      {std::string(kErp) + "[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"erp\"\nmessage = \"Item\"\n",
       "unknown message 'Item'"},
      {std::string(kErp) + "[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"erp\"\nmessage = \"Ticket\"\n",
       "a Ticket route goes from a system of kind ploomes to one of kind milvus (ploomes is ploomes, erp is totvs)"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"milvus\"\nmessage = \"Ticket\"\ntags = [\"A\"]\n",
       "routes[1] (x).records: required on a Ticket route: Task or InteractionRecord"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"milvus\"\nmessage = \"Ticket\"\nrecords = \"Deal\"\n",
       "unknown records 'Deal' (Task or InteractionRecord)"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"milvus\"\nmessage = \"Ticket\"\nrecords = \"Task\"\n",
       "routes[1] (x).tags: a Ticket route needs tags or tag_ids"},
      {"[[routes]]\nname = \"x\"\nfrom = \"ploomes\"\nto = \"milvus\"\nrecords = \"Task\"\n",
       "routes[1] (x).records: unknown key"},
      {"[[routes]]\nname = \"tasks_ploomes_to_milvus\"\nrecords = \"InteractionRecord\"\n",
       "tasks_ploomes_to_milvus has records = \"Task\""},
      {std::string(kErp) + "[[routes]]\nname = \"x\"\nfrom = \"erp\"\nto = \"ploomes\"\ncutoff = \"2024-01-01\"\n",
       "routes[1] (x).cutoff: the route x has no cutoff filter"},
      {std::string(kErp) + "[[routes]]\nname = \"x\"\nfrom = \"erp\"\nto = \"ploomes\"\ntags = [\"A\"]\n", "no tags filter"},
      {std::string(kErp) + "[[routes]]\nname = \"x\"\nfrom = \"erp\"\nto = \"ploomes\"\nfield_map = 1\n",
       "routes[1] (x).field_map: unknown key"},
      {"[[routes]]\nname = \"customers_ploomes_to_milvus\"\nto = \"ploomes\"\n", "customers_ploomes_to_milvus has to = \"milvus\""},
      {"[[routes]]\nname = \"a\"\nfrom = \"ploomes\"\nto = \"milvus\"\n[[routes]]\nname = \"a\"\n", "listed twice"},
      {"[[routes]]\nfrom = \"ploomes\"\n", "routes[1].name: required"},
      {"[routes.customers_ploomes_to_erp]\nenabled = true\n", "other routes are [[routes]] entries"},
      {"[routes.tasks_ploomes_to_milvus]\nfields = { \"task_A1\" = \"Descricao\" }\n",
       "routes.tasks_ploomes_to_milvus.fields.\"task_A1\": unknown Ticket field 'Descricao' (fields: Topic, RequestDescription"},
      {"[routes.tasks_ploomes_to_milvus]\nfields = { \"task A1\" = \"Topic\" }\n", "a custom field is named by its key"},
      {"[routes.tasks_ploomes_to_milvus]\nfields = \"task_A1\"\n", "expected a table of custom field key"},
      {"[routes.customers_ploomes_to_milvus]\nfields = { \"contact_A1\" = \"Topic\" }\n",
       "the route customers_ploomes_to_milvus has no fields filter"},
  };
  for (const auto& [text, named] : cases) {
    auto c = ParseConfig(text, "ponte.toml");
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(named), std::string::npos) << text << "\n" << c.error().message;
  }
}

TEST(ConfigLoaderTest, ATicketRouteMapsCustomFieldsToTicketFields) {
  auto c = ParseConfig("[routes.tasks_ploomes_to_milvus]\n"
                       "fields = { \"task_6C3A21F0-0B1C-4C53-9C57-2F4E8A1D9B10\" = \"RequestDescription\", "
                       "\"task_B2\" = \"RequesterPhone\" }\n",
                       "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->routes.at(kRouteTasks).fields,
            (std::map<std::string, std::string>{{"task_6C3A21F0-0B1C-4C53-9C57-2F4E8A1D9B10", "RequestDescription"},
                                                {"task_B2", "RequesterPhone"}}));
  EXPECT_TRUE(c->routes.at(kRouteInteractions).fields.empty());
}

TEST(ConfigLoaderTest, ATicketRouteRunsBetweenNamedSystemsOfTheTicketKinds) {
  auto c = ParseConfig("[systems.crm]\nkind = \"ploomes\"\nbase_url = \"http://x\"\n"
                       "[systems.helpdesk]\nkind = \"milvus\"\nbase_url = \"http://y\"\n"
                       "[[routes]]\nname = \"interactions_crm_to_helpdesk\"\nfrom = \"crm\"\nto = \"helpdesk\"\n"
                       "message = \"Ticket\"\nrecords = \"InteractionRecord\"\ntags = [\"ENTREGA\"]\ncutoff = \"2025-01-01\"\n",
                       "ponte.toml");
  ASSERT_TRUE(c) << c.error().message;
  const RouteConfig& rc = c->routes.at("interactions_crm_to_helpdesk");
  EXPECT_EQ(rc.message, "Ticket");
  EXPECT_EQ(rc.records, "InteractionRecord");
  EXPECT_EQ(rc.tags, std::vector<std::string>{"ENTREGA"});
  EXPECT_EQ(rc.cutoff, "2025-01-01");
  EXPECT_EQ(HubRoutes(*c), std::vector<std::string>{"interactions_crm_to_helpdesk"});
}

TEST(ConfigLoaderTest, TheErpJoinsWithItsDefaultRoutes) {
  Config c = DefaultConfig();
  c.systems["totvs"].kind = "totvs";
  AddErpRoutes(c, "totvs");
  EXPECT_EQ(HubRoutes(c), (std::vector<std::string>{"customers_ploomes_to_totvs", "customers_totvs_to_ploomes",
                                                     "customers_totvs_to_milvus", "customers_milvus_to_totvs"}));
  EXPECT_EQ(c.routes.at("customers_ploomes_to_totvs").cutoff, c.routes.at("customers_ploomes_to_milvus").cutoff);
  EXPECT_TRUE(c.routes.at("customers_totvs_to_milvus").cutoff.empty());
}

}  // namespace
}  // namespace ponte
