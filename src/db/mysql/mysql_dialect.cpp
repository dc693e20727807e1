// MySQL / MariaDB: backtick quoting, AUTO_INCREMENT, InnoDB with latin1 per table (WSO2's index
// widths exceed the key-length limit under utf8mb4), explicit NULL on nullable TIMESTAMPs so
// servers without explicit_defaults_for_timestamp add no hidden ON UPDATE clause.
#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

class MysqlDialect final : public Dialect {
 public:
  std::string name() const override { return "mysql"; }

  // STRAIGHT_JOIN: the rows to update drive and the source is looked up per row. With stale
  // statistics (a freshly loaded registry) MariaDB otherwise drove from the source and found
  // the targets through an index on the WHERE column (REG_PATH_ID IS NULL), visiting every
  // unpathed link once per resource: minutes where this plan takes a second.
  std::string update_joined(const JoinedUpdate& u) const override {
    std::string t = u.target_alias + ".";
    std::vector<std::string> sets;
    sets.reserve(u.set.size());
    for (const auto& [to, from] : u.set) {
      sets.push_back(fmt::format("{}{} = {}.{}", t, to, u.source_alias, from));
    }
    return fmt::format("UPDATE {} {} STRAIGHT_JOIN {} {} ON {} SET {} WHERE {}", u.table,
                       u.target_alias, u.source, u.source_alias, u.join(t), fmt::join(sets, ", "),
                       u.where(t));
  }

  // MariaDB runs a single-table DELETE's NOT EXISTS once per row; the multi-table form is
  // planned as a join.
  std::string delete_unmatched(const UnmatchedDelete& u) const override {
    return fmt::format(
        "DELETE {a} FROM {t} {a} LEFT JOIN {o} {oa} ON {on} WHERE {oa}.{key} IS NULL",
        fmt::arg("a", u.table_alias), fmt::arg("t", u.table), fmt::arg("o", u.other),
        fmt::arg("oa", u.other_alias), fmt::arg("on", u.on(u.table_alias + ".")),
        fmt::arg("key", u.other_key));
  }

  std::string script_begin() const override { return "START TRANSACTION"; }

  std::string quote_ident(std::string_view name) const override {
    std::string out = "`";
    for (char c : name) {
      if (c == '`') {
        out += '`';
      }
      out += c;
    }
    return out + "`";
  }

  std::string string_literal(std::string_view s) const override {
    // Backslash is an escape character in MySQL string literals unless NO_BACKSLASH_ESCAPES.
    std::string out = "'";
    for (char c : s) {
      if (c == '\'' || c == '\\') {
        out += c;
      }
      out += c;
    }
    return out + "'";
  }

  std::string column_type(const Column& c) const override {
    if (c.type == TypeKind::longblob) {
      return "LONGBLOB";
    }
    return Dialect::column_type(c);
  }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    return upsert_rows(table, columns, key, 1);
  }

  std::string upsert_rows(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int rows) const override {
    // MySQL cannot name the conflict target: ON DUPLICATE KEY fires on any unique key, so a
    // new key whose secondary unique values collide with another row would update that row
    // (DESIGN §3.2, CON_APP_KEY). The first assignment guards against it: it keeps the key
    // when the row found has the given key and sets it to NULL otherwise, which the strict
    // sql_mode every connection sets (mysql_connection.cpp, odbc_connection.cpp) turns into
    // ER_BAD_NULL_ERROR, a constraint error, before anything changes. Assignments run left to
    // right, so the guard sees the found row's key. `key` is the primary key (NOT NULL).
    std::string cols;
    std::string values;
    std::string same_key;
    std::string set;
    for (std::size_t i = 0; i < key.size(); ++i) {
      std::string k = stored_ident(key[i]);
      same_key += fmt::format("{}{} <=> VALUES({})", i ? " AND " : "", k, k);
    }
    std::string first_key = stored_ident(key.at(0));
    set = fmt::format("{} = IF({}, {}, NULL)", first_key, same_key, first_key);
    for (int r = 0; r < rows; ++r) {
      values += r ? "), (" : "";
      for (std::size_t i = 0; i < columns.size(); ++i) {
        values += (i ? ", " : "") + placeholder(static_cast<int>(r * columns.size() + i) + 1);
      }
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string col = stored_ident(columns[i]);
      cols += (i ? ", " : "") + col;
      bool is_key = std::any_of(key.begin(), key.end(),
                                [&](const std::string& k) { return same_ident(k, columns[i]); });
      if (!is_key) {
        set += fmt::format(", {} = VALUES({})", col, col);
      }
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON DUPLICATE KEY UPDATE {}",
                       stored_ident(table), cols, values, set);
  }

  std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int limit,
                          bool first) const override {
    return row_value_keyset_page(*this, table, columns, key, limit, first);
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("TIMESTAMPADD(MICROSECOND, ({}) * 1000, {})", ms, ts);
  }

  // TIMESTAMPs travel in UTC; strict mode turns truncation into errors instead of warnings.
  // sql_mode is explicit, not appended to the server's: NO_BACKSLASH_ESCAPES or ANSI_QUOTES
  // would change how this dialect's literals and identifiers parse.
  std::vector<std::string> session_setup() const override {
    return {
        "SET SESSION time_zone = '+00:00', sql_mode = "
        "'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"};
  }

  // SET TRANSACTION applies to the next transaction only; WITH CONSISTENT SNAPSHOT makes
  // InnoDB take the read view at START rather than at the first read. Through ODBC the
  // session is in autocommit-off mode with nothing done yet, where START TRANSACTION is legal.
  std::vector<std::string> transaction_start(const TxOptions& o) const override {
    if (!o.snapshot_id.empty()) {
      throw Error(ErrorKind::unsupported, "MySQL/MariaDB cannot import a shared snapshot",
                  "give each reader its own consistent snapshot");
    }
    std::vector<std::string> out;
    std::string level = isolation_sql(snapshot_isolation(o));
    if (!level.empty()) {
      out.push_back("SET TRANSACTION " + level);
    }
    std::string start = "START TRANSACTION";
    if (o.consistent_snapshot) {
      start += " WITH CONSISTENT SNAPSHOT";
    }
    if (o.read_only) {
      start += o.consistent_snapshot ? ", READ ONLY" : " READ ONLY";
    }
    out.push_back(start);
    return out;
  }

  // InnoDB's locking reads on empty tables take gap locks that two loaders can both hold (and
  // then deadlock on insert), and LOCK TABLES commits the open transaction. A named lock per
  // database instead: taken before BEGIN, so the transaction's snapshot starts after the
  // previous loader committed, and released after it ends. GET_LOCK returns 1 when it got the
  // lock; it waits up to a year (MariaDB answers NULL to a negative, "infinite", timeout). The
  // name is at most 64 characters: a digest of the database name.
  // Named locks are server-wide: the database's digest makes them per database (and keeps the
  // name within 64 characters for a short `name`).
  std::string try_session_lock(std::string_view name) const override {
    return fmt::format("SELECT GET_LOCK(CONCAT({}, MD5(DATABASE())), 0)", string_literal(name));
  }

  LoadLock load_lock(const std::vector<std::string>& /*tables*/) const override {
    LoadLock lock;
    lock.before_begin.emplace_back(
        "SELECT GET_LOCK(CONCAT('cutover_load_', MD5(DATABASE())), 31536000)");
    lock.after_end.emplace_back("SELECT RELEASE_LOCK(CONCAT('cutover_load_', MD5(DATABASE())))");
    return lock;
  }

 protected:
  std::string column_definition(const Column& c, const TableDef& t) const override {
    if (c.generated) {
      return fmt::format("{} {} NOT NULL AUTO_INCREMENT", ident(c.name), column_type(c));
    }
    std::string out = Dialect::column_definition(c, t);
    bool in_pk = std::any_of(t.primary_key.begin(), t.primary_key.end(),
                             [&](const std::string& k) { return same_ident(k, c.name); });
    if (c.type == TypeKind::timestamp && c.nullable && !in_pk) {
      out += " NULL";
    }
    return out;
  }

  std::string table_options(const TableDef& /*t*/) const override {
    return " ENGINE=InnoDB DEFAULT CHARACTER SET latin1";
  }
};

}  // namespace

const Dialect& mysql_dialect() {
  static const MysqlDialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
