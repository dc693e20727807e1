#include "schema/fingerprint.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace cutover::schema {

namespace {

using Names = std::set<std::string>;

Names column_names(const db::TableDef& t) {
  Names out;
  for (const db::Column& c : t.columns) {
    out.insert(db::to_upper(c.name));
  }
  return out;
}

std::string key_text(const std::vector<std::string>& cols) {
  std::string out;
  for (const std::string& c : cols) {
    out += db::to_upper(c) + ",";
  }
  return out;
}

struct Score {
  int columns = 0;
  int details = 0;
  std::vector<TableDiff> diffs;
};

// Differences beyond column names: types, nullability, unique keys and named indexes that the
// catalogue knows for this table in some version.
int detail_differences(const db::TableDef& want, const db::TableDef& have,
                       const Names& known_indexes) {
  int n = 0;
  for (const db::Column& w : want.columns) {
    const db::Column* h = have.find_column(w.name);
    if (h == nullptr) {
      continue;
    }
    if (w.nullable != h->nullable) {
      ++n;
    }
    bool same_kind =
        w.type == h->type || (w.type == db::TypeKind::longblob && h->type == db::TypeKind::blob);
    if (!same_kind || (w.type == db::TypeKind::varchar && w.length != h->length)) {
      ++n;
    }
  }
  Names want_keys;
  Names have_keys;
  for (const db::Key& k : want.unique_keys) {
    want_keys.insert(key_text(k.columns));
  }
  for (const db::Key& k : have.unique_keys) {
    have_keys.insert(key_text(k.columns));
  }
  for (const db::Index& ix : have.indexes) {
    if (ix.unique) {
      have_keys.insert(key_text(ix.columns));
    }
  }
  std::vector<std::string> key_diff;
  std::set_symmetric_difference(want_keys.begin(), want_keys.end(), have_keys.begin(),
                                have_keys.end(), std::back_inserter(key_diff));
  n += static_cast<int>(key_diff.size());
  if (key_text(want.primary_key) != key_text(have.primary_key)) {
    ++n;
  }
  Names want_ix;
  Names have_ix;
  for (const db::Index& ix : want.indexes) {
    want_ix.insert(db::to_upper(ix.name));
  }
  for (const db::Index& ix : have.indexes) {
    if (known_indexes.count(db::to_upper(ix.name)) != 0) {
      have_ix.insert(db::to_upper(ix.name));
    }
  }
  std::vector<std::string> sym;
  std::set_symmetric_difference(want_ix.begin(), want_ix.end(), have_ix.begin(), have_ix.end(),
                                std::back_inserter(sym));
  return n + static_cast<int>(sym.size());
}

// The WSO2 databases (identity, shared) of which `live` holds at least one table. A whole
// database may live elsewhere (deployments often split them), so only a database that is
// present at all can miss a table.
std::set<Database> databases_present(const Product& product, const LiveTables& live) {
  std::set<Database> present;
  for (const TableSpec& spec : product.specs()) {
    if (live.count(db::to_upper(spec.name)) != 0) {
      present.insert(spec.database);
    }
  }
  return present;
}

}  // namespace

std::vector<std::string> missing_tables(const Product& product, const LiveTables& live,
                                        std::string_view dialect, int version) {
  std::set<Database> present = databases_present(product, live);
  std::vector<std::string> out;
  for (const TableSpec& spec : product.specs()) {
    if (present.count(spec.database) != 0 && live.count(db::to_upper(spec.name)) == 0 &&
        product.table_at(spec.name, version, dialect)) {
      out.push_back(spec.name);
    }
  }
  return out;
}

std::string VersionMatch::label() const {
  if (versions.empty()) {
    return "none";
  }
  if (versions.size() == 1) {
    return versions.front();
  }
  return versions.front() + "-" + versions.back();
}

VersionMatch match_version(const Product& product, const LiveTables& live,
                           std::string_view dialect) {
  VersionMatch m;
  const int nversions = static_cast<int>(product.versions().size());

  // Every column and index name the catalogue knows per table, across all versions.
  std::map<std::string, Names> known_columns;
  std::map<std::string, Names> known_indexes;
  for (const TableSpec& spec : product.specs()) {
    std::string t = db::to_upper(spec.name);
    for (const auto& c : spec.columns) {
      known_columns[t].insert(db::to_upper(c.column.name));
    }
    for (const auto& ix : spec.indexes) {
      known_indexes[t].insert(db::to_upper(ix.index.name));
    }
  }
  for (const auto& [name, def] : live) {
    if (known_columns.count(name) == 0) {
      continue;
    }
    ++m.tables_found;
    for (const std::string& c : column_names(def)) {
      if (known_columns[name].count(c) == 0) {
        m.unknown_columns.push_back(std::string(name).append(".").append(c));
      }
    }
  }
  if (m.tables_found == 0) {
    return m;
  }
  // Only a database that is present at all counts its missing tables against a version.
  std::set<Database> present = databases_present(product, live);

  std::vector<Score> scores(static_cast<std::size_t>(nversions));
  for (int v = 0; v < nversions; ++v) {
    Score& s = scores[static_cast<std::size_t>(v)];
    for (const TableSpec& spec : product.specs()) {
      std::string name = db::to_upper(spec.name);
      std::optional<db::TableDef> want = product.table_at(spec.name, v, dialect);
      auto have = live.find(name);
      if (!want && have == live.end()) {
        continue;
      }
      TableDiff d;
      d.table = spec.name;
      if (!want) {
        d.unexpected = true;
        s.columns += static_cast<int>(have->second.columns.size());
      } else if (have == live.end()) {
        if (present.count(spec.database) == 0) {
          continue;
        }
        d.missing = true;
        s.columns += static_cast<int>(want->columns.size());
      } else {
        Names w = column_names(*want);
        Names h = column_names(have->second);
        for (const std::string& c : w) {
          if (h.count(c) == 0) {
            d.missing_columns.push_back(c);
          }
        }
        for (const std::string& c : h) {
          if (w.count(c) == 0 && known_columns[name].count(c) != 0) {
            d.extra_columns.push_back(c);
          }
        }
        s.columns += static_cast<int>(d.missing_columns.size() + d.extra_columns.size());
        s.details += detail_differences(*want, have->second, known_indexes[name]);
      }
      if (d.missing || d.unexpected || !d.missing_columns.empty() || !d.extra_columns.empty()) {
        s.diffs.push_back(std::move(d));
      }
    }
  }

  int best = std::min_element(scores.begin(), scores.end(), [](const Score& a, const Score& b) {
               return a.columns < b.columns;
             })->columns;
  int best_detail = 1 << 30;
  for (int v = 0; v < nversions; ++v) {
    const Score& s = scores[static_cast<std::size_t>(v)];
    if (s.columns == best) {
      m.versions.push_back(product.versions()[static_cast<std::size_t>(v)]);
      best_detail = std::min(best_detail, s.details);
      if (m.differences.empty()) {
        m.differences = s.diffs;
      }
    }
  }
  for (int v = 0; v < nversions; ++v) {
    const Score& s = scores[static_cast<std::size_t>(v)];
    if (s.columns == best && s.details == best_detail) {
      m.narrowed.push_back(product.versions()[static_cast<std::size_t>(v)]);
    }
  }
  m.column_differences = best;
  return m;
}

}  // namespace cutover::schema
