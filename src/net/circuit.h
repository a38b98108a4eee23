#pragma once
// A circuit breaker per system (the pattern's usual name): once the system refused ponte's key,
// or answered nothing for a while, calls to it fail at once without reaching the network, and
// the records waiting behind it wait (they are not dead-lettered: nothing is wrong with them).
// After a cool-down one trial call goes through; its success closes the circuit again.
//
// Thread-safe: every thread calling one system shares its circuit.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/time.h"

namespace ponte {

struct CircuitOptions {
  // Transport failures and 5xx answers for this long, with no success between, open it.
  std::chrono::milliseconds unreachable_budget{30'000};
  // How long it stays open before a trial call (an unreachable system; a refused key waits
  // auth_cooldown: it is fixed by a person, not by time).
  std::chrono::milliseconds cooldown{60'000};
  std::chrono::milliseconds auth_cooldown{300'000};
};

class Circuit {
 public:
  enum class State { kClosed, kOpen, kTrial };
  enum class Why { kNone, kAuth, kUnreachable };

  Circuit(std::string system, CircuitOptions options, const Clock& clock)
      : system_(std::move(system)), options_(options), clock_(clock) {}

  // nullopt: call. Else the error to fail with (Error::halts_system is set).
  std::optional<Error> Admit();
  void Succeeded();
  // A failed call: an authentication refusal opens it at once; a transport failure or 5xx
  // opens it once they have lasted unreachable_budget; anything else says nothing about it.
  void Failed(const Error& error);

  State state() const;
  Why why() const;
  std::string reason() const;  // the error that opened it, without secrets
  const std::string& system() const { return system_; }
  // Told of every change of state (for the log), outside the lock.
  void OnChange(std::function<void(const Circuit&)> listener);

 private:
  void OpenLocked(Why why, const Error& error);
  void Notify();

  const std::string system_;
  const CircuitOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  Why why_ = Why::kNone;
  Error reason_;
  Instant open_until_{};
  std::optional<Instant> failing_since_;
  std::vector<std::function<void(const Circuit&)>> listeners_;
};

std::string_view CircuitStateName(Circuit::State state);

}  // namespace ponte
