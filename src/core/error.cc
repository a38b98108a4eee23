#include "core/error.h"

#include <fmt/format.h>

namespace ponte {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kAlreadyExists: return "ALREADY_EXISTS";
    case ErrorCode::kUnauthenticated: return "UNAUTHENTICATED";
    case ErrorCode::kPermissionDenied: return "PERMISSION_DENIED";
    case ErrorCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case ErrorCode::kUnavailable: return "UNAVAILABLE";
    case ErrorCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case ErrorCode::kDataLoss: return "DATA_LOSS";
    case ErrorCode::kInternal: return "INTERNAL";
    case ErrorCode::kCancelled: return "CANCELLED";
  }
  return "UNKNOWN";
}

// The one place that maps an error code to what the sync loop does about it.
RetryClass ClassifyForRetry(ErrorCode code) {
  switch (code) {
    case ErrorCode::kResourceExhausted:
      return RetryClass::kWaitForQuota;
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
    case ErrorCode::kDataLoss:
    case ErrorCode::kCancelled:
      return RetryClass::kRetryWithBackoff;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kInternal:
      return RetryClass::kDeadLetter;
  }
  return RetryClass::kDeadLetter;
}

Error Error::InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
Error Error::FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
Error Error::NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
Error Error::AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
Error Error::Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
Error Error::DeadlineExceeded(std::string m) {
  return {ErrorCode::kDeadlineExceeded, std::move(m)};
}
Error Error::DataLoss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }
Error Error::Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
Error Error::Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }

bool Error::MayHaveBeenApplied() const {
  if (http_status) return *http_status >= 500;
  return code != ErrorCode::kUnavailable && code != ErrorCode::kUnauthenticated &&
         code != ErrorCode::kPermissionDenied && code != ErrorCode::kResourceExhausted &&
         code != ErrorCode::kInvalidArgument && code != ErrorCode::kFailedPrecondition;
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  if (!system.empty()) out += system + ": ";
  out += message;
  if (!record.empty()) out += fmt::format(" (record: {})", record);
  return out;
}

}  // namespace ponte
