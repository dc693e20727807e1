// schema::Catalogue: the product tables cutover works with, per product version, loaded from
// the data files under catalogue/ (compiled in). A Product answers "what does table T look
// like in version V for dialect D". Loaded once, immutable afterwards, safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/table_def.h"

namespace cutover::schema {

/// Which WSO2 database a table lives in.
enum class Database { identity, shared };

/// A half-open range of version indexes [since, until).
struct Range {
  int since = 0;
  int until = 1 << 30;

  bool contains(int v) const { return v >= since && v < until; }
};

/// One table as written in its data file: every entry with its version range.
struct TableSpec {
  std::string name;
  Database database = Database::identity;
  Range range;

  struct ColumnEntry {
    db::Column column;
    std::optional<db::Column> mysql;  ///< the column as WSO2's MySQL scripts define it
    Range range;
  };

  struct KeyEntry {
    bool primary = false;
    db::Key key;
    Range range;
  };

  struct ForeignKeyEntry {
    db::ForeignKey fk;
    Range range;
  };

  struct IndexEntry {
    db::Index index;
    std::vector<std::string> dialects;  ///< empty: all
    Range range;
  };

  std::vector<ColumnEntry> columns;
  std::vector<KeyEntry> keys;
  std::vector<ForeignKeyEntry> foreign_keys;
  std::vector<IndexEntry> indexes;
};

class Product {
 public:
  Product(std::string id, std::string title, std::vector<std::string> versions,
          std::vector<TableSpec> tables);

  const std::string& id() const { return id_; }

  const std::string& title() const { return title_; }

  const std::vector<std::string>& versions() const { return versions_; }

  const std::vector<TableSpec>& specs() const { return tables_; }

  /// Index of a version in versions(); throws a config error listing the known versions.
  int version_index(std::string_view version) const;
  std::optional<int> find_version(std::string_view version) const;

  /// The tables of a version, in dependency order (referenced tables first), as the given
  /// dialect creates them ("mysql" applies the MySQL overrides and MySQL-only indexes).
  std::vector<db::TableDef> tables_at(int version, std::string_view dialect) const;
  /// One table in one version, or nullopt when the version does not have it.
  std::optional<db::TableDef> table_at(std::string_view table, int version,
                                       std::string_view dialect) const;

 private:
  std::string id_;
  std::string title_;
  std::vector<std::string> versions_;
  std::vector<TableSpec> tables_;  ///< sorted so referenced tables come first
};

/// The product with that id ("is"); throws a config error listing known products otherwise.
const Product& product(std::string_view id);
/// Ids of all catalogued products.
std::vector<std::string> product_ids();

/// Parses one product from its files (versions.toml plus one file per table). Exposed for the
/// catalogue's own tests; throws ErrorKind::internal on malformed data.
Product parse_product(std::string_view id,
                      const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace cutover::schema
