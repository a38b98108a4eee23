#pragma once
// Prometheus text exposition (version 0.0.4): the pieces /metrics is written with, and the
// latency histogram the delivery thread fills.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ponte::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Thread-safe histogram with fixed bucket bounds, plus the last few thousand observations for
// exact quantiles on the dashboard and in the benchmark.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, observations <= bound
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Get() const;
  // Exact quantile (0..1) of the recent observations; 0 when there are none.
  double RecentQuantile(double q) const;

 private:
  static constexpr size_t kRecent = 4096;
  mutable std::mutex mu_;
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
  uint64_t count_ = 0;
  double sum_ = 0;
  std::deque<double> recent_;
};

class PrometheusText {
 public:
  // Writes # HELP and # TYPE the first time a family is named.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const Labels& labels, double value);
  void WriteHistogram(std::string_view name, std::string_view help, const Labels& labels,
                      const Histogram::Snapshot& h);
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  std::vector<std::string> families_;
};

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace ponte::server
