#include "plan/inspect.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"
#include "db/dialect.h"
#include "schema/live_tables.h"

namespace cutover::plan {

InspectReport inspect(db::Connection& conn, const std::string& target,
                      const InspectOptions& options) {
  const schema::Product& product = schema::product(options.product);
  InspectReport report;
  report.target = target;
  report.backend = conn.backend();
  report.dialect = conn.dialect().name();
  report.server_version = conn.server_version();
  report.product_title = product.title();

  // Which version: compare the live catalogued tables with every version.
  schema::LiveTables live = schema::live_catalogued_tables(conn, product);
  report.match = schema::match_version(product, live, conn.dialect().name());
  schema::LiveTables identity = schema::tables_of(product, live, schema::Database::identity);
  schema::LiveTables shared = schema::tables_of(product, live, schema::Database::shared);
  if (!identity.empty() && !shared.empty()) {
    report.by_database.emplace_back(
        "identity", schema::match_version(product, identity, conn.dialect().name()));
    report.by_database.emplace_back("shared",
                                    schema::match_version(product, shared, conn.dialect().name()));
  }
  if (report.match.tables_found == 0) {
    std::size_t n = conn.list_tables().size();
    throw Error(ErrorKind::config,
                fmt::format("no {} tables in {} ({} other table{})", product.title(), target, n,
                            n == 1 ? "" : "s"),
                "check the database name in the URL; 'cutover schema create' creates the tables");
  }

  // Sizes: rows of every catalogued table, bytes where the engine reports them.
  for (const auto& [upper, def] : live) {
    throw_if_cancelled();
    TableStats s;
    s.name = def.name;
    s.rows = conn.query_value(
                     fmt::format("SELECT COUNT(*) FROM {}", conn.dialect().stored_ident(def.name)))
                 .value_or(db::Value(0))
                 .as_int();
    if (conn.capabilities().table_sizes) {
      s.bytes = conn.table_size_bytes(def.name);
      s.bytes_estimated = conn.capabilities().sizes_are_estimates;
    }
    report.tables.push_back(std::move(s));
  }
  std::sort(report.tables.begin(), report.tables.end(),
            [](const TableStats& a, const TableStats& b) {
              return a.rows != b.rows ? a.rows > b.rows : a.name < b.name;
            });

  // Cleanup estimate, when the token table has the columns it needs.
  auto tokens = live.find("IDN_OAUTH2_ACCESS_TOKEN");
  if (tokens != live.end() && cleanup::token_table_usable(tokens->second)) {
    report.cleanup = cleanup::estimate_tokens(conn, tokens->second, options.now_utc,
                                              std::int64_t{options.safe_period_hours} * 3600);
  }
  return report;
}

}  // namespace cutover::plan
