#include "db/value.h"

#include <charconv>

#include <fmt/format.h>

#include "core/error.h"

namespace cutover::db {

std::int64_t Value::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) {
    return *i;
  }
  if (const auto* d = std::get_if<double>(&v_)) {
    return static_cast<std::int64_t>(*d);
  }
  if (const auto* s = std::get_if<std::string>(&v_)) {
    std::int64_t out = 0;
    const char* end = s->data() + s->size();
    auto [ptr, ec] = std::from_chars(s->data(), end, out);
    if (ec == std::errc() && ptr == end) {
      return out;
    }
    throw Error(ErrorKind::internal, fmt::format("value '{}' is not an integer", *s));
  }
  throw Error(ErrorKind::internal, "value is NULL or binary where an integer was expected");
}

double Value::as_double() const {
  if (const auto* d = std::get_if<double>(&v_)) {
    return *d;
  }
  if (const auto* i = std::get_if<std::int64_t>(&v_)) {
    return static_cast<double>(*i);
  }
  if (const auto* s = std::get_if<std::string>(&v_)) {
    try {
      return std::stod(*s);
    } catch (const std::exception&) {
      throw Error(ErrorKind::internal, fmt::format("value '{}' is not a number", *s));
    }
  }
  throw Error(ErrorKind::internal, "value is NULL or binary where a number was expected");
}

const std::string& Value::as_text() const {
  if (const auto* s = std::get_if<std::string>(&v_)) {
    return *s;
  }
  throw Error(ErrorKind::internal, "value is not text");
}

const Bytes& Value::as_bytes() const {
  if (const auto* b = std::get_if<Bytes>(&v_)) {
    return *b;
  }
  throw Error(ErrorKind::internal, "value is not binary");
}

std::string Value::to_text() const {
  if (const auto* s = std::get_if<std::string>(&v_)) {
    return *s;
  }
  if (const auto* i = std::get_if<std::int64_t>(&v_)) {
    return std::to_string(*i);
  }
  if (const auto* d = std::get_if<double>(&v_)) {
    return fmt::format("{}", *d);
  }
  if (const auto* b = std::get_if<Bytes>(&v_)) {
    std::string out;
    out.reserve(b->size() * 2);
    for (std::uint8_t c : *b) {
      out += fmt::format("{:02x}", c);
    }
    return out;
  }
  return {};
}

}  // namespace cutover::db
