#include "server/webhook.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace ponte::server {
namespace {

TEST(ParseWebhookBody, ReadsTheObservedShape) {
  auto e = ParseWebhookBody(R"({"Action":"Update","Entity":"Contacts","AccountId":1000001,"WebhookId":50000001,
    "New":{"Id":501,"Name":"Padaria Exemplo","OtherProperties":{"contact_x":"x"}},"Old":{"Id":501}})");
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(e->entity_set, "Contacts");
  EXPECT_EQ(e->action, "Update");
  EXPECT_EQ(e->id, "501");
  EXPECT_TRUE(IsRoutable(*e, nullptr));
}

TEST(ParseWebhookBody, TakesOldIdWhenNewIsAbsentAndAStringId) {
  auto del = ParseWebhookBody(R"({"Action":"Delete","Entity":"Tasks","New":null,"Old":{"Id":"40500001"}})");
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->id, "40500001");
  std::string why;
  EXPECT_FALSE(IsRoutable(*del, &why));
  EXPECT_EQ(why, "deletes are not propagated");
}

TEST(ParseWebhookBody, ReadsAValidationKeyInTheBody) {
  auto e = ParseWebhookBody(R"({"Entity":"Tasks","New":{"Id":7},"ValidationKey":"k"})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->validation_key, "k");
}

TEST(ParseWebhookBody, RefusesWhatIsNotAnEvent) {
  const char* bad[] = {"", "null", "[]", "{", R"({"Entity":"Tasks"})", R"({"New":{"Id":1}})",
                       R"({"Entity":"","New":{"Id":1}})", R"({"Entity":"Tasks","New":{"Id":-4}})",
                       R"({"Entity":"Tasks","New":{"Id":1.5}})", R"({"Entity":"Tasks","New":{"Id":"12a"}})",
                       R"({"Entity":"Tasks","New":{"Id":"0000"}})", R"({"Entity":"Tasks","New":{"Id":"1234567890123456789"}})",
                       R"({"Entity":"Tasks","New":[1]})", R"({"Entity":7,"New":{"Id":1}})",
                       // nlohmann reads these as unsigned: 0, and one past int64 that used to wrap.
                       R"({"Entity":"Tasks","New":{"Id":0}})", R"({"Entity":"Tasks","New":{"Id":18446744073709551615}})"};
  for (const char* body : bad) {
    auto e = ParseWebhookBody(body);
    EXPECT_FALSE(e.has_value()) << body;
    if (!e) {
      EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument) << body;
    }
  }
}

TEST(ParseWebhookBody, RefusesDeepNestingBeforeParsing) {
  std::string deep = R"({"Entity":"Tasks","New":{"Id":1},"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto e = ParseWebhookBody(deep);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("nests deeper"), std::string::npos);
}

TEST(IsRoutable, OnlyTheSetsARouteReads) {
  std::string why;
  EXPECT_FALSE(IsRoutable({"Deals", "Win", "1", ""}, &why));
  EXPECT_EQ(why, "no route reads Deals");
  EXPECT_TRUE(IsRoutable({"InteractionRecords", "Create", "1", ""}, nullptr));
}

TEST(SecretsEqual, ComparesWholeSecrets) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
  EXPECT_FALSE(SecretsEqual("", "abc"));
  EXPECT_FALSE(SecretsEqual("", ""));  // an empty key never authenticates
}

// Any body: a clean result or a clean error, and a parsed id is always a positive number.
RC_GTEST_PROP(ParseWebhookBodyProperty, NeverAcceptsAnInvalidId, (const std::string& body)) {
  auto e = ParseWebhookBody(body);
  if (e) RC_ASSERT(!e->id.empty() && e->id.find_first_not_of("0123456789") == std::string::npos);
}

RC_GTEST_PROP(ParseWebhookBodyProperty, ReadsAnyPositiveId, (uint32_t raw)) {
  const uint64_t id = uint64_t{raw} + 1;
  auto e = ParseWebhookBody(R"({"Entity":"Tasks","Action":"Create","New":{"Id":)" + std::to_string(id) + "}}");
  RC_ASSERT(e.has_value());
  RC_ASSERT(e->id == std::to_string(id));
}

}  // namespace
}  // namespace ponte::server
