#include "db/value_format.h"

namespace cutover::db {

std::string canonical_timestamp(std::string_view text) {
  std::string s(text);
  // The session runs in UTC (Dialect::session_setup), so an offset can only say "+00".
  for (std::string_view utc : {"+00:00", "+00", "Z"}) {
    if (s.size() > utc.size() && s.compare(s.size() - utc.size(), utc.size(), utc) == 0) {
      s.resize(s.size() - utc.size());
      break;
    }
  }
  std::size_t dot = s.find('.');
  if (dot == std::string::npos || s.find_first_not_of("0123456789", dot + 1) != std::string::npos) {
    return s;
  }
  while (s.back() == '0') {
    s.pop_back();
  }
  if (s.back() == '.') {
    s.pop_back();
  }
  return s;
}

Value bool_value(bool b) {
  return Value(b ? "true" : "false");
}

}  // namespace cutover::db
