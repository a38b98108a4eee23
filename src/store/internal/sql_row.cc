#include <charconv>
#include <cstdlib>

#include "store/internal/sql_connection.h"

namespace ponte::detail {

int64_t SqlRow::Int(size_t i) const {
  const auto& v = columns.at(i);
  if (!v) return 0;
  int64_t out = 0;
  std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

double SqlRow::Real(size_t i) const {
  const auto& v = columns.at(i);
  return v ? std::strtod(v->c_str(), nullptr) : 0.0;
}

}  // namespace ponte::detail
