#pragma once
// Whether the process named by a claim or lock holder still exists.

#include <string_view>

namespace ponte::detail {

// True when `holder` ("host:pid" or "host:pid/thread", as workers name themselves) names a
// process on this host that no longer exists. A holder on another host, or one not in that
// form, is never reported gone: only its lease ending frees what it held.
bool HolderIsGone(std::string_view holder);

}  // namespace ponte::detail
