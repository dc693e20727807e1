#include "schema/fill.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

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

namespace {

// A version named with --version must be complete: a missing table would silently get no rows
// while the others fill. (Detection never picks a version with a missing table.)
void refuse_missing_tables(const Product& product, const LiveTables& live, std::string_view dialect,
                           int version) {
  std::vector<std::string> missing = missing_tables(product, live, dialect, version);
  if (missing.empty()) {
    return;
  }
  constexpr std::size_t kNamed = 5;
  std::string names = fmt::format(
      "{}",
      fmt::join(missing.begin(),
                missing.begin() + static_cast<std::ptrdiff_t>(std::min(missing.size(), kNamed)),
                ", "));
  if (missing.size() > kNamed) {
    names += fmt::format(" and {} more", missing.size() - kNamed);
  }
  const std::string& v = product.versions()[static_cast<std::size_t>(version)];
  throw Error(ErrorKind::config,
              fmt::format("the schema lacks {} table{} of {} {}: {}", missing.size(),
                          missing.size() == 1 ? "" : "s", product.title(), v, names),
              "fill loads complete schemas; 'cutover inspect URL' shows how this one differs, "
              "'cutover schema create' creates a complete one");
}

// Refuses to mix generated rows with existing ones: ids would collide.
void refuse_rows(db::Connection& conn, const LiveTables& live) {
  for (const auto& [name, def] : live) {
    std::optional<db::Value> any = conn.query_value(conn.dialect().any_row(def.name));
    if (any) {
      throw Error(ErrorKind::config, fmt::format("table {} already has rows", def.name),
                  "schema fill loads an empty schema; create a fresh database for it");
    }
  }
}

// Runs the dialect's load lock (db::LoadLock) and, on destruction, releases what outlives the
// transaction. Declared before the db::Transaction, so it ends after it.
class WriterLock {
 public:
  WriterLock(db::Connection& conn, db::LoadLock statements)
      : conn_(conn), statements_(std::move(statements)) {}

  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  ~WriterLock() {
    if (!taken_) {
      return;
    }
    for (const std::string& sql : statements_.after_end) {
      try {
        conn_.query_value(sql);
      } catch (const Error&) {
        // The lock is the session's: closing the connection releases it too.
      }
    }
  }

  const db::LoadLock& statements() const { return statements_; }

  void run(const std::vector<std::string>& sqls) {
    for (const std::string& sql : sqls) {
      taken_ = true;  // from the first attempt: a lock granted as the reply was lost is held
      std::optional<db::Value> got = conn_.query_value(sql);
      if (got && (got->is_null() || got->to_text() != "1")) {
        throw Error(ErrorKind::sql, "could not lock the tables for loading",
                    "another 'schema fill' may be loading this database; retry when it ends");
      }
    }
  }

 private:
  db::Connection& conn_;
  db::LoadLock statements_;
  bool taken_ = false;
};

}  // namespace

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
  if (!options.version.empty()) {
    refuse_missing_tables(product, live, conn.dialect().name(), vindex);
  }

  // One transaction for everything: a failure or Ctrl-C leaves the tables empty. The tables
  // are locked against other writers first and checked for rows inside the transaction, so of
  // two fills at once the second waits and then sees the first one's rows.
  std::vector<std::string> tables;
  for (const auto& [upper, def] : live) {
    tables.push_back(def.name);
  }
  WriterLock lock(conn, conn.dialect().load_lock(tables));
  lock.run(lock.statements().before_begin);
  db::Transaction tx(conn);
  lock.run(lock.statements().in_transaction);
  refuse_rows(conn, live);

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
