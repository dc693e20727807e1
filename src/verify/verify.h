// verify: are the source's rows (after the version transform) the target's rows? Per table the
// key is walked in chunks; each chunk's row count and order-independent hash
// (verify/canonical.h) is computed on both sides, in the database where it can, and a differing
// chunk is narrowed by bisection to the exact rows, which are then compared column by column.
// Engines never print: progress goes to a callback, the result says what was found. Opens its
// own connections (jobs per side); run_verify is not meant to be called from two threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/value.h"
#include "sync/config.h"
#include "verify/canonical.h"

namespace cutover::verify {

struct VerifyOptions {
  /// Connections per side; chunks of one table are checked this many at a time. More helps
  /// until one side's CPU or disk is saturated.
  int jobs = 2;
  /// Rows in the first chunk; later chunks are sized so that one takes about chunk_seconds.
  std::int64_t first_chunk_rows = 1'000;
  double chunk_seconds = 0.5;
  std::int64_t min_chunk_rows = 200;
  std::int64_t max_chunk_rows = 100'000;
  /// A differing range is bisected until neither side holds more rows than this; those rows
  /// are then read and compared one by one.
  std::int64_t leaf_rows = 64;
  /// Differing rows described (values shown) per table; all are counted.
  std::size_t listed_rows = 100;
  /// Differing keys kept per table for a repair step; all are counted. About 100 bytes each
  /// (more for long composite keys): memory stays bounded however different the tables are.
  std::size_t kept_keys = 200'000;
  /// A table both sides sum in SQL is first summed whole, one sequential scan per side; only
  /// when the sums differ is it walked in chunks (or streamed) to find the rows. Not while a
  /// sync is set up between the two (verify/live.h): then only chunks.
  bool whole_pass = true;
};

enum class DiffKind { missing, extra, differing };

/// One column of a differing row, values as shown: canonical text (verify/canonical.h) echoed
/// safely, or for columns that hold secrets a short hash "#0123abcd" of it; nullopt is NULL.
struct ColumnDiff {
  std::string column;  ///< upper case, as the catalogue names it
  std::optional<std::string> source;
  std::optional<std::string> target;
};

/// One differing row as described to a person.
struct RowDiff {
  DiffKind kind = DiffKind::differing;
  /// Key columns (upper case) and values as shown, as ColumnDiff shows them.
  std::vector<std::pair<std::string, std::optional<std::string>>> key;
  std::vector<ColumnDiff> columns;  ///< differing only
  std::string note;                 ///< e.g. why the transform refused the source row
};

/// One differing key as a repair step takes it: the key values as read (the source's for
/// missing and differing rows, the target's for extra ones), in key order.
struct DiffKey {
  DiffKind kind = DiffKind::differing;
  db::Row key;
};

struct TableVerify {
  std::string table;                     ///< catalogue name
  std::vector<std::string> key;          ///< upper case, as the catalogue names columns
  std::vector<Kind> key_kinds;           ///< per key column: the kind RowDiff::key shows
  std::vector<std::string> columns;      ///< compared
  std::vector<std::string> source_only;  ///< columns on one side only: listed, not compared
  std::vector<std::string> target_only;
  /// "whole": one count and hash sum per side over the whole table proved it equal.
  /// "chunks": ranges in key order, hashed per chunk, differing ones bisected. "stream": the
  /// two sides could not be proved to order the key alike, so both were read once in byte
  /// order and merged row by row.
  std::string mode;
  /// The in-database sums hashed text as stored (Text::stored), not converted to UTF-8.
  bool stored_text = false;
  bool target_table_missing = false;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::int64_t chunks = 0;
  std::int64_t in_database_sums = 0;  ///< chunk sums computed by an engine, not by cutover
  double seconds = 0;
  std::int64_t missing = 0;    ///< on the source only
  std::int64_t extra = 0;      ///< on the target only
  std::int64_t differing = 0;  ///< on both sides, another value in some column
  std::vector<RowDiff> rows;   ///< the first listed_rows differences found, sorted by key text
  std::vector<DiffKey> keys;   ///< the first kept_keys differences, for a repair step
  bool keys_complete = true;   ///< every difference is in `keys`

  bool equal() const {
    return !target_table_missing && missing == 0 && extra == 0 && differing == 0;
  }
};

struct VerifyResult {
  std::string from_version;
  std::string to_version;
  std::vector<TableVerify> tables;
  double seconds = 0;

  bool equal() const;
};

/// Progress of one table: rows done (source rows of the ranges checked) of about `total`.
struct VerifyProgress {
  std::string table;
  std::int64_t rows_done = 0;
  std::int64_t rows_total = 0;
};

/// Verifies the tables of `config` (from_version and to_version filled in; tables empty: the
/// sync's default tables plus those they reference). Between two versions both schemas are
/// checked first (a target of another version than to_version is a config error). Differences
/// are a result; throws config errors for what cannot be compared, and connection or SQL
/// errors as they come. `progress` is called from worker threads, one call at a time.
VerifyResult run_verify(const sync::SyncConfig& config, const VerifyOptions& options,
                        const std::function<void(const VerifyProgress&)>& progress = {});

}  // namespace cutover::verify
