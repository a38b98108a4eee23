// The crash-point matrix: ponte killed at every crash point (core/crash_point.h) of every write
// path, then restarted to completion, must leave no record twice in any system, none missing,
// and a clean de/para. A kill is deterministic: PONTE_CRASH_AT="<site>:<n>" makes ponte
// SIGKILL itself the n-th time it passes the site, so a failure names the one case to replay.
//
// The default suite runs every (path, site) once with the documented behaviour of the APIs, once
// under the pessimistic reality with faults injected, and (for the routes) once with a stop
// (SIGTERM) asked at the site instead of a kill. PONTE_CRASH_SWEEP=1 (set when the
// binary is run, not by ctest) adds the n-th passes 2 and 3 and the two other combinations of
// reality and faults.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crash_point.h"
#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/base64.h"
#include "core/fnv.h"
#include "core/time.h"
#include "support/child_process.h"
#include "support/run_ponte.h"
#include "support/sandbox_checks.h"
#include "support/sandbox_process.h"

namespace ponte {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kCutoff = "2024-02-24";
constexpr const char* kHookKey = "matrix-hook-key-7f3a";
// Customers the ERP pushes in the push path: in no system's listing, so only the push carries them.
constexpr int kPushedCustomers = 5;
// The sandbox's ticket tags of tasks (ENTREGA, INSTALAÇÃO).
const std::set<int64_t> kTicketTaskTags = {40049715, 40049716};

enum class Via { kSync, kWebhook, kPush };

// A write path: how ponte runs it, and the crash points it passes.
struct WritePath {
  std::string name;
  Via via;
  std::vector<std::string> sites;
  // Passed under the pessimistic reality only (Ploomes drops a document written in Register).
  std::vector<std::string> pessimistic_sites = {};
};

const std::vector<WritePath>& Paths() {
  static const std::vector<std::string> kCustomerSites = {"delivery.claimed",     "customer.before_write",
                                                          "write.in_flight",      "customer.after_write",
                                                          "customer.after_link",  "customer.after_adopt",
                                                          "cursor.before_save"};
  static const std::vector<std::string> kTicketSites = {
      "delivery.claimed",     "ticket.before_write", "write.in_flight",        "ticket.after_write",
      "customer.before_write", "customer.after_write", "customer.after_link", "attributes.before_save",
      "cursor.before_save"};
  auto with = [](std::vector<std::string> sites, std::initializer_list<const char*> more) {
    sites.insert(sites.end(), more.begin(), more.end());
    return sites;
  };
  static const std::vector<WritePath> kPaths = {
      {"customers_ploomes_to_milvus", Via::kSync, with(kCustomerSites, {"attributes.before_save"})},
      {"customers_milvus_to_ploomes", Via::kSync, kCustomerSites, {"customer.between_steps"}},
      {"customers_ploomes_to_erp", Via::kSync, kCustomerSites},
      {"customers_erp_to_ploomes", Via::kSync, kCustomerSites, {"customer.between_steps"}},
      {"customers_erp_to_milvus", Via::kSync, with(kCustomerSites, {"attributes.before_save"})},
      {"customers_milvus_to_erp", Via::kSync, kCustomerSites},
      {"tasks_ploomes_to_milvus", Via::kSync, kTicketSites},
      {"interactions_ploomes_to_milvus", Via::kSync, kTicketSites},
      {"webhook", Via::kWebhook,
       {"inbox.after_append", "inbox.after_answer", "inbox.before_done", "delivery.claimed", "ticket.before_write",
        "write.in_flight", "ticket.after_write"}},
      {"erp_push", Via::kPush,
       {"inbox.after_append", "inbox.after_answer", "inbox.before_done", "delivery.claimed", "customer.before_write",
        "write.in_flight", "customer.after_write", "customer.after_link"}},
  };
  return kPaths;
}

struct Variant {
  std::string name;
  std::string reality;
  std::string faults;
  bool stop = false;  // SIGTERM at the site (a stop asked there), not SIGKILL
};

const Variant kDocumented{"documented", "documented", ""};
// Faults that leave a write in doubt (a slow answer lands after ponte gave up on it, a cut
// answer) or refuse it (5xx, reset before processing).
const Variant kPessimisticFaults{"pessimistic_faults", "pessimistic", "500=0.04,reset=0.03,slow=0.05,slow_ms=400"};
const Variant kDocumentedFaults{"documented_faults", "documented", "500=0.04,reset=0.03,slow=0.05,slow_ms=400"};
const Variant kPessimistic{"pessimistic", "pessimistic", ""};
// A stop asked at the site: ponte ends within seconds, and the next start finishes the work.
const Variant kStopped{"stopped", "documented", "", true};

struct Case {
  const WritePath* path;
  std::string site;
  int pass;
  Variant variant;
};

// How gtest names a path and a case in its output (instead of an address or the struct's bytes).
void PrintTo(const WritePath* p, std::ostream* out) { *out << p->name; }
void PrintTo(const Case& c, std::ostream* out) {
  *out << fmt::format("PONTE_CRASH_AT={}:{} on {} ({})", c.site, c.pass, c.path->name, c.variant.name);
}

std::vector<Case> Cases() {
  const bool sweep = std::getenv("PONTE_CRASH_SWEEP") != nullptr;
  std::vector<Variant> variants = {kDocumented, kPessimisticFaults};
  if (sweep) variants = {kDocumented, kDocumentedFaults, kPessimistic, kPessimisticFaults};
  std::vector<Case> out;
  for (const auto& path : Paths()) {
    std::vector<Variant> of_path = variants;
    if (path.via == Via::kSync) of_path.push_back(kStopped);
    for (const auto& v : of_path) {
      std::vector<std::string> sites = path.sites;
      if (v.reality == "pessimistic") sites.insert(sites.end(), path.pessimistic_sites.begin(), path.pessimistic_sites.end());
      for (const auto& site : sites) {
        for (int pass = 1; pass <= (sweep ? 3 : 1); ++pass) out.push_back({&path, site, pass, v});
      }
    }
  }
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = fmt::format("{}__{}__{}__pass{}", info.param.path->name, info.param.site, info.param.variant.name,
                                 info.param.pass);
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

// A valid CNPJ no generated record has: 77.<n>.../0001-xx.
std::string PushedCnpj(int n) {
  const std::string first = fmt::format("77{:06d}0001", 100 + n);
  return first + CnpjCheckDigits(first);
}

Json PushMessage(int n) {
  CustomerVendor cv;
  cv.internal_id = fmt::format("T1|D MG 01 |95{:04d}|01", n);
  cv.name = fmt::format("Distribuidora Empurrada {} Ltda", n);
  cv.short_name = fmt::format("Empurrada {}", n);
  cv.document = *ParseDocument(PushedCnpj(n));
  return testing::BusinessMessage(cv.ToBusinessContent(), n);
}

class CrashMatrix : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    // One seed per path, site and pass: the data and the faults repeat when the case is run
    // again, and every variant of a site meets the same data.
    const std::string key = fmt::format("{}/{}/{}", c.path->name, c.site, c.pass);
    seed_ = std::stoull(Fnv1aHex(key).substr(0, 8), nullptr, 16) % 100'000 + 1;
    std::vector<std::string> args = {"--contacts", "10", "--tasks", "8", "--interactions", "6", "--milvus-clients", "8",
                                     "--totvs-customers", "6", "--seed", std::to_string(seed_), "--reality",
                                     c.variant.reality};
    sandbox_ = std::make_unique<testing::SandboxProcess>(args);
    ASSERT_TRUE(sandbox_->ok());
    dir_ = testing::NewTestDirectory("crash");
    config_ = dir_ + "/ponte.toml";
    testing::HubToml toml{sandbox_->base(), "sqlite:" + dir_ + "/ponte.db"};
    toml.routes_to_erp = c.path->via != Via::kPush;  // pushed customers are in no ERP listing
    toml.timeout_ms = 2000;
    toml.server = "listen = \"127.0.0.1:0\"\npoll_interval_seconds = 3600\nwebhook_key_env = \"TEST_WEBHOOK_KEY\"";
    testing::WriteHubToml(toml, config_);
    setenv("TEST_WEBHOOK_KEY", kHookKey, 1);
    ShareDocumentsAcrossSystems();
    // Faults from the first call on: the crash run and the restart both meet them.
    ASSERT_TRUE(sandbox_->SetFaults(c.variant.faults));
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Whatever the seed, some customers are in two systems before ponte runs, so every route
  // links one (customer.after_adopt) as well as creating others: a Ploomes contact's document in
  // the ERP and in Milvus, and a Milvus client's in the ERP.
  void ShareDocumentsAcrossSystems() {
    auto dump = [&](const std::string& path) {
      auto res = sandbox_->client().Get(path);
      return Json::parse(res ? res->body : "[]", nullptr, false);
    };
    const Instant cutoff = StartOfLocalDay(*ParseDate(kCutoff));
    std::optional<Document> contact, client;
    for (const auto& c : dump("/_sandbox/ploomes/Contacts")) {
      auto doc = ParseDocument(testing::ContactDocumentText(c));
      auto created = ParseIsoInstant(c.value("CreateDate", ""));
      if (doc && created && *created >= cutoff && !contact) contact = *doc;
    }
    for (const auto& c : dump("/_sandbox/milvus/clients")) {
      if (auto doc = ParseDocument(c.value("cnpj_cpf", "")); doc && !client && (!contact || *doc != *contact)) client = *doc;
    }
    ASSERT_TRUE(contact && client);
    const auto held = testing::Documents(sandbox_->client());
    auto post = [&](const std::string& path, const Json& body) {
      auto res = sandbox_->client().Post(path, body.dump(), "application/json");
      ASSERT_TRUE(res && res->status < 300) << path << ": " << (res ? res->body : "no answer");
    };
    std::set<std::string> in_erp;
    for (const auto& c : dump("/_sandbox/totvs/customers")) {
      if (auto cv = CustomerVendor::FromBusinessContent(c); cv && cv->document) in_erp.insert(cv->document->canonical);
    }
    for (const Document& doc : {*contact, *client}) {
      if (in_erp.count(doc.canonical)) continue;
      CustomerVendor cv;
      cv.name = "Cliente Já Cadastrado " + doc.canonical;
      cv.document = doc;
      Json content = cv.ToBusinessContent();
      content.erase("InternalId");
      post("/_sandbox/totvs/customers", content);
    }
    if (!held.milvus.count(contact->canonical)) {
      const Json person = {{"nome", "Cliente Já Cadastrado"}};
      const Json company = {{"razao_social", "Cliente Já Cadastrado Ltda"}, {"nome_fantasia", "Já Cadastrado"}};
      post("/_sandbox/milvus/clients",
           {{"cliente_documento", contact->canonical},
            {contact->is_person() ? "cliente_pessoa_fisica" : "cliente_pessoa_juridica", contact->is_person() ? person : company}});
    }
  }

  std::vector<std::string> Ponte(const std::vector<std::string>& args, bool crash) {
    std::vector<std::string> argv = {"/usr/bin/env"};
    if (crash) {
      argv.push_back(fmt::format("PONTE_CRASH_AT={}:{}{}", GetParam().site, GetParam().pass,
                                 GetParam().variant.stop ? ":stop" : ""));
    }
    argv.push_back(PONTE_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", config_});
    return argv;
  }

  // The crash run: ponte SIGKILLed at the case's site. True when it died there.
  bool CrashRun() {
    const Case& c = GetParam();
    if (c.path->via == Via::kSync) {
      testing::ChildProcess run(Ponte({"sync", "--once", "--route", c.path->name}, true));
      auto code = run.WaitFor(120s);
      if (!code) run.Signal(SIGKILL);
      if (!c.variant.stop) return code == 128 + SIGKILL;
      // Stopped there: it ends on its own, says so, and exits 1 (not everything was delivered).
      const std::string out = run.Drain();
      return code == 1 && out.find("stopped by a signal") != std::string::npos;
    }
    auto serve = std::make_unique<testing::ChildProcess>(Ponte({"serve", "--log-level", "error"}, true));
    const std::string url = testing::ServeUrl(*serve);
    if (url.empty()) return serve->WaitFor(10s) == 128 + SIGKILL;  // it died at start (its first poll)
    Push(url, /*only_unanswered=*/false);
    // A crash point after the answer is passed by the delivery thread: wait for it.
    auto code = serve->WaitFor(20s);
    if (!code) {
      serve->Signal(SIGKILL);
      return false;
    }
    return code == 128 + SIGKILL;
  }

  // The restart to completion: serve again for pushes (what was not answered is sent again, as
  // Ploomes and an ERP do), stopped with SIGTERM, then a sync that waits for every delivery.
  void Complete() {
    const Case& c = GetParam();
    if (c.path->via != Via::kSync) {
      testing::ChildProcess serve(Ponte({"serve", "--log-level", "error"}, false));
      const std::string url = testing::ServeUrl(serve);
      ASSERT_FALSE(url.empty()) << serve.Drain();
      Push(url, /*only_unanswered=*/true);
      // The inbox empties as its pushes are delivered.
      httplib::Client admin(url);
      bool drained = false;
      for (int i = 0; i < 400 && !drained; ++i) {
        auto status = admin.Get("/api/status");
        Json j = Json::parse(status ? status->body : "{}", nullptr, false);
        drained = j.is_object() && j.value("queue_depth", -1) == 0;
        if (!drained) std::this_thread::sleep_for(50ms);
      }
      EXPECT_TRUE(drained) << "the inbox never emptied";
      serve.Signal(SIGTERM);
      auto stopped = serve.WaitFor(5s);
      EXPECT_TRUE(stopped.has_value()) << "serve did not stop within 5 s of SIGTERM";
      if (!stopped) serve.Signal(SIGKILL);
    }
    // Faults stay on: the restart meets them too, and waits out the retries.
    testing::ChildProcess sync(Ponte({"sync", "--once", "--wait"}, false));
    auto code = sync.WaitFor(180s);
    EXPECT_EQ(code, 0) << sync.Drain();
  }

  // Sends the path's pushes to `url`: every one, or those no earlier server answered 2xx.
  void Push(const std::string& url, bool only_unanswered) {
    httplib::Client server(url);
    server.set_read_timeout(10, 0);
    const auto& via = GetParam().path->via;
    const int count = via == Via::kPush ? kPushedCustomers : static_cast<int>(TaggedTasks().size());
    for (int n = 0; n < count; ++n) {
      if (only_unanswered && answered_.count(n)) continue;
      httplib::Result res = via == Via::kPush
                                ? server.Post("/totvseai/standardmessage/v1/transactions",
                                              {{"Authorization", "Basic " + Base64Encode("ponte:sandbox-totvs-password")}},
                                              PushMessage(n).dump(), "application/json")
                                : server.Post("/webhooks/ploomes", {{"X-Ploomes-Validation-Key", kHookKey}},
                                              Json{{"Entity", "Tasks"}, {"Action", "Update"},
                                                   {"New", {{"Id", TaggedTasks()[n]}}}}.dump(),
                                              "application/json");
      if (!res) break;  // the server died: the rest is sent again to the next one
      if (res->status >= 200 && res->status < 300) {
        if (via == Via::kPush) {
          Json answer = Json::parse(res->body, nullptr, false);
          ASSERT_EQ(answer["Content"]["ProcessingInformation"]["Status"], "OK") << res->body;
        }
        answered_.insert(n);
      }
    }
  }

  // The generated tasks carrying a ticket tag, by id.
  const std::vector<int64_t>& TaggedTasks() {
    if (tagged_.empty()) {
      auto res = sandbox_->client().Get("/_sandbox/ploomes/Tasks");
      Json tasks = Json::parse(res ? res->body : "[]", nullptr, false);
      for (const auto& t : tasks) {
        bool tagged = false;
        for (const auto& tag : t.value("Tags", Json::array())) tagged |= kTicketTaskTags.count(tag.value("TagId", 0L)) > 0;
        if (tagged && t.contains("ContactId") && t["ContactId"].is_number()) tagged_.push_back(t["Id"]);
      }
    }
    return tagged_;
  }

  void ExpectNothingTwiceNothingLost() {
    EXPECT_EQ(testing::Duplicates(sandbox_->Stats()), "");
    auto all = testing::CheckEverythingDelivered(sandbox_->client(), kCutoff);
    ASSERT_TRUE(all.ok);
    EXPECT_GT(all.contacts_eligible, 0);
    EXPECT_EQ(all.contacts_missing + all.clients_missing + all.tickets_missing, 0) << all.missing;
    auto erp = testing::CheckErpDelivered(sandbox_->client(), kCutoff);
    ASSERT_TRUE(erp.ok);
    EXPECT_EQ(erp.erp_missing, 0) << erp.missing;
    if (GetParam().path->via != Via::kPush) {
      EXPECT_EQ(erp.customers_missing, 0) << erp.missing;
    }
    if (GetParam().path->via == Via::kPush) ExpectPushedCustomersDelivered();
    auto depara = testing::RunPonte("depara check --config " + config_);
    EXPECT_EQ(depara.exit_code, 0) << depara.out;
  }

  // Every push (answered before the crash, or sent again after) is in Ploomes and in Milvus.
  void ExpectPushedCustomersDelivered() {
    const auto held = testing::Documents(sandbox_->client());
    for (int n = 0; n < kPushedCustomers; ++n) {
      EXPECT_TRUE(held.ploomes.count(PushedCnpj(n))) << "pushed customer " << n << " is not in Ploomes";
      EXPECT_TRUE(held.milvus.count(PushedCnpj(n))) << "pushed customer " << n << " is not in Milvus";
    }
  }

  uint64_t seed_ = 1;
  std::unique_ptr<testing::SandboxProcess> sandbox_;
  std::string dir_, config_;
  std::set<int> answered_;
  std::vector<int64_t> tagged_;
};

TEST_P(CrashMatrix, KilledAtTheSiteThenRestartedLeavesNothingTwiceAndNothingLost) {
  const Case& c = GetParam();
  SCOPED_TRACE(fmt::format("PONTE_CRASH_AT={}:{} on {} ({}), sandbox seed {}", c.site, c.pass, c.path->name,
                           c.variant.name, seed_));
  const bool died = CrashRun();
  // Without faults every listed site is on the path: a kill that did not happen is a matrix
  // that no longer covers what it claims. With faults a failed call may end the run before it.
  if (c.variant.faults.empty()) {
    EXPECT_TRUE(died) << (c.variant.stop ? "the run did not stop at " : "the run never passed ") << c.site;
  }
  Complete();
  ExpectNothingTwiceNothingLost();
}

INSTANTIATE_TEST_SUITE_P(EverySite, CrashMatrix, ::testing::ValuesIn(Cases()), CaseName);

// A seeded storm on one route: rounds of `ponte sync --once --route R`, each killed at a crash
// point and pass drawn from the seed or by a SIGKILL at a drawn moment (anywhere, not only at a
// named site), while the sandbox injects faults; then a restart to completion. A new seed each
// run, printed; PONTE_STORM_SEED replays one, PONTE_STORM_KILLS sets the rounds (default 8).
class RandomStorm : public ::testing::TestWithParam<const WritePath*> {};

// People keep working while ponte is killed and restarted: each round adds a Ploomes contact
// with a tagged task and interaction, a Milvus client and an ERP customer, each with a document
// of its own. (The generated data already holds customers that share a document across systems,
// so the hub links as well as creates. One person keying in the ERP a customer another system
// holds, while ponte trusts an ERP listing of the last ten minutes, is the index's freshness
// trade-off (docs/scaling.md), not a crash: the storm does not do it.)
void PersonAtWork(testing::SandboxProcess& sandbox, int salt, int round);

void PeopleAtWork(testing::SandboxProcess& sandbox, int salt, int round) {
  for (int n = 0; n < 3; ++n) PersonAtWork(sandbox, salt, round * 3 + n);
}

void PersonAtWork(testing::SandboxProcess& sandbox, int salt, int round) {
  auto cnpj = [&](int system) {
    const std::string first = fmt::format("8{}{:03d}{:03d}0001", system, round, salt);
    return first + CnpjCheckDigits(first);
  };
  const std::string first_nine = fmt::format("7{:03d}{:03d}{:02d}", round, salt, 11);
  const std::string cpf = first_nine + CpfCheckDigits(first_nine);
  auto post = [&](const std::string& path, const Json& body) {
    auto res = sandbox.client().Post(path, body.dump(), "application/json");
    EXPECT_TRUE(res && res->status < 300) << path << ": " << (res ? res->body : "no answer");
    return res ? Json::parse(res->body, nullptr, false) : Json();
  };
  const Json contact = post("/_sandbox/ploomes/Contacts",
                            {{"Name", fmt::format("Marcenaria da Rodada {} Ltda", round)}, {"TypeId", 1}, {"CNPJ", cnpj(1)}});
  post("/_sandbox/ploomes/Tasks", {{"Title", "Instalação"}, {"ContactId", contact["Id"]},
                                   {"Tags", Json::array({{{"TagId", 40049716}}})}});
  post("/_sandbox/ploomes/InteractionRecords", {{"Content", "Entrega combinada"}, {"ContactId", contact["Id"]},
                                                {"Tags", Json::array({{{"TagId", 40049815}}})}});
  post("/_sandbox/milvus/clients",
       {{"cliente_documento", cpf}, {"cliente_pessoa_fisica", {{"nome", fmt::format("Rosa da Rodada {}", round)}}}});
  CustomerVendor cv;
  cv.name = fmt::format("Comércio da Rodada {} Ltda", round);
  cv.document = *ParseDocument(cnpj(3));
  Json content = cv.ToBusinessContent();
  content.erase("InternalId");
  post("/_sandbox/totvs/customers", content);
}

uint64_t StormSeed() {
  if (const char* fixed = std::getenv("PONTE_STORM_SEED")) return std::strtoull(fixed, nullptr, 10);
  static const uint64_t drawn = std::random_device{}() % 1'000'000;
  return drawn;
}

TEST_P(RandomStorm, KillsAndFaultsLeaveNothingTwiceAndNothingLost) {
  const WritePath& path = *GetParam();
  const uint64_t seed = StormSeed() ^ std::stoull(Fnv1aHex(path.name).substr(0, 8), nullptr, 16);
  const int rounds = std::getenv("PONTE_STORM_KILLS") ? std::atoi(std::getenv("PONTE_STORM_KILLS")) : 8;
  std::cout << fmt::format("storm on {}: seed {} (replay: PONTE_STORM_SEED={}), {} kills\n", path.name, seed,
                           StormSeed(), rounds);
  SCOPED_TRACE(fmt::format("storm on {} with PONTE_STORM_SEED={}", path.name, StormSeed()));
  testing::SandboxProcess sandbox({"--contacts", "40", "--tasks", "30", "--interactions", "15", "--milvus-clients",
                                   "30", "--totvs-customers", "20", "--seed", std::to_string(seed % 100'000 + 1)});
  ASSERT_TRUE(sandbox.ok());
  ASSERT_TRUE(sandbox.SetFaults("500=0.04,reset=0.03,slow_write=0.05,slow_ms=400,timeout=0.01,timeout_ms=3000"));
  const std::string dir = testing::NewTestDirectory("storm");
  const std::string config = dir + "/ponte.toml";
  testing::HubToml toml{sandbox.base(), "sqlite:" + dir + "/ponte.db"};
  toml.timeout_ms = 2000;
  testing::WriteHubToml(toml, config);
  std::mt19937_64 rng(seed);
  int died = 0;
  for (int round = 0; round < rounds; ++round) {
    PeopleAtWork(sandbox, static_cast<int>(seed % 1000), round);
    std::vector<std::string> argv = {"/usr/bin/env"};
    const bool at_site = rng() % 2 == 0;
    if (at_site) {
      argv.push_back(fmt::format("PONTE_CRASH_AT={}:{}", path.sites[rng() % path.sites.size()], 1 + rng() % 2));
    }
    argv.insert(argv.end(), {PONTE_BINARY, "sync", "--once", "--route", path.name, "--config", config});
    testing::ChildProcess run(argv);
    auto code = run.WaitFor(at_site ? 60s : std::chrono::milliseconds(5 + rng() % 200));
    if (!code) {
      run.Signal(SIGKILL);
      code = run.Wait();
    }
    died += code == 128 + SIGKILL;
  }
  EXPECT_GT(died, 0) << "no round was killed: the storm tested nothing";
  testing::ChildProcess complete({PONTE_BINARY, "sync", "--once", "--wait", "--config", config});
  EXPECT_EQ(complete.WaitFor(300s), 0) << complete.Drain();
  EXPECT_EQ(testing::Duplicates(sandbox.Stats()), "");
  auto all = testing::CheckEverythingDelivered(sandbox.client(), kCutoff);
  ASSERT_TRUE(all.ok);
  EXPECT_EQ(all.contacts_missing + all.clients_missing + all.tickets_missing, 0) << all.missing;
  auto erp = testing::CheckErpDelivered(sandbox.client(), kCutoff);
  ASSERT_TRUE(erp.ok);
  EXPECT_EQ(erp.customers_missing + erp.erp_missing, 0) << erp.missing;
  auto depara = testing::RunPonte("depara check --config " + config);
  EXPECT_EQ(depara.exit_code, 0) << depara.out;
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

std::vector<const WritePath*> RoutePaths() {
  std::vector<const WritePath*> out;
  for (const auto& p : Paths()) {
    if (p.via == Via::kSync) out.push_back(&p);
  }
  return out;
}

std::string RouteName(const ::testing::TestParamInfo<const WritePath*>& p) { return p.param->name; }

INSTANTIATE_TEST_SUITE_P(EachRoute, RandomStorm, ::testing::ValuesIn(RoutePaths()), RouteName);

// Every crash point ponte has is on some path of the matrix.
TEST(CrashMatrixCoverage, EveryCrashPointIsOnAPath) {
  std::set<std::string> covered;
  for (const auto& p : Paths()) {
    covered.insert(p.sites.begin(), p.sites.end());
    covered.insert(p.pessimistic_sites.begin(), p.pessimistic_sites.end());
  }
  for (const auto& site : kCrashSites) EXPECT_TRUE(covered.count(std::string(site.name))) << site.name;
}

}  // namespace
}  // namespace ponte
