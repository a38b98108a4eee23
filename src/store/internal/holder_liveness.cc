// A worker killed with SIGKILL cannot release its claims; on its own host we can see that it
// is gone and take its work back at once instead of waiting out the lease.

#include "store/internal/holder_liveness.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace ponte::detail {

bool HolderIsGone(std::string_view holder) {
  const auto colon = holder.find(':');
  if (colon == std::string_view::npos) return false;
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) return false;
  if (holder.substr(0, colon) != host) return false;
  const auto slash = holder.find('/', colon);
  const std::string_view pid_text =
      holder.substr(colon + 1, slash == std::string_view::npos ? std::string_view::npos : slash - colon - 1);
  if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  const pid_t pid = static_cast<pid_t>(std::stol(std::string(pid_text)));
  if (pid <= 0) return false;
  return kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace ponte::detail
