#pragma once
// A child process for tests that drive `ponte` the way an operator or a supervisor would: read
// what it prints, signal it (SIGTERM, SIGKILL), wait for its exit.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ponte::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with the arguments; stdout and stderr are captured together.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // kills the child if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line it prints, or nullopt on EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Everything printed so far and until exit (call after Wait).
  std::string Drain();
  void Signal(int sig);
  // Waits for exit; returns the exit code, or 128 + signal when killed.
  int Wait();
  // Waits at most `timeout`; nullopt when it is still running then.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  // Whether it still runs (reaps it when it has exited).
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

}  // namespace ponte::testing
