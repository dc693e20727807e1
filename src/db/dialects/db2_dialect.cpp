// DB2 (generate only): identity columns, unique keys as UNIQUE INDEX (DB2 refuses a UNIQUE
// constraint over nullable columns, and WSO2's CON_APP_KEY has several), row-value keyset
// paging with FETCH FIRST, MERGE upserts.
#include <fmt/format.h>

#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

class Db2Dialect final : public Dialect {
 public:
  std::string name() const override { return "db2"; }

  std::string script_begin() const override { return {}; }

  std::string script_statement_end() const override { return "\n/\n"; }

  std::string stored_ident(std::string_view stored) const override {
    return upper_folding_stored_ident(*this, stored);
  }

  std::vector<std::string> create_table(const TableDef& t) const override {
    TableDef copy = t;
    copy.unique_keys.clear();
    std::vector<std::string> out = Dialect::create_table(copy);
    for (const Key& k : t.unique_keys) {
      std::string name = k.name.empty() ? t.name + "_UK" + std::to_string(out.size()) : k.name;
      out.push_back(fmt::format("CREATE UNIQUE INDEX {} ON {} ({})", ident(name), ident(t.name),
                                join_idents(k.columns)));
    }
    return out;
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("({} + (({}) / 1000) SECONDS)", ts, ms);
  }

  // DB2 locks one table per statement; EXCLUSIVE is its only mode that keeps other writers
  // out, held until the transaction ends.
  LoadLock load_lock(const std::vector<std::string>& tables) const override {
    LoadLock lock;
    for (const std::string& t : tables) {
      lock.in_transaction.push_back(
          fmt::format("LOCK TABLE {} IN EXCLUSIVE MODE", stored_ident(t)));
    }
    return lock;
  }

  std::string binary_literal(std::string_view hex) const override {
    return fmt::format("BX'{}'", hex);
  }

  std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int limit,
                          bool first) const override {
    std::string sql = row_value_keyset_page(*this, table, columns, key, limit, first);
    // row_value_keyset_page ends in LIMIT n; DB2 spells it FETCH FIRST.
    std::size_t at = sql.rfind(" LIMIT ");
    return sql.substr(0, at) + limit_clause(limit);
  }

 protected:
  std::string limit_clause(int limit) const override {
    return fmt::format(" FETCH FIRST {} ROWS ONLY", limit);
  }
};

}  // namespace

const Dialect& db2_dialect() {
  static const Db2Dialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
