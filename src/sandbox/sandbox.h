#pragma once
// The sandbox: emulators of the Ploomes and Milvus APIs and of a TOTVS ERP's REST EAI on one loopback HTTP server, with
// deterministic realistic data, quotas, fault injection and an inspection API under
// /_sandbox/. Runs in its own process (`ponte sandbox`) or inside one (`ponte demo`, tests).
// It depends on core only, never on the connectors it emulates.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "sandbox/sandbox_options.h"

namespace ponte::sandbox {

class Sandbox {
 public:
  // Generates the data, binds host:port (port 0: any free one) and starts serving on
  // background threads. Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<Sandbox>> Start(const SandboxOptions& options);
  ~Sandbox();  // stops the server and the webhook sender

  int port() const;
  std::string base_url() const;     // http://127.0.0.1:PORT
  std::string ploomes_url() const;  // base_url() + "/ploomes"
  std::string milvus_url() const;   // base_url() + "/milvus"
  std::string totvs_url() const;    // base_url() + "/totvs": the ERP's REST base (Protheus' /rest)
  const SandboxOptions& options() const;

  nlohmann::json Stats() const;  // what GET /_sandbox/stats answers
  // Blocks until Stop() (from a signal handler thread, say).
  void Wait();
  void Stop();

 private:
  struct Impl;
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ponte::sandbox
