// Prepared statements and the bulk read paths on every backend: a statement prepared once and
// run many times, bulk_read feeding bulk_insert, and the raw COPY pass-through between two
// PostgreSQL databases.
#include <array>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "core/error.h"
#include "db/dialect.h"

namespace cutover::test {
namespace {

constexpr std::array<std::string_view, 9> kColumns = {"ID", "SMALL", "BIG",      "NAME",  "FLAG",
                                                      "AT", "DATA",  "LONGDATA", "AMOUNT"};

// One column per neutral type, plus a timestamp with microseconds and an exact decimal.
db::TableDef bulk_table(const db::Dialect& d, const std::string& name) {
  auto col = [](std::string n, db::TypeKind k, int len = 0, std::string native = "") {
    db::Column c;
    c.name = std::move(n);
    c.type = k;
    c.length = len;
    c.native_type = std::move(native);
    return c;
  };
  db::TableDef t;
  t.name = name;
  t.columns = {
      col("ID", db::TypeKind::integer),
      col("SMALL", db::TypeKind::smallint),
      col("BIG", db::TypeKind::bigint),
      col("NAME", db::TypeKind::varchar, 200),
      col("FLAG", db::TypeKind::fixed_char, 1),
      col("AT", db::TypeKind::other, 0, d.name() == "mysql" ? "DATETIME(6)" : "TIMESTAMP(6)"),
      col("DATA", db::TypeKind::blob),
      col("LONGDATA", db::TypeKind::longblob),
      col("AMOUNT", db::TypeKind::other, 0, "NUMERIC(12,2)"),
  };
  t.columns[0].nullable = false;
  t.primary_key = {"ID"};
  return t;
}

// Row i of the test data: NULLs, bytes of every value, fractions, quotes and control characters
// spread over the rows. Text stays within latin1, the character set of the dialect's MySQL tables.
db::Row sample_row(int i) {
  static const std::vector<std::string> kTimes = {
      "2026-01-02 03:04:05.123456", "2026-01-02 03:04:05.5", "1999-12-31 23:59:59.999999",
      "2026-01-02 03:04:05", "2037-12-31 00:00:00.000001"};
  db::Bytes data;
  for (int b = 0; b < 256; ++b) {
    data.push_back(static_cast<std::uint8_t>((b + i) % 256));
  }
  db::Bytes long_data(70000);
  for (std::size_t b = 0; b < long_data.size(); ++b) {
    long_data[b] = static_cast<std::uint8_t>((b * 7 + static_cast<std::size_t>(i)) % 251);
  }
  auto big = static_cast<std::int64_t>(i) * 1000000007;
  return {
      Value(i),
      i % 3 == 0 ? Value(-32768) : Value(i),
      i % 2 == 0 ? Value(-big) : Value(9000000000 + i),
      i % 7 == 0 ? Value() : Value(fmt::format("it's \"{}\" \\ a\ttab\na line café ? $1", i)),
      Value(i % 2 == 0 ? "Y" : "N"),
      i % 5 == 4 ? Value() : Value(kTimes[static_cast<std::size_t>(i) % kTimes.size()]),
      i % 4 == 0 ? Value() : Value(data),
      i % 10 == 1 ? Value(long_data) : Value(),
      i % 6 == 0 ? Value() : Value(fmt::format("{}.{:02}", i, i % 100)),
  };
}

void create_bulk(db::Connection& c, const std::string& name) {
  for (const std::string& s : c.dialect().create_table(bulk_table(c.dialect(), name))) {
    c.execute(s);
  }
}

std::string column_list(const db::Dialect& d) {
  std::string cols;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    cols += (i ? ", " : "") + d.ident(kColumns[i]);
  }
  return cols;
}

std::string insert_sql(const db::Dialect& d, const std::string& table) {
  std::string marks;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    marks += (i ? ", " : "") + d.placeholder(static_cast<int>(i) + 1);
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", d.ident(table), column_list(d), marks);
}

// Rows `from` to `to` (either way round) of sample_row, through one prepared statement.
void fill(db::Connection& c, const std::string& table, int from, int to) {
  std::unique_ptr<db::PreparedStatement> ins = c.prepare(insert_sql(c.dialect(), table));
  db::Transaction tx(c);
  for (int i = from;; i += from <= to ? 1 : -1) {
    ins->execute(sample_row(i));
    if (i == to) {
      break;
    }
  }
  tx.commit();
}

// Every row through the plain (unprepared) query path, in key order.
std::vector<db::Row> read_all(db::Connection& c, const std::string& table) {
  const db::Dialect& d = c.dialect();
  std::vector<db::Row> out;
  auto r = c.query(
      fmt::format("SELECT {} FROM {} ORDER BY {}", column_list(d), d.ident(table), d.ident("ID")));
  while (r->next()) {
    out.push_back(r->row());
  }
  return out;
}

TEST_F(Backend, PreparedStatementRunsManyTimesWithDifferentParameters) {
  create_bulk(*conn_, "BULK_SRC");
  std::string cols = column_list(d());
  std::unique_ptr<db::PreparedStatement> ins = conn_->prepare(insert_sql(d(), "BULK_SRC"));
  constexpr int kRows = 200;
  for (int i = 1; i <= kRows; ++i) {
    ASSERT_EQ(ins->execute(sample_row(i)), 1) << i;
  }

  std::unique_ptr<db::PreparedStatement> sel =
      conn_->prepare(fmt::format("SELECT {} FROM BULK_SRC WHERE ID = {}", cols, ph(1)));
  for (int i = 1; i <= kRows; ++i) {
    std::vector<Value> key{Value(i)};
    auto prepared = sel->query(key);
    ASSERT_TRUE(prepared->next()) << i;
    db::Row got = prepared->row();
    EXPECT_FALSE(prepared->next());
    prepared.reset();
    auto plain =
        conn_->query(fmt::format("SELECT {} FROM BULK_SRC WHERE ID = {}", cols, ph(1)), key);
    ASSERT_TRUE(plain->next());
    EXPECT_EQ(got, plain->row()) << "row " << i;
  }

  // What went in comes back: quotes and control characters, bytes, fractions, NULLs.
  auto one = sel->query(std::vector<Value>{Value(1)});
  ASSERT_TRUE(one->next());
  EXPECT_EQ(one->get(3).to_text(), "it's \"1\" \\ a\ttab\na line café ? $1");
  EXPECT_EQ(one->get(5).to_text(), "2026-01-02 03:04:05.5");
  EXPECT_EQ(one->get(6), sample_row(1)[6]);
  EXPECT_EQ(one->get(7), sample_row(1)[7]);
  one.reset();
  auto two = sel->query(std::vector<Value>{Value(2)});
  ASSERT_TRUE(two->next());
  EXPECT_EQ(two->get(5).to_text(), "1999-12-31 23:59:59.999999");
  EXPECT_EQ(two->get(2).as_int(), -2000000014);
  two.reset();
  auto four = sel->query(std::vector<Value>{Value(4)});
  ASSERT_TRUE(four->next());
  EXPECT_TRUE(four->get(5).is_null());
  EXPECT_TRUE(four->get(6).is_null());
  four.reset();

  std::unique_ptr<db::PreparedStatement> upd =
      conn_->prepare(fmt::format("UPDATE BULK_SRC SET NAME = {} WHERE ID = {}", ph(1), ph(2)));
  EXPECT_EQ(upd->execute(std::vector<Value>{Value("x'y"), Value(3)}), 1);
  EXPECT_EQ(upd->execute(std::vector<Value>{Value(), Value(kRows + 1)}), 0);
  EXPECT_EQ(conn_->query_value("SELECT NAME FROM BULK_SRC WHERE ID = 3")->to_text(), "x'y");
}

TEST_F(Backend, PreparedStatementRunsAgainAfterAnError) {
  create_sample();
  std::unique_ptr<db::PreparedStatement> ins =
      conn_->prepare(fmt::format("INSERT INTO SAMPLE (ID, NAME) VALUES ({}, {})", ph(1), ph(2)));
  EXPECT_EQ(ins->execute(std::vector<Value>{Value(1), Value("a")}), 1);
  try {
    ins->execute(std::vector<Value>{Value(1), Value("duplicate")});
    FAIL() << "a duplicate key was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::constraint) << e.one_line();
  }
  EXPECT_EQ(ins->execute(std::vector<Value>{Value(2), Value("b")}), 1);
  std::unique_ptr<db::PreparedStatement> sel =
      conn_->prepare(fmt::format("SELECT NAME FROM SAMPLE WHERE ID = {}", ph(1)));
  EXPECT_THROW(conn_->execute("SELECT * FROM NO_SUCH_TABLE"), Error);
  auto r = sel->query(std::vector<Value>{Value(2)});
  ASSERT_TRUE(r->next());
  EXPECT_EQ(r->get(0).to_text(), "b");
  r.reset();
  EXPECT_EQ(count("SAMPLE"), 2);
}

TEST_F(Backend, BulkReadGivesWhatQueryGivesAndRoundTripsThroughBulkInsert) {
  EXPECT_EQ(conn_->capabilities().copy_out, conn_->backend() == "postgresql");
  create_bulk(*conn_, "BULK_SRC");
  create_bulk(*conn_, "BULK_DST");
  constexpr int kRows = 300;
  fill(*conn_, "BULK_SRC", kRows, 1);  // stored out of order: bulk_read sorts by the key
  std::vector<db::Row> expected = read_all(*conn_, "BULK_SRC");
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kRows));

  auto [src, cols] = stored("BULK_SRC");
  auto [dst, dst_cols] = stored("BULK_DST");
  std::vector<db::Row> read;
  {
    std::unique_ptr<db::RowSource> rows = conn_->bulk_read(src, cols, {cols[0]});
    db::Row row;
    while (rows->next(row)) {
      read.push_back(row);
    }
  }
  ASSERT_EQ(read.size(), expected.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i], expected[i]) << "row " << i + 1;
  }

  // Straight from one into the other: bulk_read's rows are what bulk_insert takes.
  std::unique_ptr<db::Connection> writer = BackendContext::get().open(spec_);
  std::unique_ptr<db::RowSource> rows = conn_->bulk_read(src, cols);
  EXPECT_EQ(writer->bulk_insert(dst, dst_cols, *rows), kRows);
  rows.reset();
  EXPECT_EQ(read_all(*conn_, "BULK_DST"), expected);
}

TEST_F(Backend, RawCopyPassesRowsBetweenTwoPostgresqlDatabases) {
  create_bulk(*conn_, "BULK_SRC");
  auto [table, cols] = stored("BULK_SRC");
  if (!conn_->capabilities().copy_out) {
    try {
      db::copy_table_raw(*conn_, *conn_, table, cols);
      FAIL() << "raw COPY claimed to work on " << conn_->backend();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unsupported) << e.one_line();
    }
    return;
  }
  constexpr int kRows = 500;
  fill(*conn_, "BULK_SRC", 1, kRows);
  db::ConnectionSpec other_spec = BackendContext::get().create_database();
  {
    std::unique_ptr<db::Connection> other = BackendContext::get().open(other_spec);
    create_bulk(*other, "BULK_SRC");
    EXPECT_EQ(db::copy_table_raw(*conn_, *other, table, cols), kRows);
    std::vector<db::Row> want = read_all(*conn_, "BULK_SRC");
    std::vector<db::Row> got = read_all(*other, "BULK_SRC");
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], want[i]) << "row " << i + 1;
    }
    // A second copy collides on the key: the error reaches the caller, nothing is added, and
    // both connections still work.
    EXPECT_THROW(db::copy_table_raw(*conn_, *other, table, cols), Error);
    EXPECT_EQ(other->query_value("SELECT COUNT(*) FROM BULK_SRC")->as_int(), kRows);
    EXPECT_EQ(count("BULK_SRC"), kRows);
  }
  BackendContext::get().drop_database(other_spec);
}

TEST_F(Backend, BulkReadDecodesEdgeTimestampsAsQueryDoes) {
  // Values at the edges of each engine's range and of the fraction.
  std::vector<std::string> times = {"2000-01-01 00:00:00", "1999-12-31 23:59:59.999999",
                                    "1970-01-01 00:00:00.000001", "2024-02-29 12:00:00.01",
                                    "2037-12-31 23:59:59.9"};
  if (conn_->capabilities().copy_out) {
    times.insert(times.end(), {"0001-01-01 00:00:00", "9999-12-31 23:59:59.999999",
                               "0044-03-15 12:00:00 BC", "infinity", "-infinity"});
  }
  create_bulk(*conn_, "BULK_SRC");
  auto ins =
      conn_->prepare(fmt::format("INSERT INTO BULK_SRC (ID, AT) VALUES ({}, {})", ph(1), ph(2)));
  for (std::size_t i = 0; i < times.size(); ++i) {
    ins->execute(std::vector<Value>{Value(static_cast<int>(i)), Value(times[i])});
  }
  auto [table, cols] = stored("BULK_SRC");
  std::unique_ptr<db::RowSource> rows = conn_->bulk_read(table, {cols[0], cols[5]}, {cols[0]});
  db::Row row;
  for (const std::string& t : times) {
    ASSERT_TRUE(rows->next(row));
    EXPECT_EQ(row[1].to_text(), t);
  }
  EXPECT_FALSE(rows->next(row));
}

TEST_F(Backend, DroppingAPreparedStatementLeavesAnOpenReadAlone) {
  create_bulk(*conn_, "BULK_SRC");
  constexpr int kRows = 200;
  fill(*conn_, "BULK_SRC", 1, kRows);
  auto [table, cols] = stored("BULK_SRC");
  std::unique_ptr<db::PreparedStatement> p =
      conn_->prepare(fmt::format("SELECT ID FROM BULK_SRC WHERE ID = {}", ph(1)));
  std::unique_ptr<db::RowSource> rows = conn_->bulk_read(table, cols, {cols[0]});
  db::Row row;
  ASSERT_TRUE(rows->next(row));
  // Dropped while a read is in flight: releasing it must neither end nor disturb the read.
  p.reset();
  int n = 1;
  while (rows->next(row)) {
    ++n;
    EXPECT_EQ(row[0].as_int(), n);
  }
  EXPECT_EQ(n, kRows);
  rows.reset();
  EXPECT_EQ(count("BULK_SRC"), kRows);
}

}  // namespace
}  // namespace cutover::test
