#include "capture/capture.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "capture/capture_dialect.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/retry.h"

namespace cutover::capture {

namespace {

constexpr const char* kGlobal = kMetaGlobal;
constexpr const char* kInstalling = kStateInstalling;
constexpr const char* kReady = kStateReady;

bool has_table(db::Connection& conn, std::string_view name) {
  return conn.describe_table(name).has_value();
}

void put_meta(db::Connection& conn, std::string_view table, int pos, std::string_view val) {
  const db::Dialect& d = conn.dialect();
  std::vector<db::Value> key = {db::Value(table), db::Value(pos)};
  conn.execute(fmt::format("DELETE FROM {} WHERE TABLE_NAME = {} AND POS = {}", kCaptureMeta,
                           d.placeholder(1), d.placeholder(2)),
               key);
  std::vector<db::Value> row = {db::Value(table), db::Value(pos), db::Value(val)};
  conn.execute(fmt::format("INSERT INTO {} (TABLE_NAME, POS, VAL) VALUES ({}, {}, {})",
                           kCaptureMeta, d.placeholder(1), d.placeholder(2), d.placeholder(3)),
               row);
}

// Runs `work` in a transaction, again after a lock timeout or deadlock: a busy source gives
// us its locks between its own short transactions.
void in_retried_transaction(db::Connection& conn, const InstallOptions& options,
                            const std::function<void()>& work) {
  db::RetryPolicy policy;
  policy.max_attempts = options.attempts;
  policy.first_backoff = std::chrono::milliseconds(50);
  policy.max_backoff = std::chrono::milliseconds(1000);
  db::with_retry(
      [&] {
        db::Transaction tx(conn);
        work();
        tx.commit();
      },
      policy);
}

// Runs one statement that takes a captured table's lock. PostgreSQL and SQLite wait at most
// the session's lock timeout (OpenOptions::lock_timeout_ms, set by the caller). MySQL's and
// MariaDB's lock_wait_timeout is whole seconds (MariaDB 10.11 refuses 0.2; 0 means no wait at
// all, which a steady stream of short transactions would starve), so on MariaDB the statement
// runs under SET STATEMENT max_statement_time, fractional seconds, which also ends a metadata
// lock wait: writers queued behind the DDL wait at most that long. That stop is retried like a
// lock timeout. MySQL has no such bound: there the floor is lock_wait_timeout = 1 s.
void locking_ddl(db::Connection& conn, const std::string& sql, const InstallOptions& options,
                 bool mariadb) {
  if (!mariadb || options.lock_timeout_ms <= 0) {
    conn.execute(sql);
    return;
  }
  try {
    conn.execute(fmt::format("SET STATEMENT max_statement_time = {:.3f} FOR {}",
                             options.lock_timeout_ms / 1000.0, sql));
  } catch (const Error& e) {
    if (!e.statement_timeout()) {
      throw;
    }
    throw Error(ErrorKind::timeout,
                fmt::format("a table lock was not granted within {} ms", options.lock_timeout_ms),
                "another session holds the table; prepare retries")
        .with_code(e.sqlstate(), e.native_code(), "mysql")
        .with_traits({.retryable = true, .lock_not_available = true});
  }
}

// MariaDB/MySQL with binary logging refuses CREATE TRIGGER from a user without SUPER unless
// log_bin_trust_function_creators is on: say so instead of passing the server's words on.
[[noreturn]] void rethrow_with_privilege_hint(const Error& e, const db::Connection& conn) {
  if (conn.dialect().name() == "mysql" && e.native_code() == 1419) {
    throw Error(ErrorKind::auth,
                "the server has binary logging on and refuses triggers from a user without SUPER",
                "set log_bin_trust_function_creators = 1 (SET GLOBAL, or in my.cnf) or run "
                "prepare as a user with SUPER; see 'cutover sync --help'");
  }
  throw e;
}

// Before anything is created, where the engine lets us ask: a prepare that stops at the first
// trigger for want of a privilege would leave a journal behind.
void check_privileges(db::Connection& conn, const std::vector<CapturedTable>& tables,
                      const InstallOptions& options, bool mariadb) {
  std::string d = conn.dialect().name();
  if (d == "postgresql") {
    // CREATE TRIGGER needs the table's ownership or the TRIGGER privilege; the journal and the
    // functions need CREATE on the schema.
    auto yes = [&](const std::string& sql, const std::vector<db::Value>& params) {
      return conn.query_value(fmt::format("SELECT CASE WHEN {} THEN 1 ELSE 0 END", sql), params)
                 .value_or(db::Value(0))
                 .as_int() == 1;
    };
    if (!yes("has_schema_privilege(current_schema(), 'CREATE')", {})) {
      throw Error(ErrorKind::auth,
                  "this user may not create tables in the source's schema (no CREATE on it)",
                  "run prepare as the schema's owner (usually the IS's database user), or GRANT "
                  "CREATE ON SCHEMA to this user; see 'cutover sync --help'");
    }
    for (const CapturedTable& t : tables) {
      std::vector<db::Value> name = {db::Value(conn.dialect().stored_ident(t.name))};
      if (!yes("has_table_privilege($1, 'TRIGGER')", name)) {
        throw Error(
            ErrorKind::auth,
            fmt::format("this user is neither the owner of table {} nor has TRIGGER on it", t.name),
            "run prepare as the tables' owner (usually the IS's database user), or GRANT "
            "TRIGGER ON the synced tables to this user; see 'cutover sync --help'");
      }
    }
  } else if (d == "mysql" && !tables.empty()) {
    // With binary logging on, even DROP TRIGGER IF EXISTS of a trigger that is not there is
    // refused for want of SUPER (error 1419): dropping the first table's triggers (ours, made
    // by an interrupted prepare if they exist at all) asks the server without creating
    // anything.
    try {
      for (const std::string& s : capture_dialect(d).drop_triggers(tables.front())) {
        locking_ddl(conn, s, options, mariadb);
      }
    } catch (const Error& e) {
      rethrow_with_privilege_hint(e, conn);
    }
  }
}

}  // namespace

std::string new_journal_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw Error(ErrorKind::internal, "no random bytes for the journal id");
  }
  std::string out;
  for (unsigned char b : bytes) {
    out += fmt::format("{:02x}", b);
  }
  return out;
}

std::optional<CaptureInfo> read_capture(db::Connection& conn) {
  if (!has_table(conn, kCaptureMeta)) {
    return std::nullopt;
  }
  CaptureInfo info;
  std::string state;
  std::vector<std::pair<std::string, std::string>> table_state;
  std::unique_ptr<db::RowReader> r = conn.query(
      fmt::format("SELECT TABLE_NAME, POS, VAL FROM {} ORDER BY TABLE_NAME, POS", kCaptureMeta));
  while (r->next()) {
    std::string table = r->get(0).to_text();
    std::int64_t pos = r->get(1).as_int();
    std::string val = r->get(2).is_null() ? "" : r->get(2).to_text();
    if (table == kGlobal) {
      if (pos == 0) {
        info.journal_id = val;
      } else if (pos == 1) {
        info.format = static_cast<int>(db::Value(val).as_int());
      } else if (pos == 2) {
        state = val;
      }
      continue;
    }
    if (info.tables.empty() || info.tables.back().name != table) {
      info.tables.push_back({table, {}, {}});
      table_state.emplace_back(table, "");
    }
    if (pos == 0) {
      table_state.back().second = val;
    } else {
      info.tables.back().key.push_back(val);
    }
  }
  r.reset();
  if (info.format > kJournalFormat) {
    throw Error(ErrorKind::config,
                fmt::format("the capture on this database has journal format {}; this cutover "
                            "reads format {} at most",
                            info.format, kJournalFormat),
                "use the cutover version that ran prepare, or a newer one");
  }
  info.complete =
      state == kReady && std::all_of(table_state.begin(), table_state.end(),
                                     [](const auto& ts) { return ts.second == kReady; });
  return info;
}

CaptureInfo install(db::Connection& conn, const std::vector<CapturedTable>& requested,
                    const InstallOptions& options) {
  const CaptureDialect& cd = capture_dialect(conn.dialect().name());
  std::vector<CapturedTable> tables = requested;
  if (conn.dialect().name() == "postgresql") {
    // The trigger functions pin the schema the journal is created in: this session's.
    std::string schema = conn.query_value("SELECT current_schema()").value_or("public").to_text();
    for (CapturedTable& t : tables) {
      t.schema = schema;
    }
  }
  for (const CapturedTable& t : tables) {
    if (t.key.empty() || t.key.size() > kMaxKeyColumns) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} has {} key columns; capture needs 1 to {}", t.name,
                              t.key.size(), kMaxKeyColumns));
    }
  }
  std::optional<CaptureInfo> existing = read_capture(conn);
  if (existing && existing->complete) {
    std::int64_t pending =
        conn.query_value(fmt::format("SELECT COUNT(*) FROM {}", kJournal)).value_or(0).as_int();
    throw Error(ErrorKind::config,
                fmt::format("capture is already installed here (journal {}, {} entries not yet "
                            "pruned); nothing changed",
                            existing->journal_id, pending),
                "'cutover sync status' shows it; 'cutover sync remove' drops it to start over "
                "(the journal is lost)");
  }

  bool mariadb = conn.dialect().name() == "mysql" &&
                 conn.server_version().find("MariaDB") != std::string::npos;
  db::with_retry([&] { check_privileges(conn, tables, options, mariadb); });
  try {
    // 1. Journal and metadata (a crash before the metadata says "ready" is continued by the
    //    next prepare). Transactional DDL on PostgreSQL and SQLite; MariaDB commits each.
    if (!existing) {
      in_retried_transaction(conn, options, [&] {
        for (const std::string& s : cd.create_journal()) {
          conn.execute(s);
        }
      });
      in_retried_transaction(conn, options, [&] {
        put_meta(conn, kGlobal, 0, new_journal_id());
        put_meta(conn, kGlobal, 1, std::to_string(kJournalFormat));
        put_meta(conn, kGlobal, 2, kInstalling);
      });
    }
    // 2. Per table: list it first (so remove finds a half-installed table), then its
    //    triggers under the short lock timeout, then mark it ready.
    for (const CapturedTable& t : tables) {
      in_retried_transaction(conn, options, [&] {
        conn.execute(fmt::format("DELETE FROM {} WHERE TABLE_NAME = {}", kCaptureMeta,
                                 conn.dialect().placeholder(1)),
                     std::vector<db::Value>{db::Value(t.name)});
        put_meta(conn, t.name, 0, kInstalling);
        for (std::size_t i = 0; i < t.key.size(); ++i) {
          put_meta(conn, t.name, static_cast<int>(i + 1), t.key[i]);
        }
      });
      in_retried_transaction(conn, options, [&] {
        for (const std::string& s : cd.drop_triggers(t)) {
          locking_ddl(conn, s, options, mariadb);
        }
        for (const std::string& s : cd.create_triggers(t)) {
          locking_ddl(conn, s, options, mariadb);
        }
        put_meta(conn, t.name, 0, kReady);
      });
    }
    in_retried_transaction(conn, options, [&] { put_meta(conn, kGlobal, 2, kReady); });
  } catch (const Error& e) {
    rethrow_with_privilege_hint(e, conn);
  }
  std::optional<CaptureInfo> done = read_capture(conn);
  if (!done || !done->complete) {
    throw Error(ErrorKind::internal, "capture metadata incomplete after install");
  }
  return *done;
}

// Our triggers (and PostgreSQL trigger functions) that the metadata does not list: a dump
// restored without the CUTOVER_ tables still carries them, and each would make every write of
// the new IS fail on the missing journal. Found by name (CO_..._AI/AU/AD, CO_..._FN) and by a
// body that writes CUTOVER_JOURNAL, so nobody else's trigger is touched.
void drop_unlisted_triggers(db::Connection& conn) {
  std::string d = conn.dialect().name();
  std::string sql;
  if (d == "postgresql") {
    sql =
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
        "n.nspname = current_schema() AND upper(p.proname) LIKE 'CO\\_%\\_FN' AND "
        "upper(p.prosrc) LIKE '%CUTOVER_JOURNAL%'";
  } else if (d == "mysql") {
    sql =
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
        "AND UPPER(TRIGGER_NAME) LIKE 'CO\\_%' AND UPPER(ACTION_STATEMENT) LIKE "
        "'%CUTOVER_JOURNAL%'";
  } else if (d == "sqlite") {
    sql =
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND upper(name) LIKE 'CO\\_%' "
        "ESCAPE '\\' AND upper(sql) LIKE '%CUTOVER_JOURNAL%'";
  } else {
    return;
  }
  std::vector<std::string> names;
  std::unique_ptr<db::RowReader> r = conn.query(sql);
  while (r->next()) {
    names.push_back(r->get(0).to_text());
  }
  r.reset();
  for (const std::string& n : names) {
    std::string drop =
        d == "postgresql"
            ? fmt::format("DROP FUNCTION IF EXISTS {}() CASCADE", conn.dialect().stored_ident(n))
            : fmt::format("DROP TRIGGER IF EXISTS {}", conn.dialect().stored_ident(n));
    conn.execute(drop);
  }
}

std::vector<std::string> remove(db::Connection& conn) {
  const CaptureDialect& cd = capture_dialect(conn.dialect().name());
  std::optional<CaptureInfo> info = read_capture(conn);
  std::vector<std::string> removed;
  if (!info) {
    drop_unlisted_triggers(conn);
    // A journal without metadata (a crash inside the first prepare step) still goes.
    if (has_table(conn, kJournal)) {
      conn.execute(fmt::format("DROP TABLE {}", kJournal));
    }
    if (has_table(conn, kApplyingMarker)) {
      conn.execute(fmt::format("DROP TABLE {}", kApplyingMarker));
    }
    return removed;
  }
  // Triggers first: from here on nothing writes to the journal.
  for (const CapturedTable& t : info->tables) {
    try {
      db::with_retry([&] {
        db::Transaction tx(conn);
        for (const std::string& s : cd.drop_triggers(t)) {
          conn.execute(s);
        }
        tx.commit();
      });
    } catch (const Error& e) {
      rethrow_with_privilege_hint(e, conn);
    }
    removed.push_back(t.name);
  }
  drop_unlisted_triggers(conn);
  for (const std::string& s : cd.drop_journal()) {
    // Each drop only when its table is there, so a remove a crash interrupted finishes.
    bool present = true;
    for (const char* name : {kJournal, kCaptureMeta, kApplyingMarker}) {
      if (s.find(name) != std::string::npos) {
        present = has_table(conn, name);
      }
    }
    if (present) {
      conn.execute(s);
    }
  }
  return removed;
}

std::int64_t pruned_through(db::Connection& conn) {
  std::optional<db::Value> v = conn.query_value(
      fmt::format("SELECT VAL FROM {} WHERE TABLE_NAME = '{}' AND POS = 3", kCaptureMeta, kGlobal));
  return v && !v->is_null() ? db::Value(v->to_text()).as_int() : 0;
}

void set_pruned_through(db::Connection& conn, std::int64_t seq) {
  put_meta(conn, kGlobal, 3, std::to_string(seq));
}

std::vector<std::string> applier_session_setup(const db::Connection& conn) {
  std::string d = conn.dialect().name();
  if (d == "postgresql") {
    return {"SET cutover.applying = 'on'"};
  }
  if (d == "mysql") {
    return {"SET @cutover_applying = 1"};
  }
  return {};
}

std::vector<std::string> applier_transaction_begin(db::Connection& conn) {
  if (conn.dialect().name() == "sqlite" && has_table(conn, kApplyingMarker)) {
    return {fmt::format("INSERT INTO {} (ID) VALUES (1)", kApplyingMarker)};
  }
  return {};
}

std::vector<std::string> applier_transaction_end(db::Connection& conn) {
  if (conn.dialect().name() == "sqlite" && has_table(conn, kApplyingMarker)) {
    return {fmt::format("DELETE FROM {}", kApplyingMarker)};
  }
  return {};
}

}  // namespace cutover::capture
