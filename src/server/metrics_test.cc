#include "server/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace ponte::server {
namespace {

TEST(Histogram, CountsCumulativelyAndKnowsRecentQuantiles) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.5, 0.5, 5.0, 50.0}) h.Observe(v);
  auto s = h.Get();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 56.05);
  EXPECT_DOUBLE_EQ(h.RecentQuantile(0.5), 0.5);
  EXPECT_DOUBLE_EQ(h.RecentQuantile(1.0), 50.0);
  EXPECT_DOUBLE_EQ(Histogram({1}).RecentQuantile(0.5), 0.0);
}

TEST(PrometheusText, WritesFamiliesOnceAndEscapesLabels) {
  PrometheusText p;
  p.Family("x_total", "counter", "Things.");
  p.Sample("x_total", {{"a", "q\"uote\\back\nline"}}, 3);
  p.Family("x_total", "counter", "Things.");
  p.Sample("x_total", {}, 0.25);
  EXPECT_EQ(p.str(), "# HELP x_total Things.\n# TYPE x_total counter\n"
                     "x_total{a=\"q\\\"uote\\\\back\\nline\"} 3\nx_total 0.25\n");
}

TEST(PrometheusText, WritesAHistogramWithInfBucket) {
  Histogram h({1, 2});
  h.Observe(1.5);
  PrometheusText p;
  p.WriteHistogram("lat_seconds", "Latency.", {}, h.Get());
  EXPECT_NE(p.str().find("lat_seconds_bucket{le=\"1\"} 0\n"), std::string::npos) << p.str();
  EXPECT_NE(p.str().find("lat_seconds_bucket{le=\"2\"} 1\n"), std::string::npos);
  EXPECT_NE(p.str().find("lat_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(p.str().find("lat_seconds_count 1\n"), std::string::npos);
}

}  // namespace
}  // namespace ponte::server
