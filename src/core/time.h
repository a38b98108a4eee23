#pragma once
// Instants and the date formats of the APIs ponte talks to. Every instant inside ponte is UTC
// with millisecond precision; local times (Ploomes webhooks, Milvus) are read in the business
// time zone, America/Sao_Paulo, with the tz database's full history.

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ponte {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using LocalDate = std::chrono::year_month_day;

inline constexpr std::string_view kBusinessTimeZone = "America/Sao_Paulo";

// ISO 8601 date-time: "2026-01-15T18:15:01.727-03:00", "...Z", no fraction, 1 to 7 fraction
// digits (.NET trims zeros). A value without an offset is local time in the business zone
// (Ploomes webhook payloads carry none).
Result<Instant> ParseIsoInstant(std::string_view text);
// "2026-11-23T13:15:00.120Z": what ponte stores and logs.
std::string FormatUtc(Instant t);
// "2026-11-23T10:15:00.12-03:00": Ploomes' REST form, local offset, fraction trimmed.
std::string FormatIsoLocal(Instant t);
// "2026-11-23T10:15:00.12": Ploomes' webhook form, local time, no offset.
std::string FormatIsoLocalNoOffset(Instant t);
// Milvus: "YYYY-MM-DD HH:MM:SS" in local time, no offset.
Result<Instant> ParseMilvusDateTime(std::string_view text);
std::string FormatMilvusDateTime(Instant t);

// "YYYY-MM-DD".
Result<LocalDate> ParseDate(std::string_view text);
std::string FormatDate(LocalDate d);
// Midnight of `d` in the business zone, as an instant (the route cutoff is a local date).
Instant StartOfLocalDay(LocalDate d);
// The local date in the business zone of an instant.
LocalDate LocalDateOf(Instant t);
// What a person types for "from when": a local date YYYY-MM-DD (its midnight in the business
// zone) or an ISO 8601 instant. InvalidArgument says both forms.
Result<Instant> ParseDateOrInstant(std::string_view text);

// The clock, injected so tests can move time (sandbox time-scale, late runs, midnight).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
  static const SystemClock& Get();
};

}  // namespace ponte
