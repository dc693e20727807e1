#include "db/postgres/postgres_connection.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <map>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include "core/cancel.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"
#include "db/postgres/postgres_copy.h"
#include "db/postgres/postgres_errors.h"
#include "db/postgres/postgres_types.h"
#include "db/value_format.h"

namespace cutover::db {

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

using Result = std::unique_ptr<PGresult, ResultDeleter>;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  return (c | 0x20) - 'a' + 10;
}

Value cell(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col) != 0) {
    return Value();
  }
  const char* text = PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case pg_oid::kInt2:
    case pg_oid::kInt4:
    case pg_oid::kInt8:
    case pg_oid::kOid:
      return Value(static_cast<std::int64_t>(std::strtoll(text, nullptr, 10)));
    case pg_oid::kFloat4:
    case pg_oid::kFloat8:
      return Value(std::strtod(text, nullptr));
    case pg_oid::kBytea: {
      // Text output of bytea is "\x" followed by hex digits (bytea_output = hex, set at connect).
      Bytes b;
      if (len >= 2 && text[0] == '\\' && text[1] == 'x') {
        b.reserve(static_cast<std::size_t>(len - 2) / 2);
        for (int i = 2; i + 1 < len; i += 2) {
          b.push_back(static_cast<std::uint8_t>(hex_digit(text[i]) * 16 + hex_digit(text[i + 1])));
        }
      }
      return Value(std::move(b));
    }
    case pg_oid::kBool:
      return bool_value(text[0] == 't');
    case pg_oid::kTimestamp:
    case pg_oid::kTimestamptz:
      return Value(canonical_timestamp(std::string_view(text, static_cast<std::size_t>(len))));
    default:
      return Value(std::string(text, static_cast<std::size_t>(len)));
  }
}

// Parameters as libpq wants them: text for everything but bytes, which go binary.
struct Params {
  std::vector<std::string> text;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit Params(std::span<const Value> params) {
    text.reserve(params.size());
    for (const Value& v : params) {
      text.push_back(v.is_bytes() || v.is_null() ? std::string() : v.to_text());
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (v.is_null()) {
        values.push_back(nullptr);
        lengths.push_back(0);
        formats.push_back(0);
      } else if (v.is_bytes()) {
        const Bytes& b = v.as_bytes();
        // An empty vector's data() may be null, which libpq reads as SQL NULL.
        values.push_back(b.empty() ? "" : reinterpret_cast<const char*>(b.data()));
        lengths.push_back(static_cast<int>(b.size()));
        formats.push_back(1);
      } else {
        values.push_back(text[i].c_str());
        lengths.push_back(static_cast<int>(text[i].size()));
        formats.push_back(0);
      }
    }
  }
};

// Streams rows in single-row mode so a large table never sits in memory at once.
class PostgresRowReader final : public RowReader {
 public:
  PostgresRowReader(const PostgresRowReader&) = delete;
  PostgresRowReader& operator=(const PostgresRowReader&) = delete;

  PostgresRowReader(PGconn* conn, const PostgresSession* session, std::string_view sql,
                    std::span<const Value> params)
      : conn_(conn), session_(session) {
    std::string q(sql);
    Params p(params);
    if (PQsendQueryParams(conn_, q.c_str(), static_cast<int>(params.size()), nullptr,
                          p.values.data(), p.lengths.data(), p.formats.data(), 0) == 0) {
      throw postgres_error(conn_, nullptr, "sending query", session_);
    }
    start();
  }

  /// Runs the prepared statement `name` instead of SQL text.
  PostgresRowReader(PGconn* conn, const PostgresSession* session, const std::string& name,
                    std::span<const Value> params, bool /*prepared*/)
      : conn_(conn), session_(session) {
    Params p(params);
    if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(params.size()), p.values.data(),
                            p.lengths.data(), p.formats.data(), 0) == 0) {
      throw postgres_error(conn_, nullptr, "sending query", session_);
    }
    start();
  }

  ~PostgresRowReader() override { drain(); }

  bool next() override {
    if (first_) {
      first_ = false;
      return current_ != nullptr && PQresultStatus(current_.get()) == PGRES_SINGLE_TUPLE;
    }
    if (!current_) {
      return false;
    }
    fetch();
    if (current_ && PQresultStatus(current_.get()) == PGRES_SINGLE_TUPLE) {
      return true;
    }
    keep_shape_ = std::move(current_);
    drain();
    return false;
  }

  std::size_t column_count() const override {
    const PGresult* r = shape();
    return r != nullptr ? static_cast<std::size_t>(PQnfields(r)) : 0;
  }

  std::string column_name(std::size_t i) const override {
    return PQfname(shape(), static_cast<int>(i));
  }

  Value get(std::size_t i) const override { return cell(current_.get(), 0, static_cast<int>(i)); }

 private:
  const PGresult* shape() const { return current_ ? current_.get() : keep_shape_.get(); }

  // After the query is sent: reads the first result in single-row mode.
  void start() {
    PQsetSingleRowMode(conn_);
    fetch();
    if (!current_) {
      return;
    }
    if (PQresultStatus(current_.get()) == PGRES_TUPLES_OK && PQntuples(current_.get()) == 0) {
      keep_shape_ = std::move(current_);  // empty result: keep it for column names
      drain();
    }
  }

  // Reads the next result; throws on error after draining the connection.
  void fetch() {
    current_.reset(PQgetResult(conn_));
    if (!current_) {
      return;
    }
    ExecStatusType st = PQresultStatus(current_.get());
    if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      Error e = postgres_error(conn_, current_.get(), "running query", session_);
      current_.reset();
      drain();
      throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before the handle is freed
    }
  }

  void drain() {
    while (PGresult* r = PQgetResult(conn_)) {
      PQclear(r);
    }
  }

  PGconn* conn_;
  const PostgresSession* session_;
  Result current_;
  Result keep_shape_;
  bool first_ = true;
};

// A server-side prepared statement under a name unique in its session. The destructor
// deallocates it only while the connection is idle: a new command would make libpq discard a
// read in flight (a streaming query, a COPY). Otherwise, or on failure, it stays until the
// session ends, which is harmless: the name is never reused.
class PostgresPrepared final : public PreparedStatement {
 public:
  PostgresPrepared(PGconn* conn, const PostgresSession* session, std::string name,
                   std::string_view sql)
      : conn_(conn), session_(session), name_(std::move(name)) {
    std::string q(sql);
    Result r(PQprepare(conn_, name_.c_str(), q.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      throw postgres_error(conn_, r.get(), "preparing statement", session_);
    }
  }

  PostgresPrepared(const PostgresPrepared&) = delete;
  PostgresPrepared& operator=(const PostgresPrepared&) = delete;
  PostgresPrepared(PostgresPrepared&&) = delete;
  PostgresPrepared& operator=(PostgresPrepared&&) = delete;

  ~PostgresPrepared() override {
    PGTransactionStatusType tx = PQtransactionStatus(conn_);
    if (tx == PQTRANS_IDLE || tx == PQTRANS_INTRANS) {
      Result r(PQexec(conn_, ("DEALLOCATE " + name_).c_str()));
    }
  }

  std::int64_t execute(std::span<const Value> params) override {
    Params p(params);
    Result r(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(params.size()), p.values.data(),
                            p.lengths.data(), p.formats.data(), 0));
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      throw postgres_error(conn_, r.get(), "running prepared statement", session_);
    }
    const char* n = PQcmdTuples(r.get());
    return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
  }

  std::unique_ptr<RowReader> query(std::span<const Value> params) override {
    return std::make_unique<PostgresRowReader>(conn_, session_, name_, params, true);
  }

 private:
  PGconn* conn_;
  const PostgresSession* session_;
  std::string name_;
};

DefaultValue parse_default(const std::string& expr, std::string& sequence) {
  if (expr.empty()) {
    return {};
  }
  if (expr.rfind("nextval('", 0) == 0) {
    std::size_t end = expr.find('\'', 9);
    sequence = expr.substr(9, end - 9);
    return {};
  }
  if (same_ident(expr, "CURRENT_TIMESTAMP") || same_ident(expr, "now()")) {
    return {DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
  }
  if (expr.front() == '\'') {
    // 'ACTIVE'::character varying, '-1'::integer
    std::size_t close = expr.find("'::");
    std::string inner = expr.substr(1, close == std::string::npos ? expr.size() - 2 : close - 1);
    std::string cast = close == std::string::npos ? "" : expr.substr(close + 3);
    bool numeric_cast =
        cast == "integer" || cast == "bigint" || cast == "smallint" || cast == "numeric";
    return {numeric_cast ? DefaultValue::Kind::number : DefaultValue::Kind::string, inner};
  }
  std::string bare = expr;
  if (bare.size() > 2 && bare.front() == '(' && bare.back() == ')') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (bare.find_first_not_of("-+0123456789.") == std::string::npos) {
    return {DefaultValue::Kind::number, bare};
  }
  return {DefaultValue::Kind::other, expr};
}

std::vector<std::string> split_names(const Value& v) {
  std::vector<std::string> out;
  if (v.is_null()) {
    return out;
  }
  std::string s = v.to_text();
  std::size_t pos = 0;
  while (true) {
    std::size_t sep = s.find('\x1f', pos);
    out.push_back(s.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos));
    if (sep == std::string::npos) {
      break;
    }
    pos = sep + 1;
  }
  return out;
}

// PQcancel asks the server, over a new socket, to stop what the backend runs; PGcancel is
// independent of the PGconn, so it may outlive the connection.
class PostgresCanceller final : public Canceller {
 public:
  PostgresCanceller(PGcancel* cancel, std::shared_ptr<std::atomic<bool>> sent)
      : cancel_(cancel), sent_(std::move(sent)) {}

  PostgresCanceller(const PostgresCanceller&) = delete;
  PostgresCanceller& operator=(const PostgresCanceller&) = delete;

  ~PostgresCanceller() override { PQfreeCancel(cancel_); }

  bool cancel() override {
    if (cancel_ == nullptr) {
      return false;
    }
    sent_->store(true);
    std::array<char, 256> err{};
    if (PQcancel(cancel_, err.data(), static_cast<int>(err.size())) != 1) {
      sent_->store(false);  // nothing was cancelled: a later 57014 is not ours
      return false;
    }
    return true;
  }

 private:
  PGcancel* cancel_;
  std::shared_ptr<std::atomic<bool>> sent_;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  PostgresConnection(PGconn* conn, bool statement_timeout_set) : conn_(conn) {
    session_.statement_timeout_set = statement_timeout_set;
    caps_.transactional_ddl = true;
    caps_.copy_protocol = true;
    caps_.copy_out = true;
    caps_.table_sizes = true;
    caps_.max_placeholders = 65535;
    caps_.shared_snapshot = true;
  }

  ~PostgresConnection() override { PQfinish(conn_); }

  const Dialect& dialect() const override { return postgres_dialect(); }

  const Capabilities& capabilities() const override { return caps_; }

  std::string backend() const override { return "postgresql"; }

  std::string server_version() override {
    return "PostgreSQL " + query_value("SHOW server_version", {}).value_or(Value("")).to_text();
  }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override {
    std::string q(sql);
    Params p(params);
    Result r(PQexecParams(conn_, q.c_str(), static_cast<int>(params.size()), nullptr,
                          p.values.data(), p.lengths.data(), p.formats.data(), 0));
    check(r.get(), "running statement");
    const char* n = PQcmdTuples(r.get());
    return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
  }

  std::unique_ptr<RowReader> query(std::string_view sql, std::span<const Value> params) override {
    return std::make_unique<PostgresRowReader>(conn_, &session_, sql, params);
  }

  std::unique_ptr<Canceller> canceller() override {
    return std::make_unique<PostgresCanceller>(PQgetCancel(conn_), session_.cancel_sent);
  }

  void begin(const TxOptions& options = {}) override {  // NOLINT(google-default-arguments)
    std::vector<std::string> settings = dialect().transaction_start(options);
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      throw already_in_transaction();
    }
    execute("BEGIN", {});
    start_transaction(settings);
  }

  void commit() override {
    Result r(PQexec(conn_, "COMMIT"));
    if (PQstatus(conn_) == CONNECTION_BAD) {
      throw Error(ErrorKind::in_doubt,
                  "the connection to PostgreSQL was lost during COMMIT: the outcome is unknown",
                  "reconnect and check whether the change is there before running it again");
    }
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      // A COMMIT the server refused (a deferred constraint, a serialization failure) has
      // already ended the transaction; make sure, so the connection is never left inside one.
      Error e = postgres_error(conn_, r.get(), "committing", &session_);
      rollback();
      throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before rolling back
    }
    // A transaction that already failed "commits" as ROLLBACK: nothing was written.
    if (std::string(PQcmdStatus(r.get())) == "ROLLBACK") {
      throw Error(ErrorKind::sql, "PostgreSQL rolled the transaction back instead of committing it",
                  "an earlier statement in the transaction failed; nothing was written");
    }
  }

  void rollback() override {
    if (PQstatus(conn_) == CONNECTION_BAD) {
      return;  // the server rolls back a transaction whose connection is gone
    }
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      return;  // nothing open (ROLLBACK would only warn)
    }
    Result r(PQexec(conn_, "ROLLBACK"));
    check(r.get(), "rolling back");
  }

  std::string export_snapshot() override {
    return query_value("SELECT pg_export_snapshot()", {}).value_or(Value("")).to_text();
  }

  std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           RowSource& rows) override {
    // COPY ... FROM STDIN in text format: one round trip for the whole load.
    const Dialect& d = dialect();
    std::string cols;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      cols += (i ? ", " : "") + d.stored_ident(columns[i]);
    }
    std::string sql = fmt::format("COPY {} ({}) FROM STDIN", d.stored_ident(table), cols);
    Result start(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
      throw postgres_error(conn_, start.get(), fmt::format("starting COPY into {}", table),
                           &session_);
    }
    std::string buf;
    std::int64_t n = 0;
    Row row;
    bool failed = false;
    while (rows.next(row)) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) {
          buf += '\t';
        }
        append_copy_text(buf, row[i]);
      }
      buf += '\n';
      ++n;
      if (buf.size() >= (1U << 16)) {
        failed = failed || !put(buf);
        buf.clear();
      }
    }
    if (!buf.empty()) {
      failed = failed || !put(buf);
    }
    PQputCopyEnd(conn_, nullptr);
    Result end(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) {
      PQclear(extra);
    }
    if (failed || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
      throw postgres_error(conn_, end.get(), fmt::format("loading rows into {}", table), &session_);
    }
    return n;
  }

  std::unique_ptr<PreparedStatement> prepare(std::string_view sql) override {
    return std::make_unique<PostgresPrepared>(conn_, &session_,
                                              fmt::format("cutover_{}", ++prepared_), sql);
  }

  std::unique_ptr<RowSource> bulk_read(std::string_view table,
                                       const std::vector<std::string>& columns,
                                       const std::vector<std::string>& order_by) override {
    return postgres_bulk_read(conn_, &session_, table, columns, order_by);
  }

  std::unique_ptr<ChunkSource> copy_out_raw(std::string_view sql) override {
    return postgres_copy_out(conn_, &session_, sql);
  }

  std::int64_t copy_in_raw(std::string_view sql, ChunkSource& data) override {
    return postgres_copy_in(conn_, &session_, sql, data);
  }

  std::vector<std::string> list_tables() override {
    std::vector<std::string> out;
    auto r = query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname",
        {});
    while (r->next()) {
      out.push_back(r->get(0).to_text());
    }
    return out;
  }

  std::optional<TableDef> describe_table(std::string_view wanted) override {
    std::vector<Value> p{Value(wanted)};
    auto found = query(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
        "AND lower(c.relname) = lower($1) ORDER BY c.relname = $1 DESC LIMIT 1",
        p);
    if (!found->next()) {
      return std::nullopt;
    }
    std::vector<Value> oid{found->get(0)};
    TableDef t;
    t.name = found->get(1).to_text();
    while (found->next()) {
    }

    auto cols = query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '' "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = "
        "a.attnum WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        oid);
    while (cols->next()) {
      Column c;
      c.name = cols->get(0).to_text();
      c.native_type = cols->get(1).to_text();
      classify_native_type(c.native_type, c.type, c.length);
      c.nullable = cols->get(2).to_text() != "true";
      c.default_value = parse_default(cols->get(3).to_text(), c.sequence);
      c.generated = !c.sequence.empty() || cols->get(4).to_text() == "true";
      t.columns.push_back(std::move(c));
    }

    // Column lists are joined with U+001F so names with commas survive.
    auto cons = query(
        "SELECT con.conname, con.contype, "
        "(SELECT string_agg(a.attname, chr(31) ORDER BY k.ord) FROM unnest(con.conkey) WITH "
        "ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND "
        "a.attnum = k.attnum), cf.relname, "
        "(SELECT string_agg(a.attname, chr(31) ORDER BY k.ord) FROM unnest(con.confkey) WITH "
        "ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND "
        "a.attnum = k.attnum), con.confdeltype "
        "FROM pg_constraint con LEFT JOIN pg_class cf ON cf.oid = con.confrelid "
        "WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'f') ORDER BY con.conname",
        oid);
    while (cons->next()) {
      std::string kind = cons->get(1).to_text();
      std::vector<std::string> columns = split_names(cons->get(2));
      if (kind == "p") {
        t.primary_key = columns;
      } else if (kind == "u") {
        t.unique_keys.push_back(Key{cons->get(0).to_text(), columns});
      } else {
        t.foreign_keys.push_back(ForeignKey{cons->get(0).to_text(), columns, cons->get(3).to_text(),
                                            split_names(cons->get(4)),
                                            cons->get(5).to_text() == "c"});
      }
    }

    auto ixs = query(
        "SELECT i.relname, ix.indisunique, "
        "(SELECT string_agg(COALESCE(a.attname, pg_get_indexdef(ix.indexrelid, k.ord::int, "
        "true)), chr(31) ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY "
        "k(attnum, ord) LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = "
        "k.attnum) FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid "
        "WHERE ix.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid "
        "= ix.indexrelid AND c.contype IN ('p', 'u')) ORDER BY i.relname",
        oid);
    while (ixs->next()) {
      t.indexes.push_back(
          Index{ixs->get(0).to_text(), split_names(ixs->get(2)), ixs->get(1).to_text() == "true"});
    }
    return t;
  }

  std::optional<std::int64_t> table_size_bytes(std::string_view table) override {
    std::optional<Value> v = query_value(
        "SELECT pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND "
        "lower(c.relname) = lower($1) LIMIT 1",
        std::vector<Value>{Value(table)});
    if (!v) {
      return std::nullopt;
    }
    return v->as_int();
  }

 private:
  void check(const PGresult* r, std::string_view what) {
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      throw postgres_error(conn_, r, what, &session_);
    }
  }

  bool put(const std::string& buf) {
    return PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) == 1;
  }

  static void append_copy_text(std::string& buf, const Value& v) {
    if (v.is_null()) {
      buf += "\\N";
      return;
    }
    if (v.is_bytes()) {
      // bytea input "\x<hex>", with the backslash itself escaped for COPY text format.
      buf += "\\\\x";
      buf += v.to_text();
      return;
    }
    for (char c : v.to_text()) {
      switch (c) {
        case '\\':
          buf += "\\\\";
          break;
        case '\n':
          buf += "\\n";
          break;
        case '\r':
          buf += "\\r";
          break;
        case '\t':
          buf += "\\t";
          break;
        default:
          buf += c;
      }
    }
  }

  PGconn* conn_;
  PostgresSession session_;
  Capabilities caps_;
  std::uint64_t prepared_ = 0;  // names prepared statements uniquely in this session
};

// PQconnectdbParams fixes the error verbosity before the server answers; starting the
// connection by hand lets it be verbose, so a login error carries the server's SQLSTATE.
// libpq ignores connect_timeout here: each wait is bounded by `timeout_s` instead.
PGconn* connect_verbose(const char* const* keys, const char* const* values, int timeout_s) {
  PGconn* conn = PQconnectStartParams(keys, values, 0);
  if (conn == nullptr) {
    throw Error(ErrorKind::internal, "libpq could not allocate a connection");
  }
  PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
    pollfd p{PQsocket(conn), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    int ready = ::poll(&p, 1, std::max(1, timeout_s) * 1000);
    if (ready < 0 && errno == EINTR) {
      if (cancel_requested()) {
        PQfinish(conn);
        throw_if_cancelled();
      }
      continue;
    }
    if (ready == 0) {
      PQfinish(conn);
      throw std::move(Error(ErrorKind::connection,
                            fmt::format("no answer from PostgreSQL within {} s", timeout_s),
                            "check host and port, and that the server is running and reachable")
                          .with_code("08001", 0, "postgresql"));
    }
    st = PQconnectPoll(conn);
  }
  return conn;
}

}  // namespace

std::unique_ptr<Connection> open_postgres(const ConnectionSpec& spec, const OpenOptions& options) {
  std::vector<std::pair<std::string, std::string>> kv;
  if (!spec.host.empty()) {
    kv.emplace_back("host", spec.host);
  }
  if (spec.port != 0) {
    kv.emplace_back("port", std::to_string(spec.port));
  }
  if (!spec.user.empty()) {
    kv.emplace_back("user", spec.user);
  }
  kv.emplace_back("dbname", spec.database);
  kv.emplace_back("connect_timeout", std::to_string(options.connect_timeout_s));
  kv.emplace_back("application_name", "cutover");
  for (const auto& [k, v] : spec.params) {
    kv.emplace_back(k, v);
  }
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  if (!spec.password.empty()) {
    keys.push_back("password");
    values.push_back(spec.password.reveal().c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = connect_verbose(keys.data(), values.data(), options.connect_timeout_s);
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e = postgres_connect_error(conn, spec.redacted());
    PQfinish(conn);
    throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before the handle is freed
  }
  PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
  auto c = std::make_unique<PostgresConnection>(conn, options.statement_timeout_ms > 0);
  for (const std::string& s : c->dialect().session_setup()) {
    c->execute(s, {});
  }
  // 0 disables either limit, as OpenOptions means it.
  c->execute(fmt::format("SET statement_timeout = {}", std::max(0, options.statement_timeout_ms)),
             {});
  c->execute(fmt::format("SET lock_timeout = {}", std::max(0, options.lock_timeout_ms)), {});
  return c;
}

}  // namespace cutover::db
