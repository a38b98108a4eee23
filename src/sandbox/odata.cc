#include "sandbox/odata.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/time.h"
#include "sandbox/internal/odata_values.h"

namespace ponte::sandbox {
namespace detail {

// ---- values ----

const Json* Resolve(const Json& record, std::string_view path) {
  const Json* cur = &record;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string key(path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                       : slash - start));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return cur;
}

// An ISO date-time in microseconds since the epoch: ParseIsoInstant's milliseconds plus the
// fraction's fourth to sixth digits.
std::optional<int64_t> AsMicros(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() < 19 || s[4] != '-' || s[10] != 'T') return std::nullopt;
  auto t = ParseIsoInstant(s);
  if (!t) return std::nullopt;
  int64_t micros = t->time_since_epoch().count() * 1000;
  if (s.size() > 20 && s[19] == '.') {
    int scale = 100;
    for (size_t i = 20; i < s.size() && i < 26 && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      if (i >= 23) {
        micros += (s[i] - '0') * scale;
        scale /= 10;
      }
    }
  }
  return micros;
}

// The wall-clock part of a date-time literal, without its offset or Z.
std::string_view WithoutOffset(std::string_view text) {
  size_t end = 19;
  if (end < text.size() && text[end] == '.') {
    ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  }
  return text.substr(0, std::min(end, text.size()));
}

}  // namespace detail

using detail::AsMicros;
using detail::Resolve;

int CompareValues(const Json& a, const Json& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : (a.is_null() ? -1 : 1);
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_boolean() && b.is_boolean()) return static_cast<int>(a.get<bool>()) - b.get<bool>();
  if (auto x = AsMicros(a)) {
    if (auto y = AsMicros(b)) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    return a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  }
  // Numbers against numeric strings (an id written as text).
  if (a.is_number() && b.is_string()) return CompareValues(a.dump(), b);
  if (a.is_string() && b.is_number()) return CompareValues(a, b.dump());
  return a.dump().compare(b.dump());
}

std::vector<std::string> SplitTopLevel(std::string_view text, char separator) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == separator && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  for (auto& s : out) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
  }
  return out;
}

Result<std::vector<OrderKey>> ParseOrderBy(std::string_view text) {
  std::vector<OrderKey> keys;
  for (const auto& part : SplitTopLevel(text, ',')) {
    OrderKey k;
    auto space = part.find(' ');
    k.path = part.substr(0, space);
    if (space != std::string::npos) {
      std::string dir = part.substr(space + 1);
      while (!dir.empty() && dir.front() == ' ') dir.erase(dir.begin());
      if (dir == "desc") {
        k.descending = true;
      } else if (dir != "asc") {
        return Fail(Error::InvalidArgument(fmt::format("bad $orderby direction '{}'", dir)));
      }
    }
    if (k.path.empty()) return Fail(Error::InvalidArgument("empty $orderby key"));
    keys.push_back(k);
  }
  return keys;
}

void SortRecords(std::vector<const Json*>& records, const std::vector<OrderKey>& keys) {
  static const Json kNull;
  std::stable_sort(records.begin(), records.end(), [&](const Json* a, const Json* b) {
    for (const auto& k : keys) {
      const Json* x = Resolve(*a, k.path);
      const Json* y = Resolve(*b, k.path);
      int c = CompareValues(x ? *x : kNull, y ? *y : kNull);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
}

std::vector<std::string> ParseExpandNames(std::string_view text) {
  std::vector<std::string> names;
  for (const auto& part : SplitTopLevel(text, ',')) {
    names.push_back(part.substr(0, part.find('(')));
  }
  return names;
}

}  // namespace ponte::sandbox
