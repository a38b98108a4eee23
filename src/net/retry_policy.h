#pragma once
// The one place that decides whether and when a failed API call is tried again.
//
// - 429 (ResourceExhausted): wait for Retry-After (seconds or an HTTP date) when the server
//   sends one, else for the rate limiter's refill; never counts against the backoff.
// - 5xx, timeouts, connection errors, cut-short bodies: exponential backoff with full jitter
//   (a random wait between 0 and min(cap, base * 2^attempt)).
// - 403 on a read: some accounts see passing "blocks" on plain GETs (ploomes.forbidden_blocks in
//   ../shared/api/unknowns.md), so a read refused with 403 is tried again with a slow backoff
//   for a few minutes before it counts as a missing permission. A 403 on a write is final.
// - Any other 4xx: never retried; the caller dead-letters with the reason.
// Everything stops at the per-request budget (attempts and total time), and the last error is
// returned.

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace ponte {

struct RetryPolicy {
  int max_attempts = 8;                                  // first try included
  std::chrono::milliseconds base_backoff{500};           // first backoff ceiling
  std::chrono::milliseconds max_backoff{30'000};         // ceiling of one backoff
  std::chrono::milliseconds quota_wait_floor{1'000};     // 429 without Retry-After
  std::chrono::milliseconds budget{180'000};             // all attempts and waits of a request
  std::chrono::milliseconds forbidden_backoff{10'000};   // first backoff ceiling of a read's 403
  std::chrono::milliseconds forbidden_budget{300'000};   // a read's 403s, before it is final
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds wait{0};
};

// attempt: how many tries were made so far (1 after the first). elapsed: time since the first.
RetryDecision DecideRetry(const RetryPolicy& policy, const Error& error, int attempt,
                          std::chrono::milliseconds elapsed, std::mt19937_64& rng);

// A read answered 403 (`error` is PermissionDenied): full jitter over a ceiling that starts at
// forbidden_backoff and doubles, within forbidden_budget and max_attempts.
RetryDecision DecideForbiddenReadRetry(const RetryPolicy& policy, int attempt,
                                       std::chrono::milliseconds elapsed, std::mt19937_64& rng);

// Maps an HTTP status to ponte's error code: 401 Unauthenticated, 403 PermissionDenied, 404
// NotFound, 408/504 DeadlineExceeded, 409 AlreadyExists, 429 ResourceExhausted, other 5xx
// Unavailable, other 4xx FailedPrecondition.
ErrorCode ErrorCodeForStatus(int status);

// Retry-After as seconds ("120") or an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"), relative
// to `now`; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, Instant now);

}  // namespace ponte
