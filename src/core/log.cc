#include "core/log.h"

#include <atomic>
#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace ponte::log {
namespace {

std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_level{Level::kInfo};

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "info";
}

// ponte's own logger: lines are complete when they reach spdlog, so its pattern is the line.
spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("ponte", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::debug);  // a crash loses no line already written
    return l;
  }();
  return *logger;
}

// A value needs quotes in the text format when a reader could not tell where it ends.
bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

std::string Quoted(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError, Level::kOff}) {
    if (name == Name(l)) return l;
  }
  return Fail(::ponte::Error::InvalidArgument(fmt::format("unknown log level '{}': use debug, info, warn, error or off", name)));
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return Fail(::ponte::Error::InvalidArgument(fmt::format("unknown log format '{}': use text or json", name)));
}

void Configure(Level level, Format format) {
  Logger().set_level(ToSpd(level));
  g_level = level;
  g_format = format;
}

Level CurrentLevel() { return g_level; }
Format CurrentFormat() { return g_format; }

bool Enabled(Level level) { return level != Level::kOff && Logger().should_log(ToSpd(level)); }

std::string FormatLine(Format format, Level level, std::string_view timestamp, std::string_view event,
                       std::initializer_list<Field> fields) {
  if (format == Format::kJson) {
    nlohmann::json line = {{"ts", timestamp}, {"level", Name(level)}, {"event", event}};
    for (const auto& [name, value] : fields) line[std::string(name)] = value;
    // Invalid UTF-8 from an outside answer is replaced, never a reason to lose the line.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = fmt::format("{} {:<5} {}", timestamp, Name(level), event);
  for (const auto& [name, value] : fields) {
    out += fmt::format(" {}={}", name, NeedsQuotes(value) ? Quoted(value) : value);
  }
  return out;
}

void Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  Logger().log(ToSpd(level), "{}", FormatLine(g_format, level, Now(), event, fields));
}

}  // namespace ponte::log
