#include "sandbox/sandbox.h"

#include <condition_variable>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "sandbox/internal/routes.h"
#include "sandbox/internal/world.h"

namespace ponte::sandbox {

namespace {
// Threads serving requests: enough that injected timeouts and slow answers do not starve the
// rest when several workers hit the sandbox at once.
constexpr size_t kServerThreads = 32;
constexpr auto kWebhookPoll = std::chrono::milliseconds(20);
}  // namespace

struct Sandbox::Impl {
  explicit Impl(const SandboxOptions& o) : world(o) {}

  detail::World world;
  httplib::Server server;
  std::thread server_thread;
  std::thread webhook_thread;
  std::atomic<bool> stopping{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopped = false;

  // Delivers queued webhook events at least once: retried on failure, sometimes twice.
  void SendWebhooks() {
    std::mt19937_64 rng(world.options.seed + 17);
    while (!stopping) {
      detail::WebhookEvent event;
      {
        std::lock_guard lock(world.mu);
        if (world.webhook_queue.empty()) {
          event.url.clear();
        } else {
          event = std::move(world.webhook_queue.front());
          world.webhook_queue.pop_front();
        }
      }
      if (event.url.empty()) {
        std::this_thread::sleep_for(kWebhookPoll);
        continue;
      }
      const auto& o = world.options;
      int copies = std::uniform_real_distribution<double>(0, 1)(rng) < o.webhook_duplicate_probability ? 2 : 1;
      for (int copy = 0; copy < copies; ++copy) Deliver(event);
      if (copies == 2) {
        std::lock_guard lock(world.mu);
        ++world.webhook_stats["duplicated"];
      }
    }
  }

  void Deliver(const detail::WebhookEvent& event) {
    const auto& o = world.options;
    // CallbackUrl is http://host:port/path?query.
    auto scheme_end = event.url.find("://");
    auto path_start = event.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    std::string origin = event.url.substr(0, path_start);
    std::string path = path_start == std::string::npos ? "/" : event.url.substr(path_start);
    nlohmann::json body = event.payload;
    // ploomes.webhook_key: where the delivery carries the ValidationKey, if anywhere.
    const std::string& where = o.reality.Get("ploomes.webhook_key");
    httplib::Headers headers;
    if (where == "header") headers.emplace(o.webhook_key_header, event.validation_key);
    if (where == "other_header") headers.emplace("Validation-Key", event.validation_key);
    if (where == "body" || o.webhook_key_in_body) body["ValidationKey"] = event.validation_key;
    for (int attempt = 0; attempt <= o.webhook_retries && !stopping; ++attempt) {
      httplib::Client client(origin);
      client.set_connection_timeout(std::chrono::milliseconds(o.webhook_timeout_ms));
      client.set_read_timeout(std::chrono::milliseconds(o.webhook_timeout_ms));
      auto r = client.Post(path, headers, body.dump(), "application/json");
      if (r && r->status >= 200 && r->status < 300) {
        std::lock_guard lock(world.mu);
        ++world.webhook_stats["delivered"];
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
    }
    std::lock_guard lock(world.mu);
    ++world.webhook_stats["failed"];
  }
};

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Sandbox>> Sandbox::Start(const SandboxOptions& options) {
  if (!options.faults.empty()) {
    auto spec = FaultSpec::Parse(options.faults);
    if (!spec) return Fail(spec.error());
  }
  auto impl = std::make_unique<Impl>(options);
  auto& server = impl->server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // Request bodies beyond Ploomes' documented 10 MB payload limit are refused.
  server.set_payload_max_length(10 * 1024 * 1024);
  // Idle keep-alive connections close after a second, so stopping the sandbox is quick.
  server.set_keep_alive_timeout(1);
  server.set_tcp_nodelay(true);  // small JSON answers go out at once, not after a delayed ACK
  detail::RegisterPloomesRoutes(server, impl->world);
  detail::RegisterMilvusRoutes(server, impl->world);
  detail::RegisterTotvsRoutes(server, impl->world);
  detail::RegisterAdminRoutes(server, impl->world);
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(R"({"error":{"code":"NotFound","message":"No such endpoint"}})", "application/json");
    }
  });
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Fail(Error::Unavailable(fmt::format(
        "the sandbox cannot listen on {}:{} (in use? try --listen {}:0 for any free port)",
        options.host, options.port, options.host)));
  }
  impl->world.options.port = port;
  impl->server_thread = std::thread([s = &impl->server] { s->listen_after_bind(); });
  impl->webhook_thread = std::thread([i = impl.get()] { i->SendWebhooks(); });
  // The socket already listens (bind_to_port), so early clients queue in its backlog; wait for
  // the accept loop anyway so Stop() right after Start() cannot race it.
  for (int i = 0; i < 1000 && !impl->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

Sandbox::~Sandbox() {
  Stop();
  if (impl_->server_thread.joinable()) impl_->server_thread.join();
  if (impl_->webhook_thread.joinable()) impl_->webhook_thread.join();
}

void Sandbox::Stop() {
  impl_->stopping = true;
  impl_->server.stop();
  std::lock_guard lock(impl_->stop_mu);
  impl_->stopped = true;
  impl_->stop_cv.notify_all();
}

void Sandbox::Wait() {
  std::unique_lock lock(impl_->stop_mu);
  impl_->stop_cv.wait(lock, [&] { return impl_->stopped; });
}

int Sandbox::port() const { return impl_->world.options.port; }
std::string Sandbox::base_url() const {
  return fmt::format("http://{}:{}", impl_->world.options.host, port());
}
std::string Sandbox::ploomes_url() const { return base_url() + "/ploomes"; }
std::string Sandbox::milvus_url() const { return base_url() + "/milvus"; }
std::string Sandbox::totvs_url() const { return base_url() + "/totvs"; }
const SandboxOptions& Sandbox::options() const { return impl_->world.options; }

nlohmann::json Sandbox::Stats() const {
  std::lock_guard lock(impl_->world.mu);
  return impl_->world.StatsLocked();
}

}  // namespace ponte::sandbox
