#include "core/schema_validator.h"

#include <gtest/gtest.h>

#include "core/customer_vendor.h"
#include "core/ticket.h"

namespace ponte {
namespace {

Message CustomerMessage() {
  CustomerVendor cv;
  cv.internal_id = "401234567";
  cv.name = "José Ávila";
  cv.document = *ParseDocument("123.456.789-09");
  cv.address.zip_code = "01310100";
  cv.address.state = "SP";
  return NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                    cv.ToBusinessContent());
}

TEST(SchemaValidatorTest, ProducedMessagesAreValid) {
  auto status = ValidateMessage(CustomerMessage());
  EXPECT_TRUE(status.has_value()) << status.error().ToString();
  Ticket t{"1", "Task", "Entrega", "", "401234567", "ENTREGA", "2026-11-23T13:15:00.000Z"};
  auto ticket = NewMessage(kTicketTransaction, kTicketVersion, "ploomes", t.ToBusinessContent());
  ticket.return_content.push_back({"Ticket", "1", "857"});
  status = ValidateMessage(ticket);
  EXPECT_TRUE(status.has_value()) << status.error().ToString();
}

TEST(SchemaValidatorTest, ViolationsArePointedAt) {
  Json m = CustomerMessage().ToJson();
  m["Content"]["BusinessContent"]["EntityType"] = "Alien";
  m["Content"]["BusinessContent"]["Address"]["ZIPCode"] = "1310-100";
  auto status = ValidateMessageJson(m);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("EntityType"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("ZIPCode"), std::string::npos) << status.error().message;
}

TEST(SchemaValidatorTest, MissingRequiredFieldAndWrongTypes) {
  Json content = CustomerMessage().business_content;
  content.erase("Name");
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
  content = CustomerMessage().business_content;
  content["Name"] = 42;
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
  content = CustomerMessage().business_content;
  content["GovernmentalInformation"]["Id"] = Json::array({"123"});
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
}

// The official layout, field for field: CustomerVendor 2.007 caps Name at 80 characters
// (counted as characters, not bytes), City and State use the official lower-case names, and a
// field the standard does not have is refused, so ponte cannot drift from it unnoticed.
TEST(SchemaValidatorTest, FollowsTheOfficialLayout) {
  Json content = CustomerMessage().business_content;
  content["Address"]["City"] = {{"cityCode", "3550308"}, {"cityDescription", "São Paulo"}};
  EXPECT_EQ(content["Address"]["State"], (Json{{"stateId", "SP"}}));
  EXPECT_TRUE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
  std::string name;
  for (int i = 0; i < 80; ++i) name += "É";  // 80 characters, 160 bytes
  content["Name"] = name;
  EXPECT_TRUE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
  content["Name"] = name + "x";
  auto too_long = ValidateBusinessContent("CustomerVendor", "2.007", content);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_NE(too_long.error().message.find("/Name: is 81 characters long, more than the 80 allowed"), std::string::npos) << too_long.error().message;
  content = CustomerMessage().business_content;
  content["Address"]["City"] = {{"CityDescription", "São Paulo"}};  // ponte 0.1's spelling
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
  content = CustomerMessage().business_content;
  content["Nickname"] = "x";
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.007", content).has_value());
}

TEST(SchemaValidatorTest, EnvelopeIsValidatedToo) {
  Json m = CustomerMessage().ToJson();
  m["Header"].erase("UUID");
  EXPECT_FALSE(ValidateMessageJson(m).has_value());
  m = CustomerMessage().ToJson();
  m["ReturnContent"]["ListOfInternalId"] = Json::array({Json{{"name", "CustomerVendor"}}});
  EXPECT_FALSE(ValidateMessageJson(m).has_value());
}

TEST(SchemaValidatorTest, UnknownTransactionIsNotFound) {
  auto status = ValidateBusinessContent("Invoice", "1.000", Json::object());
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
  EXPECT_NE(status.error().message.find("CustomerVendor_2_007"), std::string::npos);
}

}  // namespace
}  // namespace ponte
