#include "db/odbc/odbc_errors.h"

#include <array>

#include <fmt/format.h>
#include <sql.h>
#include <sqlext.h>

#include "core/utf8.h"
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

OdbcDriverFamily odbc_driver_family(std::string_view connection_string) {
  // Only the Driver= / DSN= value is looked at: the rest of the string holds user names.
  std::string lower = to_lower(connection_string);
  for (std::string_view key : {"driver=", "dsn="}) {
    std::size_t at = lower.find(key);
    if (at == std::string::npos || (at > 0 && lower[at - 1] != ';' && lower[at - 1] != ' ')) {
      continue;
    }
    std::string value = lower.substr(at, lower.find(';', at) - at);
    if (value.find("mariadb") != std::string::npos || value.find("mysql") != std::string::npos) {
      return OdbcDriverFamily::mysql;
    }
    if (value.find("postgres") != std::string::npos || value.find("psql") != std::string::npos) {
      return OdbcDriverFamily::postgresql;
    }
  }
  return OdbcDriverFamily::other;
}

namespace {

constexpr const char* kLockHint =
    "another session holds a lock this statement needs; raise the lock timeout or run when "
    "that session has finished";
constexpr const char* kTimeoutHint =
    "the statement ran longer than the statement timeout; raise it, or run when the database "
    "is less busy";
constexpr const char* kReachHint = "check host/port and that the server runs";

// The decision, as the parts odbc_error_from assembles into an Error.
struct Decision {
  ErrorKind kind = ErrorKind::sql;
  std::string hint;
  ErrorTraits traits;
  bool decided = false;
};

// MariaDB / MySQL server and client error numbers, which Connector/ODBC passes through as
// native codes (the SQLSTATEs it pairs them with are often the generic HY000).
Decision mysql_native(long code, OdbcPhase phase, bool cancel_sent) {
  Decision d;
  d.decided = true;
  switch (code) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    case 1862:  // ER_MUST_CHANGE_PASSWORD_LOGIN
      d.kind = ErrorKind::auth;
      d.hint = kPasswordHint;
      break;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
      d.kind = ErrorKind::auth;
      d.hint = "the user lacks a privilege for this; grant it or connect as another user";
      break;
    case 1049:  // ER_BAD_DB_ERROR
      d.kind = ErrorKind::config;
      d.hint = "check the database name in the connection string";
      break;
    case 1213:  // ER_LOCK_DEADLOCK: the whole transaction was rolled back
      d.traits = {.retryable = true, .poisons_transaction = true};
      break;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT: the statement was rolled back
      d.kind = ErrorKind::timeout;
      d.traits = {.retryable = true, .lock_not_available = true};
      d.hint = kLockHint;
      break;
    case 1969:  // ER_STATEMENT_TIMEOUT
    case 3024:  // ER_QUERY_TIMEOUT (MySQL)
      d.kind = ErrorKind::timeout;
      d.traits.statement_timeout = true;
      d.hint = kTimeoutHint;
      break;
    case 1317:  // ER_QUERY_INTERRUPTED: KILL QUERY, ours (SQLCancel) or another session's
      d.kind = cancel_sent ? ErrorKind::interrupted : ErrorKind::sql;
      break;
    case 1927:  // ER_CONNECTION_KILLED
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
      d.kind = phase == OdbcPhase::commit ? ErrorKind::in_doubt : ErrorKind::connection;
      d.hint = phase == OdbcPhase::commit
                   ? "the outcome of the commit is unknown; check the target before running again"
                   : kReachHint;
      break;
    default:
      d.decided = false;
  }
  return d;
}

// psqlodbc reports a failed login as 08001 with the server's words after the driver's own
// prefix; it has no verbose mode, so the server's message is matched at its start, where
// PostgreSQL puts its fixed text, never searched for words a user or database name could hold.
// English server messages only (lc_messages); anything else stays a connection error.
Decision psqlodbc_login(std::string_view message) {
  Decision d;
  // The first FATAL is the server's; a user name after it may hold another.
  std::size_t fatal = message.find("FATAL:  ");
  if (fatal == std::string_view::npos) {
    return d;
  }
  std::string_view server = message.substr(fatal + 8);
  auto starts = [&](std::string_view prefix) { return starts_with(server, prefix); };
  if (starts("password authentication failed for user \"") || starts("no pg_hba.conf entry for ") ||
      starts("role \"")) {
    d = {ErrorKind::auth, kPasswordHint, {}, true};
  } else if (starts("database \"")) {
    d = {ErrorKind::config, "check the database name in the connection string", {}, true};
  }
  return d;
}

}  // namespace

Error odbc_error_from(const OdbcDiag& d, OdbcPhase phase, std::string_view what,
                      const OdbcSession* session) {
  const std::string& state = d.sqlstate;
  OdbcDriverFamily family = session != nullptr ? session->family : OdbcDriverFamily::other;
  // Our SQLCancel, if one was sent, caused this error whatever it says.
  bool cancel_sent = session != nullptr && session->cancel_sent->exchange(false);
  bool connect = phase == OdbcPhase::connect;
  Decision dec;
  if (family == OdbcDriverFamily::mysql && d.native_code != 0) {
    dec = mysql_native(d.native_code, phase, cancel_sent);
  }
  if (!dec.decided && connect && family == OdbcDriverFamily::postgresql) {
    dec = psqlodbc_login(d.message);
  }
  if (dec.decided) {
    // done
  } else if (starts_with(state, "28")) {
    dec.kind = ErrorKind::auth;
    dec.hint = kPasswordHint;
  } else if (state == "IM002" || state == "IM003" || state == "IM004" ||
             starts_with(d.message, "[unixODBC][Driver Manager]Can't open lib")) {
    // Data source not found, driver could not be loaded: unixODBC's own SQLSTATEs, and its
    // fixed text for a driver library that fails to load (reported as 01000).
    dec.kind = ErrorKind::config;
    dec.hint = kDriverHint;
  } else if (state == "3D000") {
    dec.kind = ErrorKind::config;
    dec.hint = "check the database name in the connection string";
  } else if (starts_with(state, "08") || state == "57P01" || state == "HYT01") {
    // Lost while committing: the server may or may not have committed before it went away.
    dec.kind = phase == OdbcPhase::commit ? ErrorKind::in_doubt : ErrorKind::connection;
    dec.hint = phase == OdbcPhase::commit
                   ? "the outcome of the commit is unknown; check the target before running again"
                   : kReachHint;
  } else if (starts_with(state, "23")) {
    dec.kind = ErrorKind::constraint;
  } else if (state == "42501") {
    dec.kind = ErrorKind::auth;
    dec.hint = "the user lacks a privilege for this; grant it or connect as another user";
  } else if (state == "40001" || state == "40P01") {
    // Serialization failure, deadlock: the engine rolled the transaction back.
    dec.traits = {.retryable = true, .poisons_transaction = true};
  } else if (state == "55P03") {
    dec.kind = ErrorKind::timeout;
    dec.traits = {.retryable = true, .poisons_transaction = true, .lock_not_available = true};
    dec.hint = kLockHint;
  } else if (state == "HYT00") {
    // Timeout expired: SQL_ATTR_QUERY_TIMEOUT.
    dec.kind = ErrorKind::timeout;
    dec.traits.statement_timeout = true;
    dec.hint = kTimeoutHint;
  } else if (state == "HY008" || state == "57014") {
    // Operation canceled (SQLCancel), or PostgreSQL's query_canceled, which psqlodbc also
    // reports for its query timeout: an interrupt only when we asked for it.
    if (cancel_sent) {
      dec.kind = ErrorKind::interrupted;
    } else if (session != nullptr && session->query_timeout_s > 0) {
      dec.kind = ErrorKind::timeout;
      dec.traits.statement_timeout = true;
      dec.hint = kTimeoutHint;
    }
  } else if (state == "IM001" || state == "HYC00") {
    dec.kind = ErrorKind::unsupported;
  } else if (connect) {
    // Anything else that stops a login means the server could not be reached or talked to.
    dec.kind = ErrorKind::connection;
    dec.hint = kReachHint;
  }
  if (family == OdbcDriverFamily::postgresql && phase != OdbcPhase::connect) {
    // PostgreSQL aborts the whole transaction on any error.
    dec.traits.poisons_transaction = true;
  }
  std::string message = d.message.empty() ? "the driver gave no diagnostic" : d.message;
  for (char& c : message) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return std::move(Error(dec.kind, fmt::format("{}: {}", what, message), dec.hint)
                       .with_code(state, d.native_code, "odbc")
                       .with_traits(dec.traits));
}

Error odbc_failure(SQLSMALLINT handle_type, SQLHANDLE handle, OdbcPhase phase,
                   std::string_view what, std::string_view secret, const OdbcSession* session) {
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
  return odbc_error_from(d, phase, what, session);
}

}  // namespace cutover::db
