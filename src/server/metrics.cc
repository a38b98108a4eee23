#include "server/metrics.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ponte::server {

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double value) {
  std::lock_guard lock(mu_);
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[bucket];
  ++count_;
  sum_ += value;
  recent_.push_back(value);
  if (recent_.size() > kRecent) recent_.pop_front();
}

Histogram::Snapshot Histogram::Get() const {
  std::lock_guard lock(mu_);
  Snapshot s{bounds_, {}, count_, sum_};
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += counts_[i];
    s.cumulative.push_back(running);
  }
  return s;
}

double Histogram::RecentQuantile(double q) const {
  std::vector<double> values;
  {
    std::lock_guard lock(mu_);
    values.assign(recent_.begin(), recent_.end());
  }
  if (values.empty()) return 0;
  const size_t k = std::min(values.size() - 1, static_cast<size_t>(std::ceil(q * values.size())) - (q > 0 ? 1 : 0));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

std::string FormatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, EscapeLabelValue(labels[i].second));
  }
  return out + "}";
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace

void PrometheusText::Family(std::string_view name, std::string_view type, std::string_view help) {
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.emplace_back(name);
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusText::Sample(std::string_view name, const Labels& labels, double value) {
  out_ += fmt::format("{}{} {}\n", name, FormatLabels(labels), FormatValue(value));
}

void PrometheusText::WriteHistogram(std::string_view name, std::string_view help, const Labels& labels,
                                    const Histogram::Snapshot& h) {
  Family(name, "histogram", help);
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    Labels with = labels;
    with.emplace_back("le", FormatValue(h.bounds[i]));
    Sample(fmt::format("{}_bucket", name), with, static_cast<double>(h.cumulative[i]));
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  Sample(fmt::format("{}_bucket", name), inf, static_cast<double>(h.count));
  Sample(fmt::format("{}_sum", name), labels, h.sum);
  Sample(fmt::format("{}_count", name), labels, static_cast<double>(h.count));
}

}  // namespace ponte::server
