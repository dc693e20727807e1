#include "db/odbc/odbc_errors.h"

#include <array>

#include <fmt/format.h>
#include <sql.h>
#include <sqlext.h>

#include "db/table_def.h"

namespace cutover::db {

namespace {

constexpr const char* kPasswordHint =
    "check the user name and the password in CUTOVER_DB_PASSWORD "
    "(CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD) or --password-file";
constexpr const char* kDriverHint = "check the Driver= name in odbcinst.ini (ODBCSYSINI)";
constexpr char32_t kReplacement = 0xFFFD;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return to_lower(haystack).find(needle) != std::string::npos;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Decodes one UTF-8 sequence at s[i], advancing i; malformed input gives U+FFFD.
char32_t decode_utf8(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) {
    return b;
  }
  int extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) > s.size()) {
    return kReplacement;
  }
  char32_t c = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    auto cont = static_cast<unsigned char>(s[i]);
    if ((cont & 0xC0) != 0x80) {
      return kReplacement;
    }
    c = (c << 6) | (cont & 0x3F);
    ++i;
  }
  bool overlong = (extra == 2 && c < 0x800) || (extra == 3 && c < 0x10000);
  if (overlong || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    return kReplacement;
  }
  return c;
}

}  // namespace

std::vector<SQLWCHAR> odbc_widen(std::string_view utf8) {
  std::vector<SQLWCHAR> out;
  out.reserve(utf8.size() + 1);
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c = decode_utf8(utf8, i);
    if (c >= 0x10000) {
      c -= 0x10000;
      out.push_back(static_cast<SQLWCHAR>(0xD800 + (c >> 10)));
      out.push_back(static_cast<SQLWCHAR>(0xDC00 + (c & 0x3FF)));
    } else {
      out.push_back(static_cast<SQLWCHAR>(c));
    }
  }
  out.push_back(0);
  return out;
}

std::string odbc_narrow(const SQLWCHAR* s, std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = kReplacement;
    }
    append_utf8(out, c);
  }
  return out;
}

Error odbc_error_from(const OdbcDiag& d, OdbcPhase phase, std::string_view what) {
  const std::string& state = d.sqlstate;
  ErrorKind kind = ErrorKind::sql;
  std::string hint;
  // Drivers report most connect failures as 08001 and say what happened only in the text
  // (psqlodbc: "password authentication failed"), so the connect phase also reads the text.
  bool connect = phase == OdbcPhase::connect;
  if (starts_with(state, "28") ||
      (connect &&
       (contains(d.message, "password authentication failed") ||
        contains(d.message, "access denied") || contains(d.message, "authentication failed") ||
        contains(d.message, "no password supplied")))) {
    kind = ErrorKind::auth;
    hint = kPasswordHint;
  } else if (state == "IM002" || state == "IM003" || state == "IM004" ||
             contains(d.message, "can't open lib")) {
    kind = ErrorKind::config;
    hint = kDriverHint;
  } else if (connect &&
             ((contains(d.message, "database") && contains(d.message, "does not exist")) ||
              contains(d.message, "unknown database"))) {
    kind = ErrorKind::config;
    hint = "check the database name in the connection string";
  } else if (starts_with(state, "08") || state == "57P01" || state == "HYT01") {
    // Lost while committing: the server may or may not have committed before it went away.
    kind = phase == OdbcPhase::commit ? ErrorKind::in_doubt : ErrorKind::connection;
    hint = phase == OdbcPhase::commit
               ? "the outcome of the commit is unknown; check the target before running again"
               : "check host/port and that the server runs";
  } else if (starts_with(state, "23")) {
    kind = ErrorKind::constraint;
  } else if (state == "42501") {
    kind = ErrorKind::auth;
    hint = "the user lacks a privilege for this; grant it or connect as another user";
  } else if (state == "HY008" || state == "57014") {
    kind = ErrorKind::interrupted;
  } else if (state == "IM001" || state == "HYC00") {
    kind = ErrorKind::unsupported;
  } else if (connect) {
    // Anything else that stops a login (MariaDB: HY000 with client error 2002) means the
    // server could not be reached or talked to.
    kind = ErrorKind::connection;
    hint = "check host/port and that the server runs";
  }
  // 40001 / 40P01 stay ErrorKind::sql: Error::retryable() recognises them by SQLSTATE.
  std::string message = d.message.empty() ? "the driver gave no diagnostic" : d.message;
  for (char& c : message) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return std::move(Error(kind, fmt::format("{}: {}", what, message), hint)
                       .with_code(state, d.native_code, "odbc"));
}

Error odbc_failure(SQLSMALLINT handle_type, SQLHANDLE handle, OdbcPhase phase,
                   std::string_view what, std::string_view secret) {
  OdbcDiag d;
  std::array<SQLWCHAR, 6> state{};
  std::vector<SQLWCHAR> text(1024);
  SQLINTEGER native = 0;
  SQLSMALLINT len = 0;
  SQLRETURN rc = SQLGetDiagRecW(handle_type, handle, 1, state.data(), &native, text.data(),
                                static_cast<SQLSMALLINT>(text.size()), &len);
  if (rc == SQL_SUCCESS_WITH_INFO && static_cast<std::size_t>(len) >= text.size()) {
    text.resize(static_cast<std::size_t>(len) + 1);
    rc = SQLGetDiagRecW(handle_type, handle, 1, state.data(), &native, text.data(),
                        static_cast<SQLSMALLINT>(text.size()), &len);
  }
  if (SQL_SUCCEEDED(rc)) {
    d.sqlstate = odbc_narrow(state.data(), 5);
    d.native_code = native;
    d.message = odbc_narrow(text.data(), std::min<std::size_t>(len, text.size() - 1));
  }
  if (!secret.empty()) {
    for (std::size_t at = d.message.find(secret); at != std::string::npos;
         at = d.message.find(secret, at + 3)) {
      d.message.replace(at, secret.size(), "***");
    }
  }
  return odbc_error_from(d, phase, what);
}

}  // namespace cutover::db
