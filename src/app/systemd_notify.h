#pragma once
// Readiness for systemd's Type=notify units, without linking libsystemd: a datagram with
// "READY=1" (or "STOPPING=1") to the socket systemd names in $NOTIFY_SOCKET. Outside systemd
// the variable is unset and this does nothing.

#include <string_view>

namespace ponte {

// True when the message was sent; false outside systemd or when the socket refused it.
bool NotifySystemd(std::string_view state);

}  // namespace ponte
