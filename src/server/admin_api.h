#pragma once
// The admin JSON API under /api and the Prometheus page, registered on the server's router.
// Authentication is the caller's job (HttpServer checks it before routing).

#include <httplib.h>

#include "core/time.h"
#include "net/call_counter.h"
#include "server/sync_service.h"
#include "store/store.h"

namespace ponte::server {

struct AdminContext {
  SyncService& service;
  Store& store;
  CallCounter& calls;
  const Clock& clock;
  bool webhooks_configured = false;
  size_t max_body_bytes = 1 << 20;  // every body the API reads (server.max_body_bytes)
};

void RegisterAdminApi(httplib::Server& server, AdminContext& context);

// "milvus circuit open: <why>" for the first open circuit; empty when every system answers.
std::string OpenCircuit(const SyncService& service);

// /metrics in Prometheus text format.
std::string RenderMetrics(AdminContext& context);

// Answers `status` with {"error": {"code": ..., "message": ...}}.
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message);

}  // namespace ponte::server
