// SQL Server (generate only): [bracket] quoting, DATETIME2 for TIMESTAMP (SQL Server's
// TIMESTAMP is a row version, not a time), VARBINARY(MAX), IDENTITY columns, MERGE upserts
// terminated by ';', SELECT TOP paging with the expanded keyset predicate.
#include <fmt/format.h>

#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

class MssqlDialect final : public Dialect {
 public:
  std::string name() const override { return "mssql"; }

  std::string update_joined(const JoinedUpdate& u) const override {
    std::string t = u.target_alias + ".";
    std::vector<std::string> sets;
    sets.reserve(u.set.size());
    for (const auto& [to, from] : u.set) {
      sets.push_back(fmt::format("{}{} = {}.{}", t, to, u.source_alias, from));
    }
    return fmt::format("UPDATE {} SET {} FROM {} {} JOIN {} {} ON {} WHERE {}", u.target_alias,
                       fmt::join(sets, ", "), u.table, u.target_alias, u.source, u.source_alias,
                       u.join(t), u.where(t));
  }

  std::string script_begin() const override { return "BEGIN TRANSACTION"; }

  std::string quote_ident(std::string_view name) const override {
    std::string out = "[";
    for (char c : name) {
      if (c == ']') {
        out += ']';
      }
      out += c;
    }
    return out + "]";
  }

  std::string column_type(const Column& c) const override {
    switch (c.type) {
      case TypeKind::timestamp:
        return "DATETIME2(6)";
      case TypeKind::blob:
      case TypeKind::longblob:
        return "VARBINARY(MAX)";
      default:
        return Dialect::column_type(c);
    }
  }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    return Dialect::upsert(table, columns, key) + ";";
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    // DATEADD takes an INT; whole seconds keep multi-year validity periods in range.
    return fmt::format("DATEADD(second, ({}) / 1000, {})", ms, ts);
  }

  std::string binary_literal(std::string_view hex) const override {
    return fmt::format("0x{}", hex);
  }

 protected:
  std::string column_definition(const Column& c, const TableDef& t) const override {
    if (c.generated) {
      return fmt::format("{} {} IDENTITY(1,1) NOT NULL", ident(c.name), column_type(c));
    }
    return Dialect::column_definition(c, t);
  }

  std::string select_prefix(int limit) const override {
    return fmt::format("SELECT TOP ({}) ", limit);
  }

  std::string limit_clause(int /*limit*/) const override { return {}; }
};

}  // namespace

const Dialect& mssql_dialect() {
  static const MssqlDialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
