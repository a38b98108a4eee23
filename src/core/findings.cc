#include "core/findings.h"

#include "core/probe.h"

#include <algorithm>

namespace ponte {

std::optional<std::string> Findings::Value(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = findings_.find(key);
  if (it == findings_.end()) return std::nullopt;
  return it->second.value;
}

bool Findings::Is(std::string_view key, std::string_view value) const {
  auto v = Value(key);
  return v && *v == value;
}

void Findings::Learn(Finding finding) {
  std::vector<std::function<void(const Finding&)>> subscribers;
  {
    std::lock_guard lock(mu_);
    auto it = findings_.find(finding.key);
    const bool changed = it == findings_.end() || it->second.value != finding.value ||
                         it->second.evidence != finding.evidence;
    findings_[finding.key] = finding;
    if (!changed) return;
    subscribers = subscribers_;
  }
  // Outside the lock: a subscriber writes to the store, which may take a while.
  for (const auto& s : subscribers) s(finding);
}

void Findings::Load(const std::vector<Finding>& findings) {
  std::lock_guard lock(mu_);
  for (const auto& f : findings) findings_[f.key] = f;
}

std::vector<Finding> Findings::All() const {
  std::lock_guard lock(mu_);
  std::vector<Finding> out;
  for (const auto& [key, f] : findings_) out.push_back(f);
  return out;
}

void Findings::OnLearn(std::function<void(const Finding&)> subscriber) {
  std::lock_guard lock(mu_);
  subscribers_.push_back(std::move(subscriber));
}

Finding Found(std::string key, std::string value, std::string evidence) {
  return {std::move(key), std::move(value), std::move(evidence), SystemClock::Get().Now()};
}

Finding NotSettled(std::string key, std::string evidence) {
  return Found(std::move(key), std::string(kUnknownValue), std::move(evidence));
}

std::vector<Finding> InUnknownsOrder(std::vector<Finding> findings) {
  auto rank = [](const Finding& f) {
    const auto& all = Unknowns();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].key == f.key) return i;
    }
    return all.size();
  };
  std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) { return rank(a) < rank(b); });
  return findings;
}

}  // namespace ponte
