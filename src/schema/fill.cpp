#include "schema/fill.h"

#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/utc_time.h"
#include "db/dialect.h"
#include "schema/catalogue.h"
#include "schema/fill_model.h"
#include "schema/fill_writer.h"
#include "schema/fingerprint.h"
#include "schema/live_tables.h"

namespace cutover::schema {

FillResult fill(db::Connection& conn, const FillOptions& options) {
  const Product& product = schema::product(options.product);
  if (options.rows < 0) {
    throw Error(ErrorKind::usage, "--rows must be zero or more");
  }
  parse_utc(options.base_time);  // reject a malformed time before touching anything

  // Which version the live tables are; fill writes exactly their columns.
  LiveTables live = live_catalogued_tables(conn, product);
  VersionMatch match = match_version(product, live, conn.dialect().name());
  if (match.tables_found == 0) {
    throw Error(ErrorKind::config,
                fmt::format("no {} tables to fill in this database", product.title()),
                "create them first: cutover schema create URL --product is --version V");
  }
  std::string version = options.version;
  std::string label = version;
  if (version.empty() && match.column_differences != 0) {
    // WSO2 keeps identity and shared (registry) tables in separate databases, which may hold
    // different versions; when each matches exactly on its own, fill each as what it is. Only
    // the registry's link style depends on the version, so the shared match decides it.
    VersionMatch identity =
        match_version(product, tables_of(product, live, Database::identity), conn.dialect().name());
    VersionMatch shared =
        match_version(product, tables_of(product, live, Database::shared), conn.dialect().name());
    if (identity.tables_found > 0 && shared.tables_found > 0 && identity.column_differences == 0 &&
        shared.column_differences == 0) {
      version = shared.versions.back();
      label = fmt::format("identity {}, shared {}", identity.label(), shared.label());
    }
  }
  if (version.empty()) {
    if (match.column_differences != 0) {
      throw Error(ErrorKind::config,
                  fmt::format("the tables match no {} version exactly (closest {}, {} "
                              "differences)",
                              product.title(), match.label(), match.column_differences),
                  "name the version with --version, or run 'cutover inspect' to see the "
                  "differences");
    }
    // Versions the catalogue cannot tell apart have the same tables: fill the newest.
    const std::vector<std::string>& candidates =
        match.narrowed.empty() ? match.versions : match.narrowed;
    version = candidates.back();
    label = candidates.size() == 1 ? version : candidates.front() + "-" + candidates.back();
  }
  int vindex = product.version_index(version);

  // Refuse to mix generated rows with existing ones: ids would collide.
  for (const auto& [name, def] : live) {
    std::optional<db::Value> any = conn.query_value(conn.dialect().any_row(def.name));
    if (any) {
      throw Error(ErrorKind::config, fmt::format("table {} already has rows", def.name),
                  "schema fill loads an empty schema; create a fresh database for it");
    }
  }

  // One transaction for everything: a failure or Ctrl-C leaves the tables empty.
  db::Transaction tx(conn);
  FillModel model(options, vindex <= product.version_index("5.8.0"));
  FillResult result;
  load_identity_tables(conn, model, live, result);
  load_registry_tables(conn, model, live, result);
  result.version = label;
  for (const auto& [name, def] : live_catalogued_tables(conn, product)) {
    for (const db::Column& c : def.columns) {
      if (std::string sql = conn.dialect().sequence_resync(def.name, c); !sql.empty()) {
        conn.query_value(sql);
      }
    }
  }
  tx.commit();
  return result;
}

}  // namespace cutover::schema
