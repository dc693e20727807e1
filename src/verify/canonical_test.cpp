// The canonical encoding's known vectors: the text of every kind from every form the backends
// hand values in, escaping, NULL against the empty string, and the MD5-based row hash.
#include "verify/canonical.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "db/dialect.h"

namespace cutover::verify {
namespace {

std::string canon(const db::Value& v, Kind k) {
  std::string out;
  append_canonical(v, k, out);
  return out;
}

db::Column col(std::string native) {
  db::Column c;
  c.native_type = std::move(native);
  db::classify_native_type(c.native_type, c.type, c.length);
  return c;
}

TEST(Canonical, IntegersAreBareDigitsWhateverTheirForm) {
  EXPECT_EQ(canon(std::int64_t{0}, Kind::integer), "0");
  EXPECT_EQ(canon(std::int64_t{-12}, Kind::integer), "-12");
  EXPECT_EQ(canon(INT64_MAX, Kind::integer), "9223372036854775807");
  EXPECT_EQ(canon(INT64_MIN, Kind::integer), "-9223372036854775808");
  EXPECT_EQ(canon("007", Kind::integer), "7");
  EXPECT_EQ(canon("+5", Kind::integer), "5");
  EXPECT_EQ(canon("-0", Kind::integer), "0");
  EXPECT_EQ(canon(3.0, Kind::integer), "3");
}

TEST(Canonical, TextInAnIntegerColumnIsRefusedNamingTheKind) {
  try {
    canon("abc", Kind::integer);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("integer"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("abc"), std::string::npos) << e.message();
  }
  EXPECT_THROW(canon(db::Bytes{1}, Kind::decimal), Error);
  EXPECT_THROW(canon("", Kind::integer), Error);
}

TEST(Canonical, DecimalsDropTrailingZerosAndNegativeZero) {
  EXPECT_EQ(canon("1.500000", Kind::decimal), "1.5");
  EXPECT_EQ(canon("2.000000", Kind::decimal), "2");
  EXPECT_EQ(canon("100", Kind::decimal), "100");
  EXPECT_EQ(canon("100.00", Kind::decimal), "100");
  EXPECT_EQ(canon("-0.000", Kind::decimal), "0");
  EXPECT_EQ(canon("-0", Kind::decimal), "0");
  EXPECT_EQ(canon("0.000", Kind::decimal), "0");
  EXPECT_EQ(canon("-0.50", Kind::decimal), "-0.5");
  EXPECT_EQ(canon(".5", Kind::decimal), "0.5");
  EXPECT_EQ(canon("12345678901234.123456", Kind::decimal), "12345678901234.123456");
  // SQLite's NUMERIC affinity: integers and doubles for the same column.
  EXPECT_EQ(canon(std::int64_t{2}, Kind::decimal), "2");
  EXPECT_EQ(canon(1.123456, Kind::decimal), "1.123456");
  EXPECT_EQ(canon(-0.0, Kind::decimal), "0");
  EXPECT_EQ(canon("1.5E+3", Kind::decimal), "1500");
}

TEST(Canonical, FloatingIsTheShortestRoundTrip) {
  EXPECT_EQ(canon(0.1, Kind::floating), "0.1");
  EXPECT_EQ(canon("0.10", Kind::floating), "0.1");
  EXPECT_EQ(canon(std::int64_t{3}, Kind::floating), "3");
}

TEST(Canonical, TextIsKeptAsStoredAndPaddedLosesTrailingSpaces) {
  EXPECT_EQ(canon("a b  ", Kind::text), "a b  ");
  EXPECT_EQ(canon("", Kind::text), "");
  EXPECT_EQ(canon("Grüße", Kind::text), "Grüße");
  EXPECT_EQ(canon("ab  ", Kind::padded), "ab");
  EXPECT_EQ(canon("  ", Kind::padded), "");
  EXPECT_EQ(canon(" a\t ", Kind::padded), " a\t");
  EXPECT_EQ(canon(std::int64_t{42}, Kind::text), "42");  // SQLite: a number in a text column
}

TEST(Canonical, TimestampsOfEveryPrecisionGiveOneText) {
  for (const char* t :
       {"2024-01-02 03:04:05", "2024-01-02 03:04:05.0", "2024-01-02 03:04:05.000",
        "2024-01-02 03:04:05.000000", "2024-01-02T03:04:05", "2024-01-02 03:04:05+00",
        "2024-01-02T03:04:05.000Z", "2024-01-02 03:04:05+00:00"}) {
    EXPECT_EQ(canon(t, Kind::timestamp), "2024-01-02 03:04:05") << t;
  }
  EXPECT_EQ(canon("2024-01-02 03:04:05.120", Kind::timestamp), "2024-01-02 03:04:05.12");
  EXPECT_EQ(canon("2024-01-02 03:04:05.12", Kind::timestamp), "2024-01-02 03:04:05.12");
  EXPECT_EQ(canon("2024-01-02 03:04:05.123456", Kind::timestamp), "2024-01-02 03:04:05.123456");
  EXPECT_EQ(canon("2024-01-02", Kind::timestamp), "2024-01-02 00:00:00");
  EXPECT_EQ(canon("2024-01-02 03:04", Kind::timestamp), "2024-01-02 03:04:00");
  EXPECT_EQ(canon("infinity", Kind::timestamp), "infinity");
  EXPECT_EQ(canon("0000-00-00 00:00:00", Kind::timestamp), "0000-00-00 00:00:00");
  EXPECT_THROW(canon("2024-01-02 03:04:05 BC", Kind::timestamp), Error);
  EXPECT_THROW(canon("yesterday", Kind::timestamp), Error);
  EXPECT_THROW(canon(std::int64_t{1700000000}, Kind::timestamp), Error);
}

TEST(Canonical, BinaryIsLowerHexAndEmptyIsEmpty) {
  EXPECT_EQ(canon(db::Bytes{0x00, 0xab, 0xff}, Kind::binary), "00abff");
  EXPECT_EQ(canon(db::Bytes{}, Kind::binary), "");
  EXPECT_EQ(canon("AB", Kind::binary), "4142");  // SQLite: text in a BLOB column
}

TEST(Canonical, BooleansAreOneAndZero) {
  EXPECT_EQ(canon("true", Kind::boolean), "1");
  EXPECT_EQ(canon("false", Kind::boolean), "0");
  EXPECT_EQ(canon(std::int64_t{1}, Kind::boolean), "1");
  EXPECT_EQ(canon(std::int64_t{0}, Kind::boolean), "0");
  EXPECT_EQ(canon(db::Bytes{0x01}, Kind::boolean), "1");  // MySQL BIT(1)
  EXPECT_THROW(canon("maybe", Kind::boolean), Error);
}

TEST(Canonical, RowsEscapeBackslashAndBarSoNullIsUnambiguous) {
  std::vector<Kind> two{Kind::text, Kind::text};
  EXPECT_EQ(encode_row({db::Value(), "x"}, two), "\\N|x");
  EXPECT_EQ(encode_row({"", "x"}, two), "|x");
  EXPECT_EQ(encode_row({"\\N", "x"}, two), "\\\\N|x");
  EXPECT_EQ(encode_row({"a|b", "c\\d"}, two), "a\\pb|c\\\\d");
  // Without escaping these two rows would both read "a|b|c".
  EXPECT_NE(encode_row({"a|b", "c"}, two), encode_row({"a", "b|c"}, two));
  EXPECT_NE(encode_row({db::Value(), "x"}, two), encode_row({"", "x"}, two));
  EXPECT_NE(encode_row({db::Value(), "x"}, two), encode_row({"\\N", "x"}, two));
  EXPECT_EQ(encode_row({std::int64_t{1}, "2024-01-02 03:04:05.100", db::Bytes{0x0f}, "t"},
                       {Kind::integer, Kind::timestamp, Kind::binary, Kind::boolean}),
            "1|2024-01-02 03:04:05.1|0f|1");
}

TEST(Canonical, RowHashIsTheFirstEightBytesOfMd5BigEndian) {
  EXPECT_EQ(row_hash(""), 0xd41d8cd98f00b204ULL);     // md5("") = d41d8cd98f00b204e98...
  EXPECT_EQ(row_hash("abc"), 0x900150983cd24fb0ULL);  // md5("abc") = 900150983cd24fb0d69...
  EXPECT_NE(row_hash("a"), row_hash("a "));
}

TEST(Canonical, ChunkSumsWrapAndDoNotCancelSwappedRows) {
  ChunkSum a;
  a.add(UINT64_MAX);
  a.add(2);
  EXPECT_EQ(a.rows, 2);
  EXPECT_EQ(a.sum, 1U);
  ChunkSum b;
  b.add(row_hash("1|x"));
  b.add(row_hash("1|x"));
  EXPECT_NE(b.sum, 0U);  // xor would cancel a duplicated row to 0
}

TEST(Canonical, AggregatesParseFromAnyDecimalTheEnginesReturn) {
  EXPECT_EQ(parse_chunk_aggregate(std::int64_t{0}, db::Value()), ChunkSum{});
  ChunkSum big = parse_chunk_aggregate(std::int64_t{3}, "36893488147419103235");  // 2*2^64+3
  EXPECT_EQ(big.rows, 3);
  EXPECT_EQ(big.sum, 3U);
  // PostgreSQL sums signed bigints: -1 is 2^64-1.
  EXPECT_EQ(parse_chunk_aggregate(std::int64_t{1}, "-1").sum, UINT64_MAX);
  EXPECT_EQ(parse_chunk_aggregate("2", "-36893488147419103233").sum, UINT64_MAX);
  EXPECT_EQ(parse_chunk_aggregate(std::int64_t{1}, "5.000").sum, 5U);
  EXPECT_EQ(parse_chunk_aggregate(std::int64_t{1}, std::int64_t{-2}).sum, UINT64_MAX - 1);
  EXPECT_THROW(parse_chunk_aggregate(std::int64_t{1}, "1.5"), Error);
  EXPECT_THROW(parse_chunk_aggregate(std::int64_t{1}, 1.0), Error);
  EXPECT_EQ(parse_row_hash(std::int64_t{-1}), UINT64_MAX);
  EXPECT_EQ(parse_row_hash("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_row_hash("15"), 15U);
}

TEST(Canonical, KindsFollowTheLiveColumnType) {
  EXPECT_EQ(kind_of(col("bigint"), "postgresql"), Kind::integer);
  EXPECT_EQ(kind_of(col("int(11)"), "mysql"), Kind::integer);
  EXPECT_EQ(kind_of(col("tinyint(1)"), "mysql"), Kind::integer);
  EXPECT_EQ(kind_of(col("numeric(20,6)"), "postgresql"), Kind::decimal);
  EXPECT_EQ(kind_of(col("decimal(20,6)"), "mysql"), Kind::decimal);
  EXPECT_EQ(kind_of(col("DECIMAL(20,6)"), "sqlite"), Kind::decimal);
  EXPECT_EQ(kind_of(col("double precision"), "postgresql"), Kind::floating);
  EXPECT_EQ(kind_of(col("character varying(255)"), "postgresql"), Kind::text);
  EXPECT_EQ(kind_of(col("text"), "postgresql"), Kind::text);
  EXPECT_EQ(kind_of(col("longtext"), "mysql"), Kind::text);
  EXPECT_EQ(kind_of(col("character(10)"), "postgresql"), Kind::padded);
  EXPECT_EQ(kind_of(col("char(10)"), "mysql"), Kind::padded);
  EXPECT_EQ(kind_of(col("timestamp(3) without time zone"), "postgresql"), Kind::timestamp);
  EXPECT_EQ(kind_of(col("timestamp with time zone"), "postgresql"), Kind::timestamp);
  EXPECT_EQ(kind_of(col("datetime(6)"), "mysql"), Kind::timestamp);
  EXPECT_EQ(kind_of(col("TIMESTAMP"), "sqlite"), Kind::timestamp);
  EXPECT_EQ(kind_of(col("bytea"), "postgresql"), Kind::binary);
  EXPECT_EQ(kind_of(col("longblob"), "mysql"), Kind::binary);
  EXPECT_EQ(kind_of(col("varbinary(16)"), "mysql"), Kind::binary);
  EXPECT_EQ(kind_of(col("boolean"), "postgresql"), Kind::boolean);
  EXPECT_EQ(kind_of(col("bit(1)"), "mysql"), Kind::boolean);
  EXPECT_EQ(kind_of(col("bit(8)"), "mysql"), Kind::boolean);  // as its number
  EXPECT_EQ(canon(db::Bytes{0x00, 0x05}, Kind::boolean), "5");
  EXPECT_EQ(kind_of(col("bit(1)"), "postgresql"), Kind::boolean);
  EXPECT_EQ(kind_of(col("bit(8)"), "postgresql"), Kind::text);  // "00000101"
  EXPECT_EQ(kind_of(col("bit varying(8)"), "postgresql"), Kind::text);
  EXPECT_EQ(kind_of(col(""), "sqlite"), Kind::text);
  EXPECT_EQ(kind_of(col("UNSIGNED BIG INT"), "sqlite"), Kind::integer);
  EXPECT_EQ(kind_of(col("date"), "postgresql"), Kind::text);
}

TEST(Canonical, CommonKindsMeetWhereTheValuesCanAgree) {
  EXPECT_EQ(common_kind(Kind::integer, Kind::integer), Kind::integer);
  EXPECT_EQ(common_kind(Kind::integer, Kind::decimal), Kind::decimal);
  EXPECT_EQ(common_kind(Kind::padded, Kind::text), Kind::padded);
  EXPECT_EQ(common_kind(Kind::text, Kind::timestamp), Kind::timestamp);
  EXPECT_EQ(common_kind(Kind::boolean, Kind::integer), Kind::boolean);
  EXPECT_EQ(common_kind(Kind::decimal, Kind::floating), Kind::floating);
  EXPECT_EQ(common_kind(Kind::floating, Kind::integer), Kind::floating);
  EXPECT_EQ(canon("1.500000", Kind::floating), canon(1.5, Kind::floating));
  EXPECT_EQ(common_kind(Kind::binary, Kind::text), Kind::text);
}

TEST(Canonical, HashSqlExistsOnlyWhereTheServerCanMatchTheClient) {
  std::vector<HashColumn> cols = {{"ID", Kind::integer}, {"NAME", Kind::text}};
  for (const char* name : {"postgresql", "mysql"}) {
    const db::Dialect& d = db::dialect_by_name(name);
    std::optional<std::string> row = sql_row_hash(d, cols);
    ASSERT_TRUE(row) << name;
    std::optional<std::string> agg = sql_chunk_aggregate(d, cols);
    ASSERT_TRUE(agg) << name;
    EXPECT_EQ(*agg, "COUNT(*), SUM(" + *row + ")") << name;
    EXPECT_NE(row->find(d.stored_ident("NAME")), std::string::npos) << *row;
    EXPECT_NE(db::to_lower(*row).find("md5("), std::string::npos) << *row;
  }
  EXPECT_NE(sql_row_hash(db::dialect_by_name("mysql"), cols)->find("utf8mb4"), std::string::npos);
  for (const char* name : {"sqlite", "oracle", "mssql", "db2", "h2"}) {
    EXPECT_FALSE(sql_row_hash(db::dialect_by_name(name), cols)) << name;
    EXPECT_FALSE(sql_chunk_aggregate(db::dialect_by_name(name), cols)) << name;
  }
  cols.push_back({"RATE", Kind::floating});
  EXPECT_FALSE(sql_row_hash(db::dialect_by_name("postgresql"), cols));
  EXPECT_FALSE(sql_chunk_aggregate(db::dialect_by_name("mysql"), cols));
}

}  // namespace
}  // namespace cutover::verify
