// `ponte sandbox`: the Ploomes and Milvus emulators alone, for trying a configuration or
// driving ponte by hand. Stops cleanly on Ctrl-C or SIGTERM.

#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "app/signals.h"
#include "core/realities.h"
#include "sandbox/faults.h"
#include "sandbox/sandbox.h"

namespace ponte {
namespace {

struct SandboxCommandOptions {
  sandbox::SandboxOptions o;
  std::string listen = "127.0.0.1:8500";
  std::string reality = "documented";
  bool quotas_off = false;
};

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Fail(Error::InvalidArgument(
        fmt::format("--listen '{}' is not HOST:PORT (e.g. 127.0.0.1:8500)", listen)));
  }
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    return std::make_pair(listen.substr(0, colon), port);
  } catch (...) {
    return Fail(Error::InvalidArgument(fmt::format("--listen '{}': bad port", listen)));
  }
}

void Run(SandboxCommandOptions& c, int& exit_code) {
  auto listen = ParseListen(c.listen);
  if (!ReportIfError(listen, exit_code, kExitUsage)) return;
  c.o.host = listen->first;
  c.o.port = listen->second;
  auto reality = Reality::Parse(c.reality);
  if (!ReportIfError(reality, exit_code, kExitUsage)) return;
  c.o.reality = *reality;
  if (c.quotas_off) {
    c.o.ploomes_requests_per_minute = 0;
    c.o.milvus_listings_per_minute = 0;
    c.o.totvs_requests_per_minute = 0;
  }
  BlockTerminationSignals();
  auto s = sandbox::Sandbox::Start(c.o);
  if (!s) {
    std::cerr << "ponte: " << s.error().message << "\n";
    exit_code = s.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnreachable;
    return;
  }
  auto& sb = **s;
  std::cout << fmt::format(
      "ponte sandbox listening on {}\n"
      "  Ploomes: {}   (User-Key: {})\n"
      "  Milvus:  {}   (Authorization: {})\n"
      "  TOTVS:   {}   (Basic {}:{}; REST EAI under /totvseai/standardmessage/v1)\n"
      "  inspect: {}/_sandbox/stats\n"
      "  data: {} contacts, {} tasks, {} interactions, {} Milvus clients, {} ERP customers (seed {})\n"
      "  reality: {}\n"
      "Ctrl-C stops it.\n",
      sb.base_url(), sb.ploomes_url(), c.o.ploomes_key, sb.milvus_url(), c.o.milvus_token, sb.totvs_url(),
      c.o.totvs_user, c.o.totvs_password, sb.base_url(), c.o.contacts, c.o.tasks, c.o.interactions,
      c.o.milvus_clients, c.o.totvs_customers, c.o.seed,
      c.o.reality.ToString());
  std::cout.flush();
  OnTerminationSignal([&sb] { sb.Stop(); });
  sb.Wait();
  std::cout << "ponte sandbox stopped\n";
}

}  // namespace

void AddSandboxCommand(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<SandboxCommandOptions>();
  auto* cmd = app.add_subcommand(
      "sandbox",
      "Run the Ploomes, Milvus and TOTVS ERP emulators (Ploomes under /ploomes/, Milvus under /milvus/, "
      "the ERP's REST EAI under /totvs/, inspection under /_sandbox/). The sandbox keys are not secrets.");
  auto& o = c->o;
  cmd->add_option("--listen", c->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed of the generated data and the fault draws")->capture_default_str();
  cmd->add_option("--reality", c->reality,
                  "How the emulators answer where the real APIs are not known: documented (the API notes' "
                  "reading), pessimistic (the worst plausible value of every unknown), or SYSTEM.UNKNOWN=VALUE "
                  "settings, comma-separated and applied in order. docs/sandbox.md lists every unknown")
      ->capture_default_str();
  cmd->add_option("--contacts", o.contacts, "Ploomes contacts to generate")->capture_default_str();
  cmd->add_option("--tasks", o.tasks, "Ploomes tasks to generate")->capture_default_str();
  cmd->add_option("--interactions", o.interactions, "Ploomes interaction records to generate")
      ->capture_default_str();
  cmd->add_option("--milvus-clients", o.milvus_clients, "Milvus clients to generate (about half share a document with a Ploomes contact)")
      ->capture_default_str();
  cmd->add_option("--totvs-customers", o.totvs_customers,
                  "ERP customers to generate (about a quarter share a document with a Ploomes contact)")
      ->capture_default_str();
  cmd->add_option("--totvs-rate", o.totvs_requests_per_minute, "ERP requests a minute before 429 (0: off)")
      ->capture_default_str();
  cmd->add_option("--totvs-answer", o.totvs_answer,
                  "How the ERP answers a BusinessMessage (unconfirmed): response (a ResponseMessage with "
                  "ListOfInternalId) or ack_only (a bare 202, as an async receiver)")
      ->check(CLI::IsMember({"response", "ack_only"}))
      ->capture_default_str();
  cmd->add_option("--totvs-id-case", o.totvs_id_case,
                  "Spelling of ListOfInternalId in the ERP's answers (unconfirmed): pascal "
                  "(Name/Origin/Destination) or lower (name/origin/destination, ListOfInternalID)")
      ->check(CLI::IsMember({"pascal", "lower"}))
      ->capture_default_str();
  cmd->add_option("--faults", o.faults,
                  "Faults to inject: KIND=PROBABILITY,... with KIND one of 429, 500, 502, 503, "
                  "slow, timeout, reset, truncated, malformed, duplicate_page; prefix ploomes:, "
                  "milvus: or totvs: to scope one; slow_ms=N and timeout_ms=N set the delays. Also "
                  "POST /_sandbox/faults at run time");
  cmd->add_option("--time-scale", o.time_scale,
                  "Speed of the sandbox clock (quotas and timestamps); 60 makes a minute last a "
                  "second")
      ->capture_default_str();
  cmd->add_option("--ploomes-rate", o.ploomes_requests_per_minute,
                  "Ploomes requests a minute per account before 429 (0: off)")
      ->capture_default_str();
  cmd->add_option("--milvus-listing-rate", o.milvus_listings_per_minute,
                  "Milvus listing requests a minute per token before 429 (0: off)")
      ->capture_default_str();
  cmd->add_flag("--no-quotas", c->quotas_off, "Turn both quotas off");
  cmd->add_flag("--ploomes-retry-after", o.ploomes_retry_after,
                "Send Retry-After on Ploomes 429s (unconfirmed in the real API)");
  cmd->add_flag("--ploomes-reject-oversized-top", o.ploomes_reject_oversized_top,
                "Answer 400 to $top above 300 instead of capping silently (unconfirmed)");
  cmd->add_flag("--ploomes-next-link", o.ploomes_next_link,
                "Add @odata.nextLink to partial pages (unconfirmed)");
  cmd->add_flag("--ploomes-mirror-register", o.ploomes_mirror_register,
                "Copy Register into CNPJ/CPF by TypeId (unconfirmed)");
  cmd->add_option("--webhook-key-header", o.webhook_key_header,
                  "Header carrying the webhook ValidationKey (unconfirmed)")
      ->capture_default_str();
  cmd->add_flag("--webhook-key-in-body", o.webhook_key_in_body,
                "Also put the ValidationKey in the webhook body");
  cmd->add_option("--webhook-duplicates", o.webhook_duplicate_probability,
                  "Probability that a webhook is delivered twice")
      ->capture_default_str();
  cmd->add_option("--milvus-busca-cap", o.milvus_busca_cap,
                  "Most clients cliente/busca returns (observed: 1000)")
      ->capture_default_str();
  cmd->add_flag("--milvus-numeric-client-id", o.milvus_accept_numeric_client_id,
                "Accept a client's numeric id in chamado/criar (unconfirmed; token only by default)");
  cmd->add_option("--auth-status", o.ploomes_auth_status,
                  "Status for a bad Ploomes User-Key (unconfirmed: 401)")
      ->capture_default_str();
  cmd->add_option("--milvus-auth-status", o.milvus_auth_status,
                  "Status for a bad Milvus token (unconfirmed: 401 or 403)")
      ->capture_default_str();
  cmd->callback([c, &exit_code] { Run(*c, exit_code); });
}

}  // namespace ponte
