#pragma once
// ponte's error type. Expected failures travel as std::expected<T, Error>; the code decides what
// the sync loop does with them (retry, wait for quota, or dead-letter), following the vocabulary
// of absl::Status.

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace ponte {

enum class ErrorCode {
  kInvalidArgument,     // bad input that will stay bad: dead-letter with the reason
  kFailedPrecondition,  // the target refuses the record as it is (4xx): dead-letter
  kNotFound,            // the thing looked up does not exist
  kAlreadyExists,       // a unique key is taken (de/para link, journal entry)
  kUnauthenticated,     // the API key is missing or wrong: fix the configuration
  kPermissionDenied,    // the key lacks a permission
  kResourceExhausted,   // quota hit (429): wait for the bucket or Retry-After
  kUnavailable,         // 5xx, connection refused or reset: retry with backoff
  kDeadlineExceeded,    // timeout: retry with backoff
  kDataLoss,            // malformed or truncated response: retry, the next read may be whole
  kInternal,            // a bug in ponte
  // ponte is stopping (SIGTERM, Ctrl-C): the call was given up, nothing is wrong with the record;
  // it is delivered on the next start (after the settle time when a write may have been sent).
  kCancelled,
};

// What the delivery loop does with a failed call.
enum class RetryClass {
  kRetryWithBackoff,  // exponential backoff with full jitter, within the retry budget
  kWaitForQuota,      // wait for Retry-After or the token bucket, then try again
  kDeadLetter,        // never retry: the dead-letter queue, with the reason
};

std::string_view ErrorCodeName(ErrorCode code);
RetryClass ClassifyForRetry(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Context, filled where known. None of it may hold a secret.
  std::optional<int> http_status;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string system;  // "ploomes", "milvus", "store", ...
  std::string record;  // e.g. "Contacts 123" or a CPF/CNPJ
  // The system refuses ponte as a whole (its key, or it is down): the run stops calling it and
  // the record waits, never dead-lettered for this.
  bool halts_system = false;

  static Error InvalidArgument(std::string message);
  static Error FailedPrecondition(std::string message);
  static Error NotFound(std::string message);
  static Error AlreadyExists(std::string message);
  static Error Unavailable(std::string message);
  static Error DeadlineExceeded(std::string message);
  static Error DataLoss(std::string message);
  static Error Internal(std::string message);
  static Error Cancelled(std::string message);

  Error& WithSystem(std::string s) & { system = std::move(s); return *this; }
  Error&& WithSystem(std::string s) && { system = std::move(s); return std::move(*this); }
  Error& WithRecord(std::string r) & { record = std::move(r); return *this; }
  Error&& WithRecord(std::string r) && { record = std::move(r); return std::move(*this); }

  RetryClass retry_class() const { return ClassifyForRetry(code); }
  // Whether a write that failed with this error may still have been applied by its system: an
  // answer that never came or came cut short, a 5xx, a stop mid-call. A 4xx (429 included) is a
  // refusal, and a connection never made sent nothing.
  bool MayHaveBeenApplied() const;
  // "UNAVAILABLE: milvus: POST /api/cliente/criar answered 503 (record: ...)".
  std::string ToString() const;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace ponte

// Returns the error of an expression that yields a Status or Result<T>, and otherwise goes on.
#define PONTE_RETURN_IF_ERROR(expr)                                   \
  do {                                                                \
    if (auto ponte_status_ = (expr); !ponte_status_.has_value())      \
      return std::unexpected<::ponte::Error>(std::move(ponte_status_).error()); \
  } while (false)
