#include "core/time.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace ponte {
namespace {

using std::chrono::milliseconds;

Instant Utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + std::chrono::seconds{s} + milliseconds{ms};
}

TEST(TimeTest, ParsesPloomesRestDates) {
  auto t = ParseIsoInstant("2026-01-15T18:15:01.727-03:00");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(*t, Utc(2026, 1, 15, 21, 15, 1, 727));
  // Trimmed fraction and no fraction.
  EXPECT_EQ(*ParseIsoInstant("2022-12-15T14:59:45.13-03:00"), Utc(2022, 12, 15, 17, 59, 45, 130));
  EXPECT_EQ(*ParseIsoInstant("2022-12-15T14:59:45-03:00"), Utc(2022, 12, 15, 17, 59, 45));
  EXPECT_EQ(*ParseIsoInstant("2010-01-01T00:00:00Z"), Utc(2010, 1, 1, 0, 0, 0));
  // Seven fraction digits (.NET round trip) keep the milliseconds.
  EXPECT_EQ(*ParseIsoInstant("2026-01-15T18:15:01.7271234+00:00"), Utc(2026, 1, 15, 18, 15, 1, 727));
}

TEST(TimeTest, WebhookDatesWithoutOffsetAreSaoPauloTime) {
  auto t = ParseIsoInstant("2024-02-28T12:18:04.737");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, Utc(2024, 2, 28, 15, 18, 4, 737));
}

TEST(TimeTest, HistoricalDaylightSavingIsApplied) {
  // January 2018 was summer time in São Paulo (UTC-2).
  EXPECT_EQ(*ParseIsoInstant("2018-01-10T10:00:00"), Utc(2018, 1, 10, 12, 0, 0));
  EXPECT_EQ(FormatIsoLocal(Utc(2018, 1, 10, 12, 0, 0)), "2018-01-10T10:00:00-02:00");
}

TEST(TimeTest, FormatsEachApiForm) {
  Instant t = Utc(2026, 11, 23, 13, 15, 0, 120);
  EXPECT_EQ(FormatUtc(t), "2026-11-23T13:15:00.120Z");
  EXPECT_EQ(FormatIsoLocal(t), "2026-11-23T10:15:00.12-03:00");
  EXPECT_EQ(FormatIsoLocalNoOffset(t), "2026-11-23T10:15:00.12");
  EXPECT_EQ(FormatMilvusDateTime(t), "2026-11-23 10:15:00");
  EXPECT_EQ(*ParseMilvusDateTime("2026-11-23 10:15:00"), Utc(2026, 11, 23, 13, 15, 0));
}

TEST(TimeTest, CutoffIsMidnightInSaoPaulo) {
  auto d = ParseDate("2024-02-24");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(StartOfLocalDay(*d), Utc(2024, 2, 24, 3, 0, 0));
  EXPECT_EQ(FormatDate(*d), "2024-02-24");
  // 01:30 UTC on the 25th is still the 24th in São Paulo.
  EXPECT_EQ(FormatDate(LocalDateOf(Utc(2024, 2, 25, 1, 30, 0))), "2024-02-24");
}

TEST(TimeTest, BadInputsAreErrors) {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01",
                          "2026-01-01T25:00:00Z", "2026-01-01T00:00:00+3", "2026-01-01T00:00:00Zx",
                          "2026-01-01T00:00:00.Z", "yesterday"}) {
    auto t = ParseIsoInstant(bad);
    EXPECT_FALSE(t.has_value()) << bad;
    if (!t) {
      EXPECT_NE(t.error().message.find("is not a valid ISO 8601"), std::string::npos);
    }
  }
  EXPECT_FALSE(ParseMilvusDateTime("2026-11-23T10:15:00").has_value());
  EXPECT_FALSE(ParseDate("24/02/2024").has_value());
}

// Every instant formatted in each form parses back to itself (to the second for Milvus).
RC_GTEST_PROP(TimeProperty, FormatsRoundTrip, ()) {
  const int64_t ms = *rc::gen::inRange<int64_t>(0, 4102444800000);  // 1970..2100
  Instant t{milliseconds{ms}};
  RC_ASSERT(*ParseIsoInstant(FormatUtc(t)) == t);
  RC_ASSERT(*ParseIsoInstant(FormatIsoLocal(t)) == t);
  auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  RC_ASSERT(*ParseMilvusDateTime(FormatMilvusDateTime(t)) >= Instant{seconds} - std::chrono::hours{1});
}

}  // namespace
}  // namespace ponte
