#include "connectors/totvs/eai_messages.h"

#include <gtest/gtest.h>

namespace ponte::totvs {
namespace {

TEST(EaiMessagesTest, ReadsListOfInternalIdInEitherSpelling) {
  // TDN's spelling, and the schema's (with Protheus' "ListOfInternalID").
  for (const char* body :
       {R"({"Header":{"Type":"Response"},"Content":{"ProcessingInformation":{"Status":"Ok"},
            "ReturnContent":{"ListOfInternalId":[{"Name":"CustomerVendor","Origin":"ploomes|1","Destination":"T1|D MG 01 |000007|01"}]}}})",
        R"({"header":{"type":"Response"},"content":{"processingInformation":{"status":"OK"},
            "returnContent":{"ListOfInternalID":[{"name":"CustomerVendor","origin":"ploomes|1","destination":"T1|D MG 01 |000007|01"}]}}})"}) {
    auto a = ReadAnswer(body);
    ASSERT_TRUE(a) << a.error().ToString();
    EXPECT_TRUE(a->responded);
    EXPECT_TRUE(a->ok()) << body;
    ASSERT_EQ(a->internal_ids.size(), 1u) << body;
    EXPECT_EQ(a->internal_ids[0].origin, "ploomes|1");
    // Destination trimmed at its end only; the branch's blank inside stays.
    EXPECT_EQ(a->internal_ids[0].destination, "T1|D MG 01 |000007|01");
  }
}

TEST(EaiMessagesTest, TellsARefusalFromAnAcknowledgement) {
  auto refused = ReadAnswer(
      R"({"Content":{"ProcessingInformation":{"Status":"ERROR","Details":[{"Code":"MATA030","Message":"Name: tamanho 41"}]}}})");
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->responded);
  EXPECT_FALSE(refused->ok());
  ASSERT_EQ(refused->errors.size(), 1u);
  EXPECT_EQ(refused->errors[0], "MATA030: Name: tamanho 41");
  // An async receiver's bare 202: accepted, no ResponseMessage, no InternalId.
  for (const char* ack : {"", "  \n", "{}", R"({"Header":{"Type":"Receipt"}})"}) {
    auto a = ReadAnswer(ack);
    ASSERT_TRUE(a) << ack;
    EXPECT_FALSE(a->responded) << ack;
    EXPECT_TRUE(a->internal_ids.empty());
  }
  auto broken = ReadAnswer(R"({"Content":{"ProcessingInformation":)");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kDataLoss);
}

TEST(EaiMessagesTest, ComposesAndSplitsCustomerKeysAsTheErpKeepsThem) {
  const CustomerKey key{"T1", "D MG 01 ", "000123", "01"};
  const std::string id = ComposeCustomerId(key);
  EXPECT_EQ(id, "T1|D MG 01 |000123|01");
  auto back = SplitCustomerId(id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->branch, "D MG 01 ");  // an identifier keeps its padding
  EXPECT_EQ(back->code, "000123");
  for (const char* bad : {"", "T1|D MG 01|000123", "T1|D MG 01||01", "ploomes|40100001", "a|b|c|d|e"}) {
    auto s = SplitCustomerId(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("company|branch|code|store"), std::string::npos);
  }
}

// A BusinessMessage an ERP pushes, as Protheus spells it (capitalised or not, codes padded), and
// ponte's answer, which ponte's own reader of answers takes for what it says.
TEST(EaiMessagesTest, AReceivedMessageIsReadInAnySpellingAndAnswered) {
  auto received = ReadBusinessMessage(R"({"header":{"uuid":"u-1","transaction":"CUSTOMERVENDOR","version":"2.000",
      "sourceApplication":" P12 "},"content":{"InternalId":"T1|D MG 01 |000001|01"}})");
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_EQ(received->uuid, "u-1");
  EXPECT_EQ(received->transaction, "CUSTOMERVENDOR");
  EXPECT_EQ(received->event, "upsert");  // an event without Event is an upsert
  EXPECT_EQ(received->source_application, "P12");
  EXPECT_EQ(received->content["InternalId"], "T1|D MG 01 |000001|01");
  const Json ok = ResponseMessage({"PONTE", "0.1.0", "", ""}, *received,
                                  {{"CustomerVendor", "T1|D MG 01 |000001|01", "CNPJ|11222333000181"}}, {});
  EXPECT_EQ(ok["Content"]["ReceivedMessage"]["SentBy"], "P12");
  auto read = ReadAnswer(ok.dump());
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->ok());
  EXPECT_EQ(read->internal_ids, (std::vector<InternalIdPair>{{"CustomerVendor", "T1|D MG 01 |000001|01", "CNPJ|11222333000181"}}));
  auto refused = ReadAnswer(ResponseMessage({}, *received, {}, {"no CPF/CNPJ"}).dump());
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->ok());
  EXPECT_EQ(refused->errors, std::vector<std::string>{"PONTE: no CPF/CNPJ"});
  for (const char* bad : {"not json", R"({"Header":{}})", R"({"Header":{"Transaction":"X"},"Content":{}})"}) {
    EXPECT_FALSE(ReadBusinessMessage(bad)) << bad;
  }
}

TEST(EaiMessagesTest, BusinessMessageCarriesTheHeaderTheTransportNeeds) {
  const Json m = BusinessMessage({"PONTE", "0.1.0", "T1", "D MG 01"}, "CustomerVendor", "2.000", "u-1", {{"Name", "X"}});
  EXPECT_EQ(m["Header"]["Type"], "BusinessMessage");
  EXPECT_EQ(m["Header"]["SubType"], "event");
  EXPECT_EQ(m["Header"]["Event"], "upsert");
  EXPECT_EQ(m["Header"]["Version"], "2.000");
  EXPECT_EQ(m["Header"]["SourceApplication"], "PONTE");
  EXPECT_EQ(m["Header"]["ProductVersion"], "0.1.0");
  EXPECT_EQ(m["Header"]["CompanyId"], "T1");
  EXPECT_EQ(m["Header"]["UUID"], "u-1");
  EXPECT_EQ(m["Content"]["Name"], "X");  // Content is the BusinessContent itself
  EXPECT_EQ(ContentsResource("CustomerVendor", "2.000"), "customervendor_2_000");
}

}  // namespace
}  // namespace ponte::totvs
