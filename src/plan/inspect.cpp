#include "plan/inspect.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/utc_time.h"
#include "db/dialect.h"
#include "schema/live_tables.h"

namespace cutover::plan {

namespace {

// "YYYY-MM-DD HH:MM:SS" minus hours, without a database round trip.
std::string minus_hours(const std::string& utc, int hours) {
  return utc_text(parse_utc(utc) - std::int64_t{hours} * 3600);
}

CleanupEstimate estimate_cleanup(db::Connection& conn, const db::TableDef& tokens,
                                 const InspectOptions& options) {
  const db::Dialect& d = conn.dialect();
  CleanupEstimate est;
  est.safe_period_hours = options.safe_period_hours;
  std::string now = options.now_utc.empty() ? utc_now_text() : options.now_utc;
  std::string cutoff = minus_hours(now, options.safe_period_hours);
  // Live names, quoted where the engine needs it to find exactly them.
  auto col = [&](const char* name) { return d.stored_ident(tokens.find_column(name)->name); };
  std::string table = d.stored_ident(tokens.name);
  // WSO2's cleanup treats validity periods outside 0..99999999999990 ms as never expiring.
  std::string finite = "BETWEEN 0 AND 99999999999990";
  std::string access_end = d.timestamp_plus_ms(col("TIME_CREATED"), col("VALIDITY_PERIOD"));
  std::string refresh_end =
      d.timestamp_plus_ms(col("REFRESH_TOKEN_TIME_CREATED"), col("REFRESH_TOKEN_VALIDITY_PERIOD"));
  std::string sql = fmt::format(
      "SELECT {state}, COUNT(*), SUM(CASE WHEN {state} = 'ACTIVE' AND {vp} {finite} AND {rvp} "
      "{finite} AND {access_end} < {p1} AND {refresh_end} < {p2} THEN 1 ELSE 0 END) "
      "FROM {table} GROUP BY {state}",
      fmt::arg("state", col("TOKEN_STATE")), fmt::arg("vp", col("VALIDITY_PERIOD")),
      fmt::arg("rvp", col("REFRESH_TOKEN_VALIDITY_PERIOD")), fmt::arg("finite", finite),
      fmt::arg("access_end", access_end), fmt::arg("refresh_end", refresh_end),
      fmt::arg("p1", d.placeholder(1)), fmt::arg("p2", d.placeholder(2)), fmt::arg("table", table));
  std::vector<db::Value> params{db::Value(cutoff), db::Value(cutoff)};
  auto r = conn.query(sql, params);
  while (r->next()) {
    std::string state = r->get(0).is_null() ? "" : r->get(0).to_text();
    std::int64_t count = r->get(1).as_int();
    std::int64_t ended = r->get(2).is_null() ? 0 : r->get(2).as_int();
    est.total_tokens += count;
    if (state == "EXPIRED") {
      est.expired += count;
    } else if (state == "INACTIVE") {
      est.inactive += count;
    } else if (state == "REVOKED") {
      est.revoked += count;
    } else if (state == "ACTIVE") {
      est.active_but_ended += ended;
    }
  }
  est.eligible = est.expired + est.inactive + est.revoked + est.active_but_ended;
  return est;
}

}  // namespace

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
  if (tokens != live.end()) {
    const db::TableDef& t = tokens->second;
    bool has_columns = true;
    for (const char* c : {"TOKEN_STATE", "TIME_CREATED", "VALIDITY_PERIOD",
                          "REFRESH_TOKEN_TIME_CREATED", "REFRESH_TOKEN_VALIDITY_PERIOD"}) {
      has_columns = has_columns && t.find_column(c) != nullptr;
    }
    if (has_columns) {
      report.cleanup = estimate_cleanup(conn, t, options);
    }
  }
  return report;
}

}  // namespace cutover::plan
