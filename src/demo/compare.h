// demo compare: are two databases' tables equal, row by row, read through the db layer? For
// each table: the key sets (primary key, else the first unique key) and, for keys on both
// sides, the values of the columns both sides have, or, between two product versions, each
// source row after the declared version transform against the target row on the columns the
// transform writes. Values are compared as text with timestamps normalised (trailing zero
// fractions), so one row reads the same on any engine. Holds one side's rows of one table in
// memory: meant for the demo's sizes, not a verifier.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.h"
#include "schema/transform.h"

namespace cutover::demo {

struct TableComparison {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::int64_t only_source = 0;       ///< keys the target lacks
  std::int64_t only_target = 0;       ///< keys the source lacks
  std::int64_t differing = 0;         ///< keys on both sides with another value in some column
  std::int64_t columns = 0;           ///< columns compared (both sides have them)
  std::vector<std::string> examples;  ///< up to three differences, "key: what"

  bool equal() const { return only_source == 0 && only_target == 0 && differing == 0; }
};

/// Compares `tables` (catalogue names) of `source` and `target`. A table missing on one side
/// counts every row of the other as a difference. With `xform` (not the identity), each source
/// row is first moved through the transform bound to the two live tables (IDP_ID from the LOCAL
/// identity providers of the target, else the source); a row the transform refuses counts as
/// differing, its error as the example.
std::vector<TableComparison> compare_tables(db::Connection& source, db::Connection& target,
                                            const std::vector<std::string>& tables,
                                            const schema::Transform* xform = nullptr);

}  // namespace cutover::demo
