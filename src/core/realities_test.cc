#include "core/realities.h"

#include <gtest/gtest.h>

#include "core/findings.h"

namespace ponte {
namespace {

TEST(RealityTest, DocumentedAndPessimisticSetEveryUnknown) {
  Reality documented;
  auto pessimistic = Reality::Parse("pessimistic");
  ASSERT_TRUE(pessimistic.has_value());
  for (const auto& u : Unknowns()) {
    EXPECT_EQ(documented.Get(u.key), u.documented) << u.key;
    EXPECT_EQ(pessimistic->Get(u.key), u.pessimistic) << u.key;
    EXPECT_NE(std::find(u.values.begin(), u.values.end(), u.documented), u.values.end()) << u.key;
    EXPECT_NE(std::find(u.values.begin(), u.values.end(), u.pessimistic), u.values.end()) << u.key;
  }
  EXPECT_EQ(documented.ToString(), "documented");
}

TEST(RealityTest, SettingsApplyLeftToRight) {
  auto r = Reality::Parse("pessimistic, milvus.listing_quota=none,ploomes.timestamp_precision=ms");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->Is("milvus.listing_quota", "none"));
  EXPECT_TRUE(r->Is("ploomes.timestamp_precision", "ms"));
  EXPECT_TRUE(r->Is("milvus.busca_name_match", "exact"));
  auto back = Reality::Parse(r->ToString());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->values(), r->values());
  auto reset = Reality::Parse("milvus.busca_name_match=prefix,documented");
  EXPECT_EQ(reset->ToString(), "documented");
}

TEST(RealityTest, ErrorsNameTheKeyAndTheValues) {
  auto bad_key = Reality::Parse("milvus.busca_name_matching=exact");
  ASSERT_FALSE(bad_key.has_value());
  EXPECT_NE(bad_key.error().message.find("milvus.busca_name_match"), std::string::npos);
  auto bad_value = Reality::Parse("ploomes.timestamp_precision=seconds");
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_NE(bad_value.error().message.find("ms, 1/300"), std::string::npos) << bad_value.error().message;
  EXPECT_FALSE(Reality::Parse("optimistic").has_value());
}

TEST(FindingsTest, LearnTellsSubscribersOnlyOfChanges) {
  Findings f;
  int told = 0;
  f.OnLearn([&](const Finding&) { ++told; });
  EXPECT_FALSE(f.Value("milvus.busca_name_match").has_value());
  f.Learn({"milvus.busca_name_match", "substring", "e", {}});
  f.Learn({"milvus.busca_name_match", "substring", "e", {}});
  EXPECT_EQ(told, 1);
  f.Load({{"ploomes.post_echo", "full", "x", {}}});
  EXPECT_EQ(told, 1);
  EXPECT_TRUE(f.Is("ploomes.post_echo", "full"));
  EXPECT_EQ(f.All().size(), 2u);
}

}  // namespace
}  // namespace ponte
