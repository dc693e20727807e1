// PostgreSQL: $n placeholders, explicit <TABLE>_PK_SEQ sequences as WSO2's scripts use them
// (DEFAULT NEXTVAL), BYTEA for binary, ON CONFLICT upserts and row-value keyset paging.
#include <fmt/format.h>

#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

std::string sequence_of(const TableDef& t, const Column& c) {
  return c.sequence.empty() ? t.name + "_PK_SEQ" : c.sequence;
}

class PostgresDialect final : public Dialect {
 public:
  std::string name() const override { return "postgresql"; }

  std::string update_joined(const JoinedUpdate& u) const override {
    std::vector<std::string> sets;
    sets.reserve(u.set.size());
    for (const auto& [to, from] : u.set) {
      sets.push_back(fmt::format("{} = {}.{}", to, u.source_alias, from));
    }
    std::string target = u.table + ".";
    return fmt::format("UPDATE {} SET {} FROM {} {} WHERE {} AND {}", u.table,
                       fmt::join(sets, ", "), u.source, u.source_alias, u.where(target),
                       u.join(target));
  }

  std::string placeholder(int n) const override { return fmt::format("${}", n); }

  // X'..' is a bit string in PostgreSQL; bytea takes its hex input form.
  std::string binary_literal(std::string_view hex) const override {
    return fmt::format("'\\x{}'::bytea", hex);
  }

  std::string stored_ident(std::string_view stored) const override {
    return to_lower(stored) == stored ? ident(stored) : quote_ident(stored);
  }

  std::string column_type(const Column& c) const override {
    if (c.type == TypeKind::blob || c.type == TypeKind::longblob) {
      return "BYTEA";
    }
    return Dialect::column_type(c);
  }

  std::vector<std::string> create_table(const TableDef& t) const override {
    std::vector<std::string> out;
    for (const Column& c : t.columns) {
      if (c.generated) {
        out.push_back(fmt::format("CREATE SEQUENCE {}", ident(sequence_of(t, c))));
      }
    }
    for (std::string& s : Dialect::create_table(t)) {
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<std::string> drop_table(const TableDef& t) const override {
    std::vector<std::string> out = Dialect::drop_table(t);
    for (const Column& c : t.columns) {
      if (c.generated) {
        out.push_back(fmt::format("DROP SEQUENCE {}", ident(sequence_of(t, c))));
      }
    }
    return out;
  }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    return sqlite_on_conflict_upsert(*this, table, columns, key, "EXCLUDED", 1);
  }

  std::string upsert_rows(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int rows) const override {
    return sqlite_on_conflict_upsert(*this, table, columns, key, "EXCLUDED", rows);
  }

  // One text form for every value: ISO timestamps, hex bytea, UTC (db/value_format.h).
  std::vector<std::string> session_setup() const override {
    return {"SET DateStyle = 'ISO, YMD'", "SET bytea_output = 'hex'", "SET TimeZone = 'UTC'",
            "SET client_min_messages = 'warning'"};
  }

  // Runs inside a transaction that has not read yet (after BEGIN; psqlodbc sends its own).
  // The snapshot of a REPEATABLE READ transaction is taken by its first query, so SELECT 1
  // pins it to now; SET TRANSACTION SNAPSHOT must come before that query.
  std::vector<std::string> transaction_start(const TxOptions& o) const override {
    std::vector<std::string> out;
    std::string level = isolation_sql(snapshot_isolation(o));
    if (!level.empty() || o.read_only) {
      out.push_back(fmt::format("SET TRANSACTION {}{}{}", level,
                                !level.empty() && o.read_only ? ", " : "",
                                o.read_only ? "READ ONLY" : ""));
    }
    if (!o.snapshot_id.empty()) {
      out.push_back("SET TRANSACTION SNAPSHOT " + string_literal(o.snapshot_id));
    }
    if (o.consistent_snapshot || !o.snapshot_id.empty()) {
      out.emplace_back("SELECT 1");
    }
    return out;
  }

  std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int limit,
                          bool first) const override {
    return row_value_keyset_page(*this, table, columns, key, limit, first);
  }

  std::string sequence_resync(std::string_view table, const Column& c) const override {
    if (!c.generated || c.sequence.empty()) {
      return {};
    }
    return fmt::format("SELECT setval({}, (SELECT COALESCE(MAX({}), 0) + 1 FROM {}), false)",
                       string_literal(c.sequence), stored_ident(c.name), stored_ident(table));
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("({} + ({}) * INTERVAL '1 millisecond')", ts, ms);
  }

  // SHARE ROW EXCLUSIVE conflicts with itself and with every writer but lets readers
  // (inspect) through; it is held until the transaction ends. One statement, tables in the
  // caller's order, so two loaders never lock them in different orders.
  // Advisory locks belong to the current database, so the name needs no database in it.
  std::string try_session_lock(std::string_view name) const override {
    return fmt::format("SELECT CASE WHEN pg_try_advisory_lock(hashtext({})) THEN 1 ELSE 0 END",
                       string_literal(name));
  }

  LoadLock load_lock(const std::vector<std::string>& tables) const override {
    return lock_tables_in_mode(tables, "SHARE ROW EXCLUSIVE");
  }

 protected:
  std::string column_definition(const Column& c, const TableDef& t) const override {
    if (!c.generated) {
      return Dialect::column_definition(c, t);
    }
    // The sequence name is an unquoted identifier inside the literal, as in WSO2's scripts,
    // so it folds to lower case exactly like the CREATE SEQUENCE above.
    return fmt::format("{} {} DEFAULT NEXTVAL('{}') NOT NULL", ident(c.name), column_type(c),
                       ident(sequence_of(t, c)));
  }
};

}  // namespace

const Dialect& postgres_dialect() {
  static const PostgresDialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
