// capture: change capture on a source database (DESIGN §3.1, §3.5, §3.7): one journal per
// database, AFTER INSERT/UPDATE/DELETE row triggers per captured table, a metadata table that
// lists what was installed, and removal of all of it. The SQL comes from a CaptureDialect
// (capture/capture_dialect.h), so the four engines we cannot run still get their DDL printed.
// Functions here run on the caller's connection from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"

namespace cutover::capture {

/// Our object names, the same on every engine (30 characters at most, Oracle's old limit).
inline constexpr const char* kJournal = "CUTOVER_JOURNAL";      ///< the change journal
inline constexpr const char* kCaptureMeta = "CUTOVER_CAPTURE";  ///< what prepare installed
/// SQLite only: the applier holds a row here inside its own write transactions, and the
/// triggers skip journaling while one exists (SQLite has no session variables; it has one
/// writer at a time, so the row marks exactly the applier's writes).
inline constexpr const char* kApplyingMarker = "CUTOVER_APPLYING";
/// Metadata rows (kCaptureMeta: TABLE_NAME, POS, VAL): TABLE_NAME kMetaGlobal holds the
/// journal's own facts at POS 0 (journal id), 1 (format), 2 (state), 3 (pruned through); each
/// captured table has POS 0 = its state and POS 1..n = its key columns. States: kStateInstalling
/// until the triggers are in, then kStateReady.
inline constexpr const char* kMetaGlobal = "*";
inline constexpr const char* kStateInstalling = "installing";
inline constexpr const char* kStateReady = "ready";
/// Journal format written into the metadata; readers refuse newer formats.
inline constexpr int kJournalFormat = 1;
/// Most key columns a captured table may have (the journal's K1..K4).
inline constexpr std::size_t kMaxKeyColumns = 4;

/// One captured table: stored name and the columns that identify a row (primary key, or the
/// first unique key where the table has none), stored names too.
struct CapturedTable {
  std::string name;
  std::vector<std::string> key;
  /// PostgreSQL: the schema holding the journal, pinned in the trigger functions' search_path
  /// (before pg_temp, so a temporary table cannot stand in for the journal); empty: public.
  std::string schema;
};

/// The capture installed on a database, as its metadata table lists it.
struct CaptureInfo {
  std::string journal_id;  ///< random id chosen by prepare; the target's progress names it
  int format = 0;
  bool complete = false;  ///< every listed table has its triggers
  std::vector<CapturedTable> tables;
};

struct InstallOptions {
  /// Longest any DDL statement waits for a table lock before it gives up and retries, so
  /// writers queued behind it on a busy source wait at most about this long.
  int lock_timeout_ms = 150;
  /// Attempts per table before prepare fails with a lock timeout.
  int attempts = 50;
};

/// Reads the capture metadata, or nullopt when the database has none.
std::optional<CaptureInfo> read_capture(db::Connection& conn);

/// Installs journal, metadata and triggers for `requested` (PostgreSQL, MySQL/MariaDB, SQLite).
/// Refuses (config error, nothing changed) when a capture is already complete; continues an
/// installation a crash interrupted. Each table's triggers go in under a short lock timeout
/// with retries. Returns the capture as installed.
CaptureInfo install(db::Connection& conn, const std::vector<CapturedTable>& requested,
                    const InstallOptions& options = {});

/// A fresh random journal id (16 hex digits), as install() and a printed script record it.
std::string new_journal_id();

/// The DDL install() runs, for a DBA, in any of the seven dialects, with the metadata rows
/// install() writes (journal `journal_id`), so copy, run, status and remove work after a DBA
/// ran it. A script stopped half-way leaves the capture marked incomplete, which the next
/// `sync prepare` continues.
std::string install_script(std::string_view dialect, const std::vector<CapturedTable>& tables,
                           std::string_view journal_id);
/// The DDL remove() runs, in any of the seven dialects.
std::string remove_script(std::string_view dialect, const std::vector<CapturedTable>& tables);

/// Drops every trigger, function, journal and metadata table capture created on this database
/// (listed in its metadata); does nothing when there is none. Returns the tables whose
/// triggers were dropped.
std::vector<std::string> remove(db::Connection& conn);

/// Highest journal value pruned so far (0: none), from the metadata; set by the apply's prune
/// inside its own transaction, so a copy knows which missing values are gaps and which are gone.
std::int64_t pruned_through(db::Connection& conn);
void set_pruned_through(db::Connection& conn, std::int64_t seq);

/// Statements the applier runs once per session so its writes are not journaled (DESIGN
/// §3.5): a session variable the triggers check. Empty where the engine has none (SQLite).
std::vector<std::string> applier_session_setup(const db::Connection& conn);
/// Statements the applier runs first inside each write transaction, and before committing it,
/// for the same purpose (SQLite's marker row); empty elsewhere. Safe on a database without
/// capture.
std::vector<std::string> applier_transaction_begin(db::Connection& conn);
std::vector<std::string> applier_transaction_end(db::Connection& conn);

}  // namespace cutover::capture
