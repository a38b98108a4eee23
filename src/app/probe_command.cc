// `ponte probe`: settles, on the accounts ponte.toml names, the unknowns of
// ../shared/api/unknowns.md (core/realities.h), and keeps what it finds in the store, where
// sync and serve use it (docs/probe.md says what each answer changes).

#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/runtime.h"
#include "connectors/milvus/milvus_probe.h"
#include "connectors/ploomes/ploomes_probe.h"
#include "core/realities.h"

namespace ponte {
namespace {

struct ProbeCommandOptions {
  std::string config = "ponte.toml";
  bool json = false;
  bool write = false;
  std::string webhook_listen = "127.0.0.1:0";
  std::string webhook_url;
};

// A loopback (or given) HTTP listener that keeps what probe webhooks send it.
class Catcher {
 public:
  Result<std::string> Start(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return Fail(Error::InvalidArgument("--webhook-listen wants HOST:PORT"));
    const std::string host = listen.substr(0, colon);
    int port = 0;
    try {
      port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
      return Fail(Error::InvalidArgument("--webhook-listen wants HOST:PORT"));
    }
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      CaughtRequest caught;
      for (const auto& [k, v] : req.headers) caught.headers.emplace_back(k, v);
      for (const auto& [k, v] : req.params) caught.query[k] = v;
      caught.body = req.body;
      {
        std::lock_guard lock(mu_);
        caught_.push_back(std::move(caught));
      }
      cv_.notify_all();
      res.status = 200;
    });
    port = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
    if (port <= 0) return Fail(Error::Unavailable(fmt::format("cannot listen on {} for the probe webhooks", listen)));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return fmt::format("http://{}:{}/", host, port);
  }
  ~Catcher() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::optional<CaughtRequest> Wait(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !caught_.empty(); })) return std::nullopt;
    CaughtRequest first = std::move(caught_.front());
    caught_.pop_front();
    return first;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CaughtRequest> caught_;
};

bool IsLoopback(const std::string& url) {
  return url.find("://127.") != std::string::npos || url.find("://localhost") != std::string::npos ||
         url.find("://[::1]") != std::string::npos;
}

void RunProbe(GlobalOptions& g, ProbeCommandOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  Runtime& r = **rt;
  ProbeOptions po;
  po.write = o.write;
  if (!o.json) po.say = [](const std::string& line) { std::cerr << "ponte probe: " << line << "\n"; };
  Catcher catcher;
  auto ploomes_account = r.Ploomes();
  auto milvus_account = r.Milvus();
  if (!ReportIfError(ploomes_account, exit_code, kExitUsage) || !ReportIfError(milvus_account, exit_code, kExitUsage)) {
    return;
  }
  if (o.write && (!o.webhook_url.empty() || IsLoopback(r.config.systems.at("ploomes").base_url))) {
    auto url = catcher.Start(o.webhook_listen);
    if (!ReportIfError(url, exit_code, kExitUsage)) return;
    po.catcher = WebhookCatcher{o.webhook_url.empty() ? *url : o.webhook_url,
                                [&catcher](std::chrono::seconds t) { return catcher.Wait(t); }};
  }
  // The quota probe needs a client that neither paces its listings nor retries a 429.
  ApiClientOptions unpaced = (*r.Api("milvus"))->options();
  unpaced.retry.max_attempts = 1;
  ApiClient unpaced_api(unpaced, *r.transport, nullptr, r.calls, SystemClock::Get());
  milvus::MilvusClient unpaced_milvus(unpaced_api, (*milvus_account)->client().busca_cap());

  std::vector<Finding> found = ploomes::ProbePloomes(**ploomes_account, r.calls, po);
  for (auto& f : milvus::ProbeMilvus((*milvus_account)->client(), unpaced_milvus, r.calls, po)) found.push_back(std::move(f));
  // A system that answered nothing is unreachable (or refuses the key): say so, not "unknown".
  for (const char* system : {"ploomes", "milvus"}) {
    int64_t answered = 0;
    for (const auto& [key, n] : r.calls.Snapshot()) {
      if (key.system == system && key.status >= 200 && key.status < 300) answered += n;
    }
    if (answered == 0) {
      std::cerr << fmt::format("ponte probe: {} answered no request; check systems.{}.base_url and its key\n", system, system);
      exit_code = kExitUnreachable;
    }
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : found) {
    out[f.key] = {{"value", f.value}, {"evidence", f.evidence}};
    if (f.value != kUnknownValue) r.findings.Learn(f);  // kept in the store for sync and serve
  }
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  int settled = 0;
  for (const auto& f : found) {
    settled += f.value != kUnknownValue;
    const Unknown* u = FindUnknown(f.key);
    std::cout << fmt::format("{:30} {:14} {}\n", f.key, f.value, f.evidence);
    if (f.value == kUnknownValue && u) std::cout << fmt::format("{:30} {:14} (if wrong: {})\n", "", "", u->breaks);
  }
  std::cout << fmt::format("{} of {} settled and kept in {}{}\n", settled, found.size(), r.store->Describe(),
                           o.write ? "" : "; --write settles more with test records it removes again");
}

}  // namespace

void AddProbeCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<ProbeCommandOptions>();
  auto* probe = app.add_subcommand(
      "probe",
      "Find out how the real Ploomes and Milvus accounts behave where their documentation is silent "
      "(docs/probe.md), and keep the answers for sync and serve");
  probe->add_option("--config", o->config, "Configuration file")->capture_default_str();
  probe->add_flag("--json", o->json, "Print one key per unknown with its value and evidence");
  probe->add_flag("--write", o->write,
                  "Also probe by writing test records named \"ponte probe ...\" (contacts, a task, clients, "
                  "webhooks), deleted again at the end");
  probe->add_option("--webhook-url", o->webhook_url,
                    "With --write: the address at which Ploomes can reach --webhook-listen, for the webhook probe")
      ->capture_default_str();
  probe->add_option("--webhook-listen", o->webhook_listen, "With --write: HOST:PORT the webhook probe listens on")
      ->capture_default_str();
  probe->footer("Exit codes: 0 the probes ran (some answers may stay unknown), 2 config, 3 a system is unreachable.");
  probe->callback([&g, o, &exit_code] { RunProbe(g, *o, exit_code); });
}

}  // namespace ponte
