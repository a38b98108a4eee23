// Webhook-to-ticket latency: a person creates a tagged task in (sandbox) Ploomes, Ploomes calls
// ponte serve's webhook, and ponte creates the Milvus ticket. Prints p50/p99 of
//   - end to end: from the task's creation to ponte's de/para holding the ticket, and
//   - inside ponte: from the webhook's arrival to the ticket created (the server's histogram),
// then a burst of the same events at once for records per second and API calls per record.
// Not a Google Benchmark: the figures are distributions over real HTTP round trips.
//   ponte_webhook_latency [EVENTS]   (default 300)

#include <algorithm>
#include <numeric>
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "server/http_server.h"
#include "server/sync_service.h"
#include "support/sandbox_harness.h"
#include "sync/engine.h"

using namespace ponte;
using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

bool Delivered(Store& store, int64_t task) {
  auto id = store.Lookup("Ticket", {"ploomes", TicketOriginId("Task", std::to_string(task))}, "milvus");
  return id && *id;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::max(1, std::atoi(argv[1])) : 300;
  sandbox::SandboxOptions world;
  world.contacts = 200;
  world.tasks = 50;
  world.interactions = 10;
  world.milvus_clients = 50;
  world.ploomes_requests_per_minute = 0;
  world.milvus_listings_per_minute = 0;
  testing::SandboxHarness h(world);
  // The customers are synced already, as in a running integration.
  {
    SyncEngine engine(h.config, *h.store, h.Systems(), h.calls, SystemClock::Get());
    engine.RunAll();
  }
  std::vector<int64_t> contacts;
  auto links = h.store->ListLinks({"CustomerVendor", "ploomes", 0, 0});
  if (!links) return 1;
  for (const auto& link : *links) {
    if (auto peer = h.store->Lookup("CustomerVendor", link.ref, "milvus"); peer && *peer) {
      contacts.push_back(std::stoll(link.ref.internal_id));
    }
  }
  if (contacts.empty()) {
    std::fprintf(stderr, "no linked contact to attach tasks to\n");
    return 1;
  }
  server::SyncService service({h.config, *h.store, h.calls, SystemClock::Get(), {}, h.Systems()}, "bench:1", false);
  service.Start();
  server::ServerOptions so;
  so.port = 0;
  so.webhook_key = "bench-hook-key";
  auto http = server::HttpServer::Start(so, service, *h.store, h.calls, SystemClock::Get());
  if (!http) {
    std::fprintf(stderr, "%s\n", http.error().ToString().c_str());
    return 1;
  }
  if (!h.ploomes->RegisterWebhook(12, 1, (*http)->url() + "/webhooks/ploomes", "bench-hook-key")) return 1;

  auto new_task = [&](int i) {
    return h.AdminPost("/_sandbox/ploomes/Tasks",
                       {{"Title", fmt::format("Entrega {}", i)},
                        {"ContactId", contacts[i % contacts.size()]},
                        {"Tags", Json::array({{{"TagId", 40049715}}})}})["Id"].get<int64_t>();
  };
  // One event at a time: latency.
  std::vector<double> end_to_end;
  const int64_t calls_before = h.calls.Total();
  for (int i = 0; i < events; ++i) {
    const auto start = Steady::now();
    const int64_t task = new_task(i);
    while (!Delivered(*h.store, task)) {
      if (Steady::now() - start > std::chrono::seconds(30)) {
        std::fprintf(stderr, "task %lld not delivered in 30 s\n", static_cast<long long>(task));
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    end_to_end.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  }
  const int64_t calls_sequential = h.calls.Total() - calls_before;
  const double inside_p50 = service.latency().RecentQuantile(0.5) * 1000;
  const double inside_p99 = service.latency().RecentQuantile(0.99) * 1000;

  // A burst: every event at once.
  std::vector<int64_t> burst;
  const int64_t burst_calls_before = h.calls.Total();
  const auto burst_start = Steady::now();
  for (int i = 0; i < events; ++i) burst.push_back(new_task(events + i));
  for (int64_t task : burst) {
    while (!Delivered(*h.store, task)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double burst_seconds = std::chrono::duration<double>(Steady::now() - burst_start).count();
  const int64_t burst_calls = h.calls.Total() - burst_calls_before;
  auto stats = h.Stats();
  (*http)->Stop();
  service.Stop();

  std::printf("webhook -> ticket, %d events one at a time (sandbox webhook sender polls every 20 ms):\n", events);
  std::printf("  end to end (task created -> ticket linked): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              Quantile(end_to_end, 0.5), Quantile(end_to_end, 0.99), Quantile(end_to_end, 1.0));
  std::printf("  inside ponte (webhook arrived -> ticket created): p50 %.1f ms, p99 %.1f ms\n", inside_p50, inside_p99);
  std::printf("  API calls per record %.2f, records per second %.1f\n",
              static_cast<double>(calls_sequential) / events,
              events / (std::accumulate(end_to_end.begin(), end_to_end.end(), 0.0) / 1000));
  std::printf("burst of %d events: %.2f s, records per second %.1f, API calls per record %.2f\n", events, burst_seconds,
              events / burst_seconds, static_cast<double>(burst_calls) / events);
  std::printf("duplicate tickets: %d\n", stats["milvus"]["duplicate_tickets"].get<int>());
  return stats["milvus"]["duplicate_tickets"].get<int>() == 0 ? 0 : 1;
}
