// schema::Transform: the declared row transform from one product version to another
// (catalogue/<product>/transforms.toml), chained over every step in between, in both directions
// (upgrade by the declared rules; rollback by dropping what the older version lacks). Made once
// per sync, bound once per table to the live source and target tables; a row is then moved by a
// fixed list of column moves, computed values and checks, with no lookup by name. Transform and
// TableTransform are immutable once made and safe to share; a LocalIdps belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/connection.h"
#include "db/table_def.h"
#include "schema/catalogue.h"

namespace cutover::schema {

/// Tenant -> id of its LOCAL identity provider (IDP row NAME = 'LOCAL'): what IDP_ID holds for
/// rows that are not FEDERATED. Read from the target's IDP table (the new deployment's own ids);
/// a tenant the target lacks is taken from the source's IDP table (a target created empty has
/// none yet; WSO2's in-place migration keeps the source's ids).
class LocalIdps {
 public:
  /// Reads both tables now (either connection may be null). With `reload_on_miss`, a tenant not
  /// found is looked up again once (a tenant created since); only where the connections are
  /// free for a query (not in the middle of a stream).
  LocalIdps(db::Connection* target, db::Connection* source, bool reload_on_miss);

  std::optional<std::int64_t> find(std::int64_t tenant);

 private:
  void load();

  db::Connection* target_;
  db::Connection* source_;
  bool reload_on_miss_;
  std::unordered_map<std::int64_t, std::int64_t> ids_;
};

/// One table's transform, bound to the live tables (stored names).
class TableTransform {
 public:
  /// Read these source columns, in this order: the key columns passed to bind() first.
  const std::vector<std::string>& source_columns() const { return source_columns_; }

  /// Write these target columns, in this order. Target columns left out get the target's
  /// default or sequence value.
  const std::vector<std::string>& target_columns() const { return target_columns_; }

  /// Live columns on one side only that no declaration accounts for, as "COLUMN (source only)"
  /// or "COLUMN (target only)"; the copy refuses them unless told to skip.
  const std::vector<std::string>& unmatched() const { return unmatched_; }

  /// True when rows need a LocalIdps.
  bool needs_local_idps() const { return !computed_.empty(); }

  /// Fills `out` (target_columns order) from `in` (source_columns order); moves values out of
  /// `in`. Throws ErrorKind::constraint naming the table, the row's key and the column for a
  /// value the target cannot hold (too long, out of range, NULL in a NOT NULL column) or a
  /// tenant without a LOCAL identity provider.
  void apply(db::Row& in, db::Row& out, LocalIdps* idps) const;

 private:
  friend class Transform;

  struct Check {
    bool not_null = false;
    int max_chars = 0;         ///< > 0: text longer than this many characters does not fit
    std::int64_t min_int = 0;  ///< min_int < max_int: integer range of the target type
    std::int64_t max_int = 0;
  };

  struct Move {
    std::size_t to = 0;
    std::size_t from = 0;
    Check check;
  };

  struct Constant {
    std::size_t to = 0;
    db::Value value;
  };

  /// IDP_ID by the local_idp rule.
  struct Computed {
    std::size_t to = 0;
    int existing = -1;  ///< source index of the column's own value, -1 when the source lacks it
    bool only_when_null = false;
    std::size_t tenant = 0;
    std::size_t domain = 0;
    db::Value federated;  ///< for FEDERATED rows without a value of their own
    bool not_null = false;
  };

  [[noreturn]] void row_error(const db::Row& in, const db::Row& out, bool moved,
                              const std::string& column, const std::string& what) const;
  void check(const db::Row& in, const db::Row& out, const Move& m) const;

  std::string table_;
  std::size_t key_size_ = 0;
  std::vector<std::string> source_columns_;
  std::vector<std::string> target_columns_;
  std::vector<std::string> unmatched_;
  std::vector<Move> moves_;
  std::vector<Constant> constants_;
  std::vector<Computed> computed_;
};

/// The transform between two versions of one product.
class Transform {
 public:
  /// The chain of declared steps from `from` to `to`; either direction (the sync commands refuse
  /// a downgrade; the reverse sync uses it for rollback); equal versions give the identity.
  /// Throws a config error for an unknown version or a step transforms.toml does not declare.
  static Transform make(const Product& product, std::string_view from, std::string_view to);

  bool identity() const { return from_ == to_; }

  const std::string& from() const { return from_name_; }

  const std::string& to() const { return to_name_; }

  /// Binds `table` as the live source and target have it; `key` (source stored names) comes
  /// first in source_columns(). Throws a config error, before anything is written, when a target
  /// column cannot be produced: a NOT NULL column without declared value or default, a rule
  /// that names a column the source lacks, or a step declared "unavailable".
  TableTransform bind(const db::TableDef& source, const db::TableDef& target,
                      const std::vector<std::string>& key) const;

 private:
  /// How one target column gets its value, after the whole chain.
  struct ColumnPlan {
    enum class Kind { from_source, default_value, value, local_idp, generated, unavailable };
    Kind kind = Kind::from_source;
    db::Value value;                 ///< value, default_value, local_idp's federated
    bool null_to_local_idp = false;  ///< from_source: a NULL gets the local_idp rule
    db::Value null_federated;
    std::string why;  ///< unavailable
  };

  struct TablePlan {
    std::vector<std::pair<std::string, ColumnPlan>> columns;  ///< upper-case name, plan
    std::vector<std::string> dropped;                         ///< upper-case names
  };

  const Product* product_ = nullptr;
  int from_ = 0;
  int to_ = 0;
  std::string from_name_;
  std::string to_name_;
  std::unordered_map<std::string, TablePlan> tables_;  ///< by upper-case table name
};

/// Throws a config error when a live table in `conn` is not as `version` of the product has it
/// (catalogued columns missing or present that this version does not have; a missing table),
/// naming the table and the version the database looks like. `side` ("source", "target") goes
/// into the message. Only tables the catalogue knows are checked.
void check_schema_version(db::Connection& conn, const Product& product, std::string_view version,
                          const std::vector<std::string>& tables, std::string_view side);

}  // namespace cutover::schema
