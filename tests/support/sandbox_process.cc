#include "support/sandbox_process.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/run_ponte.h"

namespace ponte::testing {

SandboxProcess::SandboxProcess(const std::vector<std::string>& args, bool quotas) {
  std::vector<std::string> argv = {PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0"};
  if (!quotas) argv.push_back("--no-quotas");
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(argv);
  auto first = process_->ReadLine(std::chrono::seconds(20));
  if (!first || first->find("http://") == std::string::npos) return;
  base_ = first->substr(first->find("http://"));
  if (auto blank = base_.find_first_of(" )"); blank != std::string::npos) base_.resize(blank);
  client_ = std::make_unique<httplib::Client>(base_);
  client_->set_read_timeout(30, 0);
}

nlohmann::json SandboxProcess::Stats() {
  auto res = client_->Get("/_sandbox/stats");
  return res ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
}

bool SandboxProcess::SetFaults(const std::string& spec) {
  auto res = client_->Post("/_sandbox/faults", nlohmann::json{{"spec", spec}}.dump(), "application/json");
  return res && res->status == 200;
}

std::string WriteHubToml(const HubToml& t, const std::string& path) {
  setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
  setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
  setenv("TEST_ERP_PASSWORD", "sandbox-totvs-password", 1);
  std::ofstream out(path);
  out << "store = \"" << t.store << "\"\n"
      << "[systems.ploomes]\nbase_url = \"" << t.base << "/ploomes\"\nkey_env = \"TEST_PLOOMES_KEY\"\n"
      << "requests_per_minute = 0\ntimeout_ms = " << t.timeout_ms << "\nforbidden_backoff_ms = 20\n"
      << "[systems.milvus]\nbase_url = \"" << t.base << "/milvus\"\nkey_env = \"TEST_MILVUS_KEY\"\n"
      << "listing_budget = 5000\nquotas = { listings_per_minute = " << t.milvus_listings_per_minute
      << " }\ntimeout_ms = " << t.timeout_ms << "\n"
      << "[systems.erp]\nkind = \"totvs\"\nbase_url = \"" << t.base << "/totvs\"\nuser = \"ponte\"\n"
      << "key_env = \"TEST_ERP_PASSWORD\"\nmessage_version = \"2.007\"\ntimeout_ms = " << t.timeout_ms << "\n"
      << "[delivery]\nretry_base_seconds = 0\nmax_attempts = 50\nwrite_settle_seconds = " << t.write_settle_seconds
      << "\n";
  if (!t.server.empty()) out << "[server]\n" << t.server << "\n";
  for (const char* route : {"customers_ploomes_to_milvus", "customers_milvus_to_ploomes", "tasks_ploomes_to_milvus",
                            "interactions_ploomes_to_milvus"}) {
    out << "[[routes]]\nname = \"" << route << "\"\n";
  }
  for (const auto& [from, to] : {std::pair{"ploomes", "erp"}, {"erp", "ploomes"}, {"erp", "milvus"}, {"milvus", "erp"}}) {
    if (!t.routes_to_erp && std::string(to) == "erp") continue;
    out << "[[routes]]\nname = \"customers_" << from << "_to_" << to << "\"\nfrom = \"" << from << "\"\nto = \"" << to
        << "\"\n" << (std::string(from) == "ploomes" ? "cutoff = \"2024-02-24\"\n" : "");
  }
  return path;
}

std::string NewTestDirectory(const std::string& name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("ponte-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string ServeUrl(ChildProcess& serve) {
  for (int i = 0; i < 20; ++i) {
    auto line = serve.ReadLine(std::chrono::seconds(10));
    if (!line) return "";
    if (auto at = line->find("listening on http://"); at != std::string::npos) {
      std::string url = line->substr(at + 13);
      return url.substr(0, url.find(' '));
    }
  }
  return "";
}

nlohmann::json BusinessMessage(const nlohmann::json& content, int n) {
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "5e1f0000-0000-4000-8000-%012d", n);
  return {{"Header",
           {{"UUID", uuid}, {"Type", "BusinessMessage"}, {"SubType", "event"}, {"Event", "upsert"},
            {"Transaction", "CUSTOMERVENDOR"}, {"Version", "2.000"}, {"SourceApplication", "P12ERP"},
            {"ProductName", "PROTHEUS"}}},
          {"Content", content}};
}

std::string Duplicates(const nlohmann::json& stats) {
  std::string out;
  for (const char* system : {"ploomes", "milvus", "totvs"}) {
    if (stats[system].value("duplicate_documents", 0) != 0) out += std::string(system) + ": " + stats[system]["duplicates"].dump() + "; ";
  }
  if (stats["milvus"].value("duplicate_tickets", 0) != 0) out += "milvus: duplicate tickets; ";
  return out;
}

}  // namespace ponte::testing
