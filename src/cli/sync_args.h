// cli sync args: the options the sync commands and verify share (two databases, versions,
// tables, a cutover sync config or WSO2's sync.properties) and how they become a SyncConfig.
// One place, so `sync copy` and `verify` read the same command line the same way.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "db/connection.h"
#include "db/url.h"
#include "schema/catalogue.h"
#include "sync/config.h"

namespace cutover::cli {

/// The options every sync command shares.
struct SyncArgs {
  std::string source;
  std::string target;
  std::string source_password_file;
  std::string target_password_file;
  std::string from;
  std::string to;
  std::string tables;
  std::string product = "is";
  int batch = 0;
  int interval_ms = 0;
  int jobs = 0;
  std::string print_sql;
  bool json = false;
  bool once = false;
  bool reverse = false;
  std::string timeout = "60s";
  bool all_tables = false;
  bool common_columns = false;
  std::string config;
  std::string sync_properties;
  std::string deployment_toml;

  void add_config(CLI::App& c) {
    c.add_option("--config", config,
                 "a cutover sync config (TOML, docs/sync-config.md); options given on the "
                 "command line win over it");
    c.add_option("--sync-properties", sync_properties,
                 "WSO2's sync.properties, read unchanged; needs --deployment-toml for the "
                 "datasources its identitySchema names");
    c.add_option("--deployment-toml", deployment_toml,
                 "the deployment.toml whose [[datasource]] blocks --sync-properties names");
  }

  void add_source(CLI::App& c) {
    c.add_option("--source", source, "the old deployment's database URL (the journal lives here)");
    c.add_option("--source-password-file", source_password_file,
                 "read the source password from FILE (else CUTOVER_SOURCE_PASSWORD)");
  }

  void add_target(CLI::App& c) {
    c.add_option("--target", target, "the new deployment's database URL");
    c.add_option("--target-password-file", target_password_file,
                 "read the target password from FILE (else CUTOVER_TARGET_PASSWORD)");
  }

  void add_versions(CLI::App& c) {
    c.add_option("--from,--source-version", from,
                 "source product version, e.g. 5.8.0 (default: detected from the source)");
    c.add_option("--to,--target-version", to, "target product version (default: --from)");
    c.add_option("--tables", tables,
                 "comma-separated tables to sync (default: the seed's four plus "
                 "IDN_OAUTH2_TOKEN_BINDING, IDN_OAUTH2_AUTHZ_CODE_SCOPE, IDN_AUTH_SESSION_STORE "
                 "where both versions have them)");
    c.add_option("--product", product, "product: is")->capture_default_str();
  }
};

/// The spec of --source or --target `url`, with the password from `password_file` or `env`.
db::ConnectionSpec spec_of(const std::string& url, const char* what, const char* env,
                           const std::string& password_file);

/// The product version the live `conn` holds; a config error when it holds none.
std::string detect_version(db::Connection& conn, const schema::Product& product);

/// "A,B,,C" -> {"A", "B", "C"}.
std::vector<std::string> table_list(const std::string& tables);

/// The config from the file named (--config or --sync-properties) with the command line's
/// options over it; validated. Without `need_target` the target is not read.
sync::SyncConfig config_of(const SyncArgs& a, bool need_target);

/// Detects the source version when not given (the target's defaults to it); throws for
/// versions the catalogue does not know.
void fill_versions(sync::SyncConfig& c, db::Connection& source);

}  // namespace cutover::cli
