#include "demo/compare.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/table_def.h"

namespace cutover::demo {

namespace {

constexpr std::size_t kExamples = 3;

// "2026-11-30 10:00:00.000000" and "2026-11-30 10:00:00" are one moment: engines differ in
// how many fraction digits they return.
std::string normal(const db::Value& v) {
  if (v.is_null()) {
    return "\x01NULL";
  }
  std::string s = v.to_text();
  if (s.size() >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') &&
      s[13] == ':' && s[16] == ':' && s[19] == '.') {
    s[10] = ' ';
    while (s.back() == '0') {
      s.pop_back();
    }
    if (s.back() == '.') {
      s.pop_back();
    }
  }
  return s;
}

std::vector<std::string> key_of(const db::TableDef& t) {
  if (!t.primary_key.empty()) {
    return t.primary_key;
  }
  return t.unique_keys.empty() ? std::vector<std::string>{} : t.unique_keys.front().columns;
}

std::string select_sql(db::Connection& c, const db::TableDef& t,
                       const std::vector<std::string>& cols) {
  const db::Dialect& d = c.dialect();
  std::string names;
  for (const std::string& col : cols) {
    const db::Column* found = t.find_column(col);
    names += (names.empty() ? "" : ", ") + d.stored_ident(found ? found->name : col);
  }
  return fmt::format("SELECT {} FROM {}", names, d.stored_ident(t.name));
}

}  // namespace

std::vector<TableComparison> compare_tables(db::Connection& source, db::Connection& target,
                                            const std::vector<std::string>& tables,
                                            const schema::Transform* xform) {
  std::vector<TableComparison> out;
  bool transform = xform != nullptr && !xform->identity();
  // Read before any stream is open: the LOCAL identity providers both sides have now.
  std::optional<schema::LocalIdps> idps;
  if (transform) {
    idps.emplace(&target, &source, false);
  }
  for (const std::string& name : tables) {
    throw_if_cancelled();
    TableComparison r;
    r.table = name;
    std::optional<db::TableDef> s = source.describe_table(name);
    std::optional<db::TableDef> t = target.describe_table(name);
    if (!s && !t) {
      continue;
    }
    // What each side reads: the source's columns (its key first) and the target's, position i
    // of one being position i of the other once a source row is transformed; `key_at` are the
    // key's positions in the target's order.
    std::vector<std::string> key = key_of(s ? *s : *t);
    std::vector<std::string> source_cols;
    std::vector<std::string> cols;  // the target's names, for the examples
    std::vector<std::size_t> key_at;
    std::optional<schema::TableTransform> tt;
    if (s && t && transform) {
      tt.emplace(xform->bind(*s, *t, key));
      source_cols = tt->source_columns();
      cols = tt->target_columns();
      for (const std::string& k : key) {
        for (std::size_t i = 0; i < cols.size(); ++i) {
          if (db::same_ident(k, cols[i])) {
            key_at.push_back(i);
          }
        }
      }
    } else {
      // Key columns first, then every other column both sides have.
      cols = key;
      if (s && t) {
        for (const db::Column& c : s->columns) {
          bool is_key = false;
          for (const std::string& k : key) {
            is_key = is_key || db::same_ident(k, c.name);
          }
          if (!is_key && t->find_column(c.name)) {
            cols.push_back(c.name);
          }
        }
      }
      source_cols = cols;
      for (std::size_t i = 0; i < key.size(); ++i) {
        key_at.push_back(i);
      }
    }
    r.columns = static_cast<std::int64_t>(cols.size());
    auto key_text = [&](const std::vector<std::string>& vals) {
      std::string k;
      for (std::size_t i = 0; i < key_at.size(); ++i) {
        k += (i ? ", " : "") + vals[key_at[i]];
      }
      return k;
    };
    auto normals = [](const db::Row& row) {
      std::vector<std::string> vals;
      vals.reserve(row.size());
      for (const db::Value& v : row) {
        vals.push_back(normal(v));
      }
      return vals;
    };
    auto example = [&](const std::string& text) {
      if (r.examples.size() < kExamples) {
        r.examples.push_back(echo(text, 200));
      }
    };
    std::unordered_map<std::string, std::vector<std::string>> left;
    // Keys of source rows the transform refused: counted once, as differing, whatever the
    // target holds under them.
    std::unordered_set<std::string> refused;
    if (s) {
      std::unique_ptr<db::RowReader> rd = source.query(select_sql(source, *s, source_cols));
      db::Row moved;
      while (rd->next()) {
        db::Row row = rd->row();
        ++r.source_rows;
        if (!tt) {
          std::vector<std::string> vals = normals(row);
          std::string k = key_text(vals);
          left.emplace(std::move(k), std::move(vals));
          continue;
        }
        // The source reads its key first, whatever the transform does with the rest.
        std::string k;
        for (std::size_t i = 0; i < key.size(); ++i) {
          k += (i ? ", " : "") + normal(row[i]);
        }
        try {
          tt->apply(row, moved, &*idps);
        } catch (const Error& e) {
          if (e.kind() != ErrorKind::constraint) {
            throw;
          }
          ++r.differing;
          example(fmt::format("({}): the transform refuses it: {}", k, e.what()));
          refused.insert(std::move(k));
          continue;
        }
        left.emplace(std::move(k), normals(moved));
      }
    }
    if (t) {
      std::unique_ptr<db::RowReader> rd = target.query(select_sql(target, *t, cols));
      while (rd->next()) {
        std::vector<std::string> vals = normals(rd->row());
        ++r.target_rows;
        std::string k = key_text(vals);
        auto it = left.find(k);
        if (it == left.end() && refused.count(k) > 0) {
          continue;
        }
        if (it == left.end()) {
          ++r.only_target;
          example(fmt::format("({}): only in the target", k));
          continue;
        }
        for (std::size_t i = 0; i < vals.size(); ++i) {
          if (vals[i] != it->second[i]) {
            ++r.differing;
            example(fmt::format("({}): {} is {} in the {}source, {} in the target", k, cols[i],
                                it->second[i], tt ? "transformed " : "", vals[i]));
            break;
          }
        }
        left.erase(it);
      }
    }
    r.only_source = static_cast<std::int64_t>(left.size());
    for (const auto& [k, v] : left) {
      example(fmt::format("({}): only in the source", k));
      if (r.examples.size() >= kExamples) {
        break;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cutover::demo
