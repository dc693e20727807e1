// cleanup sessions: removes the expired rows of IDN_AUTH_SESSION_STORE and
// IDN_AUTH_TEMP_SESSION_STORE (EXPIRY_TIME in nanoseconds before now minus the safe period,
// WSO2's session cleanup rule), then, WSO2's second phase, every store row of a session (id
// and type) that has a DELETE row older than 12 hours, and, once a session id has no store
// row left, its rows in the session mapping tables the database has. Batches in key order through
// batch_delete.h, so a live server keeps working and a killed run is simply run again. Never
// prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cleanup/batch_delete.h"
#include "db/connection.h"

namespace cutover::cleanup {

struct SessionCleanupOptions {
  /// Rows whose expiry is less than this long ago stay (WSO2's procedures: 2 hours).
  std::int64_t safe_period_s = 7200;
  /// Rows per transaction (default 5,000, WSO2's batchSize for sessions).
  int batch = 5000;
  /// Pause between batches in milliseconds (default 0).
  int pause_ms = 0;
  /// Time budget of one transaction (BatchOptions::max_transaction_ms); 0: fixed batches.
  int max_transaction_ms = 500;
  /// Rows of a session (id and type) with a DELETE row older than this go whatever their
  /// expiry (WSO2's second phase, "operational data": 12 hours).
  std::int64_t logged_out_period_s = 43200;
  /// Count only; change nothing.
  bool dry_run = false;
  /// The moment expiry is judged at, "YYYY-MM-DD HH:MM:SS" UTC; empty: now.
  std::string now_utc;
};

struct SessionCleanupResult {
  std::int64_t cutoff_ns = 0;  ///< rows with EXPIRY_TIME below this go
  std::int64_t sessions = 0;   ///< rows in IDN_AUTH_SESSION_STORE before the run
  std::int64_t sessions_eligible = 0;
  std::int64_t logged_out_cutoff_ns = 0;  ///< DELETE rows with TIME_CREATED below this count
  /// Store rows of sessions logged out before that cut-off, not already counted as expired.
  std::int64_t logged_out_eligible = 0;
  std::int64_t temp = 0;  ///< rows in IDN_AUTH_TEMP_SESSION_STORE before the run (0: absent)
  std::int64_t temp_eligible = 0;
  std::vector<std::string> mapping_tables;  ///< mapping tables found, cleaned with the sessions
  std::vector<RemovedRows> removed;         ///< per table, in the order first seen
  int batches = 0;
  double seconds = 0;
  double longest_batch_s = 0;
};

/// Throws a config error when the database has no usable IDN_AUTH_SESSION_STORE.
SessionCleanupResult cleanup_sessions(db::Connection& conn, const SessionCleanupOptions& options,
                                      const Progress& progress = {});

}  // namespace cutover::cleanup
