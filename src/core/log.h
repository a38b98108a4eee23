#pragma once
// ponte's log: one line per event, with a timestamp, a level, an event name and fields, as text
// for people or as JSON Lines for log shippers (--log-format json). Built on spdlog, which does
// the level filtering and the thread-safe writing to stderr.
//
// Secrets never reach a field: callers pass ids, routes, systems and error texts, which ponte
// builds without keys (SECURITY.md; the secrets tests read the log too).

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace ponte::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };
enum class Format { kText, kJson };

Result<Level> ParseLevel(std::string_view name);     // debug, info, warn, error, off
Result<Format> ParseFormat(std::string_view name);   // text, json

// Sets the level and the format of every line after it. Until then: info, text.
void Configure(Level level, Format format);
bool Enabled(Level level);
Level CurrentLevel();
Format CurrentFormat();

// One field of a line: a name and its value, already text (numbers included).
using Field = std::pair<std::string_view, std::string>;

// Writes `event` with its fields: text "2026-12-05T21:49:21.123Z WARN dead_letter route=x
// delivery=12 reason=\"...\"", or one JSON object with ts, level, event and the fields.
void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view event, std::initializer_list<Field> fields = {}) { Write(Level::kDebug, event, fields); }
inline void Info(std::string_view event, std::initializer_list<Field> fields = {}) { Write(Level::kInfo, event, fields); }
inline void Warn(std::string_view event, std::initializer_list<Field> fields = {}) { Write(Level::kWarn, event, fields); }
inline void Error(std::string_view event, std::initializer_list<Field> fields = {}) { Write(Level::kError, event, fields); }

// The text the text format gives `line` (for tests of the format itself).
std::string FormatLine(Format format, Level level, std::string_view timestamp, std::string_view event,
                       std::initializer_list<Field> fields);

}  // namespace ponte::log
