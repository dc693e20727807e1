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
};

/// Reads a cutover sync config (TOML). Throws config errors naming the file, the key and what
/// to write instead; passwords come from the file's `password` keys or the environment.
SyncConfig read_sync_toml(const std::filesystem::path& file);

/// Reads WSO2's sync.properties (sourceVersion, targetVersion, batchSize, syncInterval,
/// syncTables, identitySchema=<source id>,<target id>) with the datasources of
/// `deployment_toml` that identitySchema names.
SyncConfig read_sync_properties(const std::filesystem::path& properties,
                                const std::filesystem::path& deployment_toml);

/// The seed's four tables plus IDN_OAUTH2_TOKEN_BINDING, IDN_OAUTH2_AUTHZ_CODE_SCOPE and
/// IDN_AUTH_SESSION_STORE, each where both versions have it, in the catalogue's order.
std::vector<std::string> default_tables(std::string_view product, std::string_view from_version,
                                        std::string_view to_version);

}  // namespace cutover::sync
