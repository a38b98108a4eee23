#include "core/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ponte::log {
namespace {

TEST(LogTest, TextLinesQuoteWhatWouldBeAmbiguous) {
  auto line = FormatLine(Format::kText, Level::kWarn, "2026-12-05T10:00:00.000Z", "dead_letter",
                         {{"route", "customers_ploomes_to_milvus"}, {"delivery", "12"},
                          {"reason", "INVALID_ARGUMENT: cpf \"1\" is invalid\nsecond line"}});
  EXPECT_EQ(line,
            "2026-12-05T10:00:00.000Z warn  dead_letter route=customers_ploomes_to_milvus delivery=12 "
            "reason=\"INVALID_ARGUMENT: cpf \\\"1\\\" is invalid\\nsecond line\"");
}

TEST(LogTest, JsonLinesAreOneObjectEvenWithBadUtf8) {
  auto line = FormatLine(Format::kJson, Level::kError, "2026-12-05T10:00:00.000Z", "circuit_open",
                         {{"system", "milvus"}, {"reason", std::string("bad \xff byte")}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["event"], "circuit_open");
  EXPECT_EQ(j["system"], "milvus");
  EXPECT_EQ(j["ts"], "2026-12-05T10:00:00.000Z");
}

TEST(LogTest, LevelsAndFormatsParseOrSayWhatIsAllowed) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  auto bad = ParseLevel("verbose");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("debug, info, warn, error or off"), std::string::npos);
  Configure(Level::kWarn, Format::kText);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  Configure(Level::kInfo, Format::kText);
}

}  // namespace
}  // namespace ponte::log
