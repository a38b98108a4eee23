#include "net/http_client.h"

#include <thread>

#include <fmt/format.h>

#include "core/log.h"
#include "core/shutdown.h"

namespace ponte {
namespace {

// Error messages quote at most this much of a response body.
constexpr size_t kExcerptChars = 160;

Error Stopping(const ApiCall& call) {
  return Error::Cancelled(fmt::format("{} was not sent: ponte is stopping", call.endpoint));
}

}  // namespace

Sleeper RealSleeper() {
  // A stop of ponte ends the wait at once (Call then gives the call up).
  return [](std::chrono::milliseconds d) { (void)SleepUnlessShutdown(d); };
}

std::string BodyExcerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kExcerptChars)) out += (c == '\n' || c == '\r') ? ' ' : c;
  if (body.size() > kExcerptChars) out += "...";
  return out;
}

ApiClient::ApiClient(ApiClientOptions options, HttpTransport& transport, RateLimiter* limiter,
                     CallCounter& counter, const Clock& clock, Sleeper sleep)
    : options_(std::move(options)),
      transport_(transport),
      limiter_(limiter),
      circuit_(options_.system, options_.circuit, clock),
      counter_(counter),
      clock_(clock),
      sleep_(std::move(sleep)),
      rng_(std::random_device{}()) {}

void ApiClient::SetClassLimiter(QuotaClass quota, RateLimiter* limiter) {
  (quota == QuotaClass::kListings ? listing_limiter_ : write_limiter_) = limiter;
}

std::vector<RateLimiter*> ApiClient::LimitersFor(const ApiCall& call) const {
  std::vector<RateLimiter*> out;
  if (limiter_) out.push_back(limiter_);
  const bool write = call.method != "GET" && !call.read_only;
  if (call.listing && listing_limiter_) out.push_back(listing_limiter_);
  if (write && write_limiter_) out.push_back(write_limiter_);
  return out;
}

Result<HttpResponse> ApiClient::SendOnce(const ApiCall& call) {
  HttpRequest request;
  request.method = call.method;
  request.url = options_.base_url + call.path_and_query;
  request.body = call.body;
  request.timeout = options_.request_timeout;
  request.headers = {{options_.auth_header, options_.auth_value},
                     {"Accept", "application/json"}};
  if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  auto response = transport_.Send(request);
  if (!response) {
    counter_.Count({options_.system, call.endpoint, 0});
    return Fail(Error(response.error()).WithSystem(options_.system));
  }
  counter_.Count({options_.system, call.endpoint, response->status});
  if (response->status >= 200 && response->status < 300) return response;
  Error e;
  e.code = ErrorCodeForStatus(response->status);
  e.system = options_.system;
  e.http_status = response->status;
  if (response->status == 429) {
    e.retry_after = ParseRetryAfter(response->Header("Retry-After"), clock_.Now());
  }
  if (e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied) {
    e.message = fmt::format(
        "{} answered {}: the {} API key was refused; check {} (the key itself is not shown)",
        call.endpoint, response->status, options_.system, options_.key_hint);
  } else {
    e.message = fmt::format("{} answered {}: {}", call.endpoint, response->status,
                            BodyExcerpt(response->body));
  }
  return Fail(std::move(e));
}

Result<HttpResponse> ApiClient::Call(const ApiCall& call) {
  const Instant start = clock_.Now();
  for (int attempt = 1;; ++attempt) {
    if (auto refused = circuit_.Admit()) return Fail(std::move(*refused));
    // Wait for each limiter before every attempt, retries included.
    for (RateLimiter* limiter : LimitersFor(call)) {
      while (true) {
        auto wait = limiter->Acquire(clock_.Now());
        if (!wait) return Fail(wait.error());
        if (wait->count() == 0) break;
        sleep_(*wait);
        if (ShutdownRequested()) return Fail(Stopping(call));
      }
    }
    auto response = SendOnce(call);
    if (response && call.check) {
      if (auto checked = call.check(*response); !checked) {
        Error e = checked.error();
        e.system = options_.system;
        e.http_status = response->status;
        response = Fail(std::move(e));
        if (call.method != "GET" && !call.read_only) return response;
      }
    }
    if (response) {
      circuit_.Succeeded();
      return response;
    }
    const Error& error = response.error();
    if (error.code == ErrorCode::kCancelled) return response;  // ponte is stopping: not the system's fault
    const bool read = call.method == "GET" || call.read_only;
    // A read's 403 may be a passing block (ploomes.forbidden_blocks): the circuit hears of it
    // only once its retries are spent.
    const bool passing_block = error.code == ErrorCode::kPermissionDenied && read;
    if (!passing_block) circuit_.Failed(error);
    if (circuit_.state() == Circuit::State::kOpen) {
      Error out = error;
      out.halts_system = true;
      if (circuit_.why() == Circuit::Why::kUnreachable) out.message = circuit_.reason();
      return Fail(std::move(out));
    }
    if (error.code == ErrorCode::kResourceExhausted) {
      for (RateLimiter* limiter : LimitersFor(call)) limiter->Drain(clock_.Now());
    }
    // A POST that may have reached the server (an error status, a timeout, a cut answer) is not
    // sent again here: a retry could create the record twice. Only a refusal (429) or a failure
    // to connect proves it was not processed; otherwise the sync engine looks the record up
    // before it writes again.
    const bool replayable = call.method != "POST" || call.read_only;
    const bool surely_not_processed =
        error.code == ErrorCode::kResourceExhausted ||
        (error.code == ErrorCode::kUnavailable && !error.http_status);
    if (!replayable && !surely_not_processed) {
      Error out = error;
      out.message += " (not retried at once: the write may have reached the server)";
      return Fail(std::move(out));
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - start);
    RetryDecision decision;
    {
      std::lock_guard lock(rng_mu_);
      decision = error.code == ErrorCode::kPermissionDenied && read
                     ? DecideForbiddenReadRetry(options_.retry, attempt, elapsed, rng_)
                     : DecideRetry(options_.retry, error, attempt, elapsed, rng_);
    }
    if (!decision.retry) {
      Error out = error;
      if (attempt > 1 && (out.retry_class() != RetryClass::kDeadLetter || read)) {
        out.message += fmt::format(" (gave up after {} attempts)", attempt);
      }
      if (passing_block) {
        circuit_.Failed(out);  // it did not pass: the key lacks the permission
        out.halts_system = true;
      }
      return Fail(std::move(out));
    }
    counter_.CountRetry(options_.system);
    log::Debug("api_retry", {{"system", options_.system}, {"call", call.endpoint}, {"attempt", std::to_string(attempt)},
                             {"wait_ms", std::to_string(decision.wait.count())}, {"error", error.ToString()}});
    sleep_(decision.wait);
    if (ShutdownRequested()) return Fail(Stopping(call));
  }
}

}  // namespace ponte
