#include "app/signals.h"

#include <pthread.h>
#include <signal.h>

#include <thread>

namespace ponte {
namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void OnTerminationSignal(std::function<void()> on_signal) {
  std::thread([on_signal = std::move(on_signal)] {
    sigset_t set = TerminationSet();
    int sig = 0;
    sigwait(&set, &sig);
    on_signal();
  }).detach();
}

}  // namespace ponte
