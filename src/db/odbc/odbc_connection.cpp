#include "db/odbc/odbc_connection.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <sql.h>
#include <sqlext.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"
#include "db/odbc/odbc_errors.h"

namespace cutover::db {

namespace {

using WideText = std::vector<SQLWCHAR>;

// Long values are read in pieces of this many bytes (SQLGetData).
constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
// Above these sizes a parameter is bound as the LONG variant of its type.
constexpr std::size_t kLongTextUnits = 4000;
constexpr std::size_t kLongBinaryBytes = 8000;
// Rows per multi-row INSERT in bulk_insert (fewer when the placeholder limit says so).
constexpr std::size_t kBulkRows = 500;

std::string abbreviate(std::string_view sql) {
  std::string s(sql.substr(0, std::min(sql.find('\n'), std::size_t{72})));
  return s.size() < sql.size() ? s + "..." : s;
}

// ODBC passes integer attribute values in the pointer argument.
SQLPOINTER attr_value(SQLULEN v) {
  return reinterpret_cast<SQLPOINTER>(v);  // NOLINT(performance-no-int-to-ptr): ODBC's API
}

// Owns a statement handle; freeing it closes any cursor and never throws.
class OdbcStatement {
 public:
  explicit OdbcStatement(SQLHDBC dbc) {
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h_))) {
      throw odbc_failure(SQL_HANDLE_DBC, dbc, OdbcPhase::statement, "allocating a statement");
    }
  }

  OdbcStatement(const OdbcStatement&) = delete;
  OdbcStatement& operator=(const OdbcStatement&) = delete;
  OdbcStatement(OdbcStatement&&) = delete;
  OdbcStatement& operator=(OdbcStatement&&) = delete;

  ~OdbcStatement() { SQLFreeHandle(SQL_HANDLE_STMT, h_); }

  SQLHSTMT get() const { return h_; }

  void check(SQLRETURN rc, std::string_view what) const {
    if (!SQL_SUCCEEDED(rc)) {
      throw odbc_failure(SQL_HANDLE_STMT, h_, OdbcPhase::statement, what);
    }
  }

 private:
  SQLHSTMT h_ = SQL_NULL_HSTMT;
};

// A statement as the driver wants it ('?' markers) and, for each marker, the index of the
// parameter it takes.
struct Translated {
  std::string sql;
  std::vector<std::size_t> order;
};

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// PostgreSQL text: $n placeholders become '?', skipping string literals (E'' with backslash
// escapes), quoted identifiers, dollar-quoted bodies and comments. $n may repeat or come out
// of order; each occurrence binds parameter n.
Translated translate_dollar(std::string_view sql, std::size_t nparams) {
  Translated t;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'' || c == '"') {
      bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                     (i < 2 || !ident_char(sql[i - 2]));
      for (++i; i < sql.size() && sql[i] != c; ++i) {
        i += escapes && sql[i] == '\\' ? 1 : 0;
      }
    } else if (c == '-' && next == '-') {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (c == '/' && next == '*') {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) {
        ++j;
      }
      if (j > i + 1) {
        std::size_t n = 0;
        std::from_chars(sql.data() + i + 1, sql.data() + j, n);  // overflow leaves 0
        if (n == 0 || n > nparams) {
          throw Error(ErrorKind::internal,
                      fmt::format("statement uses ${} but {} parameters were given: {}", n, nparams,
                                  abbreviate(sql)));
        }
        t.sql.append(sql.substr(copied, i - copied));
        t.sql += '?';
        t.order.push_back(n - 1);
        copied = j;
        i = j - 1;
        continue;
      }
      // $tag$ ... $tag$: skip the body.
      while (j < sql.size() && ident_char(sql[j]) && sql[j] != '$') {
        ++j;
      }
      if (j < sql.size() && sql[j] == '$') {
        std::string_view tag = sql.substr(i, j - i + 1);
        std::size_t end = sql.find(tag, j + 1);
        i = end == std::string_view::npos ? sql.size() : end + tag.size() - 1;
      }
    }
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

// Buffers of bound parameters; they must stay put until SQLExecute returns.
struct ParamBuffer {
  std::int64_t i = 0;
  double d = 0;
  WideText text;
  SQLLEN ind = 0;
};

void bind_params(const OdbcStatement& st, std::span<const Value> params,
                 const std::vector<std::size_t>& order, std::vector<ParamBuffer>& buffers) {
  static unsigned char empty_bytes = 0;
  buffers.assign(order.size(), ParamBuffer{});
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Value& v = params[order[k]];
    ParamBuffer& b = buffers[k];
    auto marker = static_cast<SQLUSMALLINT>(k + 1);
    SQLRETURN rc = SQL_SUCCESS;
    if (v.is_null()) {
      b.ind = SQL_NULL_DATA;
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 1, 0,
                            nullptr, 0, &b.ind);
    } else if (v.is_int()) {
      b.i = v.as_int();
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                            &b.i, 0, &b.ind);
    } else if (v.is_double()) {
      b.d = v.as_double();
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 15, 0,
                            &b.d, 0, &b.ind);
    } else if (v.is_text()) {
      b.text = odbc_widen(v.as_text());
      std::size_t units = b.text.size() - 1;
      b.ind = static_cast<SQLLEN>(units * sizeof(SQLWCHAR));
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_WCHAR,
                            units > kLongTextUnits ? SQL_WLONGVARCHAR : SQL_WVARCHAR,
                            std::max<SQLULEN>(units, 1), 0, b.text.data(), b.ind, &b.ind);
    } else {
      const Bytes& bytes = v.as_bytes();
      b.ind = static_cast<SQLLEN>(bytes.size());
      void* data = bytes.empty() ? &empty_bytes : const_cast<std::uint8_t*>(bytes.data());
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_BINARY,
                            bytes.size() > kLongBinaryBytes ? SQL_LONGVARBINARY : SQL_VARBINARY,
                            std::max<SQLULEN>(bytes.size(), 1), 0, data, b.ind, &b.ind);
    }
    st.check(rc, fmt::format("binding parameter {}", order[k] + 1));
  }
}

// "2024-01-01 10:00:00.500000" -> "2024-01-01 10:00:00.5", as the other backends print it.
std::string trim_fraction(std::string s) {
  std::size_t dot = s.find('.');
  if (dot != std::string::npos && s.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
    while (s.back() == '0') {
      s.pop_back();
    }
    if (s.back() == '.') {
      s.pop_back();
    }
  }
  return s;
}

// Buffers for SQLGetData, allocated on first use once per result rather than once per value.
struct Scratch {
  std::vector<SQLWCHAR> wide;
  Bytes binary;
};

// Reads a value of any length with SQLGetData in chunks through `buf`; false when it is NULL.
// `T` is the unit: SQLWCHAR for text (each chunk ends in a NUL unit), std::uint8_t for binary.
template <typename T>
bool read_long(const OdbcStatement& st, SQLUSMALLINT col, SQLSMALLINT ctype, std::vector<T>& buf,
               std::vector<T>& out) {
  constexpr std::size_t kTerm = std::is_same_v<T, SQLWCHAR> ? 1 : 0;
  if (buf.empty()) {
    buf.resize(kChunkBytes / sizeof(T));
  }
  for (;;) {
    SQLLEN ind = 0;
    SQLRETURN rc = SQLGetData(st.get(), col, ctype, buf.data(),
                              static_cast<SQLLEN>(buf.size() * sizeof(T)), &ind);
    if (rc == SQL_NO_DATA) {
      return true;
    }
    st.check(rc, "reading a column");
    if (ind == SQL_NULL_DATA) {
      return false;
    }
    std::size_t room = buf.size() - kTerm;
    std::size_t got = ind == SQL_NO_TOTAL ? room + 1 : static_cast<std::size_t>(ind) / sizeof(T);
    out.insert(out.end(), buf.begin(),
               buf.begin() + static_cast<std::ptrdiff_t>(std::min(got, room)));
    if (rc == SQL_SUCCESS || got <= room) {
      return true;
    }
  }
}

Value fetch_column(const OdbcStatement& st, SQLUSMALLINT col, SQLSMALLINT type, Scratch& scratch) {
  SQLLEN ind = 0;
  switch (type) {
    case SQL_BIT:
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT: {
      SQLBIGINT v = 0;
      st.check(SQLGetData(st.get(), col, SQL_C_SBIGINT, &v, 0, &ind), "reading a column");
      return ind == SQL_NULL_DATA ? Value() : Value(static_cast<std::int64_t>(v));
    }
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE: {
      double v = 0;
      st.check(SQLGetData(st.get(), col, SQL_C_DOUBLE, &v, 0, &ind), "reading a column");
      return ind == SQL_NULL_DATA ? Value() : Value(v);
    }
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: {
      Bytes bytes;
      return read_long(st, col, SQL_C_BINARY, scratch.binary, bytes) ? Value(std::move(bytes))
                                                                     : Value();
    }
    default: {
      // Text, DECIMAL/NUMERIC (exact as text), dates and times in the driver's canonical form.
      WideText text;
      if (!read_long(st, col, SQL_C_WCHAR, scratch.wide, text)) {
        return Value();
      }
      std::string s = odbc_narrow(text.data(), text.size());
      bool timestamp = type == SQL_TYPE_TIMESTAMP || type == SQL_TIMESTAMP;
      return Value(timestamp ? trim_fraction(std::move(s)) : std::move(s));
    }
  }
}

// Reads each row whole on next(): drivers only promise SQLGetData in column order, once per
// column, while get() may be called in any order.
class OdbcRowReader final : public RowReader {
 public:
  explicit OdbcRowReader(std::unique_ptr<OdbcStatement> st) : st_(std::move(st)) {
    SQLSMALLINT n = 0;
    st_->check(SQLNumResultCols(st_->get(), &n), "describing the result");
    for (SQLSMALLINT i = 1; i <= n; ++i) {
      std::array<SQLWCHAR, 512> name{};
      SQLSMALLINT name_len = 0;
      SQLSMALLINT type = 0;
      SQLULEN size = 0;
      SQLSMALLINT digits = 0;
      SQLSMALLINT nullable = 0;
      st_->check(SQLDescribeColW(st_->get(), static_cast<SQLUSMALLINT>(i), name.data(),
                                 static_cast<SQLSMALLINT>(name.size()), &name_len, &type, &size,
                                 &digits, &nullable),
                 "describing the result");
      names_.push_back(odbc_narrow(name.data(), std::min<std::size_t>(name_len, name.size() - 1)));
      types_.push_back(type);
    }
  }

  bool next() override {
    if (done_ || types_.empty()) {
      return false;
    }
    SQLRETURN rc = SQLFetch(st_->get());
    if (rc == SQL_NO_DATA) {
      done_ = true;
      row_.clear();
      return false;
    }
    st_->check(rc, "fetching a row");
    row_.clear();
    for (std::size_t i = 0; i < types_.size(); ++i) {
      row_.push_back(fetch_column(*st_, static_cast<SQLUSMALLINT>(i + 1), types_[i], scratch_));
    }
    return true;
  }

  std::size_t column_count() const override { return types_.size(); }

  std::string column_name(std::size_t i) const override { return names_.at(i); }

  Value get(std::size_t i) const override {
    if (i >= row_.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("column {} requested from a row of {} values", i, row_.size()));
    }
    return row_[i];
  }

 private:
  std::unique_ptr<OdbcStatement> st_;
  std::vector<std::string> names_;
  std::vector<SQLSMALLINT> types_;
  Scratch scratch_;
  Row row_;
  bool done_ = false;
};

// A catalog-function argument: NULL (no filter) when empty.
class CatalogArg {
 public:
  explicit CatalogArg(std::string_view s) : null_(s.empty()), text_(odbc_widen(s)) {}

  SQLWCHAR* ptr() { return null_ ? nullptr : text_.data(); }

  SQLSMALLINT len() const { return null_ ? 0 : SQL_NTS; }

 private:
  bool null_;
  WideText text_;
};

bool is_number(std::string_view s) {
  std::size_t start = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return s.size() > start && std::isdigit(static_cast<unsigned char>(s[start])) != 0 &&
         s.find_first_not_of("0123456789.eE+-", start) == std::string_view::npos;
}

// COLUMN_DEF as meaning. Drivers pass the engine's text through: PostgreSQL adds casts
// ('ACTIVE'::character varying, '-1'::integer, NULL::character varying), MariaDB quotes
// strings ('ACTIVE') and writes current_timestamp(); a NEXTVAL default is the sequence itself.
DefaultValue parse_default(const Value& v, bool backslash_escapes) {
  if (v.is_null()) {
    return {};
  }
  std::string text = v.to_text();
  std::string cast;
  if (std::size_t at = text.rfind("::");
      at != std::string::npos && text.find('\'', at) == std::string::npos) {
    cast = to_lower(text.substr(at + 2));
    text.resize(at);
  }
  while (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, text.size() - 2);
  }
  std::string lower = to_lower(text);
  if (text.empty() || lower == "null" || lower.rfind("nextval(", 0) == 0) {
    return {};
  }
  if (lower.rfind("current_timestamp", 0) == 0 || lower.rfind("now(", 0) == 0 ||
      lower.rfind("localtimestamp", 0) == 0) {
    return {DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
  }
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    std::string inner;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      bool escaped = text[i] == '\'' || (backslash_escapes && text[i] == '\\');
      if (escaped && i + 2 < text.size()) {
        ++i;
      }
      inner += text[i];
    }
    bool numeric_cast = cast.find("int") != std::string::npos || cast == "numeric" ||
                        cast == "real" || cast == "double precision";
    if (numeric_cast && is_number(inner)) {
      return {DefaultValue::Kind::number, inner};
    }
    return {DefaultValue::Kind::string, inner};
  }
  if (is_number(text)) {
    return {DefaultValue::Kind::number, text};
  }
  return {DefaultValue::Kind::other, text};
}

// "nextval('cb_child_pk_seq'::regclass)" -> "cb_child_pk_seq".
std::string sequence_of(const Value& def) {
  std::string text = def.is_null() ? std::string() : def.to_text();
  if (to_lower(text).rfind("nextval(", 0) != 0) {
    return {};
  }
  std::size_t open = text.find('\'');
  std::size_t close = open == std::string::npos ? open : text.find('\'', open + 1);
  if (close == std::string::npos) {
    return {};
  }
  std::string name = text.substr(open + 1, close - open - 1);
  name.erase(std::remove(name.begin(), name.end(), '"'), name.end());
  return name;
}

// Owns the environment and connection handles; the destructor disconnects and never throws.
struct Handles {
  SQLHENV env = SQL_NULL_HENV;
  SQLHDBC dbc = SQL_NULL_HDBC;
  bool connected = false;

  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  Handles(Handles&&) = delete;
  Handles& operator=(Handles&&) = delete;

  ~Handles() {
    if (connected) {
      SQLDisconnect(dbc);
    }
    if (dbc != SQL_NULL_HDBC) {
      SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }
    if (env != SQL_NULL_HENV) {
      SQLFreeHandle(SQL_HANDLE_ENV, env);
    }
  }
};

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

class OdbcConnection final : public Connection {
 public:
  OdbcConnection(std::unique_ptr<Handles> h, const Dialect& dialect, std::string version)
      : h_(std::move(h)), dialect_(dialect), version_(std::move(version)) {
    std::string name = dialect.name();
    caps_.transactional_ddl =
        name == "postgresql" || name == "sqlite" || name == "mssql" || name == "db2";
    caps_.table_sizes = false;
    caps_.max_placeholders = name == "mysql" ? 65535 : name == "mssql" ? 2000 : 32766;
    escape_ = info_text(h_->dbc, SQL_SEARCH_PATTERN_ESCAPE);
  }

  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;
  OdbcConnection(OdbcConnection&&) = delete;
  OdbcConnection& operator=(OdbcConnection&&) = delete;

  ~OdbcConnection() override {
    if (!autocommit()) {
      SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK);
    }
  }

  const Dialect& dialect() const override { return dialect_; }

  const Capabilities& capabilities() const override { return caps_; }

  std::string backend() const override { return "odbc"; }

  std::string server_version() override { return version_; }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override {
    OdbcStatement st(h_->dbc);
    run(st, sql, params);
    SQLLEN n = 0;
    st.check(SQLRowCount(st.get(), &n), "counting rows");
    return n > 0 ? n : 0;
  }

  std::unique_ptr<RowReader> query(std::string_view sql, std::span<const Value> params) override {
    auto st = std::make_unique<OdbcStatement>(h_->dbc);
    run(*st, sql, params);
    return std::make_unique<OdbcRowReader>(std::move(st));
  }

  void begin() override { set_autocommit(false, "beginning a transaction"); }

  void commit() override {
    if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_COMMIT))) {
      Error e = odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::commit, "committing");
      if (!e.poisons_connection()) {
        // The server refused the commit (a deferred constraint, a serialization failure):
        // end the transaction so the connection does not stay in manual-commit mode.
        SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK);
        SQLSetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, attr_value(SQL_AUTOCOMMIT_ON),
                          SQL_IS_UINTEGER);
      }
      throw e;
    }
    set_autocommit(true, "ending the transaction");
  }

  void rollback() override {
    // On failure autocommit stays off: switching it on would commit what is left.
    if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, h_->dbc, SQL_ROLLBACK))) {
      throw odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::statement, "rolling back");
    }
    set_autocommit(true, "ending the transaction");
  }

  std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           RowSource& rows) override {
    // Multi-row INSERTs with '?' markers (ODBC's, whatever the dialect), one prepared statement
    // per batch size, so a batch is one round trip. Oracle has no multi-row VALUES: one row.
    std::size_t width = std::max<std::size_t>(columns.size(), 1);
    std::size_t per_batch =
        dialect_.name() == "oracle"
            ? 1
            : std::clamp<std::size_t>(caps_.max_placeholders / width, 1, kBulkRows);
    std::optional<Transaction> tx;
    if (autocommit()) {
      tx.emplace(*this);
    }
    std::string what = fmt::format("bulk inserting into {}", table);
    std::unique_ptr<OdbcStatement> full;  // prepared on first use for per_batch rows
    std::vector<Value> batch;
    std::int64_t n = 0;
    Row row;
    while (rows.next(row)) {
      if (row.size() != columns.size()) {
        throw Error(ErrorKind::internal,
                    fmt::format("bulk insert into {}: row has {} values for {} columns", table,
                                row.size(), columns.size()));
      }
      batch.insert(batch.end(), row.begin(), row.end());
      ++n;
      if (batch.size() == per_batch * columns.size()) {
        if (!full) {
          full = prepare_insert(table, columns, per_batch, what);
        }
        execute_batch(*full, batch, what);
        batch.clear();
      }
    }
    if (!batch.empty()) {
      execute_batch(*prepare_insert(table, columns, batch.size() / width, what), batch, what);
    }
    if (tx) {
      tx->commit();
    }
    return n;
  }

  std::vector<std::string> list_tables() override {
    std::vector<std::string> out;
    CatalogArg catalog(catalog_);
    CatalogArg schema(escape(schema_));
    CatalogArg all("%");
    CatalogArg type("TABLE");
    auto r = catalog_query("listing tables", [&](SQLHSTMT h) {
      return SQLTablesW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), all.ptr(),
                        all.len(), type.ptr(), type.len());
    });
    while (r->next()) {
      out.push_back(r->get(2).to_text());
    }
    return out;
  }

  std::optional<TableDef> describe_table(std::string_view wanted) override {
    // PostgreSQL folds to lower case, Oracle and DB2 to upper: take the exact name if it
    // exists, else the first that matches ignoring case.
    std::optional<std::string> name;
    for (std::string& t : list_tables()) {
      if (t == wanted || (!name && same_ident(t, wanted))) {
        name = std::move(t);
      }
    }
    if (!name) {
      return std::nullopt;
    }
    TableDef t;
    t.name = *name;
    read_columns(t);
    read_generated(t);
    std::string pk_name = read_primary_key(t);
    fix_nullable(t);
    read_indexes(t, pk_name);
    read_foreign_keys(t);
    return t;
  }

  std::optional<std::int64_t> table_size_bytes(std::string_view /*table*/) override {
    return std::nullopt;  // ODBC has no portable way to ask
  }

  /// Puts the session in the state the dialect assumes (as the native backends do) and
  /// remembers which catalog / schema it works in, so catalog functions look there.
  void prepare_session() {
    std::string name = dialect_.name();
    auto text_of = [&](std::string_view sql) {
      std::optional<Value> v = query_value(sql, {});
      return v && !v->is_null() ? v->to_text() : std::string();
    };
    // The drivers' SQL_DBMS_VER is zero-padded and, for psqlodbc, not the server's own text.
    if (name == "postgresql") {
      execute("SET TIME ZONE 'UTC'", {});
      schema_ = text_of("SELECT current_schema()");
      std::string v = text_of("SHOW server_version");
      version_ = "PostgreSQL " + v.substr(0, v.find(' '));
    } else if (name == "mysql") {
      execute(
          "SET SESSION time_zone = '+00:00', sql_mode = "
          "'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
          {});
      catalog_ = text_of("SELECT DATABASE()");
      std::string v = text_of("SELECT VERSION()");
      bool mariadb = v.find("MariaDB") != std::string::npos;
      version_ = fmt::format("{} {}", mariadb ? "MariaDB" : "MySQL", v.substr(0, v.find('-')));
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

 private:
  std::unique_ptr<OdbcStatement> prepare_insert(std::string_view table,
                                                const std::vector<std::string>& columns,
                                                std::size_t rows, std::string_view what) {
    std::string tuple;
    std::string sql = fmt::format("INSERT INTO {} (", dialect_.ident(table));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + dialect_.ident(columns[i]);
      tuple += i ? ", ?" : "(?";
    }
    sql += ") VALUES ";
    for (std::size_t r = 0; r < rows; ++r) {
      sql += (r ? ", " : "") + tuple + ")";
    }
    auto st = std::make_unique<OdbcStatement>(h_->dbc);
    WideText text = odbc_widen(sql);
    st->check(SQLPrepareW(st->get(), text.data(), SQL_NTS), what);
    return st;
  }

  void execute_batch(OdbcStatement& st, const std::vector<Value>& values, std::string_view what) {
    std::vector<std::size_t> order(values.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::vector<ParamBuffer> buffers;
    bind_params(st, values, order, buffers);
    st.check(SQLExecute(st.get()), what);
  }

  void run(OdbcStatement& st, std::string_view sql, std::span<const Value> params) {
    Translated t = translate(dialect_, sql, params.size());
    std::vector<ParamBuffer> buffers;
    bind_params(st, params, t.order, buffers);
    WideText text = odbc_widen(t.sql);
    SQLRETURN rc = SQLExecDirectW(st.get(), text.data(), SQL_NTS);
    if (rc != SQL_NO_DATA) {  // a searched UPDATE or DELETE that touched no row
      st.check(rc, fmt::format("running {}", abbreviate(sql)));
    }
  }

  bool autocommit() const {
    SQLULEN value = SQL_AUTOCOMMIT_ON;
    SQLGetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, &value, 0, nullptr);
    return value == SQL_AUTOCOMMIT_ON;
  }

  void set_autocommit(bool on, std::string_view what) {
    SQLULEN value = on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF;
    if (!SQL_SUCCEEDED(
            SQLSetConnectAttr(h_->dbc, SQL_ATTR_AUTOCOMMIT, attr_value(value), SQL_IS_UINTEGER))) {
      throw odbc_failure(SQL_HANDLE_DBC, h_->dbc, OdbcPhase::statement, what);
    }
  }

  // Escapes the search-pattern characters of a catalog-function pattern argument.
  std::string escape(std::string_view s) const {
    std::string out;
    for (char c : s) {
      if (!escape_.empty() && (c == '_' || c == '%' || escape_.find(c) == 0)) {
        out += escape_;
      }
      out += c;
    }
    return out;
  }

  template <typename Call>
  std::unique_ptr<OdbcRowReader> catalog_query(std::string_view what, Call call) {
    auto st = std::make_unique<OdbcStatement>(h_->dbc);
    st->check(call(st->get()), what);
    return std::make_unique<OdbcRowReader>(std::move(st));
  }

  void read_columns(TableDef& t) {
    CatalogArg catalog(catalog_);
    CatalogArg schema(escape(schema_));
    CatalogArg table(escape(t.name));
    CatalogArg all("%");
    auto r = catalog_query("reading columns", [&](SQLHSTMT h) {
      return SQLColumnsW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), table.ptr(),
                         table.len(), all.ptr(), all.len());
    });
    bool backslashes = dialect_.name() == "mysql";
    while (r->next()) {
      if (r->get(2).to_text() != t.name) {
        continue;  // the pattern matched a neighbour (a driver without an escape character)
      }
      Column c;
      c.name = r->get(3).to_text();
      auto sql_type = static_cast<SQLSMALLINT>(r->get(4).as_int());
      c.native_type = to_lower(r->get(5).to_text());
      bool sized = sql_type == SQL_CHAR || sql_type == SQL_VARCHAR || sql_type == SQL_WCHAR ||
                   sql_type == SQL_WVARCHAR;
      if (sized && !r->get(6).is_null() && c.native_type.find('(') == std::string::npos) {
        c.native_type += fmt::format("({})", r->get(6).as_int());
      }
      classify_native_type(c.native_type, c.type, c.length);
      c.nullable = r->get(10).is_null() || r->get(10).as_int() != SQL_NO_NULLS;
      c.default_value = parse_default(r->get(12), backslashes);
      c.sequence = sequence_of(r->get(12));
      c.generated = !c.sequence.empty();
      t.columns.push_back(std::move(c));
    }
  }

  // AUTO_INCREMENT, IDENTITY and serial columns, as the driver describes a result.
  void read_generated(TableDef& t) {
    OdbcStatement st(h_->dbc);
    WideText sql =
        odbc_widen(fmt::format("SELECT * FROM {} WHERE 1 = 0", dialect_.quote_ident(t.name)));
    st.check(SQLExecDirectW(st.get(), sql.data(), SQL_NTS), "describing the table");
    SQLSMALLINT n = 0;
    st.check(SQLNumResultCols(st.get(), &n), "describing the table");
    for (SQLSMALLINT i = 1; i <= n && static_cast<std::size_t>(i) <= t.columns.size(); ++i) {
      SQLLEN auto_unique = SQL_FALSE;
      if (SQL_SUCCEEDED(SQLColAttributeW(st.get(), static_cast<SQLUSMALLINT>(i),
                                         SQL_DESC_AUTO_UNIQUE_VALUE, nullptr, 0, nullptr,
                                         &auto_unique)) &&
          auto_unique == SQL_TRUE) {
        t.columns[static_cast<std::size_t>(i) - 1].generated = true;
      }
    }
  }

  // Key columns are NOT NULL everywhere. MariaDB's driver calls AUTO_INCREMENT and TIMESTAMP
  // columns nullable (NULL makes the server fill them in), so ask the server there.
  void fix_nullable(TableDef& t) {
    for (Column& c : t.columns) {
      bool in_pk = std::any_of(t.primary_key.begin(), t.primary_key.end(),
                               [&](const std::string& k) { return same_ident(k, c.name); });
      c.nullable = c.nullable && !in_pk;
    }
    if (dialect_.name() != "mysql") {
      return;
    }
    auto r = query(
        "SELECT COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        std::vector<Value>{Value(t.name)});
    while (r->next()) {
      for (Column& c : t.columns) {
        if (c.name == r->get(0).to_text()) {
          c.nullable = r->get(1).to_text() == "YES";
        }
      }
    }
  }

  // Returns the primary key's constraint name (the name of the index behind it, too).
  std::string read_primary_key(TableDef& t) {
    CatalogArg catalog(catalog_);
    CatalogArg schema(schema_);
    CatalogArg table(t.name);
    auto r = catalog_query("reading the primary key", [&](SQLHSTMT h) {
      return SQLPrimaryKeysW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(),
                             table.ptr(), table.len());
    });
    std::map<std::int64_t, std::string> columns;
    std::string name;
    while (r->next()) {
      columns[r->get(4).as_int()] = r->get(3).to_text();
      name = r->get(5).is_null() ? std::string() : r->get(5).to_text();
    }
    for (auto& [seq, col] : columns) {
      t.primary_key.push_back(std::move(col));
    }
    return name;
  }

  // Unique indexes become unique keys (a unique constraint is one), the index behind the
  // primary key is left out, the rest are plain indexes.
  void read_indexes(TableDef& t, const std::string& pk_name) {
    CatalogArg catalog(catalog_);
    CatalogArg schema(schema_);
    CatalogArg table(t.name);
    auto r = catalog_query("reading indexes", [&](SQLHSTMT h) {
      return SQLStatisticsW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(),
                            table.ptr(), table.len(), SQL_INDEX_ALL, SQL_QUICK);
    });
    std::vector<Index> indexes;
    std::map<std::string, std::map<std::int64_t, std::string>> columns;
    while (r->next()) {
      if (r->get(6).as_int() == SQL_TABLE_STAT || r->get(5).is_null() || r->get(8).is_null()) {
        continue;
      }
      std::string name = r->get(5).to_text();
      if (columns.find(name) == columns.end()) {
        indexes.push_back(Index{name, {}, r->get(3).as_int() == SQL_FALSE});
      }
      columns[name][r->get(7).as_int()] = r->get(8).to_text();
    }
    for (Index& ix : indexes) {
      for (auto& [seq, col] : columns[ix.name]) {
        ix.columns.push_back(std::move(col));
      }
      bool same_as_pk =
          ix.unique && ix.columns.size() == t.primary_key.size() &&
          std::equal(ix.columns.begin(), ix.columns.end(), t.primary_key.begin(),
                     [](const std::string& a, const std::string& b) { return same_ident(a, b); });
      if ((!pk_name.empty() && ix.name == pk_name) || ix.name == "PRIMARY" || same_as_pk) {
        continue;
      }
      if (ix.unique) {
        t.unique_keys.push_back(Key{ix.name, std::move(ix.columns)});
      } else {
        t.indexes.push_back(std::move(ix));
      }
    }
  }

  void read_foreign_keys(TableDef& t) {
    CatalogArg none("");
    CatalogArg catalog(catalog_);
    CatalogArg schema(schema_);
    CatalogArg table(t.name);
    auto r = catalog_query("reading foreign keys", [&](SQLHSTMT h) {
      return SQLForeignKeysW(h, none.ptr(), none.len(), none.ptr(), none.len(), none.ptr(),
                             none.len(), catalog.ptr(), catalog.len(), schema.ptr(), schema.len(),
                             table.ptr(), table.len());
    });
    // Rows come ordered by KEY_SEQ across all keys, so gather per key first.
    std::vector<ForeignKey> keys;
    std::map<std::string, std::map<std::int64_t, std::pair<std::string, std::string>>> cols;
    while (r->next()) {
      std::string name = r->get(11).is_null() ? r->get(2).to_text() : r->get(11).to_text();
      if (cols.find(name) == cols.end()) {
        ForeignKey fk;
        fk.name = name;
        fk.ref_table = r->get(2).to_text();
        fk.on_delete_cascade = !r->get(10).is_null() && r->get(10).as_int() == SQL_CASCADE;
        keys.push_back(std::move(fk));
      }
      cols[name][r->get(8).as_int()] = {r->get(7).to_text(), r->get(3).to_text()};
    }
    for (ForeignKey& fk : keys) {
      for (auto& [seq, pair] : cols[fk.name]) {
        fk.columns.push_back(pair.first);
        fk.ref_columns.push_back(pair.second);
      }
      t.foreign_keys.push_back(std::move(fk));
    }
  }

  std::unique_ptr<Handles> h_;
  const Dialect& dialect_;
  std::string version_;
  Capabilities caps_;
  std::string escape_;   // SQL_SEARCH_PATTERN_ESCAPE, empty when the driver has none
  std::string catalog_;  // where catalog functions look; empty: anywhere
  std::string schema_;
};

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
// matched rows; its own keywords fix both unless the connection string already sets them.
// A DSN-only string keeps whatever the DSN says.
std::string with_driver_defaults(std::string conn, const OpenOptions& options) {
  if (to_lower(target_of(conn)).find("mariadb") == std::string::npos) {
    return conn;
  }
  if (!conn.empty() && conn.back() != ';') {
    conn += ';';
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

std::unique_ptr<Connection> open_odbc(const ConnectionSpec& spec, const OpenOptions& options) {
  auto h = std::make_unique<Handles>();
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
    throw odbc_failure(SQL_HANDLE_DBC, h->dbc, OdbcPhase::connect,
                       fmt::format("cannot connect through ODBC ({})", target), password);
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
  result->prepare_session();
  return result;
}

}  // namespace cutover::db
