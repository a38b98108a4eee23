#pragma once
// Whether the process named by a claim or lock holder still exists.

#include <string>
#include <string_view>

namespace ponte::detail {

// "host:pid@start": this process, named so that no later process of this host has its name.
std::string ThisProcessName();

// True when `holder` ("host:pid@start" or "host:pid", with "/thread" after it, as workers name
// themselves) names a process on this host that no longer exists, or whose pid another process
// now has. A holder on another host, or one not in that form, is never reported gone: only its
// lease ending frees what it held.
bool HolderIsGone(std::string_view holder);

}  // namespace ponte::detail
