// db::Dialect: produces SQL text for one SQL flavour and needs no connection, so the dialects
// we cannot run here (Oracle, SQL Server, DB2, H2) are still generated and golden-tested.
// The base class holds portable SQL; each dialect overrides only what differs. Dialects are
// stateless singletons, safe to share between threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/table_def.h"
#include "db/tx_options.h"
#include "db/value.h"

namespace cutover::db {

/// Statements that make one session the only writer of some tables while it loads them, so
/// that a check that they are empty, made inside its transaction, stays true until it commits;
/// a second loader waits for the first to end. Run `before_begin` before BEGIN, `in_transaction`
/// first thing after it, `after_end` once the transaction has committed or rolled back. A
/// statement that returns a value returns 1 when it got its lock.
struct LoadLock {
  std::vector<std::string> before_begin;
  std::vector<std::string> in_transaction;
  std::vector<std::string> after_end;
};

/// An UPDATE of `table` from one joined row of `source` (aliased `source_alias`), for
/// Dialect::update_joined. Identifiers are given ready to print. `join` and `where` build their
/// condition given how the statement names the target: a prefix ("l.", "TABLE.", or "" where
/// an unqualified name is meant), so each dialect can pick its own form.
struct JoinedUpdate {
  std::string table;
  std::string target_alias;  ///< used where the dialect aliases the target
  std::string source;
  std::string source_alias;
  std::vector<std::pair<std::string, std::string>> set;  ///< target column = source column
  std::function<std::string(const std::string& target)> join;
  std::function<std::string(const std::string& target)> where;
};

/// A DELETE of the rows of `table` (aliased `table_alias` where the dialect aliases it) that no
/// row of `other` (aliased `other_alias`) matches, for Dialect::delete_unmatched: `on` builds
/// the match given the prefix naming `table`; `other_key` is a NOT NULL column of `other`.
struct UnmatchedDelete {
  std::string table;
  std::string table_alias;
  std::string other;
  std::string other_alias;
  std::function<std::string(const std::string& table_prefix)> on;
  std::string other_key;
};

class Dialect {
 public:
  Dialect() = default;
  Dialect(const Dialect&) = delete;
  Dialect& operator=(const Dialect&) = delete;
  virtual ~Dialect() = default;

  /// "sqlite", "postgresql", "mysql", "oracle", "mssql", "db2", "h2".
  virtual std::string name() const = 0;

  /// An identifier as WSO2's scripts write it (bare) when that is safe, quoted otherwise, so a
  /// hostile name can never end the identifier early.
  std::string ident(std::string_view name) const;

  /// An identifier that names exactly `stored`, a name as the engine stores it (from
  /// list_tables / describe_table). Bare where that resolves to the same name, quoted
  /// otherwise: PostgreSQL folds bare names to lower case, so "IDN_X" created quoted needs quotes.
  virtual std::string stored_ident(std::string_view stored) const { return ident(stored); }

  /// The identifier always quoted, with embedded quote characters doubled.
  virtual std::string quote_ident(std::string_view name) const;
  /// A string literal with embedded quotes doubled.
  virtual std::string string_literal(std::string_view s) const;
  /// Placeholder for the n-th parameter, 1-based ("?" or "$n").
  virtual std::string placeholder(int n) const;
  /// A value written as a literal of this dialect, for SQL shown instead of run (a dry run):
  /// NULL, a number, a string literal (timestamps are text), or binary_literal for bytes.
  std::string value_literal(const Value& v) const;
  /// `sql` (this dialect's placeholders) with each placeholder replaced by value_literal of its
  /// parameter. Throws ErrorKind::internal when the counts do not match.
  std::string with_literals(std::string_view sql, const std::vector<Value>& params) const;
  /// Bytes as a literal, from their lower-case hex digits. Base: the standard X'..'.
  virtual std::string binary_literal(std::string_view hex) const;

  /// Column type as this dialect spells it.
  virtual std::string column_type(const Column& c) const;
  /// DEFAULT clause contents for a default value ("'ACTIVE'", "-1", "CURRENT_TIMESTAMP").
  virtual std::string default_sql(const Column& c) const;
  /// Statements creating the table with its keys and indexes (and sequences where used).
  virtual std::vector<std::string> create_table(const TableDef& t) const;
  /// Statements removing the table (and its sequences).
  virtual std::vector<std::string> drop_table(const TableDef& t) const;

  // The statements below work on live tables: table and column names are stored names (as
  // list_tables / describe_table report them), addressed exactly through stored_ident.

  /// INSERT that updates the non-key columns when a row with the same key exists, with the
  /// columns bound as parameters in order. Only the row with the given key is ever changed
  /// (never REPLACE, which deletes and re-inserts): a new key whose values collide with
  /// another row on a secondary unique key fails with ErrorKind::constraint on every engine
  /// and changes nothing, where MySQL's plain ON DUPLICATE KEY UPDATE would update that other
  /// row (DESIGN §3.2, CON_APP_KEY). The apply uses this statement as it is.
  virtual std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                             const std::vector<std::string>& key) const;
  /// The same upsert for `rows` rows in one statement (VALUES lists in order, parameters row
  /// after row), each row behaving as the single-row statement run in that order. Engines
  /// without a multi-row form support only rows == 1 (ErrorKind::unsupported otherwise).
  virtual std::string upsert_rows(std::string_view table, const std::vector<std::string>& columns,
                                  const std::vector<std::string>& key, int rows) const;
  /// Next page of `columns` ordered by `key` after the key values bound as parameters
  /// (key.size() of them, in key order); the first page when `first` is true (no parameters).
  virtual std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                                  const std::vector<std::string>& key, int limit, bool first) const;
  /// A query returning one row when `table` has any row and none when it is empty.
  std::string any_row(std::string_view table) const;
  /// Statement that moves a column's sequence past the largest value in the table after rows
  /// were loaded with explicit ids; empty where the engine does that itself.
  virtual std::string sequence_resync(std::string_view table, const Column& c) const;
  /// Expression: timestamp `ts` plus `ms` milliseconds (both SQL expressions).
  virtual std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const;
  /// How a loader becomes the only writer of `tables` (stored names). The base has no lock
  /// statement (portable SQL has none): a second loader then fails on the first duplicate key.
  virtual LoadLock load_lock(const std::vector<std::string>& tables) const;

  /// A statement that takes the session-level lock `name` (a short literal, not SQL) without
  /// waiting and returns 1 when it got it; the lock lasts until the session ends. Empty where the
  /// engine has none we can use without extra grants (the caller then locks another way).
  virtual std::string try_session_lock(std::string_view /*name*/) const { return {}; }

  /// The UPDATE `u` describes. Base: one correlated subquery per column, guarded by EXISTS
  /// (portable, and indexed through the join columns); engines with UPDATE ... FROM / JOIN
  /// override it with a join.
  virtual std::string update_joined(const JoinedUpdate& u) const;
  /// The anti-join DELETE `u` describes. Base: DELETE ... WHERE NOT EXISTS (never NOT IN).
  virtual std::string delete_unmatched(const UnmatchedDelete& u) const;

  /// A SELECT's tail that locks the rows it returns until the transaction ends (" FOR UPDATE");
  /// empty where a write transaction already excludes other writers (SQLite).
  virtual std::string row_lock_suffix() const { return " FOR UPDATE"; }

  /// How a printed script opens a transaction ("BEGIN"); empty where the first statement
  /// opens one implicitly (Oracle, DB2).
  virtual std::string script_begin() const { return "BEGIN"; }

  /// What ends each statement of a printed script: ";\n", or Oracle's and DB2's "\n/\n".
  virtual std::string script_statement_end() const { return ";\n"; }

  /// Statements run right after connecting, natively and through ODBC alike, so values come
  /// back in one text form (db/value_format.h): UTC, ISO timestamps, hex binary.
  virtual std::vector<std::string> session_setup() const { return {}; }

  /// Statements that give the next transaction the options `o`. Run when the session has left
  /// autocommit but done nothing yet (PostgreSQL: after BEGIN, or with autocommit off through
  /// ODBC, whose drivers send BEGIN themselves); where only the starting statement takes the
  /// options (MySQL, SQLite) the list includes it. Throws ErrorKind::unsupported for an option
  /// the engine cannot honour, never ignores one.
  virtual std::vector<std::string> transaction_start(const TxOptions& o) const;

 protected:
  /// Column definition inside CREATE TABLE.
  virtual std::string column_definition(const Column& c, const TableDef& t) const;

  /// True when the primary key is declared on its column instead of as a table constraint.
  virtual bool inline_primary_key(const TableDef& /*t*/) const { return false; }

  /// Text after the closing parenthesis of CREATE TABLE (engine, charset).
  virtual std::string table_options(const TableDef& t) const;
  /// Index statement; the base form is portable.
  virtual std::string create_index(const TableDef& t, const Index& ix) const;
  /// load_lock of engines with PostgreSQL's LOCK TABLE: one statement over all `tables`
  /// (stored names, in the caller's order, so two loaders never lock them in different orders)
  /// in `mode`, held until the transaction ends.
  LoadLock lock_tables_in_mode(const std::vector<std::string>& tables, std::string_view mode) const;
  /// ORDER BY/LIMIT tail of a keyset page.
  virtual std::string limit_clause(int limit) const;
  virtual std::string select_prefix(int limit) const;
  std::string key_after(const std::vector<std::string>& key) const;
  std::string join_idents(const std::vector<std::string>& names) const;
  /// Stored names joined with ", ", each through stored_ident.
  std::string join_stored(const std::vector<std::string>& names) const;
};

/// The dialect with that name; throws a config error listing the known names otherwise.
const Dialect& dialect_by_name(std::string_view name);
/// Names of all seven dialects, in a stable order.
const std::vector<std::string>& dialect_names();

}  // namespace cutover::db
