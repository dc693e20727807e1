#include "verify/canonical.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>

#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/value_format.h"

namespace cutover::verify {
namespace {

Error not_readable(std::string_view what, std::string_view kind) {
  // Echoed safely (a stored value is outside input too), and short: it may be a token.
  return Error(ErrorKind::unsupported,
               fmt::format("value '{}' cannot be read as {}", echo(what, 24), kind),
               "the column holds values outside its declared type: fix the value or leave the "
               "table out of the comparison");
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::integer:
      return "integer";
    case Kind::decimal:
      return "decimal";
    case Kind::floating:
      return "floating";
    case Kind::text:
      return "text";
    case Kind::padded:
      return "padded";
    case Kind::timestamp:
      return "timestamp";
    case Kind::binary:
      return "binary";
    case Kind::boolean:
      return "boolean";
  }
  return "text";
}

// The lower-case base name of a native type: "numeric(20,6)" -> "numeric",
// "int(10) unsigned" -> "int", "timestamp(3) without time zone" -> "timestamp".
std::string base_type(std::string_view native) {
  std::string t = db::to_lower(native);
  std::size_t end = t.find_first_of("( ");
  std::string base = t.substr(0, end);
  // PostgreSQL's two-word names keep their meaning in the first word except these.
  if (base == "double" || base == "character" || base == "bit") {
    std::size_t open = t.find('(');
    std::string head = t.substr(0, open);
    while (!head.empty() && head.back() == ' ') {
      head.pop_back();
    }
    if (head.rfind("double", 0) == 0) {
      return "double";
    }
    if (head.rfind("character varying", 0) == 0 || head.rfind("bit varying", 0) == 0) {
      return head;
    }
  }
  return base;
}

// The number inside the first parentheses ("tinyint(1)" -> 1), 0 when none.
int first_length(std::string_view native) {
  std::size_t open = native.find('(');
  if (open == std::string_view::npos) {
    return 0;
  }
  int n = 0;
  std::from_chars(native.data() + open + 1, native.data() + native.size(), n);
  return n;
}

void append_shortest(double d, std::string& out) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  out.append(buf.data(), end);
}

// Decimal text with trailing fraction zeros, a bare '.', leading zeros and a '+' removed,
// "-0" written "0". Returns false when `s` is not a plain decimal number.
bool append_decimal_text(std::string_view s, std::string& out) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  std::size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
  }
  std::string_view int_part = s.substr(int_begin, i - int_begin);
  std::string_view frac_part;
  if (i < s.size() && s[i] == '.') {
    std::size_t frac_begin = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    frac_part = s.substr(frac_begin, i - frac_begin);
  }
  if (i != s.size() || (int_part.empty() && frac_part.empty())) {
    return false;
  }
  while (!int_part.empty() && int_part.front() == '0') {
    int_part.remove_prefix(1);
  }
  while (!frac_part.empty() && frac_part.back() == '0') {
    frac_part.remove_suffix(1);
  }
  if (int_part.empty() && frac_part.empty()) {
    out += '0';
    return true;
  }
  if (negative) {
    out += '-';
  }
  if (int_part.empty()) {
    out += '0';
  } else {
    out.append(int_part);
  }
  if (!frac_part.empty()) {
    out += '.';
    out.append(frac_part);
  }
  return true;
}

// A double in a decimal column (SQLite's NUMERIC affinity stores 1.5 as REAL): the shortest
// fixed-point text that reads back as it, then trimmed like any decimal.
void append_decimal_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    throw not_readable(fmt::format("{}", d), "decimal");
  }
  std::array<char, 400> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::fixed);
  append_decimal_text(std::string_view(buf.data(), static_cast<std::size_t>(end - buf.data())),
                      out);
}

void append_number(const db::Value& v, Kind k, std::string& out) {
  if (v.is_int()) {
    out += std::to_string(v.as_int());
    return;
  }
  if (v.is_double()) {
    double d = v.as_double();
    // An integral double in an integer column reads as that integer (SQLite REAL affinity).
    if (k == Kind::integer && std::nearbyint(d) == d && std::fabs(d) < 9.2e18) {
      out += std::to_string(static_cast<std::int64_t>(d));
      return;
    }
    append_decimal_double(d, out);
    return;
  }
  if (v.is_text()) {
    const std::string& s = v.as_text();
    if (append_decimal_text(s, out)) {
      return;
    }
    // Exponent forms ("1.5E+3") come from SQLite's REAL values printed as text.
    if (s.find_first_of("eE") != std::string::npos) {
      double d = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec == std::errc() && end == s.data() + s.size()) {
        append_decimal_double(d, out);
        return;
      }
    }
    throw not_readable(s, kind_name(k));
  }
  throw not_readable("<binary>", kind_name(k));
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "YYYY-MM-DD HH:MM:SS[.f]" from what engines and SQLite files hold: a 'T' separator, a UTC
// offset, a date alone, minutes without seconds, any number of fraction digits.
void append_timestamp(std::string_view text, std::string& out) {
  if (text == "infinity" || text == "-infinity") {
    out += text;  // PostgreSQL's special values, printed so by the server as well
    return;
  }
  std::string s = db::canonical_timestamp(text);
  if (s.size() >= 11 && (s[10] == 'T' || s[10] == 't')) {
    s[10] = ' ';
  }
  if (s.size() == 10) {
    s += " 00:00:00";
  } else if (s.size() == 16) {
    s += ":00";
  }
  std::string_view date(s);
  bool ok = s.size() >= 19 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' &&
            s[16] == ':' && is_digits(date.substr(0, 4)) && is_digits(date.substr(5, 2)) &&
            is_digits(date.substr(8, 2)) && is_digits(date.substr(11, 2)) &&
            is_digits(date.substr(14, 2)) && is_digits(date.substr(17, 2));
  if (ok && s.size() > 19) {
    ok = s[19] == '.' && is_digits(date.substr(20));
  }
  if (!ok) {
    throw not_readable(text, "timestamp");
  }
  // canonical_timestamp trimmed the fraction already; "x.000" became "x" there.
  out += s;
}

void append_hex(const std::uint8_t* p, std::size_t n, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0x0f];
  }
}

void append_boolean(const db::Value& v, std::string& out) {
  if (v.is_int()) {
    out += std::to_string(v.as_int());
    return;
  }
  if (v.is_double()) {
    append_number(v, Kind::integer, out);
    return;
  }
  if (v.is_bytes()) {
    // MySQL BIT(n) arrives as big-endian bytes.
    std::uint64_t n = 0;
    for (std::uint8_t b : v.as_bytes()) {
      n = (n << 8) | b;
    }
    out += std::to_string(n);
    return;
  }
  std::string t = db::to_lower(v.as_text());
  if (t == "true" || t == "t" || t == "1" || t == "yes" || t == "y" || t == "on") {
    out += '1';
  } else if (t == "false" || t == "f" || t == "0" || t == "no" || t == "n" || t == "off") {
    out += '0';
  } else if (is_digits(t)) {
    append_decimal_text(t, out);
  } else {
    throw not_readable(v.as_text(), "boolean");
  }
}

void append_text(const db::Value& v, std::string& out) {
  if (v.is_text()) {
    out += v.as_text();
  } else if (v.is_int()) {
    out += std::to_string(v.as_int());
  } else if (v.is_double()) {
    append_shortest(v.as_double(), out);
  } else {
    const db::Bytes& b = v.as_bytes();
    out.append(b.begin(), b.end());
  }
}

// Parses a decimal integer of any length, with an optional sign and an all-zero fraction
// ("123", "-5", "7.000"), modulo 2^64; negative values wrap as two's complement does.
std::uint64_t decimal_mod_2_64(std::string_view s, std::string_view what) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  std::uint64_t acc = 0;
  std::size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
    acc = acc * 10 + static_cast<std::uint64_t>(s[i] - '0');  // wraps modulo 2^64
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] == '0'; ++i) {
    }
  }
  if (digits == 0 || i != s.size()) {
    throw Error(ErrorKind::internal, fmt::format("{} '{}' is not an integer", what, s),
                "the hash query returned an unexpected value; report this as a bug");
  }
  return negative ? (~acc + 1) : acc;
}

std::uint64_t value_mod_2_64(const db::Value& v, std::string_view what) {
  if (v.is_int()) {
    return static_cast<std::uint64_t>(v.as_int());
  }
  if (v.is_text()) {
    return decimal_mod_2_64(v.as_text(), what);
  }
  throw Error(ErrorKind::internal, fmt::format("{} is not an exact integer", what),
              "the hash query returned an unexpected value; report this as a bug");
}

enum class SqlFlavour { postgresql, mysql };

std::optional<SqlFlavour> flavour_of(const db::Dialect& dialect) {
  std::string name = dialect.name();
  if (name == "postgresql") {
    return SqlFlavour::postgresql;
  }
  if (name == "mysql") {
    return SqlFlavour::mysql;
  }
  return std::nullopt;  // SQLite has no md5; the others are generated, never run here
}

// A literal holding backslashes. PostgreSQL: an E'' string, which means the same whatever
// standard_conforming_strings says; MySQL: the dialect's literal, written for the sql_mode
// Dialect::session_setup sets (backslash escapes on).
std::string sql_backslash_literal(const db::Dialect& d, SqlFlavour f, std::string_view s) {
  if (f == SqlFlavour::mysql) {
    return d.string_literal(s);
  }
  std::string out = "E'";
  for (char c : s) {
    if (c == '\\') {
      out += c;
    }
    out += c;
  }
  return out + "'";
}

// `\` -> `\\` and `|` -> `\p` in SQL, for the kinds whose text may hold them.
// MySQL: only where the value holds one. A byte-wise LOCATE is a third cheaper than REPLACE
// in MariaDB, and the two characters are rare; on PostgreSQL REPLACE costs nothing measurable.
std::string sql_escaped(const db::Dialect& d, SqlFlavour f, const std::string& e) {
  std::string bs = sql_backslash_literal(d, f, "\\");
  std::string replaced =
      fmt::format("REPLACE(REPLACE({}, {}, {}), '|', {})", e, bs,
                  sql_backslash_literal(d, f, "\\\\"), sql_backslash_literal(d, f, "\\p"));
  if (f == SqlFlavour::postgresql) {
    return replaced;
  }
  // _binary literals make LOCATE compare bytes: no collation can equate another character
  // with '|' or '\\', and both bytes only ever stand for themselves in latin1 and UTF-8.
  return fmt::format("IF(LOCATE(_binary'|', {0}) + LOCATE(_binary{1}, {0}) = 0, {0}, {2})", e, bs,
                     replaced);
}

// A fraction's trailing zeros and then a bare '.' removed from `e`, which always holds a '.'.
std::string sql_trim_fraction(SqlFlavour f, const std::string& e) {
  if (f == SqlFlavour::postgresql) {
    return fmt::format("rtrim(rtrim({}, '0'), '.')", e);
  }
  return fmt::format("TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM {}))", e);
}

// The canonical text of one column (NULL stays NULL), or nullopt for a kind SQL cannot write
// identically. Each expression assumes the column's own type is of that kind, or an integer
// column hashed as decimal or boolean, or a text column hashed as padded.
std::optional<std::string> sql_column_text(const db::Dialect& d, SqlFlavour f,
                                           const HashColumn& c) {
  std::string q = d.stored_ident(c.name);
  bool pg = f == SqlFlavour::postgresql;
  switch (c.kind) {
    case Kind::integer:
      // MySQL converts numbers to text inside CONCAT_WS and COALESCE by itself.
      return pg ? q + "::text" : q;
    case Kind::decimal:
      // Numbers never print an exponent or "-0" on either engine; only a fraction needs trimming
      // ("100" must keep its zeros).
      if (pg) {
        return fmt::format("CASE WHEN strpos({0}::text, '.') > 0 THEN {1} ELSE {0}::text END", q,
                           sql_trim_fraction(f, q + "::text"));
      }
      return fmt::format("IF(LOCATE('.', {0}) > 0, {1}, {0})", q, sql_trim_fraction(f, q));
    case Kind::floating:
      return std::nullopt;  // the shortest round-trip text has no SQL spelling on these engines
    case Kind::text:
      return sql_escaped(d, f, pg ? q + "::text" : q);
    case Kind::padded:
      return sql_escaped(d, f,
                         pg ? fmt::format("rtrim({}::text, ' ')", q)
                            : fmt::format("TRIM(TRAILING ' ' FROM {})", q));
    case Kind::timestamp:
      // PostgreSQL prints a timestamp with the fraction's trailing zeros already dropped, in
      // the ISO DateStyle and UTC time zone Dialect::session_setup sets (timestamptz through
      // ::timestamp); a third faster than to_char and trimming. MySQL prints DATETIME(n) with
      // n fraction digits: the first 19 characters when the fraction is zero, else trimmed
      // (never to a bare '.': some digit is not 0); a fifth of DATE_FORMAT's cost.
      if (pg) {
        return q + "::timestamp::text";
      }
      return fmt::format("IF(MICROSECOND({0}) = 0, LEFT({0}, 19), TRIM(TRAILING '0' FROM {0}))", q);
    case Kind::binary:
      return pg ? fmt::format("encode({}, 'hex')", q) : fmt::format("LOWER(HEX({}))", q);
    case Kind::boolean:
      return pg ? fmt::format("{}::int::text", q) : fmt::format("{} + 0", q);
  }
  return std::nullopt;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

struct MdFree {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};

}  // namespace

Kind kind_of(const db::Column& column, std::string_view dialect) {
  std::string base = base_type(column.native_type);
  if (base.empty()) {
    // SQLite allows a column without a declared type; its values keep their own type.
    return Kind::text;
  }
  if (base == "boolean" || base == "bool") {
    return Kind::boolean;
  }
  if (base == "bit") {
    // MySQL's BIT(n) compared as its unsigned number: it arrives as big-endian bytes and
    // `c + 0` prints the number. PostgreSQL prints bit strings as 0s and 1s, compared as
    // text except BIT(1), which is a flag.
    bool flag = dialect != "postgresql" || first_length(column.native_type) <= 1;
    return flag ? Kind::boolean : Kind::text;
  }
  switch (column.type) {
    case db::TypeKind::integer:
    case db::TypeKind::bigint:
    case db::TypeKind::smallint:
      return Kind::integer;
    case db::TypeKind::varchar:
      return Kind::text;
    case db::TypeKind::fixed_char:
      return Kind::padded;
    case db::TypeKind::timestamp:
      return Kind::timestamp;
    case db::TypeKind::blob:
    case db::TypeKind::longblob:
      return Kind::binary;
    case db::TypeKind::other:
      break;
  }
  if (base == "numeric" || base == "decimal" || base == "number" || base == "dec" ||
      base == "fixed" || base == "money") {
    return base == "money" ? Kind::text : Kind::decimal;
  }
  if (base == "real" || base == "float" || base == "float4" || base == "float8" ||
      base == "double" || base == "binary_float" || base == "binary_double") {
    return Kind::floating;
  }
  if (base == "serial" || base == "bigserial" || base == "smallserial" || base == "int2" ||
      base == "int4" || base == "int8" || base == "mediumint" || base == "tinyint") {
    return Kind::integer;
  }
  if (base == "binary" || base == "tinyblob" || base == "image" || base == "raw") {
    return Kind::binary;
  }
  if (base == "datetime" || base == "datetime2" || base == "smalldatetime" ||
      base.rfind("timestamp", 0) == 0) {
    return Kind::timestamp;
  }
  if (dialect == "sqlite" && db::to_lower(column.native_type).find("int") != std::string::npos) {
    return Kind::integer;  // SQLite's affinity rule: any declared type containing "INT"
  }
  return Kind::text;
}

Kind common_kind(Kind a, Kind b) {
  if (a == b) {
    return a;
  }
  auto either = [&](Kind x, Kind y) { return (a == x && b == y) || (a == y && b == x); };
  if (either(Kind::integer, Kind::decimal)) {
    return Kind::decimal;
  }
  if (either(Kind::text, Kind::padded)) {
    return Kind::padded;
  }
  if (either(Kind::text, Kind::timestamp)) {
    return Kind::timestamp;
  }
  if (either(Kind::integer, Kind::boolean)) {
    return Kind::boolean;  // MySQL's BOOLEAN is TINYINT(1)
  }
  // A number against a double: both read as doubles ("1.500000" and 1.5 both give "1.5"); as
  // text each engine would print the double its own way.
  if (either(Kind::floating, Kind::integer) || either(Kind::floating, Kind::decimal)) {
    return Kind::floating;
  }
  return Kind::text;
}

void append_canonical(const db::Value& v, Kind k, std::string& out) {
  switch (k) {
    case Kind::integer:
    case Kind::decimal:
      append_number(v, k, out);
      return;
    case Kind::floating:
      if (v.is_text()) {
        const std::string& s = v.as_text();
        double d = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec != std::errc() || end != s.data() + s.size()) {
          throw not_readable(s, "floating");
        }
        append_shortest(d, out);
      } else if (v.is_bytes()) {
        throw not_readable("<binary>", "floating");
      } else {
        append_shortest(v.as_double(), out);
      }
      return;
    case Kind::text:
      append_text(v, out);
      return;
    case Kind::padded: {
      std::size_t begin = out.size();
      append_text(v, out);
      std::size_t keep = out.find_last_not_of(' ');
      out.resize(keep == std::string::npos || keep < begin ? begin : keep + 1);
      return;
    }
    case Kind::timestamp:
      if (!v.is_text()) {
        throw not_readable(v.is_bytes() ? "<binary>" : v.to_text(), "timestamp");
      }
      append_timestamp(v.as_text(), out);
      return;
    case Kind::binary:
      if (v.is_bytes()) {
        append_hex(v.as_bytes().data(), v.as_bytes().size(), out);
      } else if (v.is_text()) {
        const std::string& s = v.as_text();
        append_hex(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), out);
      } else {
        throw not_readable(v.to_text(), "binary");
      }
      return;
    case Kind::boolean:
      append_boolean(v, out);
      return;
  }
}

std::string encode_row(const db::Row& row, const std::vector<Kind>& kinds) {
  std::string out;
  std::string one;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) {
      out += '|';
    }
    if (row[i].is_null()) {
      out += "\\N";
      continue;
    }
    one.clear();
    append_canonical(row[i], kinds.at(i), one);
    for (char c : one) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '|') {
        out += "\\p";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::uint64_t row_hash(std::string_view row_text) {
  // One fetched MD5 and one context per thread: EVP_Digest would look both up for every row.
  static const std::unique_ptr<EVP_MD, MdFree> kMd5(EVP_MD_fetch(nullptr, "MD5", nullptr));
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxFree> kCtx(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (!kMd5 || !kCtx || EVP_DigestInit_ex2(kCtx.get(), kMd5.get(), nullptr) != 1 ||
      EVP_DigestUpdate(kCtx.get(), row_text.data(), row_text.size()) != 1 ||
      EVP_DigestFinal_ex(kCtx.get(), digest.data(), &len) != 1 || len < 8) {
    throw Error(ErrorKind::internal, "OpenSSL could not compute an MD5 digest",
                "check that OpenSSL's default provider is available (MD5 is not in FIPS mode)");
  }
  std::uint64_t h = 0;
  for (int i = 0; i < 8; ++i) {
    h = (h << 8) | digest[static_cast<std::size_t>(i)];
  }
  return h;
}

ChunkSum parse_chunk_aggregate(const db::Value& count, const db::Value& sum) {
  ChunkSum out;
  out.rows = count.is_null() ? 0 : count.as_int();
  out.sum = sum.is_null() ? 0 : value_mod_2_64(sum, "chunk hash sum");
  return out;
}

std::optional<std::string> sql_chunk_aggregate(const db::Dialect& dialect,
                                               const std::vector<HashColumn>& columns, Text text) {
  std::optional<std::string> h = sql_row_hash(dialect, columns, text);
  if (!h) {
    return std::nullopt;
  }
  return fmt::format("COUNT(*), SUM({})", *h);
}

std::optional<std::string> sql_row_hash(const db::Dialect& dialect,
                                        const std::vector<HashColumn>& columns, Text text) {
  std::optional<SqlFlavour> f = flavour_of(dialect);
  if (!f || columns.empty()) {
    return std::nullopt;
  }
  std::vector<std::string> parts;
  parts.reserve(columns.size());
  for (const HashColumn& c : columns) {
    if (text == Text::stored && *f == SqlFlavour::mysql &&
        (c.kind == Kind::text || c.kind == Kind::padded)) {
      // Stored text, where both sides are the same MySQL: each value as its byte length (N
      // for NULL) and its bytes (none for NULL: CONCAT_WS skips it), so a '|' or '\' inside
      // cannot move a boundary and nothing needs escaping: a quarter of the sum's time.
      std::string q = dialect.stored_ident(c.name);
      std::string v = c.kind == Kind::padded ? fmt::format("TRIM(TRAILING ' ' FROM {})", q) : q;
      parts.push_back(fmt::format("IFNULL(OCTET_LENGTH({}), 'N')", v));
      parts.push_back(v);
      continue;
    }
    std::optional<std::string> e = sql_column_text(dialect, *f, c);
    if (!e) {
      return std::nullopt;
    }
    parts.push_back(fmt::format("COALESCE({}, {})", *e, sql_backslash_literal(dialect, *f, "\\N")));
  }
  if (*f == SqlFlavour::postgresql) {
    // ::bit(64) keeps the first 64 of md5's 128 bits; ::bigint reads them as a signed number,
    // which parse_row_hash and parse_chunk_aggregate take modulo 2^64.
    // concat_ws builds the row text in one allocation where a chain of || copies it per column.
    std::string row = parts.size() == 1 ? parts.front()
                                        : fmt::format("concat_ws('|', {})", fmt::join(parts, ", "));
    return fmt::format("('x' || md5({}))::bit(64)::bigint", row);
  }
  // Text is escaped in its own character set (a latin1 REPLACE is cheaper than a utf8mb4 one)
  // and, for the canonical hash, the row converted to UTF-8 once: MD5 hashes the bytes of its
  // argument's character set, and the canonical text is UTF-8. Converting per column costs more;
  // the conversion is most of the query's time on a latin1 table all the same.
  std::string row =
      parts.size() == 1 ? parts.front() : fmt::format("CONCAT_WS('|', {})", fmt::join(parts, ", "));
  bool has_text = std::any_of(columns.begin(), columns.end(), [](const HashColumn& c) {
    return c.kind == Kind::text || c.kind == Kind::padded;
  });
  if (has_text && text == Text::canonical) {
    row = fmt::format("CONVERT({} USING utf8mb4)", row);
  }
  return fmt::format("CAST(CONV(LEFT(MD5({}), 16), 16, 10) AS UNSIGNED)", row);
}

std::uint64_t parse_row_hash(const db::Value& v) {
  return value_mod_2_64(v, "row hash");
}

}  // namespace cutover::verify
