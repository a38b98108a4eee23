// `ponte serve` and `ponte webhooks register` as an operator runs them: against a `ponte
// sandbox` process, stopped with SIGTERM, and never printing a secret.

#include <signal.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/run_ponte.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kHookKey = "serve-hook-key-5d21";

std::string UrlIn(const std::string& line) {
  auto at = line.find("http://");
  if (at == std::string::npos) return "";
  auto end = line.find_first_of(" )", at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override { StartSandbox("documented"); }
  void StartSandbox(const std::string& reality) {
    sandbox_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--no-quotas", "--contacts", "30", "--tasks", "20",
        "--interactions", "5", "--milvus-clients", "10", "--reality", reality});
    auto first = sandbox_->ReadLine(20s);
    ASSERT_TRUE(first.has_value());
    sandbox_url_ = UrlIn(*first);
    config_ = (std::filesystem::temp_directory_path() / ("ponte-serve-" + std::to_string(getpid()) + ".toml")).string();
    std::ofstream(config_) << "store = \"sqlite:" << testing::NewSqlitePath() << "\"\n"
                           << "[systems.ploomes]\nbase_url = \"" << sandbox_url_ << "/ploomes\"\n"
                           << "key_env = \"TEST_PLOOMES_KEY\"\nrequests_per_minute = 0\n"
                           << "[systems.milvus]\nbase_url = \"" << sandbox_url_ << "/milvus\"\nkey_env = \"TEST_MILVUS_KEY\"\nquotas = { listings_per_minute = 0 }\n"
                           << "[server]\nlisten = \"127.0.0.1:0\"\npoll_interval_seconds = 3600\n"
                           << "webhook_key_env = \"TEST_WEBHOOK_KEY\"\n";
    setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
    setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
    setenv("TEST_WEBHOOK_KEY", kHookKey, 1);
  }
  std::unique_ptr<testing::ChildProcess> Serve(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {PONTE_BINARY, "serve", "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<testing::ChildProcess>(args);
  }
  std::string ServeUrl(testing::ChildProcess& serve) {
    for (int i = 0; i < 10; ++i) {
      auto line = serve.ReadLine(20s);
      if (!line) break;
      if (line->find("listening on") != std::string::npos) return UrlIn(*line);
    }
    return "";
  }
  bool Ticketed(const std::string& source) {
    httplib::Client sandbox(sandbox_url_);
    for (int i = 0; i < 300; ++i) {
      auto stats = Json::parse(sandbox.Get("/_sandbox/stats")->body);
      if (stats["milvus"]["tickets_by_source"].contains(source)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  std::unique_ptr<testing::ChildProcess> sandbox_;
  std::string sandbox_url_, config_;
};

TEST_F(ServeCliTest, WebhookToTicketThenAGracefulStop) {
  auto serve = Serve();
  std::string url;
  for (int i = 0; i < 10 && url.empty(); ++i) {
    auto line = serve->ReadLine(20s);
    ASSERT_TRUE(line.has_value()) << serve->Drain();
    if (line->find("listening on") != std::string::npos) url = UrlIn(*line);
  }
  ASSERT_FALSE(url.empty());
  httplib::Client server(url);
  EXPECT_EQ(server.Get("/healthz")->status, 200);

  auto reg = testing::RunPonte("webhooks register --config " + config_ + " --url " + url + "/webhooks/ploomes");
  ASSERT_EQ(reg.exit_code, 0) << reg.out;
  EXPECT_NE(reg.out.find("6 webhook(s) registered"), std::string::npos) << reg.out;
  auto again = testing::RunPonte("webhooks register --config " + config_ + " --url " + url + "/webhooks/ploomes");
  EXPECT_NE(again.out.find("0 webhook(s) registered, 6 already there"), std::string::npos) << again.out;

  httplib::Client sandbox(sandbox_url_);
  auto contact = Json::parse(sandbox.Post("/_sandbox/ploomes/Contacts",
                                          R"({"Name":"Oficina Ponte","TypeId":1,"CNPJ":"11222333000181"})",
                                          "application/json")->body)["Id"];
  auto task = Json::parse(sandbox.Post("/_sandbox/ploomes/Tasks",
                                       Json{{"Title", "Instalação"}, {"ContactId", contact},
                                            {"Tags", Json::array({{{"TagId", 40049715}}})}}.dump(),
                                       "application/json")->body)["Id"];
  const std::string source = "ploomes:Task:" + task.dump();
  bool delivered = false;
  for (int i = 0; i < 300 && !delivered; ++i) {
    auto stats = Json::parse(sandbox.Get("/_sandbox/stats")->body);
    delivered = stats["milvus"]["tickets_by_source"].contains(source);
    if (!delivered) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(delivered) << source;
  // A webhook with a wrong key is refused and logged, without the key.
  auto refused = server.Post("/webhooks/ploomes", {{"X-Ploomes-Validation-Key", "guess"}},
                             R"({"Entity":"Tasks","New":{"Id":1}})", "application/json");
  EXPECT_EQ(refused->status, 401);

  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
  const std::string log = serve->Drain();
  EXPECT_NE(log.find("serve_stopped"), std::string::npos) << log;
  EXPECT_NE(log.find("wrong validation key"), std::string::npos) << log;
  for (const char* secret : {kHookKey, "sandbox-ploomes-key", "sandbox-milvus-token", "guess"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " leaked:\n" << log;
    EXPECT_EQ(reg.out.find(secret), std::string::npos) << secret;
  }
}

// A TOTVS ERP of the configuration pushes a customer to `ponte serve`: it signs in as ponte signs
// in to it, gets a ResponseMessage with the InternalId ponte keeps the customer under, and the
// customer reaches Ploomes and Milvus without a poll. Other credentials get 401, and no secret
// is logged.
TEST_F(ServeCliTest, AnErpPushesACustomerToServe) {
  std::ofstream(config_, std::ios::app) << "[systems.erp]\nkind = \"totvs\"\nbase_url = \"" << sandbox_url_ << "/totvs\"\n"
                                        << "user = \"ponte\"\nkey_env = \"TEST_ERP_PASSWORD\"\n"
                                        << testing::ThreeSystemRoutes("2024-02-24");
  setenv("TEST_ERP_PASSWORD", "sandbox-totvs-password", 1);
  auto serve = Serve();
  const std::string url = ServeUrl(*serve);
  ASSERT_FALSE(url.empty()) << serve->Drain();
  httplib::Client server(url);
  const Json message = {
      {"Header", {{"UUID", "erp-push-1"}, {"Type", "BusinessMessage"}, {"Event", "upsert"}, {"Transaction", "CUSTOMERVENDOR"},
                  {"Version", "2.000"}, {"SourceApplication", "P12"}}},
      {"Content", {{"InternalId", "T1|D MG 01 |900002|01"}, {"Code", "900002"}, {"Name", "Vidraçaria Ponte Ltda"},
                   {"GovernmentalInformation", {{"Id", Json::array({"45145061000185"})}, {"scope", "Federal"}, {"name", "CNPJ"}}}}}};
  auto answered = server.Post("/totvseai/standardmessage/v1/transactions",
                              {{"Authorization", "Basic cG9udGU6c2FuZGJveC10b3R2cy1wYXNzd29yZA=="}},  // ponte:sandbox-totvs-password
                              message.dump(), "application/json");
  ASSERT_TRUE(answered);
  ASSERT_EQ(answered->status, 200) << answered->body;
  Json response = Json::parse(answered->body);
  EXPECT_EQ(response["Content"]["ProcessingInformation"]["Status"], "OK") << answered->body;
  EXPECT_EQ(response["Content"]["ReturnContent"]["ListOfInternalId"][0]["Destination"], "CNPJ|45145061000185");
  httplib::Client sandbox(sandbox_url_);
  bool delivered = false;
  for (int i = 0; i < 300 && !delivered; ++i) {
    int found = 0;
    for (const auto& c : Json::parse(sandbox.Get("/_sandbox/milvus/clients")->body)) {
      found += c.dump().find("45145061000185") != std::string::npos || c.dump().find("45.145.061/0001-85") != std::string::npos;
    }
    for (const auto& c : Json::parse(sandbox.Get("/_sandbox/ploomes/Contacts")->body)) {
      found += c.dump().find("45145061000185") != std::string::npos || c.dump().find("45.145.061/0001-85") != std::string::npos;
    }
    delivered = found == 2;
    if (!delivered) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(delivered) << "the pushed customer is not in both Ploomes and Milvus";
  auto refused = server.Post("/totvseai/standardmessage/v1/transactions", {{"Authorization", "Basic cG9udGU6Z3Vlc3M="}},
                             message.dump(), "application/json");  // ponte:guess
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
  const std::string log = serve->Drain();
  for (const char* secret : {"sandbox-totvs-password", "cG9udGU6c2FuZGJveC10b3R2cy1wYXNzd29yZA"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " leaked:\n" << log;
  }
}

// --log-format json: every line ponte serve logs is one JSON object with ts, level and event,
// a route's run is a line, a refused webhook is a line, and no secret is in any of them.
TEST_F(ServeCliTest, JsonLogsOneObjectPerLineWithoutSecrets) {
  auto serve = Serve({"--log-format", "json", "--log-level", "debug"});
  const std::string url = ServeUrl(*serve);
  ASSERT_FALSE(url.empty()) << serve->Drain();
  httplib::Client server(url);
  for (int i = 0; i < 300; ++i) {
    auto status = Json::parse(server.Get("/api/status")->body);
    if (status["routes"].back()["runs"].get<int>() > 0) break;
    std::this_thread::sleep_for(50ms);
  }
  server.Post("/webhooks/ploomes", {{"X-Ploomes-Validation-Key", "guess"}}, R"({"Entity":"Tasks","New":{"Id":1}})",
              "application/json");
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
  std::istringstream lines(serve->Drain());
  std::set<std::string> events;
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with("ponte serve: listening on")) continue;  // stdout, for people
    auto j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("event")) << line;
    events.insert(j.value("event", ""));
    ++parsed;
    for (const char* secret : {kHookKey, "sandbox-ploomes-key", "sandbox-milvus-token", "guess"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << secret << " leaked: " << line;
    }
  }
  EXPECT_GT(parsed, 3);
  for (const char* event : {"serve_listening", "route_run", "webhook_refused", "serve_stopped"}) {
    EXPECT_TRUE(events.contains(event)) << event;
  }
}

// ploomes.webhook_key=not_sent: Ploomes hands the ValidationKey over nowhere but in the URL it was
// given, so `webhooks register` puts it there. ploomes.webhook_entity_36=refused: registering
// goes on without interaction records, which polling still delivers.
TEST_F(ServeCliTest, WebhooksWorkWhereverTheKeyTravelsAndRegisterRotatesIt) {
  sandbox_.reset();
  StartSandbox("ploomes.webhook_key=not_sent,ploomes.webhook_entity_36=refused");
  auto serve = Serve();
  const std::string url = ServeUrl(*serve);
  ASSERT_FALSE(url.empty());
  auto reg = testing::RunPonte("webhooks register --config " + config_ + " --url " + url + "/webhooks/ploomes");
  ASSERT_EQ(reg.exit_code, 0) << reg.out;
  EXPECT_NE(reg.out.find("refused webhooks for interaction records"), std::string::npos) << reg.out;
  EXPECT_NE(reg.out.find("4 webhook(s) registered"), std::string::npos) << reg.out;
  EXPECT_EQ(reg.out.find(kHookKey), std::string::npos) << "the key is never printed:\n" << reg.out;

  httplib::Client sandbox(sandbox_url_);
  auto contact = Json::parse(sandbox.Post("/_sandbox/ploomes/Contacts",
                                          R"({"Name":"Oficina Ponte","TypeId":1,"CNPJ":"11222333000181"})",
                                          "application/json")->body)["Id"];
  auto task = Json::parse(sandbox.Post("/_sandbox/ploomes/Tasks",
                                       Json{{"Title", "Entrega"}, {"ContactId", contact},
                                            {"Tags", Json::array({{{"TagId", 40049715}}})}}.dump(),
                                       "application/json")->body)["Id"];
  EXPECT_TRUE(Ticketed("ploomes:Task:" + task.dump())) << "the webhook carried no key in a header or the body";

  // A new key: registering again replaces the webhooks that carry the old one.
  setenv("TEST_WEBHOOK_KEY", "rotated-hook-key-77c1", 1);
  auto rotated = testing::RunPonte("webhooks register --config " + config_ + " --url " + url + "/webhooks/ploomes");
  setenv("TEST_WEBHOOK_KEY", kHookKey, 1);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out;
  EXPECT_NE(rotated.out.find("4 webhook(s) registered, 0 already there, 4 replaced"), std::string::npos) << rotated.out;
  auto hooks = Json::parse(sandbox.Get("/ploomes/Webhooks", {{"User-Key", "sandbox-ploomes-key"}})->body)["value"];
  EXPECT_EQ(hooks.size(), 4u);
  for (const auto& h : hooks) {
    EXPECT_NE(h["CallbackUrl"].get<std::string>().find("key=rotated-hook-key-77c1"), std::string::npos) << h.dump();
  }
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
}

TEST_F(ServeCliTest, WillNotListenBeyondLoopbackWithoutAToken) {
  unsetenv("PONTE_ADMIN_TOKEN");
  auto serve = Serve({"--listen", "0.0.0.0:0"});
  EXPECT_EQ(serve->Wait(), 2);
  EXPECT_NE(serve->Drain().find("PONTE_ADMIN_TOKEN"), std::string::npos);
}

TEST_F(ServeCliTest, ServerConfigErrorsNameTheKey) {
  std::ofstream(config_, std::ios::app) << "max_body_bytes = 10\n";
  auto small = testing::RunPonte("config check --config " + config_);
  EXPECT_EQ(small.exit_code, 2);
  EXPECT_NE(small.out.find("server.max_body_bytes: must be at least 1024"), std::string::npos) << small.out;
  std::ofstream(config_, std::ios::app) << "admin_tokn_env = \"X\"\n";
  auto typo = testing::RunPonte("config check --config " + config_);
  EXPECT_NE(typo.out.find("server.admin_tokn_env: unknown key"), std::string::npos) << typo.out;
  auto serve = testing::RunPonte("serve --config " + config_);
  EXPECT_EQ(serve.exit_code, 2) << serve.out;
}

TEST_F(ServeCliTest, AnUnreadableTokenFileStopsServe) {
  std::ofstream(config_, std::ios::app) << "admin_token_file = \"/nonexistent/token\"\n";
  auto serve = testing::RunPonte("serve --config " + config_);
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE(serve.out.find("the admin token file /nonexistent/token cannot be read"), std::string::npos) << serve.out;
}

TEST_F(ServeCliTest, RegisterNeedsACallbackUrl) {
  auto r = testing::RunPonte("webhooks register --config " + config_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--url"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ponte
