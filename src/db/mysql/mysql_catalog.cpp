// Introspection for the MySQL backend: base tables of the current database, their columns,
// keys and indexes, and sizes, all from information_schema.
#include <cctype>
#include <string>
#include <utility>

#include "db/mysql/mysql_internal.h"

namespace cutover::db {

namespace {

bool is_number(std::string_view s) {
  std::size_t start = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return s.size() > start && s.find_first_not_of("0123456789.eE+-", start) == std::string::npos &&
         std::isdigit(static_cast<unsigned char>(s[start]));
}

// The inside of a quoted MariaDB default: '' is a quote, backslash escapes the next character.
std::string unquote_mariadb(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((c == '\'' || c == '\\') && i + 1 < s.size()) {
      char next = s[++i];
      if (c == '\\' && next == 'n') {
        next = '\n';
      } else if (c == '\\' && next == 't') {
        next = '\t';
      }
      out += next;
    } else {
      out += c;
    }
  }
  return out;
}

// COLUMN_DEFAULT as meaning. MariaDB 10.2.7+ prints expressions: 'ACTIVE' quoted, numbers
// bare, current_timestamp(), and NULL for "no default" on nullable columns. MySQL prints the
// literal unquoted, so the column's type decides whether it is a string.
DefaultValue parse_default(const Value& v, std::string_view data_type, bool mariadb) {
  if (v.is_null()) {
    return {};
  }
  std::string text = v.to_text();
  std::string lower = to_lower(text);
  if (lower.rfind("current_timestamp", 0) == 0 || lower.rfind("now(", 0) == 0 ||
      lower.rfind("localtimestamp", 0) == 0) {
    return {DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
  }
  if (mariadb) {
    if (text == "NULL") {
      return {};
    }
    if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
      return {DefaultValue::Kind::string, unquote_mariadb(text.substr(1, text.size() - 2))};
    }
    return is_number(text) ? DefaultValue{DefaultValue::Kind::number, text}
                           : DefaultValue{DefaultValue::Kind::other, text};
  }
  std::string type = to_lower(data_type);
  if (type.find("char") != std::string::npos || type.find("text") != std::string::npos ||
      type == "enum" || type == "set") {
    return {DefaultValue::Kind::string, text};
  }
  return is_number(text) ? DefaultValue{DefaultValue::Kind::number, text}
                         : DefaultValue{DefaultValue::Kind::other, text};
}

}  // namespace

std::vector<std::string> MysqlConnection::list_tables() {
  std::vector<std::string> out;
  auto r = query(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
      "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      {});
  while (r->next()) {
    out.push_back(r->get(0).to_text());
  }
  return out;
}

std::optional<TableDef> MysqlConnection::describe_table(std::string_view wanted) {
  std::optional<std::string> name = resolve_table(wanted);
  if (!name) {
    return std::nullopt;
  }
  TableDef t;
  t.name = *name;
  std::vector<Value> key{Value(t.name)};
  read_columns(t, key);
  read_indexes(t, key);
  read_foreign_keys(t, key);
  return t;
}

std::optional<std::int64_t> MysqlConnection::table_size_bytes(std::string_view table) {
  std::optional<std::string> name = resolve_table(table);
  if (!name) {
    return std::nullopt;
  }
  return query_value(
             "SELECT COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM "
             "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
             std::vector<Value>{Value(*name)})
      .value_or(Value(0))
      .as_int();
}

std::optional<std::string> MysqlConnection::resolve_table(std::string_view wanted) {
  std::optional<std::string> found;
  auto r = query(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
      "AND TABLE_TYPE = 'BASE TABLE' AND LOWER(TABLE_NAME) = LOWER(?)",
      std::vector<Value>{Value(wanted)});
  while (r->next()) {
    std::string n = r->get(0).to_text();
    if (!found || n == wanted) {
      found = n;
    }
  }
  return found;
}

void MysqlConnection::read_columns(TableDef& t, std::span<const Value> key) {
  auto r = query(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, DATA_TYPE "
      "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? "
      "ORDER BY ORDINAL_POSITION",
      key);
  while (r->next()) {
    Column c;
    c.name = r->get(0).to_text();
    c.native_type = r->get(1).to_text();
    classify_native_type(c.native_type, c.type, c.length);
    c.nullable = r->get(2).to_text() == "YES";
    c.default_value = parse_default(r->get(3), r->get(5).to_text(), mariadb_);
    c.generated = to_lower(r->get(4).to_text()).find("auto_increment") != std::string::npos;
    t.columns.push_back(std::move(c));
  }
}

void MysqlConnection::read_indexes(TableDef& t, std::span<const Value> key) {
  auto r = query(
      "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IS NOT NULL "
      "ORDER BY INDEX_NAME = 'PRIMARY' DESC, NON_UNIQUE, INDEX_NAME, SEQ_IN_INDEX",
      key);
  std::vector<Index> indexes;
  while (r->next()) {
    std::string name = r->get(0).to_text();
    if (indexes.empty() || indexes.back().name != name) {
      indexes.push_back(Index{name, {}, r->get(1).as_int() == 0});
    }
    indexes.back().columns.push_back(r->get(2).to_text());
  }
  for (Index& ix : indexes) {
    if (ix.name == "PRIMARY") {
      t.primary_key = std::move(ix.columns);
    } else if (ix.unique) {
      t.unique_keys.push_back(Key{ix.name, std::move(ix.columns)});
    } else {
      t.indexes.push_back(std::move(ix));
    }
  }
}

void MysqlConnection::read_foreign_keys(TableDef& t, std::span<const Value> key) {
  auto r = query(
      "SELECT rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.DELETE_RULE, k.COLUMN_NAME, "
      "k.REFERENCED_COLUMN_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS rc "
      "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = "
      "rc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = rc.TABLE_NAME AND k.CONSTRAINT_NAME = "
      "rc.CONSTRAINT_NAME WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND rc.TABLE_NAME = ? "
      "ORDER BY rc.CONSTRAINT_NAME, k.ORDINAL_POSITION",
      key);
  while (r->next()) {
    std::string name = r->get(0).to_text();
    if (t.foreign_keys.empty() || t.foreign_keys.back().name != name) {
      ForeignKey fk;
      fk.name = name;
      fk.ref_table = r->get(1).to_text();
      fk.on_delete_cascade = same_ident(r->get(2).to_text(), "CASCADE");
      t.foreign_keys.push_back(std::move(fk));
    }
    t.foreign_keys.back().columns.push_back(r->get(3).to_text());
    t.foreign_keys.back().ref_columns.push_back(r->get(4).to_text());
  }
}

}  // namespace cutover::db
