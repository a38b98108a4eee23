#include "core/message.h"

#include <gtest/gtest.h>

#include "core/customer_vendor.h"
#include "core/schema_validator.h"
#include "core/ticket.h"

namespace ponte {
namespace {

CustomerVendor SampleCustomer() {
  CustomerVendor cv;
  cv.internal_id = "401234567";
  cv.name = "Padaria São João Ltda";
  cv.short_name = "Padaria São João";
  cv.document = *ParseDocument("12.345.678/0001-95");
  cv.email = "contato@padaria.com.br";
  cv.phone = "(11) 3333-4444";
  cv.address = {"Av. Paulista", "1000", "sala 12", "Bela Vista", "São Paulo", "3550308", "SP",
                "01310100"};
  cv.register_date = "2024-03-01";
  return cv;
}

TEST(MessageTest, CustomerVendorRoundTripsThroughTheEnvelope) {
  CustomerVendor cv = SampleCustomer();
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                         cv.ToBusinessContent());
  m.return_content.push_back({"CustomerVendor", "401234567", "30753"});
  Json json = m.ToJson();
  EXPECT_EQ(json["Header"]["Transaction"], "CustomerVendor");
  EXPECT_EQ(json["Header"]["SourceApplication"], "ponte");
  EXPECT_EQ(json["Content"]["BusinessContent"]["EntityType"], "Company");
  EXPECT_EQ(json["Content"]["BusinessContent"]["GovernmentalInformation"]["name"], "CNPJ");

  auto parsed = Message::FromJson(Json::parse(json.dump()));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->return_content, m.return_content);
  auto back = CustomerVendor::FromBusinessContent(parsed->business_content);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, cv);
}

// A delivery journaled by ponte 0.1 spelled City and State its own way; after an upgrade it
// still delivers the whole address.
TEST(MessageTest, AddressesJournaledBeforeTheOfficialNamesAreRead) {
  Json legacy = {{"InternalId", "1"}, {"Name", "Ana"}, {"Type", "Customer"}, {"EntityType", "Person"},
                 {"Address", {{"City", {{"CityCode", "3550308"}, {"CityDescription", "São Paulo"}}},
                              {"State", {{"StateCode", "SP"}}}}}};
  auto cv = CustomerVendor::FromBusinessContent(legacy);
  ASSERT_TRUE(cv.has_value());
  EXPECT_EQ(cv->address.city_code, "3550308");
  EXPECT_EQ(cv->address.city_name, "São Paulo");
  EXPECT_EQ(cv->address.state, "SP");
  const Json official = cv->ToBusinessContent()["Address"];
  EXPECT_EQ(official["City"], (Json{{"cityCode", "3550308"}, {"cityDescription", "São Paulo"}}));
  EXPECT_EQ(official["State"], (Json{{"stateId", "SP"}}));
}

TEST(MessageTest, PersonFromCpf) {
  CustomerVendor cv = SampleCustomer();
  cv.document = *ParseDocument("123.456.789-09");
  EXPECT_EQ(cv.ToBusinessContent()["EntityType"], "Person");
}

TEST(MessageTest, TicketRoundTrips) {
  Ticket t{"40500001", "Task", "Instalação do roteador", "Levar cabo de 10 m", "401234567",
           "INSTALAÇÃO", "2026-11-23T13:15:00.000Z", "Maria", "maria@x.com.br", "11999990000"};
  auto back = Ticket::FromBusinessContent(t.ToBusinessContent());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
}

TEST(MessageTest, EnvelopeShapeErrorsAreClear) {
  EXPECT_FALSE(Message::FromJson(Json::array()).has_value());
  auto no_header = Message::FromJson(Json{{"Content", Json::object()}});
  ASSERT_FALSE(no_header.has_value());
  EXPECT_NE(no_header.error().message.find("Header"), std::string::npos);
  Json m = NewMessage("CustomerVendor", "2.000", "ploomes", Json::object()).ToJson();
  m["Content"]["Event"] = "explode";
  auto bad_event = Message::FromJson(m);
  ASSERT_FALSE(bad_event.has_value());
  EXPECT_NE(bad_event.error().message.find("explode"), std::string::npos);
}

}  // namespace
}  // namespace ponte
