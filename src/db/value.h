// db::Value: one cell as it travels between cutover and a database.
// Timestamps travel as text "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC wall clock, no zone), the one
// representation every backend accepts and returns; binary travels as bytes. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cutover::db {

using Bytes = std::vector<std::uint8_t>;

class Value {
 public:
  Value() = default;

  Value(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): NULL reads naturally

  Value(std::int64_t v) : v_(v) {}  // NOLINT(google-explicit-constructor)

  Value(int v) : v_(static_cast<std::int64_t>(v)) {}  // NOLINT(google-explicit-constructor)

  Value(double v) : v_(v) {}  // NOLINT(google-explicit-constructor)

  Value(std::string v) : v_(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  Value(const char* v) : v_(std::string(v)) {}  // NOLINT(google-explicit-constructor)

  Value(std::string_view v) : v_(std::string(v)) {}  // NOLINT(google-explicit-constructor)

  Value(Bytes v) : v_(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }

  bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }

  bool is_double() const { return std::holds_alternative<double>(v_); }

  bool is_text() const { return std::holds_alternative<std::string>(v_); }

  bool is_bytes() const { return std::holds_alternative<Bytes>(v_); }

  std::int64_t as_int() const;  ///< integer, or text holding an integer; throws otherwise
  double as_double() const;
  const std::string& as_text() const;  ///< throws unless text
  const Bytes& as_bytes() const;       ///< throws unless bytes
  /// Any non-null value rendered as text (numbers in decimal, bytes as lower hex).
  std::string to_text() const;

  bool operator==(const Value& other) const = default;

 private:
  std::variant<std::monostate, std::int64_t, double, std::string, Bytes> v_;
};

using Row = std::vector<Value>;

}  // namespace cutover::db
