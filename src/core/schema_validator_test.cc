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
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.000", content).has_value());
  content = CustomerMessage().business_content;
  content["Name"] = 42;
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.000", content).has_value());
  content = CustomerMessage().business_content;
  content["GovernmentalInformation"]["Id"] = Json::array({"123"});
  EXPECT_FALSE(ValidateBusinessContent("CustomerVendor", "2.000", content).has_value());
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
  EXPECT_NE(status.error().message.find("CustomerVendor_2_000"), std::string::npos);
}

}  // namespace
}  // namespace ponte
