// capture dialect: the SQL text of change capture for one SQL flavour: journal and metadata
// tables, the triggers (and trigger functions) of one table, and their removal. Produces text
// only, so the four engines we cannot run are golden-tested. Stateless singletons.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "capture/capture.h"
#include "db/dialect.h"

namespace cutover::capture {

class CaptureDialect {
 public:
  explicit CaptureDialect(const db::Dialect& sql) : sql_(sql) {}

  CaptureDialect(const CaptureDialect&) = delete;
  CaptureDialect& operator=(const CaptureDialect&) = delete;
  virtual ~CaptureDialect() = default;

  const db::Dialect& sql() const { return sql_; }

  /// Journal (SEQ ascending per insert, TABLE_NAME, OP, K1..K4 as text, TXID, CREATED_MS),
  /// metadata table and, where used, the applier's marker table.
  virtual std::vector<std::string> create_journal() const = 0;
  /// Trigger functions and triggers journaling every row change of `t`.
  virtual std::vector<std::string> create_triggers(const CapturedTable& t) const = 0;
  /// Drops what create_triggers made; succeeds when they are already gone.
  virtual std::vector<std::string> drop_triggers(const CapturedTable& t) const = 0;
  /// Drops the tables create_journal made.
  virtual std::vector<std::string> drop_journal() const;
  /// Statement separator of a printed script (";" or Oracle's and DB2's "/" lines).
  virtual std::string script_terminator(std::string_view statement) const;

  /// Lines a printed script opens and closes with (MySQL's client needs DELIMITER switched
  /// around trigger bodies that contain ";"); empty elsewhere.
  virtual std::string script_prologue() const { return {}; }

  virtual std::string script_epilogue() const { return {}; }

 protected:
  /// Name of one of our objects for table `table`: prefix "CO_", the table name (upper case,
  /// characters other than A-Z 0-9 _ replaced), suffix; when that is longer than 30 characters
  /// or had to be changed (lower case included), the name is shortened and a hash of the exact
  /// table name keeps it unique.
  static std::string object_name(std::string_view table, std::string_view suffix);
  /// The table's name as a string literal, as stored in the journal's TABLE_NAME.
  std::string table_literal(const CapturedTable& t) const;

 private:
  const db::Dialect& sql_;
};

/// The capture dialect of a SQL dialect name ("postgresql", "mysql", ...); throws a usage
/// error listing the known names.
const CaptureDialect& capture_dialect(std::string_view dialect_name);

}  // namespace cutover::capture
