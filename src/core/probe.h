#pragma once
// What `ponte probe` hands each connector's probes, and what they answer: one Finding per
// unknown of core/realities.h, with value kUnknownValue when the probe could not settle it.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/findings.h"
#include "core/realities.h"

namespace ponte {

inline constexpr std::string_view kUnknownValue = "unknown";

// A request a probe webhook made to ponte.
struct CaughtRequest {
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> query;
  std::string body;
};

// Somewhere a system's webhooks can reach during the probe.
struct WebhookCatcher {
  std::string url;  // as the system must call it
  // Waits up to `timeout` for the next request; nullopt when none came.
  std::function<std::optional<CaughtRequest>(std::chrono::seconds timeout)> wait;
};

struct ProbeOptions {
  // Also probe by writing: each system gets clearly marked test records ("ponte probe ..."),
  // removed again at the end.
  bool write = false;
  std::optional<WebhookCatcher> catcher;         // for the webhook probes (with write)
  std::function<void(const std::string&)> say;  // progress lines for a person watching
};

// A finding for `key` from now.
Finding Found(std::string key, std::string value, std::string evidence);
Finding NotSettled(std::string key, std::string evidence);
// The findings in the order of Unknowns() (the order unknowns.md ranks them).
std::vector<Finding> InUnknownsOrder(std::vector<Finding> findings);

}  // namespace ponte
