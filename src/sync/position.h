// sync position: where the apply stands in one source journal, and where it is stored (the
// target's CUTOVER_PROGRESS table, written in the same transaction as the rows it covers,
// DESIGN §3.2 and §3.6). Gap-safe (§3.3): the position is the highest sequence value applied
// plus the values below it that were missing when read (a transaction still open, or one that
// rolled back). Functions run on the caller's connection from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"

namespace cutover::sync {

inline constexpr const char* kProgressTable = "CUTOVER_PROGRESS";
/// Per table: rows applied and the rate of the last batch that touched it.
inline constexpr const char* kProgressTablesTable = "CUTOVER_PROGRESS_TABLES";

/// A journal sequence value below `high` that was not visible when read.
struct Gap {
  std::int64_t seq = 0;
  std::int64_t first_seen_ms = 0;  ///< source clock, epoch ms, when first found missing
  /// PostgreSQL: the snapshot's xmax when first found missing. Every transaction that could
  /// hold the value has ended once the current xmin reaches it: if the value is still not
  /// visible then, it never will be. MySQL/MariaDB: one past the largest open InnoDB
  /// read-write transaction id, compared with the smallest one later. 0: judged by age.
  std::int64_t xmax = 0;
};

struct Position {
  std::string journal_id;
  std::int64_t high = 0;  ///< every visible value <= high is applied
  std::vector<Gap> gaps;  ///< values <= high not applied yet, ascending

  /// Every value <= low_water() is applied or known never to come: prune up to here.
  std::int64_t low_water() const { return gaps.empty() ? high : gaps.front().seq - 1; }
};

/// Source clock, epoch milliseconds (lag is measured on the source's clock).
std::int64_t source_now_ms(db::Connection& source);

/// Inside a consistent-snapshot transaction on the source: the position that snapshot stands
/// at. A copy taken in the same snapshot plus the journal applied from here is the source.
/// Throws a config error when the source has no complete capture (run prepare first).
Position snapshot_position(db::Connection& source);

/// Creates the progress table on the target when missing (outside any transaction).
void ensure_progress_table(db::Connection& target);
/// The stored position for `journal_id`, or nullopt when none (never copied or run).
std::optional<Position> load_position(db::Connection& target, const std::string& journal_id);
/// Makes the gaps fit the progress row: when there are too many, keeps the oldest and lowers
/// `high` below the first one dropped (those values are read again later).
void fit_gaps(Position& position);
/// Stores the position (fitted), inside the caller's open target transaction. With `expected`
/// (the position the caller loaded), only when the stored one is still that: a config error
/// when another applier moved it.
void store_position(db::Connection& target, const Position& position,
                    const std::optional<Position>& expected = std::nullopt);

/// Adds `rows` applied at `rate` rows/s to table's counters, inside the caller's transaction.
void add_table_progress(db::Connection& target, const std::string& journal_id,
                        const std::string& table, std::int64_t rows, std::int64_t rate,
                        std::int64_t now_ms);

/// Drops the sync's own tables on a target (CUTOVER_PROGRESS* and the copy's CUTOVER_COPY*
/// checkpoint tables); returns their names.
std::vector<std::string> remove_sync_tables(db::Connection& conn);

}  // namespace cutover::sync
