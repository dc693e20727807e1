#include "db/mysql/mysql_connection.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <mysql.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"
#include "db/mysql/mysql_errors.h"
#include "db/mysql/mysql_internal.h"
#include "db/sql_scan.h"
#include "db/value_format.h"

namespace cutover::db {

namespace {

// A checksum over a large table or an ALTER may run for a long time before the first reply.
constexpr unsigned int kReadTimeoutS = 3600;
constexpr unsigned int kWriteTimeoutS = 600;
// The server gives up sending a streamed result after net_write_timeout; engines pause between
// rows while they write elsewhere, so allow longer than the default 60 s.
constexpr int kNetWriteTimeoutS = 600;
constexpr unsigned int kBinaryCharset = 63;

// First line of a statement, shortened, for error messages. Never the interpolated text, which
// holds data.
std::string abbreviate(std::string_view sql) {
  std::string s(sql.substr(0, std::min(sql.find('\n'), std::size_t{72})));
  return s.size() < sql.size() ? s + "..." : s;
}

// Appends a quoted string literal; the client escapes NUL, quotes, backslash, CR, LF, ^Z.
void append_escaped(MYSQL* conn, std::string& out, const char* data, std::size_t size) {
  std::size_t at = out.size();
  out.resize(at + 1 + size * 2 + 1);  // worst case: every byte escaped, plus the client's NUL
  out[at] = '\'';
  unsigned long n = mysql_real_escape_string(conn, out.data() + at + 1, data, size);
  out.resize(at + 1 + n);
  out += '\'';
}

}  // namespace

void mysql_append_literal(MYSQL* conn, std::string& out, const Value& v) {
  if (v.is_null()) {
    out += "NULL";
  } else if (v.is_int()) {
    out += fmt::format_int(v.as_int()).str();
  } else if (v.is_double()) {
    double d = v.as_double();
    if (!std::isfinite(d)) {
      throw Error(ErrorKind::unsupported, fmt::format("MySQL cannot store the number {}", d));
    }
    // Shortest round-trip text; an exponent keeps it a DOUBLE literal rather than DECIMAL.
    std::string text = fmt::format("{}", d);
    out += text.find('e') == std::string::npos ? text + "e0" : text;
  } else if (v.is_text()) {
    append_escaped(conn, out, v.as_text().data(), v.as_text().size());
  } else {
    // Escaped rather than hex: a blob costs about its own size in the statement, not twice.
    // The introducer keeps the server from validating the bytes as utf8mb4.
    const Bytes& b = v.as_bytes();
    out += "_binary";
    append_escaped(conn, out, reinterpret_cast<const char*>(b.data()), b.size());
  }
}

namespace {

// The statement with each '?' replaced by the matching parameter as a literal.
std::string interpolate(MYSQL* conn, std::string_view sql, std::span<const Value> params) {
  if (params.empty()) {
    return std::string(sql);
  }
  std::vector<Placeholder> marks = find_placeholders(sql, SqlSyntax::mysql);
  if (marks.size() != params.size()) {
    throw Error(ErrorKind::internal,
                fmt::format("statement has {} placeholders but {} parameters were given: {}",
                            marks.size(), params.size(), abbreviate(sql)));
  }
  std::string out;
  out.reserve(sql.size() + params.size() * 16);
  std::size_t from = 0;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    out.append(sql.substr(from, marks[i].offset - from));
    mysql_append_literal(conn, out, params[i]);
    from = marks[i].offset + marks[i].length;
  }
  out.append(sql.substr(from));
  return out;
}

Value convert(const MYSQL_FIELD& f, const char* data, unsigned long len) {
  if (data == nullptr) {
    return Value();
  }
  std::string_view text(data, len);
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size()) {
        return Value(v);
      }
      return Value(std::string(text));  // BIGINT UNSIGNED above INT64_MAX
    }
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size()) {
        return Value(v);
      }
      return Value(std::string(text));
    }
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP2:
    case MYSQL_TYPE_DATETIME2:
      return Value(canonical_timestamp(text));
    case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
      return Value(Bytes(text.begin(), text.end()));
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
      // The binary pseudo-charset marks BLOB/BINARY/VARBINARY; TEXT columns carry a real one.
      if (f.charsetnr == kBinaryCharset) {
        return Value(Bytes(text.begin(), text.end()));
      }
      return Value(std::string(text));
    default:
      return Value(std::string(text));  // DECIMAL stays exact as text; DATE, TIME, JSON
  }
}

// Streams an unbuffered result. It must be finished or destroyed before the connection runs
// another statement; the destructor reads what is left so the connection stays usable.
class MysqlRowReader final : public RowReader {
 public:
  MysqlRowReader(MYSQL* conn, const MysqlSession* session, MYSQL_RES* res)
      : conn_(conn), session_(session), res_(res) {
    if (res_ != nullptr) {
      fields_ = mysql_fetch_fields(res_);
      count_ = mysql_num_fields(res_);
    }
  }

  MysqlRowReader(const MysqlRowReader&) = delete;
  MysqlRowReader& operator=(const MysqlRowReader&) = delete;
  MysqlRowReader(MysqlRowReader&&) = delete;
  MysqlRowReader& operator=(MysqlRowReader&&) = delete;

  ~MysqlRowReader() override {
    if (res_ == nullptr) {
      return;
    }
    while (!done_ && mysql_fetch_row(res_) != nullptr) {
    }
    mysql_free_result(res_);
  }

  bool next() override {
    if (done_ || res_ == nullptr) {
      return false;
    }
    row_ = mysql_fetch_row(res_);
    if (row_ == nullptr) {
      done_ = true;
      if (mysql_errno(conn_) != 0) {
        throw mysql_failure(conn_, MysqlPhase::statement, "reading rows", session_);
      }
      return false;
    }
    lengths_ = mysql_fetch_lengths(res_);
    return true;
  }

  std::size_t column_count() const override { return count_; }

  std::string column_name(std::size_t i) const override {
    check_column(i);
    return std::string(fields_[i].name, fields_[i].name_length);
  }

  Value get(std::size_t i) const override {
    check_column(i);
    if (row_ == nullptr) {
      throw Error(ErrorKind::internal, "RowReader::get called without a current row");
    }
    return convert(fields_[i], row_[i], lengths_[i]);
  }

 private:
  void check_column(std::size_t i) const {
    if (i >= count_) {
      throw Error(ErrorKind::internal,
                  fmt::format("column {} requested from a result of {} columns", i, count_));
    }
  }

  MYSQL* conn_;
  const MysqlSession* session_;
  MYSQL_RES* res_;
  MYSQL_FIELD* fields_ = nullptr;
  std::size_t count_ = 0;
  MYSQL_ROW row_ = nullptr;
  unsigned long* lengths_ = nullptr;
  bool done_ = false;
};

// Applies the URL parameters the backend understands; anything else is a usage error rather
// than a silently ignored setting. Returns the unix socket path, if any.
std::string apply_params(MYSQL* conn, const ConnectionSpec& spec) {
  std::string socket;
  if (!spec.host.empty() && spec.host.front() == '/') {
    socket = spec.host;
  }
  for (const auto& [k, v] : spec.params) {
    if (k == "socket") {
      socket = v;
    } else if (k == "ssl-mode" || k == "sslmode") {
      std::string mode = to_lower(v);
      my_bool on = 1;
      if (mode == "required" || mode == "require" || mode.rfind("verify", 0) == 0) {
        mysql_optionsv(conn, MYSQL_OPT_SSL_ENFORCE, &on);
      }
      if (mode.rfind("verify", 0) == 0) {
        mysql_optionsv(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
      }
    } else if (k == "ssl-ca" || k == "sslrootcert") {
      mysql_optionsv(conn, MYSQL_OPT_SSL_CA, v.c_str());
    } else {
      throw Error(ErrorKind::usage, fmt::format("unknown MySQL URL parameter '{}'", k),
                  "known parameters: socket, ssl-mode (required, verify-ca), ssl-ca");
    }
  }
  return socket;
}

}  // namespace

MysqlConnection::MysqlConnection(MYSQL* conn, ConnectionSpec spec, int connect_timeout_s)
    : conn_(conn), spec_(std::move(spec)), connect_timeout_s_(connect_timeout_s) {
  caps_.transactional_ddl = false;  // DDL commits implicitly
  caps_.table_sizes = true;
  caps_.sizes_are_estimates = true;  // information_schema sizes are InnoDB statistics
  caps_.max_placeholders = 65535;
  std::string info = mysql_get_server_info(conn_);
  mariadb_ = info.find("MariaDB") != std::string::npos;
}

MysqlConnection::~MysqlConnection() {
  mysql_close(conn_);
}

const Dialect& MysqlConnection::dialect() const {
  return mysql_dialect();
}

std::string MysqlConnection::server_version() {
  std::string info = mysql_get_server_info(conn_);
  // MariaDB 10 used to announce itself as "5.5.5-10.x.y-MariaDB..." to old clients.
  if (info.rfind("5.5.5-", 0) == 0) {
    info = info.substr(6);
  }
  return fmt::format("{} {}", mariadb_ ? "MariaDB" : "MySQL", info.substr(0, info.find('-')));
}

std::int64_t MysqlConnection::execute(std::string_view sql, std::span<const Value> params) {
  return execute_final(interpolate(conn_, sql, params), sql);
}

std::int64_t MysqlConnection::execute_final(const std::string& sql, std::string_view shown) {
  run(sql, shown);
  // A statement that returns rows (SHOW, SELECT) must still be read before the next one.
  if (mysql_field_count(conn_) > 0) {
    MYSQL_RES* res = mysql_store_result(conn_);
    if (res == nullptr) {
      throw mysql_failure(conn_, MysqlPhase::statement, "reading rows", &session_);
    }
    auto rows = static_cast<std::int64_t>(mysql_num_rows(res));
    mysql_free_result(res);
    return rows;
  }
  return static_cast<std::int64_t>(mysql_affected_rows(conn_));
}

std::unique_ptr<RowReader> MysqlConnection::query(std::string_view sql,
                                                  std::span<const Value> params) {
  return query_final(interpolate(conn_, sql, params), sql);
}

std::unique_ptr<RowReader> MysqlConnection::query_final(const std::string& sql,
                                                        std::string_view shown) {
  run(sql, shown);
  MYSQL_RES* res = mysql_use_result(conn_);
  if (res == nullptr && mysql_field_count(conn_) > 0) {
    throw mysql_failure(conn_, MysqlPhase::statement, "reading rows", &session_);
  }
  return std::make_unique<MysqlRowReader>(conn_, &session_, res);  // no result set: an empty reader
}

void MysqlConnection::begin(const TxOptions& options) {
  std::vector<std::string> statements = dialect().transaction_start(options);
  // START TRANSACTION would silently commit the open one.
  if (in_transaction()) {
    throw already_in_transaction();
  }
  start_transaction(statements);
  in_tx_ = true;
}

void MysqlConnection::commit() {
  if (mysql_commit(conn_) != 0) {
    Error e = mysql_failure(conn_, MysqlPhase::commit, "committing", &session_);
    // Refused rather than lost (InnoDB has no deferred constraints; a read_only server or a
    // storage error refuses a COMMIT): make sure the transaction is over before reporting.
    if (!e.poisons_connection() && in_transaction()) {
      mysql_rollback(conn_);
    }
    in_tx_ = false;
    throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before rolling back
  }
  in_tx_ = false;
}

void MysqlConnection::rollback() {
  if (!in_transaction()) {
    in_tx_ = false;
    return;
  }
  in_tx_ = false;
  if (mysql_rollback(conn_) != 0) {
    throw mysql_failure(conn_, MysqlPhase::statement, "rolling back", &session_);
  }
}

// Sends one statement; `shown` is what an error message may quote.
void MysqlConnection::run(const std::string& sql, std::string_view shown) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw mysql_failure(conn_, MysqlPhase::statement, fmt::format("running {}", abbreviate(shown)),
                        &session_);
  }
}

// The server knows best: DDL commits implicitly, so a flag of our own can be stale.
bool MysqlConnection::in_transaction() {
  unsigned int status = 0;
  if (mariadb_get_infov(conn_, MARIADB_CONNECTION_SERVER_STATUS, &status) == 0) {
    return (status & SERVER_STATUS_IN_TRANS) != 0;
  }
  return in_tx_;
}

namespace {

// Sets the client options for `spec` on a fresh handle and connects; false when the
// connection failed (the error stays on the handle). `target` names what was reached.
bool connect_handle(MYSQL* conn, const ConnectionSpec& spec, int connect_timeout_s,
                    std::string& target) {
  auto connect_timeout = static_cast<unsigned int>(std::max(1, connect_timeout_s));
  unsigned int read_timeout = kReadTimeoutS;
  unsigned int write_timeout = kWriteTimeoutS;
  my_bool reconnect = 0;  // a silent reconnect would lose the open transaction
  unsigned int local_infile = 0;
  mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(conn, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(conn, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_optionsv(conn, MYSQL_OPT_RECONNECT, &reconnect);
  mysql_optionsv(conn, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  // Tables are latin1 (WSO2's index widths), but the client speaks utf8mb4 and the server
  // converts, so text in cutover is always UTF-8.
  mysql_optionsv(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");

  std::string socket = apply_params(conn, spec);
  // A host name means TCP even for "localhost"; a socket is asked for explicitly.
  unsigned int protocol = socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  if (!socket.empty() || !spec.host.empty()) {
    mysql_optionsv(conn, MYSQL_OPT_PROTOCOL, &protocol);
  }
  std::string host = socket.empty() && !spec.host.empty() ? spec.host : "localhost";
  target = !socket.empty() ? socket : spec.port > 0 ? fmt::format("{}:{}", host, spec.port) : host;
  const std::string& password = spec.password.reveal();
  // FOUND_ROWS: UPDATE reports the rows it matched, as PostgreSQL and SQLite do, not only
  // those whose values changed.
  return mysql_real_connect(conn, host.c_str(), spec.user.empty() ? nullptr : spec.user.c_str(),
                            password.empty() ? nullptr : password.c_str(),
                            spec.database.empty() ? nullptr : spec.database.c_str(),
                            static_cast<unsigned int>(std::max(0, spec.port)),
                            socket.empty() ? nullptr : socket.c_str(),
                            CLIENT_FOUND_ROWS) != nullptr;
}

// KILL QUERY over a second, short-lived connection with the same spec (the server offers no
// out-of-band cancel). The spec's password stays a Secret; nothing here prints it.
class MysqlCanceller final : public Canceller {
 public:
  MysqlCanceller(ConnectionSpec spec, int connect_timeout_s, unsigned long thread_id,
                 std::shared_ptr<std::atomic<bool>> sent)
      : spec_(std::move(spec)),
        connect_timeout_s_(connect_timeout_s),
        thread_id_(thread_id),
        sent_(std::move(sent)) {}

  bool cancel() override {
    std::unique_ptr<MYSQL, void (*)(MYSQL*)> conn(mysql_init(nullptr),
                                                  [](MYSQL* c) { mysql_close(c); });
    std::string target;
    // connect_handle throws only for URL parameters the original connection already accepted.
    if (conn == nullptr || !connect_handle(conn.get(), spec_, connect_timeout_s_, target)) {
      return false;
    }
    sent_->store(true);
    std::string kill = fmt::format("KILL QUERY {}", thread_id_);
    if (mysql_real_query(conn.get(), kill.data(), kill.size()) != 0) {
      sent_->store(false);  // nothing was cancelled: a later 1317 is not ours
      return false;
    }
    return true;
  }

 private:
  ConnectionSpec spec_;
  int connect_timeout_s_;
  unsigned long thread_id_;
  std::shared_ptr<std::atomic<bool>> sent_;
};

}  // namespace

std::unique_ptr<Canceller> MysqlConnection::canceller() {
  return std::make_unique<MysqlCanceller>(spec_, connect_timeout_s_, mysql_thread_id(conn_),
                                          session_.cancel_sent);
}

void MysqlConnection::apply_timeouts(const OpenOptions& options) {
  // Lock waits are whole seconds, rounded up; "no limit" is each variable's maximum.
  int ms = options.lock_timeout_ms;
  long innodb = ms > 0 ? (ms + 999) / 1000 : 1073741824;
  long metadata = ms > 0 ? (ms + 999) / 1000 : 31536000;
  // MariaDB's max_statement_time is fractional seconds; MySQL's max_execution_time is
  // milliseconds and covers SELECT only. 0 is no limit in both.
  int stmt = std::max(0, options.statement_timeout_ms);
  std::string statement = mariadb_ ? fmt::format("max_statement_time = {}", stmt / 1000.0)
                                   : fmt::format("max_execution_time = {}", stmt);
  execute(fmt::format("SET SESSION innodb_lock_wait_timeout = {}, lock_wait_timeout = {}, {}",
                      innodb, metadata, statement),
          {});
  std::optional<Value> rollback = query_value("SELECT @@innodb_rollback_on_timeout", {});
  session_.rollback_on_timeout = rollback && !rollback->is_null() && rollback->as_int() != 0;
}

std::unique_ptr<Connection> open_mysql(const ConnectionSpec& spec, const OpenOptions& options) {
  // mysql_init initialises the library on first use, which is not thread-safe; do it once here.
  static const bool kLibraryReady = mysql_library_init(0, nullptr, nullptr) == 0;
  MYSQL* conn = kLibraryReady ? mysql_init(nullptr) : nullptr;
  if (conn == nullptr) {
    throw Error(ErrorKind::internal, "cannot initialise the MySQL client library");
  }
  std::unique_ptr<MYSQL, void (*)(MYSQL*)> guard(conn, [](MYSQL* c) { mysql_close(c); });
  std::string target;
  if (!connect_handle(conn, spec, options.connect_timeout_s, target)) {
    throw mysql_failure(conn, MysqlPhase::connect,
                        fmt::format("cannot connect to MySQL/MariaDB at {}", target));
  }
  auto result = std::make_unique<MysqlConnection>(guard.release(), spec, options.connect_timeout_s);
  for (const std::string& s : result->dialect().session_setup()) {
    result->execute(s, {});
  }
  result->execute(
      fmt::format("SET SESSION autocommit = 1, net_write_timeout = {}", kNetWriteTimeoutS), {});
  result->apply_timeouts(options);
  return result;
}

}  // namespace cutover::db
