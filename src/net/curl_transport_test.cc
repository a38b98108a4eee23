// The libcurl transport over real loopback HTTP against the sandbox.

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "sandbox/sandbox.h"

namespace ponte {
namespace {

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxOptions o;
    o.port = 0;
    o.contacts = 30;
    o.ploomes_requests_per_minute = 0;
    o.milvus_listings_per_minute = 0;
    sandbox_ = std::move(*sandbox::Sandbox::Start(o));
    transport_ = MakeCurlTransport();
  }
  void SetFaults(const std::string& spec) {
    httplib::Client c(sandbox_->base_url());
    ASSERT_EQ(c.Post("/_sandbox/faults", nlohmann::json{{"spec", spec}}.dump(), "application/json")->status, 200);
  }
  HttpRequest Get(const std::string& path) {
    HttpRequest r;
    r.url = sandbox_->ploomes_url() + path;
    r.headers = {{"User-Key", "sandbox-ploomes-key"}};
    r.timeout = std::chrono::milliseconds(800);
    return r;
  }
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<HttpTransport> transport_;
};

TEST_F(CurlTransportTest, GetsAndPosts) {
  auto r = transport_->Send(Get("/Contacts?$top=2"));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->Header("content-type").find("application/json"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r->body)["value"].size(), 2u);
  HttpRequest post = Get("/Contacts");
  post.method = "POST";
  post.body = R"({"Name":"Ótica São Luís","TypeId":1})";
  post.headers.emplace_back("Content-Type", "application/json");
  auto created = transport_->Send(post);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(nlohmann::json::parse(created->body)["value"][0]["Name"], "Ótica São Luís");
}

TEST_F(CurlTransportTest, FailuresBecomeErrorsWithoutHeaders) {
  SetFaults("timeout=1,timeout_ms=2000");
  auto t = transport_->Send(Get("/Contacts"));
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(t.error().message.find("sandbox-ploomes-key"), std::string::npos);
  SetFaults("reset=1");
  auto reset = transport_->Send(Get("/Contacts"));
  ASSERT_FALSE(reset.has_value());
  EXPECT_TRUE(reset.error().code == ErrorCode::kDataLoss || reset.error().code == ErrorCode::kUnavailable)
      << reset.error().ToString();
  SetFaults("truncated=1");
  auto cut = transport_->Send(Get("/Contacts"));
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().code, ErrorCode::kDataLoss) << cut.error().ToString();
  SetFaults("");
  HttpRequest refused = Get("/Contacts");
  refused.url = "http://127.0.0.1:1/x";
  auto down = transport_->Send(refused);
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
}

TEST(UrlEncodeTest, EncodesReservedCharacters) {
  EXPECT_EQ(UrlEncode("Tags/any(t: t/TagId eq 1)"), "Tags%2Fany%28t%3A%20t%2FTagId%20eq%201%29");
  EXPECT_EQ(UrlEncode("São"), "S%C3%A3o");
  EXPECT_EQ(UrlEncode("a-b_c.d~"), "a-b_c.d~");
}

}  // namespace
}  // namespace ponte
