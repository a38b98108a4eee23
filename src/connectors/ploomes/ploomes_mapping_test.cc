#include "connectors/ploomes/ploomes_mapping.h"

#include <gtest/gtest.h>

namespace ponte::ploomes {
namespace {

const Json kContact = Json::parse(R"({
  "Id": 40100007, "TypeId": 1, "Name": "Padaria São João", "LegalName": "Padaria São João Ltda",
  "CNPJ": "12.345.678/0001-95", "CPF": null, "Register": null, "Email": "contato@sj.com.br",
  "StreetAddress": "Av. Paulista", "StreetAddressNumber": "1000", "StreetAddressLine2": "sala 3",
  "Neighborhood": "Bela Vista", "ZipCode": 1310100, "CityId": 3941, "StateId": 25,
  "CreateDate": "2024-02-24T00:30:00-03:00", "LastUpdateDate": "2026-11-23T10:15:00.12-03:00",
  "Phones": [{"PhoneNumber": "(11) 3333-4444"}],
  "City": {"Id": 3941, "Name": "São Paulo", "IBGECode": 3550308}, "State": {"Short": "SP"}
})");

TEST(PloomesMappingTest, ContactToCustomer) {
  auto cv = ContactToCustomer(kContact);
  ASSERT_TRUE(cv.has_value()) << cv.error().ToString();
  EXPECT_EQ(cv->internal_id, "40100007");
  EXPECT_EQ(cv->document->canonical, "12345678000195");
  EXPECT_EQ(cv->EntityType(), "Company");
  EXPECT_EQ(cv->name, "Padaria São João Ltda");
  EXPECT_EQ(cv->short_name, "Padaria São João");
  EXPECT_EQ(cv->address.zip_code, "01310100");  // the leading zero a numeric ZipCode lost
  EXPECT_EQ(cv->address.city_name, "São Paulo");
  EXPECT_EQ(cv->address.state, "SP");
  EXPECT_EQ(cv->phone, "(11) 3333-4444");
  EXPECT_EQ(cv->register_date, "2024-02-24");
}

TEST(PloomesMappingTest, ContactWithoutValidDocumentSaysWhy) {
  Json c = kContact;
  c["CNPJ"] = "12.345.678/0001-00";
  auto cv = ContactToCustomer(c);
  ASSERT_FALSE(cv.has_value());
  EXPECT_NE(cv.error().message.find("check digits"), std::string::npos) << cv.error().message;
  EXPECT_EQ(cv.error().record, "40100007");
  c["CNPJ"] = nullptr;
  auto none = ContactToCustomer(c);
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message.find("no CPF or CNPJ"), std::string::npos);
  c["Register"] = "123.456.789-09";  // the old script wrote only Register
  auto reg = ContactToCustomer(c);
  ASSERT_TRUE(reg.has_value());
  EXPECT_TRUE(reg->document->is_person());
}

// Found by ploomes_page_fuzz: a TypeId past int64 (a JSON float) was converted to int. A
// malformed TypeId reads as a company's (1): the name is the legal name.
TEST(PloomesMappingTest, MalformedTypeIdReadsAsACompany) {
  for (const Json& type : {Json::parse("66666666666666666666666666666666666666666666666666666666666664"),
                           Json(1.5), Json("2"), Json(nullptr), Json::array({2})}) {
    Json c = kContact;
    c["TypeId"] = type;
    auto cv = ContactToCustomer(c);
    ASSERT_TRUE(cv.has_value()) << type.dump();
    EXPECT_EQ(cv->name, "Padaria São João Ltda") << type.dump();
  }
  Json person = kContact;
  person["TypeId"] = 2;
  EXPECT_EQ(ContactToCustomer(person)->name, "Padaria São João");
}

TEST(PloomesMappingTest, CustomerToContactBothKinds) {
  auto cv = *ContactToCustomer(kContact);
  Json body = CustomerToContact(cv, {3941, 25}, true, DocumentPlacement::kBoth);
  EXPECT_EQ(body["TypeId"], 1);
  EXPECT_EQ(body["CNPJ"], "12345678000195");
  EXPECT_EQ(body["Register"], "12345678000195");
  EXPECT_EQ(body["ZipCode"], 1310100);
  EXPECT_EQ(body["CityId"], 3941);
  EXPECT_EQ(body["Name"], "Padaria São João");
  EXPECT_EQ(body["LegalName"], "Padaria São João Ltda");
  cv.document = *ParseDocument("123.456.789-09");
  Json person = CustomerToContact(cv, {}, true, DocumentPlacement::kCnpjCpf);
  EXPECT_EQ(person["TypeId"], 2);
  EXPECT_EQ(person["CPF"], "12345678909");
  EXPECT_FALSE(person.contains("Register"));
  EXPECT_FALSE(CustomerToContact(cv, {}, false).contains("TypeId"));
}

// Every independent writer puts the document in Register, so that is the default placement.
TEST(PloomesMappingTest, DocumentGoesToRegisterByDefault) {
  auto cv = *ContactToCustomer(kContact);
  Json body = CustomerToContact(cv, {}, true);
  EXPECT_EQ(body["Register"], "12345678000195");
  EXPECT_FALSE(body.contains("CNPJ"));
  EXPECT_FALSE(body.contains("CPF"));
  EXPECT_EQ(DocumentOnly(*cv.document, DocumentPlacement::kCnpjCpf), (Json{{"CNPJ", "12345678000195"}}));
  for (auto p : {DocumentPlacement::kRegister, DocumentPlacement::kCnpjCpf, DocumentPlacement::kBoth}) {
    EXPECT_EQ(ParseDocumentPlacement(DocumentPlacementName(p)), p);
  }
  EXPECT_FALSE(ParseDocumentPlacement("auto").has_value());
}

// Found by fuzz/ploomes_page_fuzz: a TagId of 4.7e55 was converted to int64_t (undefined
// behaviour). Tags of any shape are read as "no such tag", never as a crash or an exception.
TEST(PloomesMappingTest, MalformedTagsAreNoTags) {
  std::map<int64_t, std::string> tags = {{40049716, "INSTALAÇÃO"}};
  for (const Json& bad : {Json::parse(R"([{"TagId":47777777777777777777777777777777777777777770049715}])"),
                          Json::parse(R"([{"TagId":"40049716"}, 7, null, "x", [1], {"TagId":-1.5}])"),
                          Json::parse(R"([{"TagId":18446744073709551615}])")}) {
    Json task = {{"Id", 40500001}, {"Title", "t"}, {"ContactId", 40100007},
                 {"CreateDate", "2026-11-23T10:00:00-03:00"}, {"Tags", bad}};
    auto t = TaskToTicket(task, tags);
    ASSERT_TRUE(t.has_value()) << bad.dump();
    EXPECT_EQ(t->category, "") << bad.dump();
    EXPECT_FALSE(HasAnyTag(task, tags)) << bad.dump();
  }
}

TEST(PloomesMappingTest, TasksAndInteractionsBecomeTickets) {
  std::map<int64_t, std::string> tags = {{40049716, "INSTALAÇÃO"}};
  Json task = {{"Id", 40500001}, {"Title", "Instalação do roteador"}, {"Description", "Levar cabo"},
               {"ContactId", 40100007}, {"CreateDate", "2026-11-23T10:00:00-03:00"},
               {"Tags", Json::array({{{"TagId", 40049716}}})}};
  auto t = TaskToTicket(task, tags);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->topic, "Instalação do roteador");
  EXPECT_EQ(t->category, "INSTALAÇÃO");
  EXPECT_EQ(t->customer_vendor_internal_id, "40100007");
  EXPECT_EQ(t->start_date, "2026-11-23T13:00:00.000Z");
  EXPECT_TRUE(HasAnyTag(task, tags));
  Json ir = {{"Id", 40700001}, {"Content", "<p>Cliente pediu &amp; confirmou a <b>entrega</b></p>"},
             {"ContactId", nullptr}, {"Tags", Json::array()}};
  auto i = InteractionToTicket(ir, tags);
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(i->topic, "Cliente pediu & confirmou a entrega");
  EXPECT_EQ(i->source_message, "InteractionRecord");
  EXPECT_FALSE(ContactIdOf(ir).has_value());
  EXPECT_FALSE(HasAnyTag(ir, tags));
}

}  // namespace
}  // namespace ponte::ploomes
