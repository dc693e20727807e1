// Introspection for the ODBC backend through the catalog functions (SQLTables, SQLColumns,
// SQLPrimaryKeys, SQLStatistics, SQLForeignKeys), which every driver answers alike enough.
#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "db/odbc/odbc_internal.h"

namespace cutover::db {

namespace {

// A catalog-function argument: NULL (no filter) when empty.
class CatalogArg {
 public:
  explicit CatalogArg(std::string_view s) : null_(s.empty()), text_(odbc_widen(s)) {}

  SQLWCHAR* ptr() { return null_ ? nullptr : text_.data(); }

  SQLSMALLINT len() const { return null_ ? 0 : SQL_NTS; }

 private:
  bool null_;
  WideText text_;
};

bool is_number(std::string_view s) {
  std::size_t start = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return s.size() > start && std::isdigit(static_cast<unsigned char>(s[start])) != 0 &&
         s.find_first_not_of("0123456789.eE+-", start) == std::string_view::npos;
}

// COLUMN_DEF as meaning. Drivers pass the engine's text through: PostgreSQL adds casts
// ('ACTIVE'::character varying, '-1'::integer, NULL::character varying), MariaDB quotes
// strings ('ACTIVE') and writes current_timestamp(); a NEXTVAL default is the sequence itself.
DefaultValue parse_default(const Value& v, bool backslash_escapes) {
  if (v.is_null()) {
    return {};
  }
  std::string text = v.to_text();
  std::string cast;
  if (std::size_t at = text.rfind("::");
      at != std::string::npos && text.find('\'', at) == std::string::npos) {
    cast = to_lower(text.substr(at + 2));
    text.resize(at);
  }
  while (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, text.size() - 2);
  }
  std::string lower = to_lower(text);
  if (text.empty() || lower == "null" || lower.rfind("nextval(", 0) == 0) {
    return {};
  }
  if (lower.rfind("current_timestamp", 0) == 0 || lower.rfind("now(", 0) == 0 ||
      lower.rfind("localtimestamp", 0) == 0) {
    return {DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"};
  }
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    std::string inner;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      bool escaped = text[i] == '\'' || (backslash_escapes && text[i] == '\\');
      if (escaped && i + 2 < text.size()) {
        ++i;
      }
      inner += text[i];
    }
    bool numeric_cast = cast.find("int") != std::string::npos || cast == "numeric" ||
                        cast == "real" || cast == "double precision";
    if (numeric_cast && is_number(inner)) {
      return {DefaultValue::Kind::number, inner};
    }
    return {DefaultValue::Kind::string, inner};
  }
  if (is_number(text)) {
    return {DefaultValue::Kind::number, text};
  }
  return {DefaultValue::Kind::other, text};
}

// "nextval('cb_child_pk_seq'::regclass)" -> "cb_child_pk_seq".
std::string sequence_of(const Value& def) {
  std::string text = def.is_null() ? std::string() : def.to_text();
  if (to_lower(text).rfind("nextval(", 0) != 0) {
    return {};
  }
  std::size_t open = text.find('\'');
  std::size_t close = open == std::string::npos ? open : text.find('\'', open + 1);
  if (close == std::string::npos) {
    return {};
  }
  std::string name = text.substr(open + 1, close - open - 1);
  name.erase(std::remove(name.begin(), name.end(), '"'), name.end());
  return name;
}

}  // namespace

template <typename Call>
std::unique_ptr<RowReader> OdbcConnection::catalog_query(std::string_view what, Call call) {
  auto st = std::make_unique<OdbcStatement>(h_->dbc, &session_);
  st->check(call(st->get()), what);
  return odbc_row_reader(std::move(st), bit_is_bool());
}

std::vector<std::string> OdbcConnection::list_tables() {
  std::vector<std::string> out;
  CatalogArg catalog(catalog_);
  CatalogArg schema(escape(schema_));
  CatalogArg all("%");
  CatalogArg type("TABLE");
  auto r = catalog_query("listing tables", [&](SQLHSTMT h) {
    return SQLTablesW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), all.ptr(),
                      all.len(), type.ptr(), type.len());
  });
  while (r->next()) {
    out.push_back(r->get(2).to_text());
  }
  return out;
}

std::optional<TableDef> OdbcConnection::describe_table(std::string_view wanted) {
  // PostgreSQL folds to lower case, Oracle and DB2 to upper: take the exact name if it
  // exists, else the first that matches ignoring case.
  std::optional<std::string> name;
  for (std::string& t : list_tables()) {
    if (t == wanted || (!name && same_ident(t, wanted))) {
      name = std::move(t);
    }
  }
  if (!name) {
    return std::nullopt;
  }
  TableDef t;
  t.name = *name;
  read_columns(t);
  read_generated(t);
  std::string pk_name = read_primary_key(t);
  fix_nullable(t);
  read_indexes(t, pk_name);
  read_foreign_keys(t);
  return t;
}

std::optional<std::int64_t> OdbcConnection::table_size_bytes(std::string_view /*table*/) {
  return std::nullopt;  // ODBC has no portable way to ask
}

// Escapes the search-pattern characters of a catalog-function pattern argument.
std::string OdbcConnection::escape(std::string_view s) const {
  std::string out;
  for (char c : s) {
    if (!escape_.empty() && (c == '_' || c == '%' || escape_.find(c) == 0)) {
      out += escape_;
    }
    out += c;
  }
  return out;
}

void OdbcConnection::read_columns(TableDef& t) {
  CatalogArg catalog(catalog_);
  CatalogArg schema(escape(schema_));
  CatalogArg table(escape(t.name));
  CatalogArg all("%");
  auto r = catalog_query("reading columns", [&](SQLHSTMT h) {
    return SQLColumnsW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), table.ptr(),
                       table.len(), all.ptr(), all.len());
  });
  bool backslashes = dialect_.name() == "mysql";
  while (r->next()) {
    if (r->get(2).to_text() != t.name) {
      continue;  // the pattern matched a neighbour (a driver without an escape character)
    }
    Column c;
    c.name = r->get(3).to_text();
    auto sql_type = static_cast<SQLSMALLINT>(r->get(4).as_int());
    c.native_type = to_lower(r->get(5).to_text());
    bool sized = sql_type == SQL_CHAR || sql_type == SQL_VARCHAR || sql_type == SQL_WCHAR ||
                 sql_type == SQL_WVARCHAR;
    if (sized && !r->get(6).is_null() && c.native_type.find('(') == std::string::npos) {
      c.native_type += fmt::format("({})", r->get(6).as_int());
    }
    classify_native_type(c.native_type, c.type, c.length);
    c.nullable = r->get(10).is_null() || r->get(10).as_int() != SQL_NO_NULLS;
    c.default_value = parse_default(r->get(12), backslashes);
    c.sequence = sequence_of(r->get(12));
    c.generated = !c.sequence.empty();
    t.columns.push_back(std::move(c));
  }
}

// AUTO_INCREMENT, IDENTITY and serial columns, as the driver describes a result.
void OdbcConnection::read_generated(TableDef& t) {
  OdbcStatement st(h_->dbc, &session_);
  WideText sql =
      odbc_widen(fmt::format("SELECT * FROM {} WHERE 1 = 0", dialect_.quote_ident(t.name)));
  st.check(SQLExecDirectW(st.get(), sql.data(), SQL_NTS), "describing the table");
  SQLSMALLINT n = 0;
  st.check(SQLNumResultCols(st.get(), &n), "describing the table");
  for (SQLSMALLINT i = 1; i <= n && static_cast<std::size_t>(i) <= t.columns.size(); ++i) {
    SQLLEN auto_unique = SQL_FALSE;
    if (SQL_SUCCEEDED(SQLColAttributeW(st.get(), static_cast<SQLUSMALLINT>(i),
                                       SQL_DESC_AUTO_UNIQUE_VALUE, nullptr, 0, nullptr,
                                       &auto_unique)) &&
        auto_unique == SQL_TRUE) {
      t.columns[static_cast<std::size_t>(i) - 1].generated = true;
    }
  }
}

// Key columns are NOT NULL everywhere. MariaDB's driver calls AUTO_INCREMENT and TIMESTAMP
// columns nullable (NULL makes the server fill them in), so ask the server there.
void OdbcConnection::fix_nullable(TableDef& t) {
  for (Column& c : t.columns) {
    bool in_pk = std::any_of(t.primary_key.begin(), t.primary_key.end(),
                             [&](const std::string& k) { return same_ident(k, c.name); });
    c.nullable = c.nullable && !in_pk;
  }
  if (dialect_.name() != "mysql") {
    return;
  }
  auto r = query(
      "SELECT COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
      std::vector<Value>{Value(t.name)});
  while (r->next()) {
    for (Column& c : t.columns) {
      if (c.name == r->get(0).to_text()) {
        c.nullable = r->get(1).to_text() == "YES";
      }
    }
  }
}

// Returns the primary key's constraint name (the name of the index behind it, too).
std::string OdbcConnection::read_primary_key(TableDef& t) {
  CatalogArg catalog(catalog_);
  CatalogArg schema(schema_);
  CatalogArg table(t.name);
  auto r = catalog_query("reading the primary key", [&](SQLHSTMT h) {
    return SQLPrimaryKeysW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), table.ptr(),
                           table.len());
  });
  std::map<std::int64_t, std::string> columns;
  std::string name;
  while (r->next()) {
    columns[r->get(4).as_int()] = r->get(3).to_text();
    name = r->get(5).is_null() ? std::string() : r->get(5).to_text();
  }
  for (auto& [seq, col] : columns) {
    t.primary_key.push_back(std::move(col));
  }
  return name;
}

// Unique indexes become unique keys (a unique constraint is one), the index behind the
// primary key is left out, the rest are plain indexes.
void OdbcConnection::read_indexes(TableDef& t, const std::string& pk_name) {
  CatalogArg catalog(catalog_);
  CatalogArg schema(schema_);
  CatalogArg table(t.name);
  auto r = catalog_query("reading indexes", [&](SQLHSTMT h) {
    return SQLStatisticsW(h, catalog.ptr(), catalog.len(), schema.ptr(), schema.len(), table.ptr(),
                          table.len(), SQL_INDEX_ALL, SQL_QUICK);
  });
  std::vector<Index> indexes;
  std::map<std::string, std::map<std::int64_t, std::string>> columns;
  while (r->next()) {
    if (r->get(6).as_int() == SQL_TABLE_STAT || r->get(5).is_null() || r->get(8).is_null()) {
      continue;
    }
    std::string name = r->get(5).to_text();
    if (columns.find(name) == columns.end()) {
      indexes.push_back(Index{name, {}, r->get(3).as_int() == SQL_FALSE});
    }
    columns[name][r->get(7).as_int()] = r->get(8).to_text();
  }
  for (Index& ix : indexes) {
    for (auto& [seq, col] : columns[ix.name]) {
      ix.columns.push_back(std::move(col));
    }
    bool same_as_pk =
        ix.unique && ix.columns.size() == t.primary_key.size() &&
        std::equal(ix.columns.begin(), ix.columns.end(), t.primary_key.begin(),
                   [](const std::string& a, const std::string& b) { return same_ident(a, b); });
    if ((!pk_name.empty() && ix.name == pk_name) || ix.name == "PRIMARY" || same_as_pk) {
      continue;
    }
    if (ix.unique) {
      t.unique_keys.push_back(Key{ix.name, std::move(ix.columns)});
    } else {
      t.indexes.push_back(std::move(ix));
    }
  }
}

void OdbcConnection::read_foreign_keys(TableDef& t) {
  CatalogArg none("");
  CatalogArg catalog(catalog_);
  CatalogArg schema(schema_);
  CatalogArg table(t.name);
  auto r = catalog_query("reading foreign keys", [&](SQLHSTMT h) {
    return SQLForeignKeysW(h, none.ptr(), none.len(), none.ptr(), none.len(), none.ptr(),
                           none.len(), catalog.ptr(), catalog.len(), schema.ptr(), schema.len(),
                           table.ptr(), table.len());
  });
  // Rows come ordered by KEY_SEQ across all keys, so gather per key first.
  std::vector<ForeignKey> keys;
  std::map<std::string, std::map<std::int64_t, std::pair<std::string, std::string>>> cols;
  while (r->next()) {
    std::string name = r->get(11).is_null() ? r->get(2).to_text() : r->get(11).to_text();
    if (cols.find(name) == cols.end()) {
      ForeignKey fk;
      fk.name = name;
      fk.ref_table = r->get(2).to_text();
      fk.on_delete_cascade = !r->get(10).is_null() && r->get(10).as_int() == SQL_CASCADE;
      keys.push_back(std::move(fk));
    }
    cols[name][r->get(8).as_int()] = {r->get(7).to_text(), r->get(3).to_text()};
  }
  for (ForeignKey& fk : keys) {
    for (auto& [seq, pair] : cols[fk.name]) {
      fk.columns.push_back(pair.first);
      fk.ref_columns.push_back(pair.second);
    }
    t.foreign_keys.push_back(std::move(fk));
  }
}

}  // namespace cutover::db
