// Oracle (generate only; executed in the field through ODBC): VARCHAR2, NUMBER(19) for BIGINT,
// identity columns (12c+) instead of WSO2's sequence-plus-trigger pairs, MERGE ... FROM DUAL
// upserts, FETCH FIRST paging with the expanded keyset predicate (no row-value comparison).
#include <algorithm>

#include <fmt/format.h>

#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

class OracleDialect final : public Dialect {
 public:
  std::string name() const override { return "oracle"; }

  std::string script_begin() const override { return {}; }

  std::string script_statement_end() const override { return "\n/\n"; }

  std::string stored_ident(std::string_view stored) const override {
    return upper_folding_stored_ident(*this, stored);
  }

  std::string column_type(const Column& c) const override {
    switch (c.type) {
      case TypeKind::varchar:
        return fmt::format("VARCHAR2({})", c.length);
      case TypeKind::bigint:
        return "NUMBER(19)";
      case TypeKind::smallint:
        return "NUMBER(5)";
      default:
        return Dialect::column_type(c);
    }
  }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    std::string select;
    std::string on;
    std::string set;
    std::string insert_values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string col = stored_ident(columns[i]);
      select += fmt::format("{}{} AS {}", i ? ", " : "", placeholder(static_cast<int>(i) + 1), col);
      insert_values += fmt::format("{}s.{}", i ? ", " : "", col);
      bool is_key = std::any_of(key.begin(), key.end(),
                                [&](const std::string& k) { return same_ident(k, columns[i]); });
      std::string& target = is_key ? on : set;
      target +=
          fmt::format("{}d.{} = s.{}", target.empty() ? "" : (is_key ? " AND " : ", "), col, col);
    }
    std::string sql = fmt::format("MERGE INTO {} d USING (SELECT {} FROM DUAL) s ON ({})",
                                  stored_ident(table), select, on);
    if (!set.empty()) {
      sql += " WHEN MATCHED THEN UPDATE SET " + set;
    }
    return sql + fmt::format(" WHEN NOT MATCHED THEN INSERT ({}) VALUES ({})", join_stored(columns),
                             insert_values);
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("({} + NUMTODSINTERVAL(({}) / 1000, 'SECOND'))", ts, ms);
  }

  std::string binary_literal(std::string_view hex) const override {
    return fmt::format("HEXTORAW('{}')", hex);
  }

  // Oracle's LOCK TABLE takes PostgreSQL's syntax and modes; held until the transaction ends.
  LoadLock load_lock(const std::vector<std::string>& tables) const override {
    return lock_tables_in_mode(tables, "SHARE ROW EXCLUSIVE");
  }

 protected:
  std::string limit_clause(int limit) const override {
    return fmt::format(" FETCH FIRST {} ROWS ONLY", limit);
  }
};

}  // namespace

const Dialect& oracle_dialect() {
  static const OracleDialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
