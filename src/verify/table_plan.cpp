#include "verify/table_plan.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"
#include "verify/sensitive.h"

namespace cutover::verify {

namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return db::same_ident(n, name); });
}

/// What decides the order of text column `column` of `table` on `conn`, as a string equal on
/// two databases only when they order the column alike; empty when that cannot be told.
std::string text_order(db::Connection& conn, const std::string& table, const std::string& column) {
  std::string dialect = conn.dialect().name();
  std::optional<db::Value> v;
  if (dialect == "sqlite") {
    // SQLite compares text with the column's collation, BINARY (memcmp) unless declared.
    v = conn.query_value("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                         std::vector<db::Value>{db::Value(table)});
    if (!v || v->is_null() || db::to_upper(v->to_text()).find("COLLATE") != std::string::npos) {
      return {};
    }
    return "sqlite:binary";
  }
  if (dialect == "postgresql") {
    // The column's own collation, else the database's; provider and locale as well (an ICU
    // and a libc collation of one name order differently). to_jsonb reads the fields by name
    // so the query works on versions that renamed them (daticulocale -> datlocale).
    v = conn.query_value(
        "SELECT CASE WHEN co.collname IS NULL OR co.collname = 'default' THEN "
        "concat_ws('/', 'db', d.datcollate, d.datctype, to_jsonb(d)->>'datlocprovider', "
        "to_jsonb(d)->>'daticulocale', to_jsonb(d)->>'datlocale') ELSE "
        "concat_ws('/', co.collname, co.collprovider, co.collcollate, "
        "to_jsonb(co)->>'colliculocale', to_jsonb(co)->>'colllocale') END "
        "FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid "
        "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
        "CROSS JOIN pg_database d WHERE d.datname = current_database() "
        "AND pg_table_is_visible(r.oid) AND r.relname = $1 AND a.attname = $2",
        std::vector<db::Value>{db::Value(table), db::Value(column)});
  } else if (dialect == "mysql") {
    v = conn.query_value(
        "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = ? AND COLUMN_NAME = ?",
        std::vector<db::Value>{db::Value(table), db::Value(column)});
  }
  if (!v || v->is_null()) {
    return {};
  }
  return dialect + ":" + v->to_text();
}

/// True when a key range (lo, hi] selects the same rows on both sides whenever they hold the
/// same keys, so chunks can be cut on the source and checked on both. That holds when both
/// sides order every key column alike: integers everywhere (numeric order is one order);
/// timestamps (one calendar order); text only on the same engine and server version with the
/// same collation (provider and locale included), since the order is then computed by the same
/// code with the same rules. Any other pair (ICU en-US on PostgreSQL, a case-insensitive
/// collation on MariaDB, bytes on SQLite) may put a key on different sides of a boundary, and a
/// range would then select different rows on the two sides: reported as differences that are
/// not there. Those tables are streamed in byte order instead (TablePlan::stream).
bool order_shared(db::Connection& source, db::Connection& target, const TablePlan& p) {
  bool same_server =
      source.backend() == target.backend() && source.server_version() == target.server_version();
  for (std::size_t i = 0; i < p.key_kinds.size(); ++i) {
    switch (p.key_kinds[i]) {
      case Kind::integer:
      case Kind::timestamp:
        continue;
      case Kind::text:
      case Kind::padded: {
        if (!same_server) {
          return false;
        }
        std::string a = text_order(source, p.source_table, p.source_key[i]);
        if (a.empty() || a != text_order(target, p.target_table, p.target_key[i])) {
          return false;
        }
        continue;
      }
      default:
        return false;
    }
  }
  return true;
}

/// The character set of each column of `table` on a MySQL/MariaDB connection, by name.
std::vector<std::pair<std::string, std::string>> charsets(db::Connection& conn,
                                                          const std::string& table) {
  std::unique_ptr<db::RowReader> r = conn.query(
      "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
      std::vector<db::Value>{db::Value(table)});
  std::vector<std::pair<std::string, std::string>> out;
  while (r->next()) {
    out.emplace_back(r->get(0).to_text(), r->get(1).is_null() ? "" : r->get(1).to_text());
  }
  return out;
}

/// True when the two sums may hash text as stored (Text::stored): both sides the same
/// MySQL/MariaDB server version and every compared text column in one character set on both, so
/// equal values are equal bytes on both sides and the two SQL sums agree exactly when the canonical
/// ones would.
bool text_stored_alike(db::Connection& source, db::Connection& target, const TablePlan& p) {
  // The same server as well: CONCAT_WS and the escapes convert between character sets by the
  // server's own rules, which MySQL and MariaDB versions need not share.
  if (source.dialect().name() != "mysql" || target.dialect().name() != "mysql" ||
      source.backend() != target.backend() || source.server_version() != target.server_version()) {
    return false;
  }
  auto of = [](const std::vector<std::pair<std::string, std::string>>& all,
               const std::string& column) -> std::string {
    for (const auto& [name, charset] : all) {
      if (db::same_ident(name, column)) {
        return charset;
      }
    }
    return {};
  };
  std::vector<std::pair<std::string, std::string>> s = charsets(source, p.source_table);
  std::vector<std::pair<std::string, std::string>> t = charsets(target, p.target_table);
  for (std::size_t i = 0; i < p.compared.size(); ++i) {
    if (p.kinds[i] != Kind::text && p.kinds[i] != Kind::padded) {
      continue;
    }
    std::string a = of(s, p.source_read[i]);
    if (a.empty() || a != of(t, p.compared[i])) {
      return false;
    }
  }
  return true;
}

Kind kind_on(const db::TableDef& t, const std::string& column, const db::Connection& conn) {
  const db::Column* c = t.find_column(column);
  if (c == nullptr) {
    throw Error(ErrorKind::internal, fmt::format("{} has no column {}", t.name, column),
                "report this: verify planned a column the table lacks");
  }
  return kind_of(*c, conn.dialect().name());
}

}  // namespace

TablePlan plan_table(db::Connection& source, db::Connection& target, const sync::SyncTable& table,
                     const db::TableDef& target_def, const schema::Transform* xform) {
  const db::TableDef& s = table.def;
  const db::TableDef& t = target_def;
  TablePlan p;
  p.name = table.name;
  p.source_table = s.name;
  p.target_table = t.name;
  p.source_key = table.key;
  for (const std::string& k : table.key) {
    const db::Column* c = t.find_column(k);
    if (c == nullptr) {
      throw Error(ErrorKind::config, fmt::format("the target's {} has no key column {}", t.name, k),
                  "rows cannot be matched by key; check that the target is the product version "
                  "given with --to");
    }
    p.target_key.push_back(c->name);
  }
  if (xform != nullptr && !xform->identity()) {
    p.xform.emplace(xform->bind(s, t, table.key));
    p.source_read = p.xform->source_columns();
    p.compared = p.xform->target_columns();
  } else {
    // Key first, then every other column both sides have, in the source's order.
    p.source_read = table.key;
    p.compared = p.target_key;
    for (const db::Column& c : s.columns) {
      const db::Column* tc = t.find_column(c.name);
      if (tc != nullptr && !contains(table.key, c.name)) {
        p.source_read.push_back(c.name);
        p.compared.push_back(tc->name);
      }
    }
  }
  for (const db::Column& c : s.columns) {
    if (!contains(p.source_read, c.name)) {
      p.source_only.push_back(c.name);
    }
  }
  for (const db::Column& c : t.columns) {
    if (!contains(p.compared, c.name)) {
      p.target_only.push_back(c.name);
    }
  }
  for (const std::string& col : p.compared) {
    Kind tk = kind_on(t, col, target);
    // A target column the transform computes (IDP_ID) or fills with a constant has no source
    // column of its name: both sides encode it as the target has it.
    Kind sk = s.find_column(col) != nullptr ? kind_on(s, col, source) : tk;
    p.kinds.push_back(common_kind(sk, tk));
    p.secret.push_back(holds_secret(col));
  }
  for (const std::string& k : p.target_key) {
    auto it = std::find_if(p.compared.begin(), p.compared.end(),
                           [&](const std::string& c) { return db::same_ident(c, k); });
    if (it == p.compared.end()) {
      throw Error(
          ErrorKind::config,
          fmt::format("the version transform of {} does not carry key column {}", p.name, k),
          "rows cannot be matched by key between these versions");
    }
    p.key_at.push_back(static_cast<std::size_t>(it - p.compared.begin()));
    p.key_kinds.push_back(p.kinds[p.key_at.back()]);
  }
  std::vector<HashColumn> target_cols;
  std::vector<HashColumn> source_cols;
  for (std::size_t i = 0; i < p.compared.size(); ++i) {
    target_cols.push_back({p.compared[i], p.kinds[i]});
    if (!p.xform) {
      source_cols.push_back({p.source_read[i], p.kinds[i]});
    }
  }
  p.target_sql = sql_chunk_aggregate(target.dialect(), target_cols);
  if (!p.xform) {
    p.source_sql = sql_chunk_aggregate(source.dialect(), source_cols);
  }
  // Only where both sides sum in SQL: a side cutover hashes is canonical.
  if (p.source_sql && p.target_sql && text_stored_alike(source, target, p)) {
    p.stored_text = true;
    p.target_sql = sql_chunk_aggregate(target.dialect(), target_cols, Text::stored);
    p.source_sql = sql_chunk_aggregate(source.dialect(), source_cols, Text::stored);
  }
  // A primary key holds no NULL (SQLite may report its columns nullable); a unique key may,
  // and NULL has no place in a range.
  bool nullable_key = false;
  for (const std::string& k : s.primary_key.empty() ? table.key : std::vector<std::string>{}) {
    const db::Column* c = s.find_column(k);
    nullable_key = nullable_key || c == nullptr || c->nullable;
  }
  p.nullable_key = nullable_key;
  p.stream = nullable_key || !order_shared(source, target, p);
  return p;
}

}  // namespace cutover::verify
