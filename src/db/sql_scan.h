// Finds the parameter placeholders in SQL text, skipping string literals, quoted identifiers
// and comments, for the backends that rewrite placeholders themselves: MySQL interpolates '?'
// client-side, ODBC turns PostgreSQL's $n into the driver's '?'. A lexer just good enough for
// the statements cutover and its users write, not a parser: it never rejects text, and an
// unterminated literal or comment runs to the end.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace cutover::db {

/// Which quoting and comment rules apply, and which placeholders count.
enum class SqlSyntax {
  /// '?' markers. '..', ".." and `..` quote, backslash escapes inside '..' and "..";
  /// comments are # and "-- " (dashes then whitespace or the end) to end of line, and /* */.
  mysql,
  /// $n markers (n decimal, not after an identifier character). '..' and ".." quote, and
  /// backslash escapes only inside E'..'; $tag$ .. $tag$ bodies are skipped; comments are --
  /// to end of line and /* */ (not nested).
  postgresql,
};

/// One placeholder: the text sql.substr(offset, length) is "?" or "$n".
struct Placeholder {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::size_t number = 0;  ///< n of $n, 0 when it does not fit a size_t; always 0 for '?'
};

/// The placeholders of `sql` outside literals, quoted identifiers and comments, in text order.
/// A doubled quote ('it''s') needs no rule: it closes and reopens the literal.
std::vector<Placeholder> find_placeholders(std::string_view sql, SqlSyntax syntax);

}  // namespace cutover::db
