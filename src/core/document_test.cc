#include "core/document.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace ponte {
namespace {

TEST(DocumentTest, ParsesPunctuatedCpf) {
  auto d = ParseDocument("123.456.789-09");
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  EXPECT_EQ(d->kind, DocumentKind::kCpf);
  EXPECT_EQ(d->canonical, "12345678909");
  EXPECT_TRUE(d->is_person());
  EXPECT_EQ(d->Formatted(), "123.456.789-09");
}

TEST(DocumentTest, ParsesPunctuatedCnpj) {
  auto d = ParseDocument("12.345.678/0001-95");
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  EXPECT_EQ(d->kind, DocumentKind::kCnpj);
  EXPECT_EQ(d->canonical, "12345678000195");
  EXPECT_FALSE(d->is_person());
  EXPECT_EQ(d->Formatted(), "12.345.678/0001-95");
}

TEST(DocumentTest, RestoresLeadingZerosLostByASpreadsheet) {
  // CPF 012.345.678-90 typed into a numeric cell becomes 1234567890.
  auto cpf = ParseDocument("1234567890");
  ASSERT_TRUE(cpf.has_value()) << cpf.error().ToString();
  EXPECT_EQ(cpf->canonical, "01234567890");
  EXPECT_EQ(cpf->kind, DocumentKind::kCpf);
  // CNPJ 04.252.011/0001-10 loses its leading zero.
  auto cnpj = ParseDocument("4252011000110");
  ASSERT_TRUE(cnpj.has_value()) << cnpj.error().ToString();
  EXPECT_EQ(cnpj->canonical, "04252011000110");
  EXPECT_EQ(cnpj->kind, DocumentKind::kCnpj);
}

TEST(DocumentTest, AlphanumericCnpjFromJuly2026) {
  // Receita Federal's published example.
  auto d = ParseDocument("12.ABC.345/01DE-35");
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  EXPECT_EQ(d->kind, DocumentKind::kCnpj);
  EXPECT_EQ(d->canonical, "12ABC34501DE35");
  EXPECT_EQ(d->Formatted(), "12.ABC.345/01DE-35");
  // Lower case is normalized.
  auto lower = ParseDocument("12abc34501de35");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->canonical, "12ABC34501DE35");
  EXPECT_EQ(CnpjCheckDigits("12ABC34501DE"), "35");
}

TEST(DocumentTest, ErrorsNameTheRule) {
  auto bad_digits = ParseDocument("123.456.789-00");
  ASSERT_FALSE(bad_digits.has_value());
  EXPECT_NE(bad_digits.error().message.find("check digits are 00, expected 09"),
            std::string::npos);

  auto equal = ParseDocument("111.111.111-11");
  ASSERT_FALSE(equal.has_value());
  EXPECT_NE(equal.error().message.find("all digits are equal"), std::string::npos);

  auto too_long = ParseDocument("123456789012345");
  ASSERT_FALSE(too_long.has_value());
  EXPECT_NE(too_long.error().message.find("too long"), std::string::npos);

  auto bad_char = ParseDocument("123#456");
  ASSERT_FALSE(bad_char.has_value());
  EXPECT_NE(bad_char.error().message.find("'#'"), std::string::npos);

  auto empty = ParseDocument(" . - ");
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  auto alnum_short = ParseDocument("12ABC345");
  ASSERT_FALSE(alnum_short.has_value());
  EXPECT_NE(alnum_short.error().message.find("14 characters"), std::string::npos);

  auto letter_in_dv = ParseDocument("12ABC34501DE3X");
  ASSERT_FALSE(letter_in_dv.has_value());
  EXPECT_NE(letter_in_dv.error().message.find("check digits"), std::string::npos);
}

TEST(DocumentTest, ExpectedKindIsEnforced) {
  auto d = ParseDocument("12.345.678/0001-95", DocumentKind::kCpf);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("a CPF was expected"), std::string::npos);
}

// Any 9 digits with their computed check digits form a valid CPF, in any notation.
RC_GTEST_PROP(DocumentProperty, GeneratedCpfsValidateAndRoundTrip, ()) {
  auto stem = *rc::gen::container<std::string>(9, rc::gen::inRange('0', static_cast<char>('9' + 1)));
  std::string cpf = stem + CpfCheckDigits(stem);
  RC_PRE(!std::all_of(cpf.begin(), cpf.end(), [&](char c) { return c == cpf[0]; }));
  auto d = ParseDocument(cpf);
  RC_ASSERT(d.has_value());
  auto again = ParseDocument(d->Formatted());
  RC_ASSERT(again.has_value());
  RC_ASSERT(*again == *d);
}

// Alphanumeric CNPJ roots with computed check digits validate; changing one check digit fails.
RC_GTEST_PROP(DocumentProperty, GeneratedCnpjsValidateAndTamperingFails, ()) {
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto root = *rc::gen::container<std::string>(
      12, rc::gen::elementOf(alphabet));
  std::string cnpj = root + CnpjCheckDigits(root);
  RC_PRE(!std::all_of(cnpj.begin(), cnpj.end(), [&](char c) { return c == cnpj[0]; }));
  auto d = ParseDocument(cnpj);
  RC_ASSERT(d.has_value());
  RC_ASSERT(d->kind == DocumentKind::kCnpj);
  RC_ASSERT(ParseDocument(d->Formatted())->canonical == cnpj);
  std::string tampered = cnpj;
  tampered[13] = tampered[13] == '9' ? '0' : static_cast<char>(tampered[13] + 1);
  RC_ASSERT(!ParseDocument(tampered).has_value());
}

}  // namespace
}  // namespace ponte
