// verify canonical: the one encoding of a row that every engine, and cutover itself, computes
// the same way (DESIGN §4), and the 64-bit row hash over it. Identical data gives identical
// hashes on SQLite, PostgreSQL, MariaDB and ODBC; any real difference (a changed value, NULL vs
// empty string, a trailing space, a truncated timestamp, a changed case) gives another hash.
//
// Encoding, per column in the order given: NULL is the two bytes `\N`; any other value is its
// canonical text with `\` written `\\` and `|` written `\p`; columns are joined by `|`. So `\N`
// can only be NULL, and the row text is injective. Canonical text per Kind:
//   integer    decimal digits, '-' for negatives, no leading zeros or '+' ("0", "-12")
//   decimal    like integer with a fraction: trailing fraction zeros and a bare '.' removed,
//              "-0" is "0" ("1.5", "2")
//   floating   the shortest text that reads back as the same double (not computed in SQL)
//   text       the UTF-8 bytes as stored, trailing spaces kept
//   padded     CHAR(n): the bytes with trailing spaces removed (engines differ in padding)
//   timestamp  "YYYY-MM-DD HH:MM:SS" plus ".f" with the fraction's trailing zeros removed
//              and no '.' when the fraction is zero, UTC wall clock ("2024-01-02 03:04:05.12")
//   binary     lower-case hex of the bytes ("" for empty)
//   boolean    "1" or "0"
// Row hash: the first 8 bytes of MD5(row text), big-endian, as an unsigned 64-bit integer.
// A chunk is summarised by its row count and the sum of its row hashes modulo 2^64: order
// independent, and two rows swapping values do not cancel as they would under xor.
// The SQL each engine runs, its costs and its limits: docs/verify-canonical.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/dialect.h"
#include "db/table_def.h"
#include "db/value.h"

namespace cutover::verify {

enum class Kind { integer, decimal, floating, text, padded, timestamp, binary, boolean };

/// The kind of a live column (TypeKind and native_type as the backend reports them), for a
/// database of `dialect` ("sqlite", "postgresql", "mysql", ...).
Kind kind_of(const db::Column& column, std::string_view dialect);

/// The kind both sides of a comparison encode one column with, from the two live columns'
/// kinds: equal kinds stay; integer and decimal meet as decimal; text and padded meet as
/// padded; a timestamp stored as text (SQLite) meets timestamp as timestamp; integer and
/// boolean meet as boolean (MySQL's BOOLEAN is TINYINT(1): 0 and 1 read as "0" and "1");
/// floating and integer or decimal meet as floating (each engine prints doubles its own
/// way, so the values are compared as doubles, streamed); otherwise text.
Kind common_kind(Kind a, Kind b);

/// Appends the canonical text of one non-null value of kind `k` (without escaping). Values
/// as the db layer returns them: SQLite may hand an integer column a text value, a timestamp
/// as text with any precision, a boolean as 0/1; all are normalised here. Throws a data
/// error naming the kind for a value that cannot be read as it (text in an integer column).
void append_canonical(const db::Value& v, Kind k, std::string& out);

/// The canonical row text of `row` (values in column order) with `kinds` (same length).
std::string encode_row(const db::Row& row, const std::vector<Kind>& kinds);

/// MD5 of `row_text`, first 8 bytes big-endian.
std::uint64_t row_hash(std::string_view row_text);

/// Count and order-independent hash of a set of rows.
struct ChunkSum {
  std::int64_t rows = 0;
  std::uint64_t sum = 0;  ///< sum of row hashes modulo 2^64

  void add(std::uint64_t h) {
    ++rows;
    sum += h;  // unsigned: wraps modulo 2^64 by definition
  }

  void add(const ChunkSum& other) {
    rows += other.rows;
    sum += other.sum;
  }

  bool operator==(const ChunkSum&) const = default;
};

/// One column of a hash query: its name in the live table and the kind to encode it with.
struct HashColumn {
  std::string name;
  Kind kind = Kind::text;
};

/// In-database hashing: the select list that computes, over the rows a WHERE selects, the row
/// count and the sum of row hashes as this file defines them, e.g. for PostgreSQL
/// "COUNT(*), SUM(<expr>)". nullopt when this dialect, or one of the kinds (floating), cannot
/// compute the identical hash in SQL: the caller then streams the rows and hashes them here.
/// Column names are quoted by `dialect`. The SQL assumes each column's live type is of its
/// kind (an integer column may also be hashed as decimal or boolean, a text column as padded)
/// and a session set up by Dialect::session_setup (UTC, ISO dates), as db::open leaves it.
///
/// `Text::stored` (MySQL/MariaDB only) hashes text in the bytes of its column's own character
/// set instead of converting the row to UTF-8 first (the conversion is about 40 % of the
/// query's cost on a latin1 table), each text value written as its byte length and its bytes
/// instead of escaped (a quarter of the rest). The sum is then not canonical, so it may be
/// compared only with a sum the same SQL computed over columns of the same character sets on
/// the same server version (verify/table_plan.cpp's text_stored_alike decides), never with
/// cutover's own hash of the rows.
enum class Text { canonical, stored };
std::optional<std::string> sql_chunk_aggregate(const db::Dialect& dialect,
                                               const std::vector<HashColumn>& columns,
                                               Text text = Text::canonical);

/// The same per row, for drilling down: a select-list expression giving each row's hash (read
/// back with parse_row_hash), or nullopt as above.
std::optional<std::string> sql_row_hash(const db::Dialect& dialect,
                                        const std::vector<HashColumn>& columns,
                                        Text text = Text::canonical);

/// Reads the two values sql_chunk_aggregate selects (count, then the sum as the engine returns
/// it: a decimal of any size, possibly negative, possibly NULL for no rows) into a ChunkSum.
ChunkSum parse_chunk_aggregate(const db::Value& count, const db::Value& sum);

/// Reads the value sql_row_hash selects into the row hash.
std::uint64_t parse_row_hash(const db::Value& v);

}  // namespace cutover::verify
