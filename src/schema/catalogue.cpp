#include "schema/catalogue.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"
#include "schema/embedded.h"

namespace cutover::schema {

namespace {

[[noreturn]] void bad_data(std::string_view file, std::string_view what) {
  throw Error(ErrorKind::internal, fmt::format("catalogue file {}: {}", file, what),
              "the catalogue is compiled into cutover; this is a bug in its data files");
}

struct Parser {
  std::string_view file;
  const std::vector<std::string>& versions;

  int version(const toml::node* n, int fallback) const {
    if (n == nullptr) {
      return fallback;
    }
    std::optional<std::string> v = n->value<std::string>();
    if (!v) {
      bad_data(file, "since/until must be a version string");
    }
    auto it = std::find(versions.begin(), versions.end(), *v);
    if (it == versions.end()) {
      bad_data(file, fmt::format("unknown version '{}'", *v));
    }
    return static_cast<int>(it - versions.begin());
  }

  Range range(const toml::table& t) const {
    Range r;
    r.since = version(t.get("since"), 0);
    r.until = version(t.get("until"), 1 << 30);
    if (r.until <= r.since) {
      bad_data(file, "until must come after since");
    }
    return r;
  }

  std::string str(const toml::table& t, std::string_view key, bool required = true) const {
    std::optional<std::string> v = t[key].value<std::string>();
    if (!v && required) {
      bad_data(file, fmt::format("missing string '{}'", key));
    }
    return v.value_or("");
  }

  std::vector<std::string> names(const toml::table& t, std::string_view key) const {
    std::vector<std::string> out;
    const toml::array* arr = t[key].as_array();
    if (arr == nullptr) {
      bad_data(file, fmt::format("missing array '{}'", key));
    }
    for (const toml::node& n : *arr) {
      std::optional<std::string> s = n.value<std::string>();
      if (!s) {
        bad_data(file, fmt::format("'{}' must hold strings", key));
      }
      out.push_back(*s);
    }
    return out;
  }

  void type(std::string_view spec, db::Column& c) const {
    int length = 0;
    db::TypeKind kind = db::TypeKind::other;
    db::classify_native_type(spec, kind, length);
    if (kind == db::TypeKind::other) {
      bad_data(file, fmt::format("unknown type '{}' for column {}", spec, c.name));
    }
    if ((kind == db::TypeKind::varchar || kind == db::TypeKind::fixed_char) && length <= 0) {
      bad_data(file, fmt::format("type '{}' of column {} needs a length", spec, c.name));
    }
    c.type = kind;
    c.length = length;
  }

  // Applies the column fields present in `t` to `c` (used for the base entry and the mysql
  // override alike).
  void column_fields(const toml::table& t, db::Column& c) const {
    if (std::optional<std::string> ty = t["type"].value<std::string>()) {
      type(*ty, c);
    }
    if (std::optional<bool> n = t["nullable"].value<bool>()) {
      c.nullable = *n;
    }
    if (const toml::node* d = t.get("default")) {
      if (std::optional<std::int64_t> i = d->value<std::int64_t>(); i && d->is_integer()) {
        c.default_value = {db::DefaultValue::Kind::number, std::to_string(*i)};
      } else if (std::optional<std::string> s = d->value<std::string>()) {
        c.default_value = {db::DefaultValue::Kind::string, *s};
      } else {
        bad_data(file, fmt::format("default of {} must be an integer or a string", c.name));
      }
    }
    if (t["default_now"].value_or(false)) {
      c.default_value = {db::DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
    }
    if (std::optional<bool> g = t["generated"].value<bool>()) {
      c.generated = *g;
    }
    if (std::optional<std::string> s = t["sequence"].value<std::string>()) {
      c.sequence = *s;
    }
  }

  TableSpec table(const toml::table& root) const {
    TableSpec spec;
    spec.name = str(root, "table");
    std::string database = str(root, "database");
    if (database == "identity") {
      spec.database = Database::identity;
    } else if (database == "shared") {
      spec.database = Database::shared;
    } else {
      bad_data(file, fmt::format("database must be identity or shared, not '{}'", database));
    }
    spec.range = range(root);
    if (const toml::array* cols = root["columns"].as_array()) {
      for (const toml::node& n : *cols) {
        const toml::table& t = *n.as_table();
        TableSpec::ColumnEntry e;
        e.column.name = str(t, "name");
        if (!t.contains("type")) {
          bad_data(file, fmt::format("column {} has no type", e.column.name));
        }
        column_fields(t, e.column);
        if (const toml::table* my = t["mysql"].as_table()) {
          db::Column m = e.column;
          column_fields(*my, m);
          e.mysql = m;
        }
        e.range = range(t);
        spec.columns.push_back(std::move(e));
      }
    }
    if (const toml::array* keys = root["keys"].as_array()) {
      for (const toml::node& n : *keys) {
        const toml::table& t = *n.as_table();
        TableSpec::KeyEntry e;
        std::string kind = str(t, "kind");
        if (kind != "primary" && kind != "unique") {
          bad_data(file, fmt::format("key kind must be primary or unique, not '{}'", kind));
        }
        e.primary = kind == "primary";
        e.key.name = str(t, "name", false);
        e.key.columns = names(t, "columns");
        e.range = range(t);
        spec.keys.push_back(std::move(e));
      }
    }
    if (const toml::array* fks = root["foreign_keys"].as_array()) {
      for (const toml::node& n : *fks) {
        const toml::table& t = *n.as_table();
        TableSpec::ForeignKeyEntry e;
        e.fk.name = str(t, "name", false);
        e.fk.columns = names(t, "columns");
        e.fk.ref_table = str(t, "references");
        e.fk.ref_columns = names(t, "ref_columns");
        std::string on_delete = str(t, "on_delete", false);
        if (!on_delete.empty() && on_delete != "cascade") {
          bad_data(file, "on_delete must be 'cascade' when present");
        }
        e.fk.on_delete_cascade = on_delete == "cascade";
        e.range = range(t);
        spec.foreign_keys.push_back(std::move(e));
      }
    }
    if (const toml::array* ixs = root["indexes"].as_array()) {
      for (const toml::node& n : *ixs) {
        const toml::table& t = *n.as_table();
        TableSpec::IndexEntry e;
        e.index.name = str(t, "name");
        e.index.columns = names(t, "columns");
        e.index.unique = t["unique"].value_or(false);
        if (t.contains("dialects")) {
          e.dialects = names(t, "dialects");
        }
        e.range = range(t);
        spec.indexes.push_back(std::move(e));
      }
    }
    return spec;
  }
};

// Orders tables so that every table comes after the tables its foreign keys reference.
std::vector<TableSpec> dependency_order(std::vector<TableSpec> specs) {
  std::vector<TableSpec> out;
  std::set<std::string> placed;
  while (!specs.empty()) {
    auto ready = std::find_if(specs.begin(), specs.end(), [&](const TableSpec& s) {
      return std::all_of(s.foreign_keys.begin(), s.foreign_keys.end(), [&](const auto& f) {
        return db::same_ident(f.fk.ref_table, s.name) || placed.count(db::to_upper(f.fk.ref_table));
      });
    });
    if (ready == specs.end()) {
      bad_data(specs.front().name, "foreign keys form a cycle or name a table not catalogued");
    }
    placed.insert(db::to_upper(ready->name));
    out.push_back(std::move(*ready));
    specs.erase(ready);
  }
  return out;
}

}  // namespace

Product parse_product(std::string_view id,
                      const std::vector<std::pair<std::string, std::string>>& files) {
  std::string title;
  std::vector<std::string> versions;
  for (const auto& [path, text] : files) {
    if (path.size() >= 13 && path.substr(path.size() - 13) == "versions.toml") {
      try {
        toml::table root = toml::parse(text, path);
        title = root["title"].value_or(std::string(id));
        if (const toml::array* arr = root["versions"].as_array()) {
          for (const toml::node& n : *arr) {
            versions.push_back(n.value_or(std::string()));
          }
        }
      } catch (const toml::parse_error& e) {
        bad_data(path, e.description());
      }
    }
  }
  if (versions.empty()) {
    bad_data(id, "versions.toml is missing or lists no versions");
  }
  std::vector<TableSpec> specs;
  for (const auto& [path, text] : files) {
    // versions.toml is read above; transforms.toml by schema/transform.cpp.
    if (path.size() >= 13 &&
        (path.substr(path.size() - 13) == "versions.toml" ||
         (path.size() >= 15 && path.substr(path.size() - 15) == "transforms.toml"))) {
      continue;
    }
    try {
      toml::table root = toml::parse(text, path);
      Parser p{path, versions};
      specs.push_back(p.table(root));
    } catch (const toml::parse_error& e) {
      bad_data(path, fmt::format("{} (line {})", e.description(), e.source().begin.line));
    }
  }
  return Product(std::string(id), title, versions, dependency_order(std::move(specs)));
}

Product::Product(std::string id, std::string title, std::vector<std::string> versions,
                 std::vector<TableSpec> tables)
    : id_(std::move(id)),
      title_(std::move(title)),
      versions_(std::move(versions)),
      tables_(std::move(tables)) {}

std::optional<int> Product::find_version(std::string_view version) const {
  auto it = std::find(versions_.begin(), versions_.end(), version);
  if (it == versions_.end()) {
    return std::nullopt;
  }
  return static_cast<int>(it - versions_.begin());
}

int Product::version_index(std::string_view version) const {
  if (std::optional<int> v = find_version(version)) {
    return *v;
  }
  throw Error(ErrorKind::config, fmt::format("unknown {} version '{}'", title_, version),
              fmt::format("known versions: {}", fmt::join(versions_, ", ")));
}

std::optional<db::TableDef> Product::table_at(std::string_view table, int version,
                                              std::string_view dialect) const {
  bool mysql = dialect == "mysql";
  for (const TableSpec& spec : tables_) {
    if (!db::same_ident(spec.name, table) || !spec.range.contains(version)) {
      continue;
    }
    db::TableDef t;
    t.name = spec.name;
    for (const TableSpec::ColumnEntry& c : spec.columns) {
      if (c.range.contains(version)) {
        t.columns.push_back(mysql && c.mysql ? *c.mysql : c.column);
      }
    }
    for (const TableSpec::KeyEntry& k : spec.keys) {
      if (!k.range.contains(version)) {
        continue;
      }
      if (k.primary) {
        t.primary_key = k.key.columns;
      } else {
        t.unique_keys.push_back(k.key);
      }
    }
    for (const TableSpec::ForeignKeyEntry& f : spec.foreign_keys) {
      if (f.range.contains(version)) {
        t.foreign_keys.push_back(f.fk);
      }
    }
    for (const TableSpec::IndexEntry& ix : spec.indexes) {
      bool for_dialect = ix.dialects.empty() || std::find(ix.dialects.begin(), ix.dialects.end(),
                                                          dialect) != ix.dialects.end();
      if (ix.range.contains(version) && for_dialect) {
        t.indexes.push_back(ix.index);
      }
    }
    return t;
  }
  return std::nullopt;
}

std::vector<db::TableDef> Product::tables_at(int version, std::string_view dialect) const {
  std::vector<db::TableDef> out;
  for (const TableSpec& spec : tables_) {
    if (std::optional<db::TableDef> t = table_at(spec.name, version, dialect)) {
      out.push_back(std::move(*t));
    }
  }
  return out;
}

namespace {

std::map<std::string, Product> load_all() {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_product;
  for (const EmbeddedFile& f : embedded_files()) {
    std::string path(f.path);
    std::size_t slash = path.find('/');
    if (slash == std::string::npos) {
      continue;
    }
    by_product[path.substr(0, slash)].emplace_back(path, std::string(f.text));
  }
  std::map<std::string, Product> out;
  for (const auto& [id, files] : by_product) {
    out.emplace(id, parse_product(id, files));
  }
  return out;
}

const std::map<std::string, Product>& all_products() {
  static const std::map<std::string, Product> kProducts = load_all();
  return kProducts;
}

}  // namespace

std::vector<std::string> product_ids() {
  std::vector<std::string> ids;
  for (const auto& [id, p] : all_products()) {
    ids.push_back(id);
  }
  return ids;
}

const Product& product(std::string_view id) {
  const auto& all = all_products();
  auto it = all.find(db::to_lower(id));
  if (it == all.end()) {
    throw Error(ErrorKind::config, fmt::format("unknown product '{}'", id),
                fmt::format("known products: {}", fmt::join(product_ids(), ", ")));
  }
  return it->second;
}

}  // namespace cutover::schema
