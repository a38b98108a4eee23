#include "net/circuit.h"

#include <fmt/format.h>

#include "core/log.h"

namespace ponte {
namespace {

bool IsAuthRefusal(const Error& e) {
  return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
}

// No answer, a cut one, or a server error: the system is not doing its work.
bool IsOutage(const Error& e) {
  if (e.http_status) return *e.http_status >= 500;
  return e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kDeadlineExceeded;
}

}  // namespace

std::string_view CircuitStateName(Circuit::State state) {
  switch (state) {
    case Circuit::State::kClosed: return "closed";
    case Circuit::State::kOpen: return "open";
    case Circuit::State::kTrial: return "trial";
  }
  return "closed";
}

std::optional<Error> Circuit::Admit() {
  bool changed = false;
  std::optional<Error> refuse;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kOpen && clock_.Now() >= open_until_) {
      state_ = State::kTrial;  // this call is the trial
      changed = true;
    } else if (state_ != State::kClosed) {
      Error e = reason_;
      e.code = why_ == Why::kAuth ? reason_.code : ErrorCode::kUnavailable;
      e.halts_system = true;
      e.message = fmt::format("{} (ponte stopped calling {} until {}; {})", reason_.message, system_,
                              FormatUtc(open_until_),
                              why_ == Why::kAuth ? "fix the key and restart, or wait for the next trial"
                                                 : "it tries again then");
      refuse = std::move(e);
    }
  }
  if (changed) Notify();
  return refuse;
}

void Circuit::Succeeded() {
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    failing_since_.reset();
    if (state_ != State::kClosed) {
      state_ = State::kClosed;
      why_ = Why::kNone;
      changed = true;
    }
  }
  if (changed) Notify();
}

void Circuit::Failed(const Error& error) {
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    const Instant now = clock_.Now();
    if (IsAuthRefusal(error)) {
      OpenLocked(Why::kAuth, error);
      changed = true;
    } else if (IsOutage(error)) {
      if (!failing_since_) failing_since_ = now;
      if (state_ == State::kTrial || now - *failing_since_ >= options_.unreachable_budget) {
        OpenLocked(Why::kUnreachable, error);
        changed = true;
      }
    } else {
      failing_since_.reset();  // it answered: a record's own problem, not the system's
      if (state_ == State::kTrial) {
        state_ = State::kClosed;
        why_ = Why::kNone;
        changed = true;
      }
    }
  }
  if (changed) Notify();
}

void Circuit::OpenLocked(Why why, const Error& error) {
  state_ = State::kOpen;
  why_ = why;
  reason_ = error;
  reason_.halts_system = true;
  if (why == Why::kUnreachable && failing_since_) {
    reason_.message = fmt::format("{} has not answered since {}: {}", system_, FormatUtc(*failing_since_), error.message);
  }
  open_until_ = clock_.Now() + (why == Why::kAuth ? options_.auth_cooldown : options_.cooldown);
}

Circuit::State Circuit::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

Circuit::Why Circuit::why() const {
  std::lock_guard lock(mu_);
  return why_;
}

std::string Circuit::reason() const {
  std::lock_guard lock(mu_);
  return state_ == State::kClosed ? "" : reason_.message;
}

void Circuit::OnChange(std::function<void(const Circuit&)> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void Circuit::Notify() {
  std::vector<std::function<void(const Circuit&)>> listeners;
  State state;
  Why why;
  std::string reason;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
    state = state_;
    why = why_;
    reason = reason_.ToString();
  }
  // Every change is a line in the log: an operator sees when ponte stopped calling a system, why,
  // and when it tried again.
  const std::string name = fmt::format("circuit_{}", CircuitStateName(state));
  if (state == State::kOpen) {
    log::Error(name, {{"system", system_}, {"why", why == Why::kAuth ? "auth" : "unreachable"}, {"reason", reason}});
  } else {
    log::Info(name, {{"system", system_}});
  }
  for (const auto& l : listeners) l(*this);
}

}  // namespace ponte
