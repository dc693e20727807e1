// cutover schema create | fill: make and load a product schema (demo, tests, benchmarks).
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "cli/command_table.h"
#include "cli/common.h"
#include "core/error.h"
#include "db/dialect.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"

namespace cutover::cli {

namespace {

// The largest --rows: about 600 million rows over all tables, loaded in one transaction; hours
// on a server, far beyond any realistic test deployment.
constexpr std::uint64_t kMaxFillRows = 100'000'000;

struct CreateArgs {
  DbOptions db;
  std::string product = "is";
  std::string version;
  std::string print_sql;
  std::string database = "all";
};

schema::DatabaseFilter filter_of(const std::string& s) {
  if (s == "identity") {
    return schema::DatabaseFilter::identity;
  }
  if (s == "shared") {
    return schema::DatabaseFilter::shared;
  }
  return schema::DatabaseFilter::all;
}

int run_create(const CreateArgs& a) {
  const schema::Product& product = schema::product(a.product);
  if (a.version.empty()) {
    throw Error(
        ErrorKind::usage, "schema create needs --version",
        fmt::format("known {} versions: {}", product.title(), fmt::join(product.versions(), ", ")));
  }
  int version = product.version_index(a.version);

  // Print only: no connection at all, any of the seven dialects.
  if (!a.print_sql.empty()) {
    if (!a.db.url.empty()) {
      throw Error(ErrorKind::usage, "--print-sql prints the DDL instead of running it",
                  "give either a database URL or --print-sql DIALECT, not both");
    }
    const db::Dialect& d = db::dialect_by_name(a.print_sql);
    print_out(schema::create_script(product, version, d, filter_of(a.database)));
    return 0;
  }

  db::ConnectionSpec spec = a.db.spec();
  std::unique_ptr<db::Connection> conn = open_db(spec, /*create=*/true);
  auto start = std::chrono::steady_clock::now();
  schema::CreateResult r = schema::create_schema(*conn, product, version, filter_of(a.database));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_out(fmt::format("created {} {}: {} tables, {} statements, in {} ({:.2f} s)\n",
                        product.title(), a.version, r.tables, r.statements, spec.redacted(), secs));
  return 0;
}

struct FillArgs {
  DbOptions db;
  schema::FillOptions fill;
};

int run_fill(const FillArgs& a) {
  db::ConnectionSpec spec = a.db.spec();
  std::unique_ptr<db::Connection> conn = open_db(spec);
  auto start = std::chrono::steady_clock::now();
  schema::FillResult r = schema::fill(*conn, a.fill);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& [table, n] : r.rows) {
    print_out(fmt::format("  {:<34} {:>12}\n", table, group_digits(n)));
  }
  print_out(fmt::format("filled {} ({} {}) with {} rows in {:.2f} s (seed {})\n", spec.redacted(),
                        schema::product(a.fill.product).title(), r.version,
                        group_digits(r.total_rows), secs, a.fill.seed));
  return 0;
}

}  // namespace

void add_schema_commands(CLI::App& app, Runner& selected) {
  CLI::App* schema_cmd = app.add_subcommand("schema", "create and fill product schemas");
  schema_cmd->require_subcommand(1);

  auto create = std::make_shared<CreateArgs>();  // shared: CLI11 binds into it until run
  CLI::App* c = schema_cmd->add_subcommand(
      "create",
      "create a product version's tables (our DDL from the catalogue) in an empty database, "
      "all or nothing; or print that DDL for any of seven dialects");
  create->db.add_to(*c);
  c->add_option("--product", create->product, "product: is (WSO2 Identity Server)")
      ->capture_default_str();
  c->add_option("--version", create->version,
                "product version, e.g. 5.8.0 (see the list in the error for unknown ones)");
  c->add_option("--print-sql,--print-ddl", create->print_sql,
                "print the DDL for DIALECT (sqlite, postgresql, mysql, oracle, mssql, db2, h2) "
                "instead of running it");
  c->add_option("--database", create->database,
                "which WSO2 database's tables: all, identity (IDN_*, IDP) or shared (REG_*)")
      ->check(CLI::IsMember({"all", "identity", "shared"}))
      ->capture_default_str();
  c->callback([&selected, create] { selected = [create] { return run_create(*create); }; });

  auto fill = std::make_shared<FillArgs>();
  CLI::App* f = schema_cmd->add_subcommand(
      "fill",
      "load realistic, deterministic data into an empty schema created by 'schema create' or "
      "WSO2's scripts (one transaction; nothing is left half-loaded)");
  fill->db.add_to(*f);
  f->add_option("--rows", fill->fill.rows,
                fmt::format("access-token rows, 0 to {}; other tables are sized from it "
                            "(scopes ~2x, codes 1/4, sessions 1/10, ...)",
                            kMaxFillRows))
      ->capture_default_str()
      ->check(whole_number(kMaxFillRows));
  f->add_option("--seed", fill->fill.seed,
                "random seed, 0 to 18446744073709551615: the same seed gives the same rows")
      ->capture_default_str()
      ->check(whole_number(std::numeric_limits<std::uint64_t>::max()));
  f->add_option("--product", fill->fill.product, "product: is")->capture_default_str();
  f->add_option("--version", fill->fill.version,
                "product version of the schema (default: detected from the tables)");
  f->add_option("--base-time", fill->fill.base_time,
                "newest TIME_CREATED, 'YYYY-MM-DD HH:MM:SS' UTC")
      ->capture_default_str();
  f->callback([&selected, fill] { selected = [fill] { return run_fill(*fill); }; });
}

}  // namespace cutover::cli
