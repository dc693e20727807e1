#include "db/table_def.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace cutover::db {

bool same_ident(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const Column* TableDef::find_column(std::string_view wanted) const {
  for (const Column& c : columns) {
    if (same_ident(c.name, wanted)) {
      return &c;
    }
  }
  return nullptr;
}

std::string type_name(TypeKind kind, int length) {
  switch (kind) {
    case TypeKind::integer:
      return "INTEGER";
    case TypeKind::bigint:
      return "BIGINT";
    case TypeKind::smallint:
      return "SMALLINT";
    case TypeKind::varchar:
      return fmt::format("VARCHAR({})", length);
    case TypeKind::fixed_char:
      return fmt::format("CHAR({})", length);
    case TypeKind::timestamp:
      return "TIMESTAMP";
    case TypeKind::blob:
      return "BLOB";
    case TypeKind::longblob:
      return "LONGBLOB";
    case TypeKind::other:
      return "OTHER";
  }
  return "OTHER";
}

void classify_native_type(std::string_view native, TypeKind& kind, int& length) {
  std::string t = to_lower(native);
  length = 0;
  std::string base = t;
  if (std::size_t open = t.find('('); open != std::string::npos) {
    base = t.substr(0, open);
    std::size_t close = t.find(')', open);
    std::string_view digits(t.data() + open + 1,
                            (close == std::string::npos ? t.size() : close) - open - 1);
    std::from_chars(digits.data(), digits.data() + digits.size(), length);
  }
  while (!base.empty() && base.back() == ' ') {
    base.pop_back();
  }
  // MySQL reports "int unsigned", "timestamp" etc.; strip trailing modifiers we do not model.
  if (std::size_t space = base.find(' ');
      space != std::string::npos && base.rfind("character", 0) != 0 &&
      base.rfind("timestamp", 0) != 0 && base.rfind("double", 0) != 0) {
    base = base.substr(0, space);
  }
  if (base == "integer" || base == "int" || base == "int4" || base == "mediumint") {
    kind = TypeKind::integer;
    length = 0;
  } else if (base == "bigint" || base == "int8") {
    kind = TypeKind::bigint;
    length = 0;
  } else if (base == "smallint" || base == "int2" || base == "tinyint") {
    kind = TypeKind::smallint;
    length = 0;
  } else if (base == "varchar" || base == "character varying" || base == "varchar2" ||
             base == "nvarchar") {
    kind = TypeKind::varchar;
  } else if (base == "char" || base == "character" || base == "bpchar" || base == "nchar") {
    kind = TypeKind::fixed_char;
  } else if (base.rfind("timestamp", 0) == 0 || base == "datetime" || base == "datetime2") {
    kind = TypeKind::timestamp;
    length = 0;
  } else if (base == "bytea" || base == "blob" || base == "varbinary" || base == "mediumblob") {
    kind = TypeKind::blob;
    length = 0;
  } else if (base == "longblob") {
    kind = TypeKind::longblob;
    length = 0;
  } else {
    kind = TypeKind::other;
  }
}

}  // namespace cutover::db
