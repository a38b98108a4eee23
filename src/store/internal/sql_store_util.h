#pragma once
// Row mapping shared by the SqlStore files.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/internal/sql_connection.h"
#include "store/store.h"

// The columns ToLinkRows expects, in order.
#define PONTE_LINK_COLUMNS \
  "entity_id, message, system, internal_id, natural_key, content_hash, route, attributes, linked_at"
#define PONTE_DELIVERY_COLUMNS                                                                   \
  "id, route, message, origin_system, origin_id, target_system, payload, content_hash, state, " \
  "attempts, last_error, next_attempt_at, claimed_by, lease_until, target_id, created_at, "     \
  "updated_at, natural_key, settles_at"

namespace ponte::detail {

inline std::string Text(std::string_view s) { return std::string(s); }

inline int64_t Millis(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromMillis(int64_t ms) { return Instant{std::chrono::milliseconds{ms}}; }

std::vector<LinkRow> ToLinkRows(const std::vector<SqlRow>& rows);
Delivery ToDelivery(const SqlRow& row);

}  // namespace ponte::detail
