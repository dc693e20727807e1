// schema fill writer: buffers generated rows for one table and loads them through the engine's
// bulk path. The generator names the columns it produces; columns the live table lacks (an
// older version) are dropped, and a live NOT NULL column without a default that the generator
// does not produce is refused. One writer per table and thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/table_def.h"
#include "db/value.h"
#include "schema/fill.h"
#include "schema/fill_model.h"
#include "schema/live_tables.h"

namespace cutover::schema {

class FillWriter {
 public:
  /// Throws a config error when `live` has a NOT NULL column without a default that is not
  /// among `produced`.
  FillWriter(db::Connection& conn, const db::TableDef& live, std::vector<std::string> produced);

  /// One generated row, its values in the order of `produced`.
  void add(const db::Row& generated);

  /// Loads what is buffered; returns the rows written in all.
  std::int64_t finish();

 private:
  void flush();

  db::Connection& conn_;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<std::size_t> pick_;
  std::vector<db::Row> buffer_;
  std::int64_t written_ = 0;
};

/// Loads one table: `body` adds its rows; returns how many were written.
std::int64_t write_table(db::Connection& conn, const db::TableDef& live,
                         std::vector<std::string> produced,
                         const std::function<void(FillWriter&)>& body);

/// The identity tables present in `live`, in foreign-key order; each appends its count.
void load_identity_tables(db::Connection& conn, const FillModel& model, const LiveTables& live,
                          FillResult& result);

/// The registry tables (shared database) present in `live`, in foreign-key order.
void load_registry_tables(db::Connection& conn, const FillModel& model, const LiveTables& live,
                          FillResult& result);

}  // namespace cutover::schema
