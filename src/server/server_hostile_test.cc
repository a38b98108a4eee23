// `ponte serve` against hostile and careless clients: where it refuses to listen, requests that must not end the process,
// chunked bodies past the limit, DNS rebinding, idle connections, pushes ponte cannot deliver,
// and one body limit on every path.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/base64.h"
#include "core/document.h"
#include "server/eai_receiver.h"
#include "server/http_server.h"
#include "server/sync_service.h"
#include "server/server_test_fixture.h"
#include "support/sandbox_harness.h"
#include "sync/engine.h"


namespace ponte::server {
namespace {

using namespace test;

TEST(ServerListen, RefusesANonLoopbackAddressWithoutAToken) {
  testing::SandboxHarness h(SmallWorld());
  SyncService service({h.config, *h.store, h.calls, SystemClock::Get(), {}, h.Systems()}, "test:2", false);
  ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  auto refused = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("PONTE_ADMIN_TOKEN"), std::string::npos);
  o.admin_token = kAdminToken;
  auto open = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_TRUE(open.has_value()) << open.error().ToString();
  httplib::Client c("127.0.0.1", (*open)->port());
  EXPECT_EQ(c.Get("/api/status")->status, 401);
  EXPECT_EQ(c.Get("/api/status", {{"Authorization", std::string("Bearer ") + kAdminToken}})->status, 200);
  EXPECT_FALSE(ParseListenAddress("8400").has_value());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:99999").has_value());
  EXPECT_EQ(ParseListenAddress("[::1]:8400")->first, "::1");
  EXPECT_TRUE(IsLoopbackHost("127.0.0.2"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

// A second ponte on a port in use fails to start (before: both bound it and requests alternated).
TEST(ServerListen, ASecondServerOnABusyPortFails) {
  testing::SandboxHarness h(SmallWorld());
  SyncService service({h.config, *h.store, h.calls, SystemClock::Get(), {}, h.Systems()}, "test:3", false);
  ServerOptions o;
  o.port = 0;
  auto first = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  o.port = (*first)->port();
  auto second = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
}

// Checks the Prometheus text exposition format line by line: comments, then samples of declared
// families, with parseable values; histogram buckets never decrease.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  // Sends until done or the server stops reading; returns the bytes it took.
  size_t Send(std::string_view data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    return sent;
  }
  std::string Receive() {
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Streams a chunked POST of up to `total` bytes; returns the status line the server answered.
std::string ChunkedPost(int port, const std::string& target, size_t total, size_t* taken,
                        const std::string& headers = "") {
  RawConnection c(port);
  EXPECT_TRUE(c.connected());
  c.Send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + headers +
         "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  *taken = 0;
  for (size_t sent = 0; sent < total; sent += 0x10000) {
    const size_t n = c.Send(chunk);
    *taken += n;
    if (n < chunk.size()) break;  // the server stopped reading
  }
  c.Send("0\r\n\r\n");
  const std::string answer = c.Receive();
  return answer.substr(0, answer.find("\r\n"));
}

// Found by a hostile test: one request with an invalid UTF-8 byte in its path ended the process
// (an exception in the 404 handler); /api/explain and /api/depara answered 500.
TEST_F(ServerTest, NoRequestEndsTheProcess) {
  Start();
  for (const char* path : {"/%FF", "/api/explain?id=%FF", "/api/depara?q=%FF", "/api/%C0%AF", "/webhooks/%FF"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << ": " << r->body;
    EXPECT_TRUE(Json::parse(r->body, nullptr, false).is_object()) << path;
  }
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

// Bodies are limited while they are read, chunked or not, and before any work for a request
// without a key: a chunked body is not read past the limit (before: 10 MB chunked got 202, and
// 200 MB without a key was read whole before its 401).
TEST_F(ServerTest, ChunkedBodiesAreLimitedWhileRead) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o);
  size_t taken = 0;
  EXPECT_NE(ChunkedPost(server_->port(), "/webhooks/ploomes", 200u << 20, &taken).find(" 413"), std::string::npos);
  EXPECT_LT(taken, 20u << 20) << "the server kept reading a body it had refused";
  EXPECT_NE(ChunkedPost(server_->port(), std::string("/webhooks/ploomes?key=") + kHookKey, 10u << 20, &taken).find(" 413"),
            std::string::npos);
  EXPECT_NE(ChunkedPost(server_->port(), "/webhooks/ploomes?key=wrong", 10u << 20, &taken).find(" 401"),
            std::string::npos);
  // A small chunked webhook with its key is still accepted.
  RawConnection c(server_->port());
  const std::string body = R"({"Action":"Update","Entity":"Contacts","New":{"Id":40100001}})";
  c.Send(fmt::format("POST /webhooks/ploomes?key={} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                     kHookKey, body.size(), body));
  EXPECT_NE(c.Receive().find(" 202"), std::string::npos);
  // A POST without a body gets a JSON error that says what to send (before: an empty 400).
  RawConnection empty(server_->port());
  empty.Send(fmt::format("POST /webhooks/ploomes?key={} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                         kHookKey));
  const std::string answer = empty.Receive();
  EXPECT_NE(answer.find(" 400"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"error\""), std::string::npos) << answer;
  // A form-encoded body over 8 KiB is judged as a body, not refused by a limit it never hit
  // (before: 413 blaming max_body_bytes).
  auto form = client_->Post((std::string("/webhooks/ploomes?key=") + kHookKey).c_str(), std::string(10'000, 'x'),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400) << form->body;
  EXPECT_EQ(form->body.find("max_body_bytes"), std::string::npos) << form->body;
}

// DNS rebinding: a foreign Host (or Origin) gets 403 on the admin API and the page (before: the
// CPF/CNPJ links came back, and a POST replayed every dead letter).
TEST_F(ServerTest, ARebindingHostOrOriginGets403) {
  Start();
  const std::string port = std::to_string(server_->port());
  auto evil = client_->Get("/api/depara?q=40100001", {{"Host", "attacker.example:" + port}});
  EXPECT_EQ(evil->status, 403);
  EXPECT_EQ(evil->body.find("40100001\","), std::string::npos);
  EXPECT_EQ(client_->Get("/", {{"Host", "attacker.example"}})->status, 403);
  EXPECT_EQ(client_->Post("/api/dlq/replay-all", {{"Host", "attacker.example:" + port}, {"Origin", "http://attacker.example:" + port},
                                                   {"X-Ponte-Request", "1"}}, "", "application/json")->status, 403);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "localhost:" + port}, {"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "localhost:" + port}})->status, 200);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "[::1]:" + port}, {"Origin", "http://127.0.0.1:" + port}})->status, 200);
  // Webhooks come through a proxy under the public name: not subject to it.
  EXPECT_EQ(client_->Get("/healthz", {{"Host", "ponte.example.com"}})->status, 200);
}

// 500 idle connections (a slowloris) leave the server answering others (before: 100 held open
// and /healthz got no answer within 20 s).
TEST_F(ServerTest, IdleConnectionsDoNotStarveOthers) {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
  setrlimit(RLIMIT_NOFILE, &files);
  ASSERT_GE(files.rlim_cur, 1200u) << "this machine allows too few open files for the test";
  Start();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 500; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  httplib::Client fresh(server_->url());
  fresh.set_connection_timeout(1, 0);
  fresh.set_read_timeout(1, 0);
  auto r = fresh.Get("/healthz");
  ASSERT_TRUE(r) << "no answer within a second with 500 idle connections";
  EXPECT_EQ(r->status, 200);
}

// What ponte answers OK it delivers: a pushed customer the canonical message cannot carry (a
// Name that is an array, nested 10,000 deep) is answered Status ERROR with the reason, never OK,
// and nothing of it is kept or dead-lettered (before: OK, a de/para pair, then 2 dead letters).
TEST_F(ServerTest, APushPonteCannotDeliverIsAnsweredErrorNotOk) {
  Start({}, false, SmallWorld(), /*erp=*/true);
  const httplib::Headers erp = {{"Authorization", "Basic " + Base64Encode("ponte:sandbox-totvs-password")}};
  auto push = [&](const std::string& name) {
    const std::string body =
        R"({"Header":{"UUID":"0c0ffee0-0000-4000-8000-000000000001","Type":"BusinessMessage","Event":"upsert",)"
        R"("Transaction":"CUSTOMERVENDOR","Version":"2.000","SourceApplication":"P12ERP"},)"
        R"("Content":{"InternalId":"T1|D MG 01 |900777|01","Name":)" + name +
        R"(,"GovernmentalInformation":{"Id":["45145061000185"]}}})";
    return client_->Post(kEaiTransactionsPath, erp, body, "application/json");
  };
  auto array = push(R"([["a"]])");
  ASSERT_TRUE(array);
  ASSERT_EQ(array->status, 200) << array->body;
  Json answer = Json::parse(array->body);
  EXPECT_EQ(answer["Content"]["ProcessingInformation"]["Status"], "ERROR") << array->body;
  EXPECT_NE(answer["Content"]["ProcessingInformation"]["Details"].dump().find("Name"), std::string::npos) << array->body;
  EXPECT_FALSE(answer["Content"].contains("ReturnContent") &&
               !answer["Content"]["ReturnContent"].value("ListOfInternalId", Json::array()).empty())
      << "no InternalId pair for a customer ponte will not deliver: " << array->body;
  auto deep = push(std::string(10'000, '[') + "\"a\"" + std::string(10'000, ']'));
  ASSERT_TRUE(deep);
  const Json deep_answer = Json::parse(deep->body, nullptr, false);
  EXPECT_TRUE(deep->status == 400 || deep_answer["Content"]["ProcessingInformation"]["Status"] == "ERROR") << deep->body;
  // Nothing was kept to deliver, and nothing turns into a dead letter later.
  EXPECT_EQ(h_->store->CountInbox().value_or(-1), 0);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h_->store->ListDeadLetters(true).value_or(std::vector<DeadLetter>(1)).size(), 0u);
  EXPECT_EQ(h_->store->Lookup("CustomerVendor", {"erp", "T1|D MG 01 |900777|01"}, "ploomes").value_or("?"), std::nullopt);
}

// One body limit for every request serve reads, chunked or not (before: the ERP receiver read a
// 200 MB chunked body whole and answered 400, and took a 2 MB chunked message past the 1 MiB
// limit). Each path stops reading at the limit and answers 413.
TEST_F(ServerTest, EveryBodyServeReadsHasOneLimit) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, false, SmallWorld(), /*erp=*/true);
  const std::string erp = "Authorization: Basic " + Base64Encode("ponte:sandbox-totvs-password") + "\r\n";
  const std::string admin = "X-Ponte-Request: 1\r\n";
  struct Case {
    std::string target, headers;
    size_t total;
  };
  for (const Case& c : std::vector<Case>{{kEaiTransactionsPath, erp, 200u << 20},
                                         {kEaiTransactionsPath, erp, 2u << 20},
                                         {std::string("/webhooks/ploomes?key=") + kHookKey, "", 2u << 20},
                                         {"/api/poll", admin, 200u << 20},
                                         {"/api/dlq/replay-all", admin, 2u << 20},
                                         {"/no/such/path", "", 200u << 20}}) {
    size_t taken = 0;
    const std::string status = ChunkedPost(server_->port(), c.target, c.total, &taken, c.headers);
    EXPECT_NE(status.find(" 413"), std::string::npos) << c.target << " (" << c.total << " bytes): " << status;
    EXPECT_LT(taken, 20u << 20) << c.target << ": the server kept reading a body past its limit";
  }
  // Announced too large: refused before a byte is read; without the ERP's credentials: 401 first.
  RawConnection announced(server_->port());
  announced.Send(std::string("POST ") + kEaiTransactionsPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + erp +
                 "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_NE(announced.Receive().find(" 413"), std::string::npos);
  size_t taken = 0;
  EXPECT_NE(ChunkedPost(server_->port(), kEaiTransactionsPath, 200u << 20, &taken).find(" 401"), std::string::npos);
  EXPECT_LT(taken, 20u << 20);
}

}  // namespace
}  // namespace ponte::server
