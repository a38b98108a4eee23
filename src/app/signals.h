#pragma once
// Graceful shutdown for long-running commands (sandbox, serve, sync --watch): SIGINT and SIGTERM
// are blocked in every thread and taken by one waiter thread that runs the stop action.

#include <functional>

namespace ponte {

// Call before starting any thread, so all threads inherit the blocked mask.
void BlockTerminationSignals();
// Starts the waiter; `on_signal` runs once, on its thread, when SIGINT or SIGTERM arrives.
void OnTerminationSignal(std::function<void()> on_signal);

}  // namespace ponte
