#include "core/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

#include "core/shutdown.h"

namespace ponte {
namespace {

struct Armed {
  std::string site;    // empty: no crash point is armed
  long pass = 1;       // dies (or stops) on this pass
  bool stop = false;   // ":stop": SIGTERM, as an operator stopping it there would
  std::atomic<long> passes{0};
};

Armed& ArmedSite() {
  static Armed* armed = [] {
    auto* a = new Armed();  // never destroyed: a crash point may be passed during exit
    const char* spec = std::getenv("PONTE_CRASH_AT");
    if (spec == nullptr || *spec == '\0') return a;
    std::string text(spec);
    if (text.ends_with(":stop")) {
      a->stop = true;
      text.resize(text.size() - 5);
    }
    if (auto colon = text.rfind(':'); colon != std::string::npos) {
      a->pass = std::max(1L, std::strtol(text.c_str() + colon + 1, nullptr, 10));
      text.resize(colon);
    }
    a->site = std::move(text);
    return a;
  }();
  return *armed;
}

}  // namespace

void CrashPoint(std::string_view site) {
  static std::atomic<bool> any{true};
  if (!any.load(std::memory_order_relaxed)) return;
  Armed& armed = ArmedSite();
  if (armed.site.empty()) {
    any.store(false, std::memory_order_relaxed);
    return;
  }
  if (armed.site != site) return;
  if (armed.passes.fetch_add(1) + 1 != armed.pass) return;
  if (armed.stop) {
    // Asked to stop here, as `systemctl stop` would: the process goes on to its graceful end.
    // The stop is asked at once (the signal's own thread may run a moment later).
    RequestShutdown();
    kill(getpid(), SIGTERM);
    return;
  }
  // As a power cut or an OOM kill would: no destructor runs, nothing is flushed.
  kill(getpid(), SIGKILL);
  pause();
}

}  // namespace ponte
