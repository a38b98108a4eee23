#pragma once
// The process-wide request to stop (SIGTERM, SIGINT). A stop is asked once and never taken
// back; every wait that may last (a quota, a backoff, an HTTP call in flight, the interval
// between runs) asks it, so `ponte serve` and `ponte sync` end within seconds of a signal
// instead of after the next listing. Thread-safe.

#include <chrono>

namespace ponte {

// Asks every wait in the process to end; wakes the sleepers at once.
void RequestShutdown();
bool ShutdownRequested();
// Sleeps `d`, or less when a stop is asked meanwhile. False when a stop cut it short (or had been
// asked before).
bool SleepUnlessShutdown(std::chrono::milliseconds d);

}  // namespace ponte
