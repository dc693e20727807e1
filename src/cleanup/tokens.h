// cleanup tokens: removes the access tokens and authorization codes WSO2's cleanup procedures
// remove (token_selection.h), with their scope, binding and request-object rows, in small
// transactions in key order so a live server keeps issuing tokens meanwhile. Each batch
// commits on its own, so a killed run leaves whole batches and a rerun simply goes on.
// Never prints; reports progress through a callback.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cleanup/batch_delete.h"
#include "cleanup/token_selection.h"
#include "db/connection.h"

namespace cutover::cleanup {

struct TokenCleanupOptions {
  /// Tokens whose validity ended less than this long ago stay (WSO2's default: 2 hours).
  std::int64_t safe_period_s = 7200;
  /// Rows per transaction (default 10,000, WSO2's batchSize): larger batches are faster,
  /// smaller ones hold row locks for less time.
  int batch = 10000;
  /// Pause between batches in milliseconds (default 0); gives a busy server room.
  int pause_ms = 0;
  /// Time budget of one transaction (BatchOptions::max_transaction_ms); 0: fixed batches.
  int max_transaction_ms = 500;
  /// Copy each removed token into IDN_OAUTH2_ACCESS_TOKEN_AUDIT, in the same transaction.
  bool audit = false;
  /// Count only; change nothing.
  bool dry_run = false;
  /// The moment eligibility is judged at, "YYYY-MM-DD HH:MM:SS" UTC; empty: now.
  std::string now_utc;
};

struct TokenCleanupResult {
  TokenEstimate estimate;  ///< before the run (what --dry-run reports)
  /// Authorization codes the run removes: eligible before it, or once their token is gone.
  std::int64_t codes_eligible = 0;
  std::vector<RemovedRows> removed;  ///< per table, parents first
  std::int64_t audited = 0;          ///< rows copied into the audit table
  int batches = 0;
  double seconds = 0;
  double longest_batch_s = 0;  ///< the longest single transaction
  /// "TABLE.COLUMN" of each child whose foreign key to a token or code has no index starting
  /// with that column: the engine (PostgreSQL, SQLite; InnoDB always indexes them) scans the
  /// child for every parent row removed, which makes that table's batches slow.
  std::vector<std::string> unindexed_foreign_keys;
};

/// Throws a config error when the database has no usable token table, or --audit is asked
/// for and the audit table is missing.
TokenCleanupResult cleanup_tokens(db::Connection& conn, const TokenCleanupOptions& options,
                                  const Progress& progress = {});

}  // namespace cutover::cleanup
