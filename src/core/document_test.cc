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

// The policy per input form (docs/messages.md, "Documents"), case by case from the issue that
// compared ponte with an independent validator.
TEST(DocumentPolicyTest, ShortDigitStringsAreNotPaddedIntoDocuments) {
  // "191" was CPF 00000000191; restoring eight zeros is a guess, not a repair.
  auto three = ParseDocument("191");
  ASSERT_FALSE(three.has_value());
  EXPECT_NE(three.error().message.find("too short"), std::string::npos);
  EXPECT_FALSE(ParseDocument("45678909").has_value());  // 8 digits: three zeros missing
  // Two dropped zeros are restored: CPF 001.234.567-?? typed into a numeric cell.
  const std::string cpf = "001234567" + CpfCheckDigits("001234567");
  auto two = ParseDocument(cpf.substr(2));
  ASSERT_TRUE(two.has_value()) << two.error().ToString();
  EXPECT_EQ(two->canonical, cpf);
  EXPECT_EQ(two->kind, DocumentKind::kCpf);
}

TEST(DocumentPolicyTest, ElevenDigitsAreACpfEvenWhenTheyWouldPassAsACnpj) {
  // 44640074210 fails as a CPF but passes as CNPJ 00044640074210: a mistyped CPF.
  ASSERT_EQ(CnpjCheckDigits("000446400742"), "10");
  auto typo = ParseDocument("44640074210");
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message.find("not a valid CPF"), std::string::npos);
  // Nine or ten digits likewise: only ever a CPF.
  const std::string cnpj = "0000" + std::string("12345678") + CnpjCheckDigits("000012345678");
  EXPECT_FALSE(ParseDocument(cnpj.substr(4)).has_value());
}

TEST(DocumentPolicyTest, AWrittenOutValueMustShowEveryDigit) {
  // A masked document missing its last digit became a different valid document.
  EXPECT_FALSE(ParseDocument("70.237.527/0001-1").has_value());
  EXPECT_FALSE(ParseDocument("872.270.130-3").has_value());
  auto missing = ParseDocument("872.270.130-3");
  EXPECT_NE(missing.error().message.find("written-out"), std::string::npos);
  // Separators anywhere, as long as all digits are there: the forms seen in Ploomes.
  EXPECT_EQ(ParseDocument("914538401-09")->canonical, "91453840109");
  EXPECT_EQ(ParseDocument("261 461 003 82")->canonical, "26146100382");
  EXPECT_EQ(ParseDocument("45.145.061.0001-85")->canonical, "45145061000185");
}

TEST(DocumentPolicyTest, BlanksAroundTheValueAreDropped) {
  EXPECT_EQ(ParseDocument("40766619311 ")->canonical, "40766619311");
  EXPECT_EQ(ParseDocument("\t 40766619311\r\n")->canonical, "40766619311");
  // A zero dropped from bare digits still comes back with blanks around them.
  EXPECT_EQ(ParseDocument(" 3470174601 ")->canonical, "03470174601");
  // Inside the value a newline is not a separator.
  auto split = ParseDocument("407666\n19311");
  ASSERT_FALSE(split.has_value());
  EXPECT_NE(split.error().message.find("\\n"), std::string::npos) << split.error().message;
  EXPECT_EQ(split.error().message.find('\n'), std::string::npos);
}

TEST(DocumentPolicyTest, ErrorsHoldTheValueOnOneLineOfValidUtf8) {
  auto bad = ParseDocument("123\xff" "456\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("\\xFF"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().message.find('\xff'), std::string::npos);
}

TEST(DocumentPolicyTest, TheKindNeverFlipsOnADroppedOrChangedDigit) {
  // Every single-digit change or deletion of a valid CPF either fails or stays a CPF.
  const std::string cpf = "529982247" + CpfCheckDigits("529982247");
  for (size_t i = 0; i < cpf.size(); ++i) {
    std::string dropped = cpf;
    dropped.erase(i, 1);
    auto d = ParseDocument(dropped);
    if (d) {
      EXPECT_EQ(d->kind, DocumentKind::kCpf) << dropped;
    }
    for (char c = '0'; c <= '9'; ++c) {
      std::string changed = cpf;
      changed[i] = c;
      auto e = ParseDocument(changed);
      if (e) {
        EXPECT_EQ(e->kind, DocumentKind::kCpf) << changed;
      }
    }
  }
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
