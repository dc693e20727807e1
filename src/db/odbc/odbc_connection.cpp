#include "db/odbc/odbc_connection.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialects/all.h"
#include "db/odbc/odbc_internal.h"
#include "db/sql_scan.h"

namespace cutover::db {

namespace {

std::string abbreviate(std::string_view sql) {
  std::string s(sql.substr(0, std::min(sql.find('\n'), std::size_t{72})));
  return s.size() < sql.size() ? s + "..." : s;
}

// A statement as the driver wants it ('?' markers) and, for each marker, the index of the
// parameter it takes.
struct Translated {
  std::string sql;
  std::vector<std::size_t> order;
};

// PostgreSQL text: $n placeholders become '?' (see SqlSyntax::postgresql for what is skipped).
// $n may repeat or come out of order; each occurrence binds parameter n.
Translated translate_dollar(std::string_view sql, std::size_t nparams) {
  Translated t;
  std::size_t copied = 0;
  for (const Placeholder& p : find_placeholders(sql, SqlSyntax::postgresql)) {
    std::size_t n = p.number;
    if (n == 0 || n > nparams) {
      throw Error(ErrorKind::internal,
                  fmt::format("statement uses ${} but {} parameters were given: {}", n, nparams,
                              abbreviate(sql)));
    }
    t.sql.append(sql.substr(copied, p.offset - copied));
    t.sql += '?';
    t.order.push_back(n - 1);
    copied = p.offset + p.length;
  }
  t.sql.append(sql.substr(std::min(copied, sql.size())));
  return t;
}

Translated translate(const Dialect& d, std::string_view sql, std::size_t nparams) {
  if (d.placeholder(1) != "?") {
    Translated t = translate_dollar(sql, nparams);
    if (t.order.empty() && nparams > 0) {
      throw Error(ErrorKind::internal,
                  fmt::format("statement has no placeholders but {} parameters were given: {}",
                              nparams, abbreviate(sql)));
    }
    return t;
  }
  // '?' dialects go through unchanged; the driver counts the markers.
  Translated t{std::string(sql), {}};
  for (std::size_t i = 0; i < nparams; ++i) {
    t.order.push_back(i);
  }
  return t;
}

std::string info_text(SQLHDBC dbc, SQLUSMALLINT what) {
  std::array<SQLWCHAR, 512> buf{};
  SQLSMALLINT bytes = 0;
  if (!SQL_SUCCEEDED(SQLGetInfoW(dbc, what, buf.data(), sizeof buf, &bytes))) {
    return {};
  }
  std::size_t units =
      std::min<std::size_t>(static_cast<std::size_t>(bytes) / sizeof(SQLWCHAR), buf.size() - 1);
  return odbc_narrow(buf.data(), units);
}

const Dialect* dialect_for(std::string_view dbms) {
  std::string name = to_lower(dbms);
  if (name.find("postgresql") != std::string::npos) {
    return &postgres_dialect();
  }
  if (name.find("mysql") != std::string::npos || name.find("mariadb") != std::string::npos) {
    return &mysql_dialect();
  }
  if (name.find("sqlite") != std::string::npos) {
    return &sqlite_dialect();
  }
  if (name.find("oracle") != std::string::npos) {
    return &oracle_dialect();
  }
  if (name.find("sql server") != std::string::npos) {
    return &mssql_dialect();
  }
  if (name.rfind("db2", 0) == 0) {
    return &db2_dialect();
  }
  if (name == "h2") {
    return &h2_dialect();
  }
  return nullptr;
}

// "10.11.000019" -> "10.11.19": drivers zero-pad the components of SQL_DBMS_VER.
std::string tidy_version(std::string_view ver) {
  std::string out;
  std::size_t i = 0;
  while (i < ver.size()) {
    std::size_t end = std::min(ver.find('.', i), ver.size());
    std::string part(ver.substr(i, end - i));
    if (!part.empty() && part.find_first_not_of('0') == std::string::npos) {
      part = "0";
    } else if (part.find_first_not_of("0123456789") == std::string::npos) {
      part.erase(0, part.find_first_not_of('0'));
    }
    out += (out.empty() ? "" : ".") + part;
    i = end + 1;
  }
  return out;
}

// The Driver= or DSN= part of a connection string: enough to name it in a message.
std::string target_of(std::string_view conn) {
  std::string lower = to_lower(conn);
  for (std::string_view key : {"driver=", "dsn="}) {
    std::size_t at = lower.find(key);
    if (at != std::string::npos) {
      std::size_t end = conn.find(';', at);
      return std::string(conn.substr(at, end == std::string_view::npos ? end : end - at));
    }
  }
  return "the ODBC connection string";
}

bool has_key(std::string_view conn, std::string_view key) {
  std::string lower = to_lower(conn);
  for (std::size_t at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
    std::size_t before = lower.find_last_not_of(' ', at == 0 ? 0 : at - 1);
    if (at == 0 || before == std::string::npos || lower[before] == ';') {
      return true;
    }
  }
  return false;
}

// MariaDB Connector/ODBC ignores SQL_ATTR_LOGIN_TIMEOUT and reports changed rather than
// matched rows; psqlodbc reports booleans as the text '1'/'0' (BoolsAsChar) and runs each
// statement of a transaction in a savepoint (Protocol). The drivers' own keywords fix these
// unless the connection string already sets them. A DSN-only string keeps whatever the DSN
// says.
std::string with_driver_defaults(std::string conn, const OpenOptions& options) {
  std::string target = to_lower(target_of(conn));
  if (!conn.empty() && conn.back() != ';') {
    conn += ';';
  }
  if (target.find("postgres") != std::string::npos) {
    if (!has_key(conn, "boolsaschar=")) {
      conn += "BoolsAsChar=0;";  // booleans as SQL_BIT, read back as "true"/"false"
    }
    if (!has_key(conn, "protocol=")) {
      // An error aborts the whole transaction, as natively. psqlodbc's default (7.4-2) wraps
      // every statement in a SAVEPOINT, where pg_export_snapshot() refuses to run.
      conn += "Protocol=7.4-1;";
    }
    return conn;
  }
  if (target.find("mariadb") == std::string::npos) {
    return conn;
  }
  if (!has_key(conn, "conn_timeout=")) {
    conn += fmt::format("CONN_TIMEOUT={};", std::max(1, options.connect_timeout_s));
  }
  if (!has_key(conn, "option=")) {
    conn += "OPTION=2;";  // FLAG_FOUND_ROWS
  }
  return conn;
}

}  // namespace

OdbcConnection::OdbcConnection(std::unique_ptr<OdbcHandles> h, const Dialect& dialect,
                               std::string version)
    : h_(std::move(h)), dialect_(dialect), version_(std::move(version)) {
  std::string name = dialect.name();
  // Native codes are the engine's own where the driver passes them through.
  session_.family = name == "mysql"        ? OdbcDriverFamily::mysql
                    : name == "postgresql" ? OdbcDriverFamily::postgresql
                                           : OdbcDriverFamily::other;
  caps_.transactional_ddl =
      name == "postgresql" || name == "sqlite" || name == "mssql" || name == "db2";
  caps_.table_sizes = false;
  caps_.max_placeholders = name == "mysql" ? 65535 : name == "mssql" ? 2000 : 32766;
  caps_.shared_snapshot = name == "postgresql";
  escape_ = info_text(h_->dbc, SQL_SEARCH_PATTERN_ESCAPE);
}

OdbcConnection::~OdbcConnection() {
  if (!autocommit()) {
    SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK);
  }
}

std::int64_t OdbcConnection::execute(std::string_view sql, std::span<const Value> params) {
  OdbcStatement st(h_->dbc, &session_);
  run(st, sql, params);
  SQLLEN n = 0;
  st.check(SQLRowCount(st.get(), &n), "counting rows");
  return n > 0 ? n : 0;
}

std::unique_ptr<RowReader> OdbcConnection::query(std::string_view sql,
                                                 std::span<const Value> params) {
  auto st = std::make_unique<OdbcStatement>(h_->dbc, &session_);
  run(*st, sql, params);
  return odbc_row_reader(std::move(st), bit_is_bool());
}

std::unique_ptr<PreparedStatement> OdbcConnection::prepare(std::string_view sql) {
  // Translated once; '?' dialects go through unchanged and the markers take params in order.
  std::optional<std::vector<std::size_t>> order;
  std::string text(sql);
  if (dialect_.placeholder(1) != "?") {
    Translated t = translate_dollar(sql, std::numeric_limits<std::size_t>::max());
    order = std::move(t.order);
    text = std::move(t.sql);
  }
  auto st = std::make_unique<OdbcStatement>(h_->dbc, &session_);
  WideText wide = odbc_widen(text);
  st->check(SQLPrepareW(st->get(), wide.data(), SQL_NTS),
            fmt::format("preparing {}", abbreviate(sql)));
  return odbc_prepared(std::move(st), std::move(order), abbreviate(sql), bit_is_bool());
}

void OdbcConnection::begin(const TxOptions& options) {
  std::vector<std::string> statements = dialect_.transaction_start(options);
  if (!autocommit()) {
    throw already_in_transaction();
  }
  set_autocommit(false, "beginning a transaction");
  start_transaction(statements);
}

std::string OdbcConnection::export_snapshot() {
  if (!caps_.shared_snapshot) {
    return Connection::export_snapshot();
  }
  return query_value("SELECT pg_export_snapshot()", {}).value_or(Value("")).to_text();
}

void OdbcConnection::commit() {
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_COMMIT))) {
    Error e = odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::commit, "committing", {}, &session_);
    if (!e.poisons_connection()) {
      // The server refused the commit (a deferred constraint, a serialization failure):
      // end the transaction so the connection does not stay in manual-commit mode.
      // Autocommit back on only once the rollback succeeded: switching it on with the
      // transaction still open would commit what is left.
      if (SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK))) {
        SQLSetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, attr_value(SQL_AUTOCOMMIT_ON),
                          SQL_IS_UINTEGER);
      }
    }
    throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before the handle is freed
  }
  set_autocommit(true, "ending the transaction");
}

void OdbcConnection::rollback() {
  if (autocommit()) {
    return;  // nothing open
  }
  // On failure autocommit stays off: switching it on would commit what is left.
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK))) {
    throw odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::statement, "rolling back", {},
                       &session_);
  }
  set_autocommit(true, "ending the transaction");
}

namespace {

// SQLCancel on the statement executing now; ODBC allows it from another thread.
class OdbcCanceller final : public Canceller {
 public:
  OdbcCanceller(std::shared_ptr<OdbcRunning> running, std::shared_ptr<std::atomic<bool>> sent)
      : running_(std::move(running)), sent_(std::move(sent)) {}

  bool cancel() override {
    std::lock_guard<std::mutex> lock(running_->mutex);
    if (running_->stmt == SQL_NULL_HSTMT) {
      return false;
    }
    sent_->store(true);
    if (!SQL_SUCCEEDED(SQLCancel(running_->stmt))) {
      sent_->store(false);  // nothing was cancelled: a later cancel error is not ours
      return false;
    }
    return true;
  }

 private:
  std::shared_ptr<OdbcRunning> running_;
  std::shared_ptr<std::atomic<bool>> sent_;
};

}  // namespace

std::unique_ptr<Canceller> OdbcConnection::canceller() {
  return std::make_unique<OdbcCanceller>(running_, session_.cancel_sent);
}

void OdbcConnection::prepare_session(const OpenOptions& options) {
  std::string name = dialect_.name();
  // Statements time out through SQL_ATTR_QUERY_TIMEOUT (whole seconds, rounded up); lock
  // waits through the engine's session settings, as the native backends set them.
  session_.query_timeout_s = (std::max(0, options.statement_timeout_ms) + 999) / 1000;
  int lock_ms = std::max(0, options.lock_timeout_ms);
  auto text_of = [&](std::string_view sql) {
    std::optional<Value> v = query_value(sql, {});
    return v && !v->is_null() ? v->to_text() : std::string();
  };
  // The same session state as the native backends, so values read the same either way.
  for (const std::string& s : dialect_.session_setup()) {
    execute(s, {});
  }
  // The drivers' SQL_DBMS_VER is zero-padded and, for psqlodbc, not the server's own text.
  if (name == "postgresql") {
    execute(fmt::format("SET lock_timeout = {}", lock_ms), {});
    schema_ = text_of("SELECT current_schema()");
    std::string v = text_of("SHOW server_version");
    version_ = "PostgreSQL " + v.substr(0, v.find(' '));
  } else if (name == "mysql") {
    execute(fmt::format("SET SESSION innodb_lock_wait_timeout = {}, lock_wait_timeout = {}",
                        lock_ms > 0 ? (lock_ms + 999) / 1000 : 1073741824,
                        lock_ms > 0 ? (lock_ms + 999) / 1000 : 31536000),
            {});
    catalog_ = text_of("SELECT DATABASE()");
    std::string v = text_of("SELECT VERSION()");
    bool mariadb = v.find("MariaDB") != std::string::npos;
    version_ = fmt::format("{} {}", mariadb ? "MariaDB" : "MySQL", v.substr(0, v.find('-')));
    if (mariadb) {
      // MariaDB Connector/ODBC ignores SQL_ATTR_QUERY_TIMEOUT (measured with 3.1.15): the
      // server's own limit applies instead, in fractional seconds as natively.
      execute(fmt::format("SET SESSION max_statement_time = {}",
                          std::max(0, options.statement_timeout_ms) / 1000.0),
              {});
      session_.query_timeout_s = 0;
    }
  } else if (name == "mssql") {
    catalog_ = text_of("SELECT DB_NAME()");
    schema_ = text_of("SELECT SCHEMA_NAME()");
  } else if (name == "oracle") {
    schema_ = text_of("SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM DUAL");
  } else if (name == "db2") {
    schema_ = text_of("SELECT CURRENT SCHEMA FROM SYSIBM.SYSDUMMY1");
    schema_.erase(schema_.find_last_not_of(' ') + 1);
  } else if (name == "h2") {
    schema_ = text_of("SELECT SCHEMA()");
  }
}

void OdbcConnection::run(OdbcStatement& st, std::string_view sql, std::span<const Value> params) {
  Translated t = translate(dialect_, sql, params.size());
  std::vector<OdbcParamBuffer> buffers;
  odbc_bind_params(st, params, t.order, buffers);
  WideText text = odbc_widen(t.sql);
  {
    std::lock_guard<std::mutex> lock(running_->mutex);
    running_->stmt = st.get();
  }
  SQLRETURN rc = SQLExecDirectW(st.get(), text.data(), SQL_NTS);
  {
    std::lock_guard<std::mutex> lock(running_->mutex);
    running_->stmt = SQL_NULL_HSTMT;
  }
  if (rc != SQL_NO_DATA) {  // a searched UPDATE or DELETE that touched no row
    st.check(rc, fmt::format("running {}", abbreviate(sql)));
  }
}

bool OdbcConnection::autocommit() const {
  SQLULEN value = SQL_AUTOCOMMIT_ON;
  SQLGetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, &value, 0, nullptr);
  return value == SQL_AUTOCOMMIT_ON;
}

void OdbcConnection::set_autocommit(bool on, std::string_view what) {
  SQLULEN value = on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF;
  if (!SQL_SUCCEEDED(
          SQLSetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, attr_value(value), SQL_IS_UINTEGER))) {
    throw odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::statement, what, {}, &session_);
  }
}

std::unique_ptr<Connection> open_odbc(const ConnectionSpec& spec, const OpenOptions& options) {
  auto h = std::make_unique<OdbcHandles>();
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &h->env))) {
    throw Error(ErrorKind::internal, "cannot allocate an ODBC environment");
  }
  SQLSetEnvAttr(h->env, SQL_ATTR_ODBC_VERSION, attr_value(SQL_OV_ODBC3), 0);
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, h->env, &h->dbc))) {
    throw odbc_failure(SQL_HANDLE_ENV, h->env, OdbcPhase::connect, "allocating a connection");
  }
  auto timeout = static_cast<SQLULEN>(std::max(1, options.connect_timeout_s));
  SQLSetConnectAttr(h->dbc, SQL_ATTR_LOGIN_TIMEOUT, attr_value(timeout), 0);

  std::string conn = with_driver_defaults(spec.odbc, options);
  const std::string& password = spec.password.reveal();
  if (!password.empty()) {
    // Brace-quoted, so ';' and '=' in the password are data; '}' is doubled inside braces.
    std::string quoted;
    for (char c : password) {
      quoted += c == '}' ? "}}" : std::string(1, c);
    }
    if (!conn.empty() && conn.back() != ';') {
      conn += ';';
    }
    conn += "PWD={" + quoted + "}";
  }
  WideText wide = odbc_widen(conn);
  std::fill(conn.begin(), conn.end(), '\0');
  std::array<SQLWCHAR, 1024> out{};
  SQLSMALLINT out_len = 0;
  SQLRETURN rc =
      SQLDriverConnectW(h->dbc, nullptr, wide.data(), SQL_NTS, out.data(),
                        static_cast<SQLSMALLINT>(out.size()), &out_len, SQL_DRIVER_NOPROMPT);
  std::fill(wide.begin(), wide.end(), 0);
  std::fill(out.begin(), out.end(), 0);
  std::string target = target_of(spec.odbc);
  if (!SQL_SUCCEEDED(rc)) {
    OdbcSession login;
    login.family = odbc_driver_family(spec.odbc);
    throw odbc_failure(SQL_HANDLE_DBC, h->dbc, OdbcPhase::connect,
                       fmt::format("cannot connect through ODBC ({})", target), password, &login);
  }
  h->connected = true;

  std::string dbms = info_text(h->dbc, SQL_DBMS_NAME);
  const Dialect* dialect = dialect_for(dbms);
  if (dialect == nullptr) {
    throw Error(ErrorKind::unsupported,
                fmt::format("ODBC reached a database cutover has no dialect for: '{}'", dbms),
                "supported: PostgreSQL, MySQL/MariaDB, SQLite, Oracle, SQL Server, DB2, H2");
  }
  std::string version = fmt::format("{} {}", dbms, tidy_version(info_text(h->dbc, SQL_DBMS_VER)));
  auto result = std::make_unique<OdbcConnection>(std::move(h), *dialect, std::move(version));
  result->prepare_session(options);
  return result;
}

}  // namespace cutover::db
