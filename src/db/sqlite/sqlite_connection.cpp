#include "db/sqlite/sqlite_connection.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"
#include "db/sqlite/sqlite_errors.h"
#include "db/value_format.h"

namespace cutover::db {

namespace {

// The statement deadline: a progress handler stops a step that runs past it (SQLITE_INTERRUPT),
// and `hit` tells that interrupt from a Canceller's sqlite3_interrupt.
struct StepDeadline {
  std::chrono::milliseconds limit{0};  // 0: no limit, no handler installed
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::time_point::max();
  bool hit = false;

  void start() {
    hit = false;
    if (limit.count() > 0) {
      at = std::chrono::steady_clock::now() + limit;
    }
  }

  void stop() { at = std::chrono::steady_clock::time_point::max(); }

  static int check(void* self) {
    auto* d = static_cast<StepDeadline*>(self);
    if (std::chrono::steady_clock::now() < d->at) {
      return 0;
    }
    d->hit = true;
    return 1;
  }
};

// What a connection shares with its cancellers: the handle under a mutex, null once closed, so
// sqlite3_interrupt never reaches a closed handle.
struct SqliteShared {
  std::mutex mutex;
  sqlite3* db = nullptr;
};

class SqliteCanceller final : public Canceller {
 public:
  explicit SqliteCanceller(std::shared_ptr<SqliteShared> shared) : shared_(std::move(shared)) {}

  bool cancel() override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (shared_->db == nullptr) {
      return false;
    }
    sqlite3_interrupt(shared_->db);
    return true;
  }

 private:
  std::shared_ptr<SqliteShared> shared_;
};

// Owns a prepared statement; finalize never throws.
class Statement {
 public:
  Statement(sqlite3* db, StepDeadline& deadline, std::string_view sql)
      : db_(db), deadline_(deadline) {
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) {
      throw sqlite_error(db, rc, "preparing statement");
    }
  }

  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  ~Statement() { sqlite3_finalize(stmt_); }

  void bind(std::span<const Value> params) {
    sqlite3_reset(stmt_);
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (v.is_null()) {
        rc = sqlite3_bind_null(stmt_, idx);
      } else if (v.is_int()) {
        rc = sqlite3_bind_int64(stmt_, idx, v.as_int());
      } else if (v.is_double()) {
        rc = sqlite3_bind_double(stmt_, idx, v.as_double());
      } else if (v.is_text()) {
        const std::string& s = v.as_text();
        rc = sqlite3_bind_text64(stmt_, idx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        const Bytes& b = v.as_bytes();
        // A null pointer binds NULL, and an empty vector's data() may be null.
        rc = b.empty() ? sqlite3_bind_zeroblob(stmt_, idx, 0)
                       : sqlite3_bind_blob64(stmt_, idx, b.data(), b.size(), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) {
        throw sqlite_error(db_, rc, "binding parameter");
      }
    }
  }

  /// Steps once; true when a row is available.
  bool step() {
    deadline_.start();
    int rc = sqlite3_step(stmt_);
    deadline_.stop();
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    throw sqlite_error(db_, rc, "running statement", deadline_.hit);
  }

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3* db_;
  StepDeadline& deadline_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A column declared TIMESTAMP or DATETIME (SQLite keeps the declared type name).
bool is_timestamp_type(const char* decltype_text) {
  if (decltype_text == nullptr) {
    return false;
  }
  std::string t = to_upper(decltype_text);
  return t.find("TIMESTAMP") != std::string::npos || t.find("DATETIME") != std::string::npos;
}

class SqliteRowReader final : public RowReader {
 public:
  SqliteRowReader(sqlite3* db, StepDeadline& deadline, std::string_view sql,
                  std::span<const Value> params)
      : owned_(std::make_unique<Statement>(db, deadline, sql)), stmt_(*owned_) {
    stmt_.bind(params);
  }

  /// Reads through a statement someone else owns (a PreparedStatement), resetting it at the end.
  SqliteRowReader(Statement& stmt, std::span<const Value> params) : stmt_(stmt) {
    stmt_.bind(params);
  }

  SqliteRowReader(const SqliteRowReader&) = delete;
  SqliteRowReader& operator=(const SqliteRowReader&) = delete;
  SqliteRowReader(SqliteRowReader&&) = delete;
  SqliteRowReader& operator=(SqliteRowReader&&) = delete;

  // A borrowed statement is reset so it holds no read lock until its next use.
  ~SqliteRowReader() override {
    if (!owned_) {
      sqlite3_reset(stmt_.get());
    }
  }

  bool next() override { return !done_ && (done_ = !stmt_.step(), !done_); }

  std::size_t column_count() const override {
    return static_cast<std::size_t>(sqlite3_column_count(stmt_.get()));
  }

  std::string column_name(std::size_t i) const override {
    return sqlite3_column_name(stmt_.get(), static_cast<int>(i));
  }

  Value get(std::size_t i) const override {
    sqlite3_stmt* s = stmt_.get();
    int col = static_cast<int>(i);
    switch (sqlite3_column_type(s, col)) {
      case SQLITE_INTEGER:
        return Value(static_cast<std::int64_t>(sqlite3_column_int64(s, col)));
      case SQLITE_FLOAT:
        return Value(sqlite3_column_double(s, col));
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
        std::string_view text(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
        // Timestamps are stored as text as written; read them back in the canonical form.
        if (is_timestamp_type(sqlite3_column_decltype(s, col))) {
          return Value(canonical_timestamp(text));
        }
        return Value(text);
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, col));
        return Value(Bytes(p, p + sqlite3_column_bytes(s, col)));
      }
      default:
        return Value();
    }
  }

 private:
  std::unique_ptr<Statement> owned_;
  Statement& stmt_;
  bool done_ = false;
};

// One sqlite3_stmt, reset and rebound for every execution.
class SqlitePrepared final : public PreparedStatement {
 public:
  SqlitePrepared(sqlite3* db, StepDeadline& deadline, std::string_view sql)
      : db_(db), stmt_(db, deadline, sql) {}

  std::int64_t execute(std::span<const Value> params) override {
    stmt_.bind(params);
    try {
      while (stmt_.step()) {
      }
    } catch (const Error&) {
      sqlite3_reset(stmt_.get());
      throw;
    }
    sqlite3_reset(stmt_.get());
    return sqlite3_changes64(db_);
  }

  std::unique_ptr<RowReader> query(std::span<const Value> params) override {
    return std::make_unique<SqliteRowReader>(stmt_, params);
  }

 private:
  sqlite3* db_;
  Statement stmt_;
};

DefaultValue parse_default(const Value& v) {
  if (v.is_null()) {
    return {};
  }
  std::string text = v.to_text();
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    std::string inner;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      inner += text[i];
      if (text[i] == '\'' && text[i + 1] == '\'') {
        ++i;
      }
    }
    return {DefaultValue::Kind::string, inner};
  }
  if (same_ident(text, "CURRENT_TIMESTAMP")) {
    return {DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
  }
  if (!text.empty() && text.find_first_not_of("-+0123456789.") == std::string::npos) {
    return {DefaultValue::Kind::number, text};
  }
  return {DefaultValue::Kind::other, text};
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  SqliteConnection(sqlite3* db, std::string path, int statement_timeout_ms)
      : db_(db), path_(std::move(path)) {
    shared_->db = db;
    if (statement_timeout_ms > 0) {
      deadline_.limit = std::chrono::milliseconds(statement_timeout_ms);
      // Checked every 1000 virtual machine instructions: microseconds apart.
      sqlite3_progress_handler(db_, 1000, &StepDeadline::check, &deadline_);
    }
    caps_.transactional_ddl = true;
    caps_.table_sizes = true;
    caps_.max_placeholders = 32766;
  }

  ~SqliteConnection() override {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->db = nullptr;
    }
    sqlite3_close_v2(db_);
  }

  sqlite3* handle() const { return db_; }

  const Dialect& dialect() const override { return sqlite_dialect(); }

  const Capabilities& capabilities() const override { return caps_; }

  std::string backend() const override { return "sqlite"; }

  std::string server_version() override { return fmt::format("SQLite {}", sqlite3_libversion()); }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override {
    Statement stmt(db_, deadline_, sql);
    stmt.bind(params);
    while (stmt.step()) {
    }
    return sqlite3_changes64(db_);
  }

  std::unique_ptr<RowReader> query(std::string_view sql, std::span<const Value> params) override {
    return std::make_unique<SqliteRowReader>(db_, deadline_, sql, params);
  }

  std::unique_ptr<Canceller> canceller() override {
    return std::make_unique<SqliteCanceller>(shared_);
  }

  // The dialect chooses BEGIN IMMEDIATE for writers and BEGIN DEFERRED for readers.
  void begin(const TxOptions& options = {}) override {  // NOLINT(google-default-arguments)
    std::vector<std::string> statements = dialect().transaction_start(options);
    if (sqlite3_get_autocommit(db_) == 0) {
      throw already_in_transaction();
    }
    // A read-only transaction ended some other way (an automatic rollback, a COMMIT run as a
    // statement) left query_only on: lift it before this one decides its own.
    end_transaction();
    end_read_only_ = options.read_only && !read_only_;
    start_transaction(statements);
  }

  void commit() override {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      // A refused COMMIT (SQLITE_BUSY, a deferred foreign key) leaves the transaction open in
      // SQLite, ready for another try; nobody retries it, so roll back before reporting.
      Error e = sqlite_error(db_, rc, "committing");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      end_transaction();
      throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before rolling back
    }
    end_transaction();
  }

  void rollback() override {
    if (sqlite3_get_autocommit(db_) != 0) {
      end_transaction();
      return;  // nothing open, or SQLite already rolled back (for example after SQLITE_FULL)
    }
    int rc = sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      Error e = sqlite_error(db_, rc, "rolling back");
      end_transaction();
      throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before query_only is lifted
    }
    end_transaction();
  }

  /// Every statement on this connection fails to write (PRAGMA query_only), for good.
  void make_read_only() {
    execute("PRAGMA query_only = 1", {});
    read_only_ = true;
  }

  std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           RowSource& rows) override {
    // One prepared statement, rebound per row, inside one transaction: SQLite's fastest path.
    const Dialect& d = dialect();
    std::string cols;
    std::string marks;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      cols += (i ? ", " : "") + d.stored_ident(columns[i]);
      marks += i ? ", ?" : "?";
    }
    std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES ({})", d.stored_ident(table), cols, marks);
    bool own_tx = sqlite3_get_autocommit(db_) != 0;
    std::optional<Transaction> tx;
    if (own_tx) {
      tx.emplace(*this);
    }
    Statement stmt(db_, deadline_, sql);
    std::int64_t n = 0;
    Row row;
    while (rows.next(row)) {
      stmt.bind(row);
      stmt.step();
      ++n;
    }
    if (tx) {
      tx->commit();
    }
    return n;
  }

  std::unique_ptr<PreparedStatement> prepare(std::string_view sql) override {
    return std::make_unique<SqlitePrepared>(db_, deadline_, sql);
  }

  std::vector<std::string> list_tables() override {
    std::vector<std::string> out;
    auto r = query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name",
        {});
    while (r->next()) {
      out.push_back(r->get(0).to_text());
    }
    return out;
  }

  std::optional<TableDef> describe_table(std::string_view wanted) override {
    std::optional<Value> name = query_value(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)",
        std::vector<Value>{Value(wanted)});
    if (!name) {
      return std::nullopt;
    }
    TableDef t;
    t.name = name->to_text();
    std::string quoted = dialect().quote_ident(t.name);
    std::string create_sql =
        query_value("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                    std::vector<Value>{Value(t.name)})
            .value_or(Value(""))
            .to_text();
    bool autoincrement = to_upper(create_sql).find("AUTOINCREMENT") != std::string::npos;

    std::map<int, std::string> pk;
    auto cols = query(fmt::format("PRAGMA table_info({})", quoted), {});
    while (cols->next()) {
      Column c;
      c.name = cols->get(1).to_text();
      c.native_type = cols->get(2).to_text();
      classify_native_type(c.native_type, c.type, c.length);
      c.nullable = cols->get(3).as_int() == 0;
      c.default_value = parse_default(cols->get(4));
      if (int pos = static_cast<int>(cols->get(5).as_int()); pos > 0) {
        pk[pos] = c.name;
        c.nullable = false;
      }
      t.columns.push_back(std::move(c));
    }
    for (const auto& [pos, col] : pk) {
      t.primary_key.push_back(col);
    }
    if (autoincrement && t.primary_key.size() == 1) {
      for (Column& c : t.columns) {
        c.generated = c.generated || same_ident(c.name, t.primary_key[0]);
      }
    }

    std::vector<std::tuple<std::string, bool, std::string>> indexes;  // name, unique, origin
    auto il = query(fmt::format("PRAGMA index_list({})", quoted), {});
    while (il->next()) {
      indexes.emplace_back(il->get(1).to_text(), il->get(2).as_int() != 0, il->get(3).to_text());
    }
    for (const auto& [ix_name, unique, origin] : indexes) {
      if (origin == "pk") {
        continue;
      }
      std::vector<std::string> ix_cols;
      auto ii = query(fmt::format("PRAGMA index_info({})", dialect().quote_ident(ix_name)), {});
      while (ii->next()) {
        ix_cols.push_back(ii->get(2).to_text());
      }
      if (origin == "u") {
        // SQLite keeps no constraint names: report the key without one.
        t.unique_keys.push_back(Key{"", ix_cols});
      } else {
        t.indexes.push_back(Index{ix_name, ix_cols, unique});
      }
    }

    std::map<std::int64_t, ForeignKey> fks;
    auto fl = query(fmt::format("PRAGMA foreign_key_list({})", quoted), {});
    while (fl->next()) {
      ForeignKey& fk = fks[fl->get(0).as_int()];
      fk.ref_table = fl->get(2).to_text();
      fk.columns.push_back(fl->get(3).to_text());
      fk.ref_columns.push_back(fl->get(4).to_text());
      fk.on_delete_cascade = same_ident(fl->get(6).to_text(), "CASCADE");
    }
    for (auto& [id, fk] : fks) {
      t.foreign_keys.push_back(std::move(fk));
    }
    return t;
  }

  std::optional<std::int64_t> table_size_bytes(std::string_view table) override {
    std::optional<Value> name = query_value(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)",
        std::vector<Value>{Value(table)});
    if (!name) {
      return std::nullopt;
    }
    // The table's b-tree plus each of its index b-trees (autoindexes included). One equality
    // lookup per b-tree with aggregate = TRUE: dbstat then visits only that b-tree, where an
    // OR or IN over names makes it walk the whole file once per table.
    std::vector<std::string> btrees = {name->to_text()};
    auto ix = query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                    std::vector<Value>{*name});
    while (ix->next()) {
      btrees.push_back(ix->get(0).to_text());
    }
    std::int64_t bytes = 0;
    for (const std::string& b : btrees) {
      bytes += query_value("SELECT pgsize FROM dbstat WHERE name = ? AND aggregate = TRUE",
                           std::vector<Value>{Value(b)})
                   .value_or(Value(0))
                   .as_int();
    }
    return bytes;
  }

 private:
  // A read-only transaction set query_only; lift it again unless the whole connection is.
  void end_transaction() {
    if (end_read_only_) {
      sqlite3_exec(db_, "PRAGMA query_only = 0", nullptr, nullptr, nullptr);
      end_read_only_ = false;
    }
  }

  sqlite3* db_;
  std::string path_;
  StepDeadline deadline_;
  // Shared with cancellers, which may outlive the connection.
  std::shared_ptr<SqliteShared> shared_ = std::make_shared<SqliteShared>();
  Capabilities caps_;
  bool read_only_ = false;      // opened for reading only
  bool end_read_only_ = false;  // the open transaction set query_only
};

}  // namespace

namespace {

// "file:" URI for sqlite3_open_v2 with SQLITE_OPEN_URI; %, ? and # must be escaped in the path.
std::string file_uri(const std::string& path, const char* query) {
  std::string out = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + query;
}

std::unique_ptr<SqliteConnection> open_handle(const std::string& name, int flags,
                                              const std::string& path, const OpenOptions& options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, fmt::format("cannot open SQLite database {}", path));
    sqlite3_close_v2(db);
    throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before the handle is freed
  }
  // Waiting for another writer's lock is the lock timeout; 0 means no limit.
  sqlite3_busy_timeout(db, options.lock_timeout_ms > 0 ? options.lock_timeout_ms : INT_MAX);
  sqlite3_extended_result_codes(db, 1);
  return std::make_unique<SqliteConnection>(db, path, options.statement_timeout_ms);
}

bool file_exists(const std::string& path) {
  struct stat st {};

  return ::stat(path.c_str(), &st) == 0;
}

// Opens an existing database for reading only, leaving the directory as it was found.
// A read-only handle on a WAL database creates -wal and -shm but may not delete them on close
// (that needs the write lock), so they would stay behind. A read-write handle made
// query_only cannot change the data and, like any SQLite connection, removes them on close
// only when it holds the last connection (SQLite checks that with its own locks, which is
// why cutover never deletes them itself). -wal and -shm that were there before stay
// (SQLITE_FCNTL_PERSIST_WAL): a writer may be about to use them.
std::unique_ptr<SqliteConnection> open_for_reading(const std::string& path,
                                                   const OpenOptions& options) {
  bool had_wal = file_exists(path + "-wal");
  std::unique_ptr<SqliteConnection> conn;
  try {
    conn = open_handle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, path, options);
    conn->make_read_only();
    if (had_wal) {
      int persist = 1;
      sqlite3_file_control(conn->handle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    conn->execute("SELECT count(*) FROM sqlite_master", {});
    return conn;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::io) {
      throw;
    }
  }
  // Reading must not need write access. A WAL file whose directory we cannot write is read as
  // immutable: this process then assumes nobody changes it while it reads.
  try {
    conn = open_handle(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, path, options);
    conn->execute("SELECT count(*) FROM sqlite_master", {});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::io) {
      throw;
    }
    conn = open_handle(file_uri(path, "?immutable=1"),
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, path, options);
  }
  conn->make_read_only();
  return conn;
}

}  // namespace

std::unique_ptr<Connection> open_sqlite(const ConnectionSpec& spec, const OpenOptions& options) {
  struct stat st {};

  bool exists = ::stat(spec.path.c_str(), &st) == 0;
  if (!exists && !options.create) {
    throw Error(ErrorKind::config,
                fmt::format("SQLite database {} does not exist", echo(spec.path)),
                "check the path; 'cutover schema create' makes a new database");
  }
  if (exists && S_ISDIR(st.st_mode)) {
    throw Error(ErrorKind::config,
                fmt::format("{} is a directory, not a SQLite database", echo(spec.path)),
                "name the database file, e.g. sqlite:" + echo(spec.path) + "/is.db");
  }
  std::unique_ptr<SqliteConnection> conn;
  if (options.read_only && exists) {
    conn = open_for_reading(spec.path, options);
  } else {
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
    conn = open_handle(spec.path, flags, spec.path, options);
  }
  // Reading the schema proves the file is a database before anything else touches it.
  conn->execute("SELECT count(*) FROM sqlite_master", {});
  conn->execute("PRAGMA foreign_keys = ON", {});
  // 64 MiB of page cache: bulk loads into tables with many indexes spill far less.
  conn->execute("PRAGMA cache_size = -65536", {});
  if (!exists) {
    // WAL lets readers (status, verify) run beside the writer; it is a property of the file.
    conn->query_value("PRAGMA journal_mode = WAL", {});
  }
  return conn;
}

}  // namespace cutover::db
