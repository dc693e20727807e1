// verify table plan: what verify compares in one table and how each side reads it: the key,
// the compared columns in one order with the kind each is encoded with, the version transform
// of the source rows, the in-database hash where a side can compute it, and whether the two
// sides can be proved to order the key alike (else the table is streamed in byte order).
// Built once per table, then shared read-only by the worker threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "schema/transform.h"
#include "sync/tables.h"
#include "verify/canonical.h"

namespace cutover::verify {

struct TablePlan {
  std::string name;          ///< catalogue name
  std::string source_table;  ///< stored names
  std::string target_table;
  std::vector<std::string> source_key;   ///< stored names, key order
  std::vector<std::string> target_key;   ///< the same columns on the target
  std::vector<std::string> source_read;  ///< what the source selects: key first
  std::vector<std::string> compared;     ///< target names, the order rows are compared in
  std::vector<Kind> kinds;               ///< per compared column
  std::vector<bool> secret;              ///< per compared column: shown hashed
  std::vector<std::size_t> key_at;       ///< the key's positions in `compared`
  std::vector<Kind> key_kinds;           ///< per key column
  std::vector<std::string> source_only;  ///< listed, not compared
  std::vector<std::string> target_only;
  /// Source rows go through this (version pair); nullopt: read as compared.
  std::optional<schema::TableTransform> xform;
  /// Select lists computing a range's count and hash sum in the database; nullopt where a
  /// side streams its rows and cutover hashes them (no SQL form, or the rows need a transform).
  std::optional<std::string> source_sql;
  std::optional<std::string> target_sql;
  /// Both sums hash text in its stored bytes (Text::stored): both sides MySQL/MariaDB, no
  /// transform, and every compared text column of one character set on both sides.
  bool stored_text = false;
  /// The two sides cannot be proved to order the key alike: read both once in byte order and
  /// merge (see order_shared in table_plan.cpp for the proof of the other case).
  bool stream = false;
  /// The key is a unique key whose columns allow NULL (stream mode sorts NULL first).
  bool nullable_key = false;
};

/// Plans `table` (resolved on the source) against the live `target` table `target_def`;
/// `xform` is the version transform, nullptr or the identity for one version.
TablePlan plan_table(db::Connection& source, db::Connection& target, const sync::SyncTable& table,
                     const db::TableDef& target_def, const schema::Transform* xform);

}  // namespace cutover::verify
