#include "db/sql_scan.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace cutover::db {

namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Whether backslash escapes the next character inside the literal that opens with sql[i].
bool backslash_escapes(std::string_view sql, std::size_t i, SqlSyntax syntax) {
  char c = sql[i];
  if (syntax == SqlSyntax::mysql) {
    return c != '`';
  }
  // PostgreSQL: only E'..', where the E is not the end of a longer identifier.
  return c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
         (i < 2 || !ident_char(sql[i - 2]));
}

bool opens_quote(char c, SqlSyntax syntax) {
  return c == '\'' || c == '"' || (c == '`' && syntax == SqlSyntax::mysql);
}

// Whether a line comment starts at sql[i].
bool opens_line_comment(std::string_view sql, std::size_t i, SqlSyntax syntax) {
  char c = sql[i];
  char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  if (syntax == SqlSyntax::postgresql) {
    return c == '-' && next == '-';
  }
  return c == '#' ||
         (c == '-' && next == '-' &&
          (i + 2 == sql.size() || std::isspace(static_cast<unsigned char>(sql[i + 2]))));
}

}  // namespace

std::vector<Placeholder> find_placeholders(std::string_view sql, SqlSyntax syntax) {
  std::vector<Placeholder> out;
  bool pg = syntax == SqlSyntax::postgresql;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (opens_quote(c, syntax)) {
      bool escapes = backslash_escapes(sql, i, syntax);
      for (++i; i < sql.size() && sql[i] != c; ++i) {
        i += escapes && sql[i] == '\\' ? 1 : 0;
      }
    } else if (opens_line_comment(sql, i, syntax)) {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (c == '/' && next == '*') {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (!pg && c == '?') {
      out.push_back(Placeholder{i, 1, 0});
    } else if (pg && c == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) {
        ++j;
      }
      if (j > i + 1) {
        std::size_t n = 0;
        std::from_chars(sql.data() + i + 1, sql.data() + j, n);  // overflow leaves 0
        out.push_back(Placeholder{i, j - i, n});
        i = j - 1;
        continue;
      }
      // $tag$ ... $tag$: skip the body.
      while (j < sql.size() && ident_char(sql[j]) && sql[j] != '$') {
        ++j;
      }
      if (j < sql.size() && sql[j] == '$') {
        std::string_view tag = sql.substr(i, j - i + 1);
        std::size_t end = sql.find(tag, j + 1);
        i = end == std::string_view::npos ? sql.size() : end + tag.size() - 1;
      }
    }
  }
  return out;
}

}  // namespace cutover::db
