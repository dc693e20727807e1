// sync config: what a sync (and verify) works on: two databases, two product versions, the
// tables, batch size and interval. Built from the command line, from a cutover sync TOML file,
// or from WSO2's own sync.properties plus the [[datasource]] blocks of a deployment.toml.
// Plain values; the readers are pure functions of their files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/url.h"

namespace cutover::sync {

struct SyncConfig {
  db::ConnectionSpec source;  ///< the old deployment's database (journal lives here)
  db::ConnectionSpec target;  ///< the new deployment's database
  std::string product = "is";
  std::string from_version;  ///< source product version ("5.8.0"); empty: detect
  std::string to_version;    ///< target product version; empty: same as from
  /// Tables to sync, as the catalogue names them; empty: default_tables().
  std::vector<std::string> tables;
  /// Journal entries per apply batch. WSO2's tool uses 100; larger batches amortise the
  /// round trips (5,000 applies ~50k rows/s) at the price of longer target transactions.
  int batch_size = 5000;
  /// Pause between apply polls when the journal is empty, ms (WSO2's syncInterval: 5000).
  int interval_ms = 200;
  /// A journal sequence value still missing after this long is taken as rolled back, where
  /// the engine cannot prove it (MySQL/MariaDB). Longer than any IS transaction.
  int max_transaction_age_s = 300;
  /// Parallel connections for copy.
  int jobs = 4;
  /// The reverse direction (new -> old, for rollback after the switch): made by reversed(),
  /// never read from a file. from_version is then the NEW version and to_version the old one,
  /// so a version transform made from (from_version, to_version) is the reverse transform.
  bool reverse = false;
};

/// The same sync in the other direction (sync/gate.h arms it at cutover): source and target
/// swapped, versions swapped, `reverse` set. Not passed through validate(): its target version
/// is older than its source's by design.
SyncConfig reversed(const SyncConfig& config);

/// Reads a cutover sync config (TOML, format in docs/sync-config.md). Throws config errors
/// naming the file, the key and what to write instead; unknown keys are errors. A password comes
/// from the URL, `password_env` or `password_file`, else CUTOVER_SOURCE_PASSWORD /
/// CUTOVER_TARGET_PASSWORD. The result has passed validate().
SyncConfig read_sync_toml(const std::filesystem::path& file);

/// Reads WSO2's sync.properties (sourceVersion, targetVersion, batchSize, syncInterval,
/// syncTables, identitySchema=<source id>,<target id>) with the datasources of
/// `deployment_toml` that identitySchema names (by [[datasource]] id or JNDI name). Keys the
/// file leaves out take SyncConfig's defaults. The result has passed validate().
SyncConfig read_sync_properties(const std::filesystem::path& properties,
                                const std::filesystem::path& deployment_toml);

/// Throws a config error for a config no sync may run on: source and target the same database
/// (same server and database name, or the same SQLite file however spelt), a table name the
/// product's catalogue lacks (echoed safely) or listed twice, a version the catalogue does not
/// know, a target version older than the source's, or a number out of its range. Without
/// `with_target` (sync prepare, which never opens a target) the target is not looked at.
void validate(const SyncConfig& config, bool with_target = true);

/// True when the two specs name the same database: same scheme, server (loopback names and
/// socket paths count as one local server) and database, or the same SQLite file.
bool same_database(const db::ConnectionSpec& a, const db::ConnectionSpec& b);

/// The seed's four tables plus IDN_OAUTH2_TOKEN_BINDING, IDN_OAUTH2_AUTHZ_CODE_SCOPE and
/// IDN_AUTH_SESSION_STORE, each where both versions have it, in the catalogue's order.
std::vector<std::string> default_tables(std::string_view product, std::string_view from_version,
                                        std::string_view to_version);

}  // namespace cutover::sync
