#include "store/depara_io.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ponte {
namespace {

Result<std::vector<Store::ImportPair>> Read(const std::string& text, DeParaFormat format,
                                            std::string field = "cnpj_cpf") {
  std::istringstream in(text);
  return ReadDePara(in, {format, field, "CustomerVendor"});
}

TEST(DeParaIoTest, CsvWithQuotesAndHeader) {
  auto pairs = Read(
      "message,system_a,id_a,system_b,id_b,natural_key\n"
      "CustomerVendor,ploomes,401,milvus,30753,12.345.678/0001-95\n"
      "CustomerVendor,protheus,\"01|01|00,1\",milvus,2,\n",
      DeParaFormat::kCsv);
  ASSERT_TRUE(pairs.has_value()) << pairs.error().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].info.natural_key, "12345678000195");
  EXPECT_EQ((*pairs)[1].a.internal_id, "01|01|00,1");
}

TEST(DeParaIoTest, BadLinesNameTheLineAndReason) {
  auto fields = Read("CustomerVendor,ploomes,1,milvus\n", DeParaFormat::kCsv);
  ASSERT_FALSE(fields.has_value());
  EXPECT_EQ(fields.error().message.find("line 1: expected 6 fields"), 0u) << fields.error().message;
  auto doc = Read("CustomerVendor,ploomes,1,milvus,2,x\nCustomerVendor,ploomes,1,milvus,2,123\n",
                  DeParaFormat::kCsv);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("line 1:"), std::string::npos) << doc.error().message;
  auto system = Read("CustomerVendor,Plo Omes,1,milvus,2,\n", DeParaFormat::kCsv);
  ASSERT_FALSE(system.has_value());
  EXPECT_NE(system.error().message.find("not a system name"), std::string::npos);
  auto quote = Read("CustomerVendor,\"ploomes,1,milvus,2,\n", DeParaFormat::kCsv);
  ASSERT_FALSE(quote.has_value());
  EXPECT_NE(quote.error().message.find("unterminated"), std::string::npos);
}

// Found from outside: ids with invalid UTF-8 or NUL were imported (then every export aborted),
// a CSV saved by Excel (with a BOM) was refused, a negative number was taken for a document.
TEST(DeParaIoTest, ImportsAreCheckedAtTheDoor) {
  auto bad_utf8 = Read(std::string("CustomerVendor,ploomes,4\xff" "01,milvus,2,\n"), DeParaFormat::kCsv);
  ASSERT_FALSE(bad_utf8.has_value());
  EXPECT_NE(bad_utf8.error().message.find("not valid UTF-8"), std::string::npos) << bad_utf8.error().message;
  auto nul = Read(std::string("{\"message\":\"CustomerVendor\",\"a\":\"ploomes:1\\u0000x\",\"b\":\"milvus:2\"}\n"),
                  DeParaFormat::kJsonl);
  EXPECT_FALSE(nul.has_value());
  auto bom = Read("\xEF\xBB\xBFmessage,system_a,id_a,system_b,id_b,natural_key\n"
                  "CustomerVendor,ploomes,401,milvus,30753,\n",
                  DeParaFormat::kCsv);
  ASSERT_TRUE(bom.has_value()) << bom.error().ToString();
  EXPECT_EQ(bom->size(), 1u);
  auto negative = Read(R"({"_id":{"$oid":"1"},"cnpj_cpf":-11144477735})" "\n", DeParaFormat::kMongoexport);
  ASSERT_FALSE(negative.has_value());
  EXPECT_NE(negative.error().message.find("negative"), std::string::npos);
}

TEST(DeParaIoTest, Jsonl) {
  auto pairs = Read(R"({"message":"Ticket","a":"ploomes:7","b":"milvus:857"})"
                    "\n\n"
                    R"({"message":"CustomerVendor","a":"ploomes:1","b":"milvus:2","natural_key":"123.456.789-09"})"
                    "\n",
                    DeParaFormat::kJsonl);
  ASSERT_TRUE(pairs.has_value()) << pairs.error().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].b.internal_id, "857");
  EXPECT_EQ((*pairs)[1].info.natural_key, "12345678909");
  auto bad = Read("{\"message\":\"Ticket\",\"a\":\"ploomes\"}\n", DeParaFormat::kJsonl);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("\"a\""), std::string::npos);
  auto broken = Read("{\"message\":", DeParaFormat::kJsonl);
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("not valid JSON"), std::string::npos);
}

TEST(DeParaIoTest, MongoexportOfTheOldScript) {
  auto pairs = Read(
      R"({"_id":{"$oid":"65e0c0ffee"},"cnpj_cpf":"12345678000195","nome":"Padaria"})"
      "\n"
      R"({"_id":{"$oid":"65e0c0ffef"},"cnpj_cpf":1234567890})"
      "\n"
      R"({"_id":{"$oid":"65e0c0fff0"},"cnpj_cpf":{"$numberLong":"4252011000110"}})"
      "\n",
      DeParaFormat::kMongoexport);
  ASSERT_TRUE(pairs.has_value()) << pairs.error().ToString();
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_EQ((*pairs)[0].a, (SystemRef{"legacy", "12345678000195"}));
  EXPECT_EQ((*pairs)[1].info.natural_key, "01234567890");  // leading zero restored
  EXPECT_EQ((*pairs)[2].info.natural_key, "04252011000110");
  EXPECT_TRUE((*pairs)[0].b.system.empty());

  auto other_field = Read(R"({"documento":"123.456.789-09"})", DeParaFormat::kMongoexport,
                          "documento");
  ASSERT_TRUE(other_field.has_value());
  auto missing = Read(R"({"documento":"123.456.789-09"})", DeParaFormat::kMongoexport);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("--document-field"), std::string::npos);
  auto invalid = Read(R"({"cnpj_cpf":"123.456.789-00"})", DeParaFormat::kMongoexport);
  ASSERT_FALSE(invalid.has_value());
  EXPECT_NE(invalid.error().message.find("check digits"), std::string::npos);
}

TEST(DeParaIoTest, ExportReadsBack) {
  std::vector<LinkRow> links = {
      {1, "CustomerVendor", {"milvus", "30753"}, {"12345678000195", "", ""}},
      {1, "CustomerVendor", {"ploomes", "401,\"x\""}, {"12345678000195", "", ""}},
      {2, "Ticket", {"milvus", "857"}, {}},
      {2, "Ticket", {"ploomes", "7"}, {}},
  };
  for (auto format : {DeParaFormat::kCsv, DeParaFormat::kJsonl}) {
    std::stringstream io;
    auto rows = WriteDePara(io, format, links);
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(*rows, 2u);
    auto back = ReadDePara(io, {format});
    ASSERT_TRUE(back.has_value()) << back.error().ToString();
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].b, (SystemRef{"ploomes", "401,\"x\""}));
    EXPECT_EQ((*back)[0].info.natural_key, "12345678000195");
    EXPECT_EQ((*back)[1].message, "Ticket");
  }
}

}  // namespace
}  // namespace ponte
