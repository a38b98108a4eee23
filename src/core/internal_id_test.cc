#include "core/internal_id.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace ponte {
namespace {

const KeyLayout& ItemLayout() { return **FindKeyLayout("Item"); }

TEST(InternalIdTest, ComposeItemExample) {
  std::vector<std::string> parts = {"50", "10", "123456"};
  auto id = ComposeInternalId(ItemLayout(), parts);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  EXPECT_EQ(*id, "50|10|123456");
  auto item = InternalIdField(ItemLayout(), *id, "item");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(*item, "123456");
  EXPECT_EQ(*InternalIdField(ItemLayout(), *id, "cod_empresa"), "50");
}

TEST(InternalIdTest, SplitKeepsEmptyOptionalParts) {
  auto parts = SplitInternalId(ItemLayout(), "50||123456");
  ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
  EXPECT_EQ(*parts, (std::vector<std::string>{"50", "", "123456"}));
}

TEST(InternalIdTest, PartWithSeparatorIsAnError) {
  std::vector<std::string> parts = {"50", "1|0", "123456"};
  auto id = ComposeInternalId(ItemLayout(), parts);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(id.error().message.find("separator"), std::string::npos);
}

TEST(InternalIdTest, RequiredEmptyPartIsAnError) {
  std::vector<std::string> parts = {"50", "10", ""};
  auto id = ComposeInternalId(ItemLayout(), parts);
  ASSERT_FALSE(id.has_value());
  EXPECT_NE(id.error().message.find("item"), std::string::npos);
  EXPECT_FALSE(SplitInternalId(ItemLayout(), "|10|1").has_value());
}

TEST(InternalIdTest, WrongPartCountIsAnError) {
  auto parts = SplitInternalId(ItemLayout(), "50|10");
  ASSERT_FALSE(parts.has_value());
  EXPECT_NE(parts.error().message.find("needs 3 part(s)"), std::string::npos);
  std::vector<std::string> four = {"1", "2", "3", "4"};
  EXPECT_FALSE(ComposeInternalId(ItemLayout(), four).has_value());
}

TEST(InternalIdTest, UnknownFieldAndLayoutNameTheAlternatives) {
  auto f = InternalIdField(ItemLayout(), "50|10|1", "produto");
  ASSERT_FALSE(f.has_value());
  EXPECT_NE(f.error().message.find("cod_empresa"), std::string::npos);
  auto layout = FindKeyLayout("Nope");
  ASSERT_FALSE(layout.has_value());
  EXPECT_NE(layout.error().message.find("Item"), std::string::npos);
}

TEST(InternalIdTest, EmptyInputsAreErrors) {
  EXPECT_FALSE(SplitInternalId("").has_value());
  EXPECT_FALSE(SplitInternalId("||").has_value());
  std::vector<std::string> none;
  EXPECT_FALSE(ComposeInternalId(none).has_value());
  std::vector<std::string> blanks = {"", ""};
  EXPECT_FALSE(ComposeInternalId(blanks).has_value());
}

// Any parts without '|' and not all empty compose, and split back to the same parts.
RC_GTEST_PROP(InternalIdProperty, SplitInvertsCompose, ()) {
  auto parts = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::distinctFrom(rc::gen::arbitrary<char>(), '|'))));
  RC_PRE(std::any_of(parts.begin(), parts.end(), [](const auto& p) { return !p.empty(); }));
  auto id = ComposeInternalId(parts);
  RC_ASSERT(id.has_value());
  auto back = SplitInternalId(*id);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == parts);
}

// A part holding '|' anywhere is always refused.
RC_GTEST_PROP(InternalIdProperty, SeparatorInsideAPartIsRefused, (std::string a, std::string b)) {
  std::vector<std::string> parts = {a + "|" + b};
  RC_ASSERT(!ComposeInternalId(parts).has_value());
}

}  // namespace
}  // namespace ponte
