// What anyone who can reach `ponte serve` sends it: whole HTTP requests (request line, paths,
// queries, headers, chunked and plain bodies), over a real TCP connection to a real HttpServer.
// The server must answer every request with a well-formed HTTP status (or close the
// connection) and keep answering: no input may end the process or wedge it.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include "connectors/milvus/milvus_connector.h"
#include "connectors/systems.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "fuzz_check.h"
#include "net/http.h"
#include "server/http_server.h"
#include "app/default_config.h"
#include "server/sync_service.h"
#include "store/store.h"

namespace {

using namespace ponte;
using std::chrono::milliseconds;

// One server for the whole run. Its systems are a closed port: a webhook that gets through is
// queued and its delivery fails quietly (the circuit opens), which is not what is tested here.
struct World {
  Config config = DefaultConfig();
  std::unique_ptr<Store> store;
  std::unique_ptr<HttpTransport> transport;
  CallCounter calls;
  std::unique_ptr<ApiClient> ploomes_api, milvus_api;
  std::unique_ptr<ploomes::PloomesConnector> ploomes;
  std::unique_ptr<milvus::MilvusConnector> milvus;
  std::unique_ptr<DefaultSystems> systems;
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<server::HttpServer> http;

  World() {
    const auto path = std::filesystem::temp_directory_path() / ("ponte-http-fuzz-" + std::to_string(getpid()) + ".db");
    store = std::move(*OpenStore("sqlite:" + path.string()));
    transport = MakeCurlTransport({});
    RetryPolicy none;
    none.budget = milliseconds(1);
    ploomes_api = std::make_unique<ApiClient>(
        ApiClientOptions{"ploomes", "http://127.0.0.1:1/ploomes", "User-Key", "k", "K", milliseconds(200), none},
        *transport, nullptr, calls, SystemClock::Get());
    milvus_api = std::make_unique<ApiClient>(
        ApiClientOptions{"milvus", "http://127.0.0.1:1/milvus", "Authorization", "k", "K", milliseconds(200), none},
        *transport, nullptr, calls, SystemClock::Get());
    ploomes = std::make_unique<ploomes::PloomesConnector>(*ploomes_api);
    milvus = std::make_unique<milvus::MilvusConnector>(*milvus_api, milvus::TicketDefaults{});
    systems = std::make_unique<DefaultSystems>(*ploomes, *milvus);
    service = std::make_unique<server::SyncService>(
        server::ServiceParts{config, *store, calls, SystemClock::Get(), {}, systems->Systems()}, "fuzz:1", false);
    service->Start();
    server::ServerOptions o;
    o.port = 0;
    o.webhook_key = "fuzz-hook-key";
    o.max_body_bytes = 4096;
    o.threads = 16;
    http = std::move(*server::HttpServer::Start(o, *service, *store, calls, SystemClock::Get()));
  }
};

World& TheWorld() {
  static World* world = new World();  // never destroyed: libFuzzer exits without unwinding
  return *world;
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  const int fd = Connect(w.http->port());
  PONTE_FUZZ_CHECK(fd >= 0);
  (void)send(fd, data, size, MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);  // the request is all there is
  std::string answer;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) answer.append(buf, static_cast<size_t>(n));
  close(fd);
  // Either nothing (the server closed a request it could not read) or an HTTP status line.
  PONTE_FUZZ_CHECK(answer.empty() || answer.starts_with("HTTP/1.1 "));
  // And the server still answers.
  httplib::Client probe(w.http->url());
  probe.set_read_timeout(5, 0);
  auto health = probe.Get("/healthz");
  PONTE_FUZZ_CHECK(health && health->status == 200);
  return 0;
}
