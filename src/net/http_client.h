#pragma once
// An API client for one system and one key: adds the authentication header, waits on the
// system's rate limiter, sends through the transport, counts the call, maps the status to an
// Error and retries as RetryPolicy decides. Errors name the system, method, endpoint and
// status, and carry a short excerpt of the body, never a header value.

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "net/call_counter.h"
#include "net/circuit.h"
#include "net/http.h"
#include "net/rate_limiter.h"
#include "net/retry_policy.h"

namespace ponte {

struct ApiCall {
  std::string method = "GET";
  std::string endpoint;      // label for counting, e.g. "GET /Contacts" (no ids, no query)
  std::string path_and_query;  // appended to the base URL
  std::string body;
  // Checks a 2xx answer's body (e.g. that it is the JSON expected). A failure is retried like a
  // transport error when the call is a read; a write's answer is never retried blindly (the
  // record may exist: the sync engine reconciles instead).
  std::function<Status(const HttpResponse&)> check;
  bool read_only = false;  // true for reads sent as POST (Milvus chamado/listagem)
  // A listing: an API may allow far fewer of these than of other calls (Milvus: one a minute),
  // so listings also wait on the client's listing limiter.
  bool listing = false;
};

// Which of an API's quotas a call spends, besides the one on every call.
enum class QuotaClass { kListings, kWrites };

struct ApiClientOptions {
  std::string system;                // "ploomes"
  std::string base_url;              // http://127.0.0.1:8500/ploomes
  std::string auth_header;           // "User-Key" or "Authorization"
  std::string auth_value;            // the key; never logged
  std::string key_hint;              // how the user fixes a bad key: "PONTE_PLOOMES_KEY"
  std::chrono::milliseconds request_timeout{30'000};
  RetryPolicy retry;
  CircuitOptions circuit;
};

// Sleeping is injected so tests can run retries without waiting.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
Sleeper RealSleeper();

class ApiClient {
 public:
  ApiClient(ApiClientOptions options, HttpTransport& transport, RateLimiter* limiter,
            CallCounter& counter, const Clock& clock, Sleeper sleep = RealSleeper());

  // Sends the call with retries. Success: a 2xx response. Failure: the last error, with the
  // HTTP status and Retry-After in its context. An authentication failure says which key to fix.
  // While the system's circuit is open (its key was refused, or it stopped answering), fails at
  // once with Error::halts_system set.
  Result<HttpResponse> Call(const ApiCall& call);
  Circuit& circuit() { return circuit_; }

  const std::string& system() const { return options_.system; }
  const ApiClientOptions& options() const { return options_; }
  // A limiter for the listings or the writes only (null: none), on top of the one on every call.
  void SetClassLimiter(QuotaClass quota, RateLimiter* limiter);

 private:
  Result<HttpResponse> SendOnce(const ApiCall& call);
  // The limiters a call waits on: the one on every call and its class's.
  std::vector<RateLimiter*> LimitersFor(const ApiCall& call) const;

  ApiClientOptions options_;
  HttpTransport& transport_;
  RateLimiter* limiter_;
  RateLimiter* listing_limiter_ = nullptr;
  RateLimiter* write_limiter_ = nullptr;
  Circuit circuit_;
  CallCounter& counter_;
  const Clock& clock_;
  Sleeper sleep_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

// A short, single-line excerpt of a response body for error messages.
std::string BodyExcerpt(std::string_view body);

}  // namespace ponte
