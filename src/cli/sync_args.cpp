#include "cli/sync_args.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "core/error.h"
#include "core/secret.h"
#include "db/dialect.h"
#include "schema/fingerprint.h"
#include "schema/live_tables.h"

namespace cutover::cli {

db::ConnectionSpec spec_of(const std::string& url, const char* what, const char* env,
                           const std::string& password_file) {
  if (url.empty()) {
    throw Error(ErrorKind::usage, fmt::format("no {} database given", what),
                fmt::format("name it with --{} URL", what));
  }
  db::ConnectionSpec spec = db::parse_url(url, db::UrlOrigin::argv);
  if (std::optional<Secret> pw = password_from(env, password_file)) {
    spec.password = *pw;
  }
  return spec;
}

std::string detect_version(db::Connection& conn, const schema::Product& product) {
  schema::VersionMatch m = schema::match_version(
      product, schema::live_catalogued_tables(conn, product), conn.dialect().name());
  if (m.versions.empty()) {
    throw Error(ErrorKind::config,
                fmt::format("no {} tables in the source database", product.title()),
                "check the URL, or name the version with --from");
  }
  return m.narrowed.empty() ? m.versions.front() : m.narrowed.front();
}

std::vector<std::string> table_list(const std::string& tables) {
  std::vector<std::string> out;
  std::string rest = tables;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string t = rest.substr(0, comma);
    if (!t.empty()) {
      out.push_back(t);
    }
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  return out;
}

sync::SyncConfig config_of(const SyncArgs& a, bool need_target) {
  sync::SyncConfig c;
  if (!a.config.empty() && !a.sync_properties.empty()) {
    throw Error(ErrorKind::usage, "--config and --sync-properties both given",
                "use one: a cutover sync config or WSO2's sync.properties");
  }
  if (!a.sync_properties.empty() && a.deployment_toml.empty()) {
    throw Error(ErrorKind::usage, "--sync-properties needs --deployment-toml",
                "the datasources its identitySchema names are defined there");
  }
  bool from_file = !a.config.empty() || !a.sync_properties.empty();
  if (!a.config.empty()) {
    c = sync::read_sync_toml(a.config);
  } else if (!a.sync_properties.empty()) {
    c = sync::read_sync_properties(a.sync_properties, a.deployment_toml);
  }
  if (a.product != "is" || !from_file) {
    c.product = a.product;
  }
  if (!a.source.empty() || !from_file) {
    c.source = spec_of(a.source, "source", "CUTOVER_SOURCE_PASSWORD", a.source_password_file);
  }
  if (need_target && (!a.target.empty() || !from_file)) {
    c.target = spec_of(a.target, "target", "CUTOVER_TARGET_PASSWORD", a.target_password_file);
  }
  if (!a.from.empty()) {
    c.from_version = a.from;
  }
  if (!a.to.empty()) {
    c.to_version = a.to;
  }
  if (!a.tables.empty()) {
    c.tables.clear();
  }
  for (std::string& t : table_list(a.tables)) {
    c.tables.push_back(std::move(t));
  }
  if (a.batch > 0) {
    c.batch_size = a.batch;
  }
  if (a.interval_ms > 0) {
    c.interval_ms = a.interval_ms;
  }
  if (a.jobs > 0) {
    c.jobs = a.jobs;
  }
  // Before anything connects: a hostile or unknown table name, the same database twice.
  sync::validate(c, need_target);
  return c;
}

void fill_versions(sync::SyncConfig& c, db::Connection& source) {
  const schema::Product& product = schema::product(c.product);
  if (c.from_version.empty()) {
    c.from_version = detect_version(source, product);
  }
  product.version_index(c.from_version);  // throws for unknown versions
  if (c.to_version.empty()) {
    c.to_version = c.from_version;
  }
  product.version_index(c.to_version);
}

}  // namespace cutover::cli
