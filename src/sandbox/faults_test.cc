#include "sandbox/faults.h"

#include <gtest/gtest.h>

namespace ponte::sandbox {
namespace {

TEST(FaultsTest, ParseAndPrint) {
  auto spec = FaultSpec::Parse("429=0.1,milvus:timeout=0.05,slow_ms=200");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  EXPECT_EQ(spec->slow_ms, 200);
  EXPECT_EQ(spec->ToString(), "429=0.1,milvus:timeout=0.05");
  EXPECT_FALSE(FaultSpec::Parse("explode=0.1").has_value());
  EXPECT_FALSE(FaultSpec::Parse("429=2").has_value());
  EXPECT_FALSE(FaultSpec::Parse("429").has_value());
  EXPECT_FALSE(FaultSpec::Parse("erp:500=0.1").has_value());
}

TEST(FaultsTest, DeterministicUnderASeed) {
  auto draw = [](uint64_t seed) {
    FaultInjector f(seed);
    f.Set(*FaultSpec::Parse("500=0.3,reset=0.2"));
    std::string seq;
    for (int i = 0; i < 200; ++i) {
      auto k = f.Draw("ploomes");
      seq += k ? std::string(FaultKindName(*k)) + "," : "-,";
    }
    return seq;
  };
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
}

TEST(FaultsTest, RatesFollowTheSpecAndScopes) {
  FaultInjector f(1);
  f.Set(*FaultSpec::Parse("milvus:500=0.25"));
  int milvus = 0, ploomes = 0;
  for (int i = 0; i < 4000; ++i) {
    milvus += f.Draw("milvus").has_value();
    ploomes += f.Draw("ploomes").has_value();
  }
  EXPECT_EQ(ploomes, 0);
  EXPECT_GT(milvus, 800);
  EXPECT_LT(milvus, 1200);
}

}  // namespace
}  // namespace ponte::sandbox
