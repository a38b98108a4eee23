#include "sandbox/faults.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "sandbox/odata.h"

namespace ponte::sandbox {
namespace {

constexpr std::pair<std::string_view, FaultKind> kKinds[] = {
    {"429", FaultKind::kTooManyRequests}, {"500", FaultKind::kInternal},
    {"502", FaultKind::kBadGateway},      {"503", FaultKind::kUnavailable},
    {"slow", FaultKind::kSlow},           {"slow_write", FaultKind::kSlowWrite},
    {"timeout", FaultKind::kTimeout},
    {"reset", FaultKind::kReset},         {"truncated", FaultKind::kTruncated},
    {"malformed", FaultKind::kMalformed}, {"duplicate_page", FaultKind::kDuplicatePage},
};

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "?";
}

Result<FaultSpec> FaultSpec::Parse(std::string_view text) {
  FaultSpec spec;
  for (const auto& item : SplitTopLevel(text, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return Fail(Error::InvalidArgument(fmt::format(
          "fault '{}' is not KIND=PROBABILITY (e.g. 429=0.05 or milvus:timeout=0.01)", item)));
    }
    std::string name = item.substr(0, eq);
    std::string api;
    if (auto colon = name.find(':'); colon != std::string::npos) {
      api = name.substr(0, colon);
      name = name.substr(colon + 1);
      if (api != "ploomes" && api != "milvus" && api != "totvs") {
        return Fail(Error::InvalidArgument(
            fmt::format("fault scope '{}' is not ploomes, milvus or totvs", api)));
      }
    }
    const std::string value = item.substr(eq + 1);
    if (name == "slow_ms" || name == "timeout_ms") {
      int ms = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec != std::errc() || ms < 0) {
        return Fail(Error::InvalidArgument(fmt::format("{} needs milliseconds, got '{}'", name, value)));
      }
      (name == "slow_ms" ? spec.slow_ms : spec.timeout_ms) = ms;
      continue;
    }
    std::optional<FaultKind> kind;
    for (const auto& [n, k] : kKinds) {
      if (n == name) kind = k;
    }
    if (!kind) {
      return Fail(Error::InvalidArgument(fmt::format(
          "unknown fault '{}' (429, 500, 502, 503, slow, slow_write, timeout, reset, truncated, malformed, "
          "duplicate_page)",
          name)));
    }
    double p = -1;
    try {
      p = std::stod(value);
    } catch (...) {
    }
    if (p < 0 || p > 1) {
      return Fail(Error::InvalidArgument(
          fmt::format("fault {} needs a probability between 0 and 1, got '{}'", name, value)));
    }
    spec.probabilities[{api, *kind}] = p;
  }
  return spec;
}

std::string FaultSpec::ToString() const {
  std::string out;
  for (const auto& [key, p] : probabilities) {
    if (!out.empty()) out += ",";
    out += fmt::format("{}{}={}", key.first.empty() ? "" : key.first + ":",
                       FaultKindName(key.second), p);
  }
  return out;
}

void FaultInjector::Set(FaultSpec spec) {
  std::lock_guard lock(mu_);
  spec_ = std::move(spec);
}

FaultSpec FaultInjector::Get() const {
  std::lock_guard lock(mu_);
  return spec_;
}

std::optional<FaultKind> FaultInjector::Draw(std::string_view api, bool write) {
  std::lock_guard lock(mu_);
  if (spec_.probabilities.empty()) return std::nullopt;
  // One draw per request, split across the kinds that apply: the total is their sum.
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double x = u(rng_);
  for (const auto& [key, p] : spec_.probabilities) {
    if (!key.first.empty() && key.first != api) continue;
    if (x < p) return key.second == FaultKind::kSlowWrite && !write ? std::nullopt : std::optional(key.second);
    x -= p;
  }
  return std::nullopt;
}

}  // namespace ponte::sandbox
