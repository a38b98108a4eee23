// A worker killed with SIGKILL cannot release its claims; on its own host we can see that it
// is gone and take its work back at once instead of waiting out the lease. Its name carries the
// start time of its process, so a later process that got the same pid (a container restarted,
// where every start is pid 1) is not taken for it.

#include "store/internal/holder_liveness.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace ponte::detail {
namespace {

std::string HostName() {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

// The start time of a process, in clock ticks since boot (/proc/<pid>/stat, field 22); "" when
// it cannot be read.
std::string StartTimeOf(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return "";
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

}  // namespace

std::string ThisProcessName() {
  const pid_t pid = getpid();
  const std::string started = StartTimeOf(pid);
  return started.empty() ? fmt::format("{}:{}", HostName(), pid) : fmt::format("{}:{}@{}", HostName(), pid, started);
}

bool HolderIsGone(std::string_view holder) {
  const auto colon = holder.find(':');
  if (colon == std::string_view::npos) return false;
  if (holder.substr(0, colon) != HostName()) return false;
  const auto slash = holder.find('/', colon);
  std::string_view process =
      holder.substr(colon + 1, slash == std::string_view::npos ? std::string_view::npos : slash - colon - 1);
  std::string_view started;
  if (const auto at = process.find('@'); at != std::string_view::npos) {
    started = process.substr(at + 1);
    process = process.substr(0, at);
  }
  if (process.empty() || process.size() > 9 || process.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  const pid_t pid = static_cast<pid_t>(std::stol(std::string(process)));
  if (pid <= 0) return false;
  if (kill(pid, 0) == -1 && errno == ESRCH) return true;
  // The pid lives, but perhaps as another process that got it later.
  return !started.empty() && StartTimeOf(pid) != started;
}

}  // namespace ponte::detail
