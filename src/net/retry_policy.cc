#include "net/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <date/date.h>

namespace ponte {

RetryDecision DecideRetry(const RetryPolicy& policy, const Error& error, int attempt,
                          std::chrono::milliseconds elapsed, std::mt19937_64& rng) {
  if (attempt >= policy.max_attempts) return {};
  std::chrono::milliseconds wait{0};
  switch (error.retry_class()) {
    case RetryClass::kDeadLetter:
      return {};
    case RetryClass::kWaitForQuota:
      wait = error.retry_after ? *error.retry_after : policy.quota_wait_floor;
      break;
    case RetryClass::kRetryWithBackoff: {
      // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))].
      const int64_t ceiling = std::min<int64_t>(
          policy.max_backoff.count(),
          policy.base_backoff.count() * (int64_t{1} << std::min(attempt - 1, 20)));
      wait = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, ceiling)(rng));
      break;
    }
  }
  if (elapsed + wait > policy.budget) return {};
  return {true, wait};
}

RetryDecision DecideForbiddenReadRetry(const RetryPolicy& policy, int attempt,
                                       std::chrono::milliseconds elapsed, std::mt19937_64& rng) {
  if (attempt >= policy.max_attempts) return {};
  const int64_t ceiling = policy.forbidden_backoff.count() * (int64_t{1} << std::min(attempt - 1, 20));
  const auto wait = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, ceiling)(rng));
  if (elapsed + wait > policy.forbidden_budget) return {};
  return {true, wait};
}

ErrorCode ErrorCodeForStatus(int status) {
  switch (status) {
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 408:
    case 504: return ErrorCode::kDeadlineExceeded;
    case 409: return ErrorCode::kAlreadyExists;
    case 429: return ErrorCode::kResourceExhausted;
    default: break;
  }
  if (status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kFailedPrecondition;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, Instant now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size()) {
    return std::chrono::milliseconds(std::max<int64_t>(0, seconds) * 1000);
  }
  std::istringstream in{std::string(value)};
  date::sys_seconds when;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", when);
  if (in.fail()) return std::nullopt;
  auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  return std::max(delta, std::chrono::milliseconds(0));
}

}  // namespace ponte
