#include "schema/live_tables.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace cutover::schema {

LiveTables live_catalogued_tables(db::Connection& conn, const Product& product) {
  LiveTables live;
  std::vector<std::string> names = conn.list_tables();
  for (const TableSpec& spec : product.specs()) {
    bool present = std::any_of(names.begin(), names.end(),
                               [&](const std::string& n) { return db::same_ident(n, spec.name); });
    if (!present) {
      continue;
    }
    if (std::optional<db::TableDef> t = conn.describe_table(spec.name)) {
      live.emplace(db::to_upper(spec.name), std::move(*t));
    }
  }
  return live;
}

LiveTables tables_of(const Product& product, const LiveTables& live, Database database) {
  LiveTables out;
  for (const TableSpec& spec : product.specs()) {
    auto it = live.find(db::to_upper(spec.name));
    if (it != live.end() && spec.database == database) {
      out.insert(*it);
    }
  }
  return out;
}

}  // namespace cutover::schema
