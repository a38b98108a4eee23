#pragma once
// A `ponte sandbox` process on a free loopback port, and the ponte.toml that joins its three
// systems, for the tests that run ponte as an operator would (the crash-point matrix, the
// storms).

#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/child_process.h"

namespace ponte::testing {

class SandboxProcess {
 public:
  // `ponte sandbox --listen 127.0.0.1:0 ARGS`, with --no-quotas unless `quotas`; ok() once it
  // listens.
  explicit SandboxProcess(const std::vector<std::string>& args, bool quotas = false);
  bool ok() const { return !base_.empty(); }
  const std::string& base() const { return base_; }  // http://127.0.0.1:PORT
  httplib::Client& client() { return *client_; }
  nlohmann::json Stats();
  // Sets the sandbox's fault injection ("" turns it off).
  bool SetFaults(const std::string& spec);

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string base_;
  std::unique_ptr<httplib::Client> client_;
};

struct HubToml {
  std::string base;   // the sandbox
  std::string store;  // "sqlite:/tmp/..."
  // The routes to the ERP (customers_ploomes_to_erp, customers_milvus_to_erp) besides those from it.
  bool routes_to_erp = true;
  int write_settle_seconds = 1;
  int timeout_ms = 5000;
  double milvus_listings_per_minute = 0;  // ponte's Milvus listing quota (0: none)
  std::string server;  // a [server] table's body, when the test serves
};
// The four built-in routes and the ERP's, with keys from TEST_* variables it sets.
std::string WriteHubToml(const HubToml& toml, const std::string& path);

// A fresh directory for one test's files.
std::string NewTestDirectory(const std::string& name);

// The URL `ponte serve` says it listens on (it prints it once bound); "" when it never does.
std::string ServeUrl(ChildProcess& serve);

// An ERP's BusinessMessage carrying a CustomerVendor upsert (`content`), as a Protheus route
// pushes it; `n` makes its UUID.
nlohmann::json BusinessMessage(const nlohmann::json& content, int n);

// The systems' duplicate documents and tickets as the sandbox counts them: "" when there are
// none, else what is twice and where.
std::string Duplicates(const nlohmann::json& stats);

}  // namespace ponte::testing
