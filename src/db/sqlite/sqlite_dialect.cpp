// SQLite: keeps WSO2's type names (VARCHAR(255), TIMESTAMP) so introspection shows them;
// timestamps are stored as ISO-8601 UTC text. AUTOINCREMENT only on a single INTEGER PRIMARY
// KEY; a generated column inside a composite key is a plain INTEGER filled by the writer.
#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

bool single_generated_pk(const TableDef& t, const Column& c) {
  return c.generated && t.primary_key.size() == 1 && same_ident(t.primary_key[0], c.name);
}

class SqliteDialect final : public Dialect {
 public:
  std::string name() const override { return "sqlite"; }

  // The write transaction already excludes every other writer; SQLite has no FOR UPDATE.
  std::string row_lock_suffix() const override { return {}; }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    return on_conflict_upsert(*this, table, columns, key, "excluded", 1);
  }

  std::string upsert_rows(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int rows) const override {
    return on_conflict_upsert(*this, table, columns, key, "excluded", rows);
  }

  std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int limit,
                          bool first) const override {
    return row_value_page(*this, table, columns, key, limit, first);
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("datetime(julianday({}) + ({}) / 86400000.0)", ts, ms);
  }

  // Every SQLite transaction is serializable. A writer takes the write lock at BEGIN, so two
  // writers fail fast on BEGIN instead of deadlocking on a read-to-write upgrade; a reader
  // takes none (with WAL it never blocks the writer). A deferred transaction takes its
  // snapshot at its first read: reading the schema pins it to begin. query_only makes writes
  // fail; the backend clears it when the transaction ends.
  std::vector<std::string> transaction_start(const TxOptions& o) const override {
    if (!o.snapshot_id.empty()) {
      throw Error(ErrorKind::unsupported, "SQLite cannot import a shared snapshot",
                  "give each reader its own consistent snapshot");
    }
    if (!o.read_only && !o.consistent_snapshot) {
      return {"BEGIN IMMEDIATE"};
    }
    std::vector<std::string> out = {"BEGIN DEFERRED"};
    if (o.read_only) {
      out.emplace_back("PRAGMA query_only = 1");
    }
    if (o.consistent_snapshot) {
      out.emplace_back("SELECT count(*) FROM sqlite_master");
    }
    return out;
  }

  // The backend begins with BEGIN IMMEDIATE, which takes the database's write lock: a second
  // loader waits for the first to end before its transaction starts.
  LoadLock load_lock(const std::vector<std::string>& /*tables*/) const override { return {}; }

  // Shared by PostgreSQL: INSERT ... ON CONFLICT (key) DO UPDATE.
  static std::string on_conflict_upsert(const Dialect& d, std::string_view table,
                                        const std::vector<std::string>& columns,
                                        const std::vector<std::string>& key,
                                        std::string_view excluded, int rows) {
    std::string cols;
    std::string values;
    std::string set;
    for (int r = 0; r < rows; ++r) {
      values += r ? "), (" : "";
      for (std::size_t i = 0; i < columns.size(); ++i) {
        values += (i ? ", " : "") + d.placeholder(static_cast<int>(r * columns.size() + i) + 1);
      }
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      cols += (i ? ", " : "") + d.stored_ident(columns[i]);
      bool is_key = std::any_of(key.begin(), key.end(),
                                [&](const std::string& k) { return same_ident(k, columns[i]); });
      if (!is_key) {
        set += fmt::format("{}{} = {}.{}", set.empty() ? "" : ", ", d.stored_ident(columns[i]),
                           excluded, d.stored_ident(columns[i]));
      }
    }
    std::string keys;
    for (std::size_t i = 0; i < key.size(); ++i) {
      keys += (i ? ", " : "") + d.stored_ident(key[i]);
    }
    std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) ",
                                  d.stored_ident(table), cols, values, keys);
    sql += set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set;
    return sql;
  }

  static std::string row_value_page(const Dialect& d, std::string_view table,
                                    const std::vector<std::string>& columns,
                                    const std::vector<std::string>& key, int limit, bool first) {
    std::string cols;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      cols += (i ? ", " : "") + d.stored_ident(columns[i]);
    }
    std::string keys;
    std::string params;
    for (std::size_t i = 0; i < key.size(); ++i) {
      keys += (i ? ", " : "") + d.stored_ident(key[i]);
      params += (i ? ", " : "") + d.placeholder(static_cast<int>(i) + 1);
    }
    std::string sql = fmt::format("SELECT {} FROM {}", cols, d.stored_ident(table));
    if (!first) {
      sql += key.size() == 1 ? fmt::format(" WHERE {} > {}", keys, params)
                             : fmt::format(" WHERE ({}) > ({})", keys, params);
    }
    return sql + fmt::format(" ORDER BY {} LIMIT {}", keys, limit);
  }

 protected:
  bool inline_primary_key(const TableDef& t) const override {
    return std::any_of(t.columns.begin(), t.columns.end(),
                       [&](const Column& c) { return single_generated_pk(t, c); });
  }

  std::string column_definition(const Column& c, const TableDef& t) const override {
    if (single_generated_pk(t, c)) {
      return fmt::format("{} INTEGER PRIMARY KEY AUTOINCREMENT", ident(c.name));
    }
    Column plain = c;
    plain.generated = false;  // filled by the writer inside composite keys
    return Dialect::column_definition(plain, t);
  }
};

}  // namespace

std::string sqlite_on_conflict_upsert(const Dialect& d, std::string_view table,
                                      const std::vector<std::string>& columns,
                                      const std::vector<std::string>& key,
                                      std::string_view excluded, int rows) {
  return SqliteDialect::on_conflict_upsert(d, table, columns, key, excluded, rows);
}

std::string row_value_keyset_page(const Dialect& d, std::string_view table,
                                  const std::vector<std::string>& columns,
                                  const std::vector<std::string>& key, int limit, bool first) {
  return SqliteDialect::row_value_page(d, table, columns, key, limit, first);
}

const Dialect& sqlite_dialect() {
  static const SqliteDialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
