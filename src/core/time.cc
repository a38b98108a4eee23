#include "core/time.h"

#include <cctype>
#include <charconv>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace ponte {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

const date::time_zone* BusinessZone() {
  static const date::time_zone* zone = date::locate_zone(std::string(kBusinessTimeZone));
  return zone;
}

// A tiny cursor over the text, so each format is parsed field by field with a clear error.
struct Cursor {
  std::string_view text;
  size_t pos = 0;

  bool Digits(size_t n, int& out) {
    if (pos + n > text.size()) return false;
    int value = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = text[pos + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      value = value * 10 + (c - '0');
    }
    out = value;
    pos += n;
    return true;
  }
  bool Literal(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return pos == text.size(); }
  char Peek() const { return pos < text.size() ? text[pos] : '\0'; }
};

Error BadTime(std::string_view text, std::string_view expected) {
  return Error::InvalidArgument(fmt::format("'{}' is not a valid {}", text, expected));
}

Result<date::local_time<milliseconds>> ParseLocal(Cursor& c, char date_time_separator,
                                                  bool allow_fraction, std::string_view what) {
  int y, mo, d, h, mi, s;
  if (!c.Digits(4, y) || !c.Literal('-') || !c.Digits(2, mo) || !c.Literal('-') ||
      !c.Digits(2, d) || !c.Literal(date_time_separator) || !c.Digits(2, h) || !c.Literal(':') ||
      !c.Digits(2, mi) || !c.Literal(':') || !c.Digits(2, s)) {
    return Fail(BadTime(c.text, what));
  }
  int millis = 0;
  if (allow_fraction && c.Literal('.')) {
    int digits = 0;
    int scale = 100;
    while (std::isdigit(static_cast<unsigned char>(c.Peek()))) {
      if (digits < 3) millis += (c.Peek() - '0') * scale;
      scale /= 10;
      ++digits;
      ++c.pos;
    }
    if (digits == 0 || digits > 9) return Fail(BadTime(c.text, what));
  }
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return Fail(BadTime(c.text, what));
  return date::local_days{ymd} + std::chrono::hours{h} + minutes{mi} + std::chrono::seconds{s} +
         milliseconds{millis};
}

Instant FromLocal(date::local_time<milliseconds> local) {
  // choose::earliest: an ambiguous wall time (the old DST fall-back hour) takes the first one.
  auto zoned = date::zoned_time<milliseconds>(BusinessZone(), local, date::choose::earliest);
  return Instant{zoned.get_sys_time()};
}

date::local_time<milliseconds> ToLocal(Instant t) {
  return date::zoned_time<milliseconds>(BusinessZone(), t).get_local_time();
}

std::string TrimmedFraction(milliseconds ms) {
  int v = static_cast<int>(ms.count() % 1000);
  if (v == 0) return "";
  std::string s = fmt::format(".{:03d}", v);
  while (s.back() == '0') s.pop_back();
  return s;
}

std::string FormatLocalParts(date::local_time<milliseconds> local, bool with_fraction) {
  auto days = date::floor<date::days>(local);
  date::year_month_day ymd{days};
  date::hh_mm_ss<milliseconds> tod{local - days};
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}",
                                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()), tod.hours().count(),
                                tod.minutes().count(), tod.seconds().count());
  if (with_fraction) out += TrimmedFraction(tod.subseconds());
  return out;
}

}  // namespace

Result<Instant> ParseIsoInstant(std::string_view text) {
  constexpr std::string_view kWhat = "ISO 8601 date-time (e.g. 2026-01-15T18:15:01.727-03:00)";
  Cursor c{text};
  auto local = ParseLocal(c, 'T', true, kWhat);
  if (!local) return Fail(local.error());
  if (c.AtEnd()) return FromLocal(*local);
  if (c.Literal('Z') && c.AtEnd()) {
    return Instant{local->time_since_epoch()};
  }
  char sign = c.Peek();
  int oh, om;
  if ((sign != '+' && sign != '-') || (++c.pos, !c.Digits(2, oh)) || !c.Literal(':') ||
      !c.Digits(2, om) || !c.AtEnd() || oh > 14 || om > 59) {
    return Fail(BadTime(text, kWhat));
  }
  minutes offset{oh * 60 + om};
  if (sign == '-') offset = -offset;
  return Instant{local->time_since_epoch() - offset};
}

std::string FormatUtc(Instant t) {
  auto days = date::floor<date::days>(t);
  date::year_month_day ymd{days};
  date::hh_mm_ss<milliseconds> tod{t - days};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z",
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

std::string FormatIsoLocal(Instant t) {
  auto info = BusinessZone()->get_info(t);
  auto offset = std::chrono::duration_cast<minutes>(info.offset).count();
  char sign = offset < 0 ? '-' : '+';
  offset = offset < 0 ? -offset : offset;
  return FormatLocalParts(ToLocal(t), true) +
         fmt::format("{}{:02d}:{:02d}", sign, offset / 60, offset % 60);
}

std::string FormatIsoLocalNoOffset(Instant t) { return FormatLocalParts(ToLocal(t), true); }

Result<Instant> ParseMilvusDateTime(std::string_view text) {
  Cursor c{text};
  auto local = ParseLocal(c, ' ', false, "Milvus date-time (YYYY-MM-DD HH:MM:SS)");
  if (!local) return Fail(local.error());
  if (!c.AtEnd()) return Fail(BadTime(text, "Milvus date-time (YYYY-MM-DD HH:MM:SS)"));
  return FromLocal(*local);
}

std::string FormatMilvusDateTime(Instant t) {
  std::string s = FormatLocalParts(ToLocal(t), false);
  s[10] = ' ';
  return s;
}

Result<LocalDate> ParseDate(std::string_view text) {
  Cursor c{text};
  int y, m, d;
  if (!c.Digits(4, y) || !c.Literal('-') || !c.Digits(2, m) || !c.Literal('-') ||
      !c.Digits(2, d) || !c.AtEnd()) {
    return Fail(BadTime(text, "date (YYYY-MM-DD)"));
  }
  LocalDate date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                 std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return Fail(BadTime(text, "date (YYYY-MM-DD)"));
  return date;
}

std::string FormatDate(LocalDate d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

Result<Instant> ParseDateOrInstant(std::string_view text) {
  if (auto d = ParseDate(text)) return StartOfLocalDay(*d);
  if (auto t = ParseIsoInstant(text)) return *t;
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is neither a date YYYY-MM-DD (local, America/Sao_Paulo) nor an ISO 8601 instant", text)));
}

Instant StartOfLocalDay(LocalDate d) {
  date::year_month_day ymd{date::year{static_cast<int>(d.year())},
                           date::month{static_cast<unsigned>(d.month())},
                           date::day{static_cast<unsigned>(d.day())}};
  return FromLocal(date::local_time<milliseconds>{date::local_days{ymd}.time_since_epoch()});
}

LocalDate LocalDateOf(Instant t) {
  auto days = date::floor<date::days>(ToLocal(t));
  date::year_month_day ymd{days};
  return LocalDate{std::chrono::year{static_cast<int>(ymd.year())},
                   std::chrono::month{static_cast<unsigned>(ymd.month())},
                   std::chrono::day{static_cast<unsigned>(ymd.day())}};
}

Instant SystemClock::Now() const {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

const SystemClock& SystemClock::Get() {
  static const SystemClock clock;
  return clock;
}

}  // namespace ponte
