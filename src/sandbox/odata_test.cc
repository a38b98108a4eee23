#include "sandbox/odata.h"

#include <gtest/gtest.h>

namespace ponte::sandbox {
namespace {

const Json kTask = Json::parse(R"({
  "Id": 40500001, "Title": "Instalação do roteador", "ContactId": 40100001,
  "CreateDate": "2024-02-24T10:00:00.5-03:00", "Finished": false,
  "Tags": [{"Id": 1, "TagId": 40049716, "TaskId": 40500001}]
})");

bool Match(std::string_view filter, const Json& record = kTask) {
  auto f = ParseFilter(filter);
  EXPECT_TRUE(f.has_value()) << filter << ": " << (f ? "" : f.error().message);
  return f && (*f)->Matches(record);
}

TEST(ODataTest, Comparisons) {
  EXPECT_TRUE(Match("Id eq 40500001"));
  EXPECT_FALSE(Match("Id ne 40500001"));
  EXPECT_TRUE(Match("Id gt 40500000 and Id lt 40500002"));
  EXPECT_TRUE(Match("Title eq 'Instalação do roteador'"));
  EXPECT_TRUE(Match("Finished eq false"));
  EXPECT_TRUE(Match("DealId eq null"));
  EXPECT_FALSE(Match("ContactId eq null"));
}

TEST(ODataTest, DatesCompareAsInstants) {
  // 10:00 -03:00 is 13:00Z.
  EXPECT_TRUE(Match("CreateDate ge 2024-02-24T13:00:00Z"));
  EXPECT_TRUE(Match("CreateDate ge 2024-02-24T00:00:00-03:00"));
  EXPECT_FALSE(Match("CreateDate gt 2024-02-24T13:00:00.5Z"));
  EXPECT_TRUE(Match("CreateDate lt 2024-02-24T13:00:01Z"));
}

TEST(ODataTest, FunctionsLogicAndAny) {
  EXPECT_TRUE(Match("contains(Title,'roteador')"));
  EXPECT_TRUE(Match("startswith(Title,'Instala') and not endswith(Title,'x')"));
  EXPECT_TRUE(Match("Tags/any(t: t/TagId eq 40049716)"));
  EXPECT_TRUE(Match("Tags/any(t: t/TagId eq 1 or t/TagId eq 40049716)"));
  EXPECT_FALSE(Match("Tags/any(t: t/TagId eq 40049715)"));
  EXPECT_TRUE(Match("(Id eq 1 or Id eq 40500001) and Finished eq false"));
  EXPECT_TRUE(Match("Title eq 'it''s'", Json{{"Title", "it's"}}));
}

TEST(ODataTest, BadFiltersAreErrors) {
  for (const char* bad : {"Id eq", "Id === 3", "(Id eq 1", "foo(Id)", "Title eq 'open",
                          "Tags/any(TagId eq 1)", "Id eq 1 and"}) {
    EXPECT_FALSE(ParseFilter(bad).has_value()) << bad;
  }
}

TEST(ODataTest, OrderByAndExpand) {
  auto keys = ParseOrderBy("CreateDate desc, Id");
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].descending);
  EXPECT_FALSE(ParseOrderBy("Id sideways").has_value());
  Json a = {{"Id", 2}, {"CreateDate", "2024-01-01T00:00:00-03:00"}};
  Json b = {{"Id", 1}, {"CreateDate", "2024-01-01T00:00:00-03:00"}};
  Json c = {{"Id", 3}, {"CreateDate", "2025-01-01T00:00:00Z"}};
  std::vector<const Json*> rows = {&a, &b, &c};
  SortRecords(rows, *keys);
  EXPECT_EQ((*rows[0])["Id"], 3);
  EXPECT_EQ((*rows[1])["Id"], 1);
  EXPECT_EQ(ParseExpandNames("Phones($expand=Type),Tags($expand=Tag),City"),
            (std::vector<std::string>{"Phones", "Tags", "City"}));
}

}  // namespace
}  // namespace ponte::sandbox
