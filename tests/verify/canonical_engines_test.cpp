// The canonical row hash on real engines: the same rows, with every column kind and the edge
// values that tell encodings apart, stored in SQLite, PostgreSQL and MariaDB, hash the same
// whether cutover streams and hashes them or the server computes sql_row_hash /
// sql_chunk_aggregate; all three engines agree; and each kind of small difference (a changed
// value, a trailing space, a truncated fraction, a changed case, NULL for '') changes the hash.
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "backend_context.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "verify/canonical.h"

namespace cutover::verify {
namespace {

// Best effort: the servers are throwaway, but a rerun should not pile databases up.
void drop_database(const db::ConnectionSpec& spec) {
  try {
    test::drop_fresh_database(spec);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping " << spec.database << ": " << e.what();
  }
}

std::unique_ptr<db::Connection> connect(const db::ConnectionSpec& spec) {
  db::OpenOptions o;
  o.create = true;
  return db::open(spec, o);
}

// One table, every kind, in each engine's own types. MariaDB: BOOLEAN is TINYINT(1); one
// column is latin1 and one has a binary collation, so the hash cannot depend on the table's
// character set or on collations meeting in CONCAT_WS.
const std::string& create_sql(const std::string& engine) {
  static const std::map<std::string, std::string> kCreate = {
      {"sqlite",
       "CREATE TABLE t (id INTEGER PRIMARY KEY, i BIGINT, s SMALLINT, n INTEGER, d DECIMAL(20,6), "
       "v VARCHAR(100), c CHAR(10), tx TEXT, l VARCHAR(50), t0 TIMESTAMP, t3 TIMESTAMP, "
       "t6 TIMESTAMP, b BLOB, f BOOLEAN)"},
      {"postgresql",
       "CREATE TABLE t (id INTEGER PRIMARY KEY, i BIGINT, s SMALLINT, n INTEGER, d NUMERIC(20,6), "
       "v VARCHAR(100), c CHAR(10), tx TEXT, l VARCHAR(50), t0 TIMESTAMP(0), t3 TIMESTAMP(3), "
       "t6 TIMESTAMP(6), b BYTEA, f BOOLEAN)"},
      {"mysql",
       "CREATE TABLE t (id INTEGER PRIMARY KEY, i BIGINT, s SMALLINT, n INTEGER, d DECIMAL(20,6), "
       "v VARCHAR(100) COLLATE utf8mb4_bin, c CHAR(10), tx TEXT, "
       "l VARCHAR(50) CHARACTER SET latin1, t0 DATETIME, t3 DATETIME(3), t6 DATETIME(6), "
       "b LONGBLOB, f BOOLEAN) DEFAULT CHARSET=utf8mb4"},
  };
  return kCreate.at(engine);
}

const std::vector<std::string>& column_names() {
  static const std::vector<std::string> kColumns = {"id", "i", "s",  "n",  "d",  "v", "c",
                                                    "tx", "l", "t0", "t3", "t6", "b", "f"};
  return kColumns;
}

db::Value ts(const char* text) {
  return db::Value(text);
}

// The rows, as parameters. `sqlite_forms` writes the timestamps the way other programs write
// them into SQLite files (a 'T', a ".000" fraction, full six digits): the same instants.
std::vector<db::Row> rows(bool sqlite_forms) {
  db::Value null;
  std::vector<db::Row> out;
  // All NULL.
  out.push_back({1, null, null, null, null, null, null, null, null, null, null, null, null, null});
  // Empty strings and an empty blob, zeros, false.
  out.push_back({2, std::int64_t{0}, 0, 0, "0", "", "", "", "", ts("2024-01-02 03:04:05"),
                 ts(sqlite_forms ? "2024-01-02T03:04:05.000" : "2024-01-02 03:04:05.000"),
                 ts(sqlite_forms ? "2024-01-02 03:04:05.000000" : "2024-01-02 03:04:05"),
                 db::Bytes{}, 0});
  // The separator and the escape character inside values, extremes, fractions.
  out.push_back({3, INT64_MAX, -32768, 2147483647, "-12345.678901", "a|b", "x  ", "c\\d",
                 "Gr\u00fc\u00dfe", ts("1999-12-31 23:59:59"), ts("2024-01-02 03:04:05.120"),
                 ts("2024-01-02 03:04:05.123456"), db::Bytes{0x00, 0xff, 0x7c, 0x5c}, 1});
  // A value that reads like NULL's encoding, trailing spaces, unicode, negatives.
  out.push_back({4, INT64_MIN, -1, -2147483648, "1.5", "\\N", "\xc3\x84\xc3\x96", "trailing  ",
                 "x|y\\", ts("2000-02-29 00:00:00"), ts("2024-01-02 03:04:05.001"),
                 ts(sqlite_forms ? "2024-01-02 03:04:05.1" : "2024-01-02 03:04:05.100000"),
                 db::Bytes{0x5c, 0x4e}, 0});
  out.push_back(
      {5, std::int64_t{-9}, 7, 42, "0.000001", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe2\x9c\x93",
       " lead", "emoji \xf0\x9f\x98\x80", " ", ts("2038-01-19 03:14:08"),
       ts("1970-01-01 00:00:00.999"), ts("2024-06-30 12:00:00.000001"), db::Bytes{0x01}, 1});
  out.push_back({6, std::int64_t{1}, 1, 1, "99999999.999999", "|", "|", "\\", "\\|",
                 ts("2024-01-02 03:04:05"), ts("2024-01-02 03:04:05.999"),
                 ts("2024-01-02 03:04:05.999999"), db::Bytes{0x7c}, 1});
  return out;
}

struct Engine {
  std::string name;
  db::ConnectionSpec spec;
  std::unique_ptr<db::Connection> conn;
  std::vector<Kind> kinds;  ///< kind_of each column, this engine alone
};

class CanonicalEngines : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"sqlite", "postgresql", "mysql"}) {
      Engine e;
      e.name = name;
      e.spec = test::fresh_database(name, "co_vhash");
      e.conn = connect(e.spec);
      e.conn->execute(create_sql(name));
      std::string marks;
      for (std::size_t i = 0; i < column_names().size(); ++i) {
        marks += (i ? ", " : "") + e.conn->dialect().placeholder(static_cast<int>(i) + 1);
      }
      std::string insert =
          fmt::format("INSERT INTO t ({}) VALUES ({})", fmt::join(column_names(), ", "), marks);
      for (const db::Row& r : rows(e.name == "sqlite")) {
        e.conn->execute(insert, r);
      }
      std::optional<db::TableDef> def = e.conn->describe_table("t");
      ASSERT_TRUE(def);
      for (const db::Column& c : def->columns) {
        e.kinds.push_back(kind_of(c, e.conn->dialect().name()));
      }
      engines_.push_back(std::move(e));
    }
    // The kinds every engine encodes with: folded over the three live tables.
    kinds_ = engines_[0].kinds;
    for (const Engine& e : engines_) {
      for (std::size_t i = 0; i < kinds_.size(); ++i) {
        kinds_[i] = common_kind(kinds_[i], e.kinds[i]);
      }
    }
    for (std::size_t i = 0; i < column_names().size(); ++i) {
      columns_.push_back({column_names()[i], kinds_[i]});
    }
  }

  void TearDown() override {
    for (Engine& e : engines_) {
      e.conn.reset();
      drop_database(e.spec);
    }
  }

  // id -> hash of that row, streamed and hashed by cutover.
  std::map<std::int64_t, std::uint64_t> streamed(Engine& e, const std::string& where = "") {
    auto r = e.conn->query(
        fmt::format("SELECT {} FROM t {} ORDER BY id", fmt::join(column_names(), ", "), where));
    std::map<std::int64_t, std::uint64_t> out;
    while (r->next()) {
      db::Row row = r->row();
      out[row[0].as_int()] = row_hash(encode_row(row, kinds_));
    }
    return out;
  }

  // id -> hash of that row, computed by the server.
  std::map<std::int64_t, std::uint64_t> in_database(Engine& e, const std::string& where = "",
                                                    Text text = Text::canonical) {
    std::optional<std::string> h = sql_row_hash(e.conn->dialect(), columns_, text);
    EXPECT_TRUE(h) << e.name;
    std::map<std::int64_t, std::uint64_t> out;
    if (!h) {
      return out;
    }
    auto r = e.conn->query(fmt::format("SELECT id, {} FROM t {} ORDER BY id", *h, where));
    while (r->next()) {
      out[r->get(0).as_int()] = parse_row_hash(r->get(1));
    }
    return out;
  }

  ChunkSum aggregate(Engine& e, const std::string& where) {
    std::optional<std::string> sel = sql_chunk_aggregate(e.conn->dialect(), columns_);
    EXPECT_TRUE(sel) << e.name;
    if (!sel) {
      return {};
    }
    auto r = e.conn->query(fmt::format("SELECT {} FROM t {}", *sel, where));
    EXPECT_TRUE(r->next());
    return parse_chunk_aggregate(r->get(0), r->get(1));
  }

  // Canonical row texts, for messages: which row and which column disagreed.
  std::map<std::int64_t, std::string> texts(Engine& e) {
    auto r =
        e.conn->query(fmt::format("SELECT {} FROM t ORDER BY id", fmt::join(column_names(), ", ")));
    std::map<std::int64_t, std::string> out;
    while (r->next()) {
      db::Row row = r->row();
      out[row[0].as_int()] = encode_row(row, kinds_);
    }
    return out;
  }

  Engine& engine(const std::string& name) {
    for (Engine& e : engines_) {
      if (e.name == name) {
        return e;
      }
    }
    throw std::runtime_error("no engine " + name);
  }

  std::vector<Engine> engines_;
  std::vector<Kind> kinds_;
  std::vector<HashColumn> columns_;
};

TEST_F(CanonicalEngines, KindsMeetAsTheEncodingExpects) {
  std::vector<Kind> want = {Kind::integer, Kind::integer,   Kind::integer,   Kind::integer,
                            Kind::decimal, Kind::text,      Kind::padded,    Kind::text,
                            Kind::text,    Kind::timestamp, Kind::timestamp, Kind::timestamp,
                            Kind::binary,  Kind::boolean};
  EXPECT_EQ(kinds_, want);
  EXPECT_EQ(engine("mysql").kinds[13], Kind::integer);  // TINYINT(1)
  EXPECT_FALSE(sql_row_hash(engine("sqlite").conn->dialect(), columns_));
  EXPECT_FALSE(sql_chunk_aggregate(engine("postgresql").conn->dialect(),
                                   {{"id", Kind::integer}, {"x", Kind::floating}}));
}

TEST_F(CanonicalEngines, ServerHashesEqualStreamedHashesRowByRowAndPerChunk) {
  for (const char* name : {"postgresql", "mysql"}) {
    Engine& e = engine(name);
    std::map<std::int64_t, std::uint64_t> client = streamed(e);
    std::map<std::int64_t, std::uint64_t> server = in_database(e);
    ASSERT_EQ(client.size(), 6U) << name;
    std::map<std::int64_t, std::string> text = texts(e);
    for (const auto& [id, h] : client) {
      EXPECT_EQ(server[id], h) << name << " row " << id << ": " << text[id];
    }
    for (const std::string& where :
         {std::string(), std::string("WHERE id BETWEEN 2 AND 4"), std::string("WHERE id > 100")}) {
      ChunkSum want;
      for (const auto& [id, h] : streamed(e, where)) {
        want.add(h);
      }
      ChunkSum got = aggregate(e, where);
      EXPECT_EQ(got.rows, want.rows) << name << " " << where;
      EXPECT_EQ(got.sum, want.sum) << name << " " << where;
    }
  }
}

TEST_F(CanonicalEngines, TheSameDataHashesTheSameOnAllThreeEngines) {
  std::map<std::int64_t, std::string> reference = texts(engine("postgresql"));
  std::map<std::int64_t, std::uint64_t> want = streamed(engine("postgresql"));
  for (const char* name : {"sqlite", "mysql"}) {
    std::map<std::int64_t, std::string> text = texts(engine(name));
    std::map<std::int64_t, std::uint64_t> got = streamed(engine(name));
    ASSERT_EQ(got.size(), want.size()) << name;
    for (const auto& [id, h] : want) {
      EXPECT_EQ(got[id], h) << name << " row " << id << "\n  " << text[id] << "\n  postgresql\n  "
                            << reference[id];
    }
  }
  EXPECT_EQ(in_database(engine("mysql")), in_database(engine("postgresql")));
}

TEST_F(CanonicalEngines, EachSmallDifferenceChangesTheHashOnBothSides) {
  // Each change applied in turn to the same table; every one must move its row's hash.
  const std::vector<std::pair<int, std::string>> changes = {
      {3, "i = i - 1"},                       // changed integer
      {3, "d = -12345.678902"},               // changed decimal in the last place
      {3, "v = 'A|b'"},                       // case changed
      {4, "tx = 'trailing   '"},              // one more trailing space
      {5, "v = CONCAT(v, ' ')"},              // a trailing space added
      {3, "t6 = '2024-01-02 03:04:05.123'"},  // fraction truncated
      {3, "t3 = '2024-01-02 03:04:05'"},      // fraction dropped
      {2, "v = NULL"},                        // NULL instead of ''
      {1, "v = ''"},                          // '' instead of NULL
      {4, "b = NULL"},                        // NULL instead of a blob
      {2, "f = NOT f"},                       // boolean flipped
      {6, "l = '|\\\\'"},                     // the escapes swapped
  };
  for (const char* name : {"postgresql", "mysql"}) {
    Engine& e = engine(name);
    std::map<std::int64_t, std::uint64_t> before = streamed(e);
    for (const auto& [id, set] : changes) {
      std::string sql = fmt::format("UPDATE t SET {} WHERE id = {}", set, id);
      if (e.name == "postgresql") {
        // PostgreSQL spells these two differently; the change is the same.
        if (set == "v = CONCAT(v, ' ')") {
          sql = fmt::format("UPDATE t SET v = v || ' ' WHERE id = {}", id);
        } else if (set == "l = '|\\\\'") {
          sql = fmt::format("UPDATE t SET l = E'|\\\\' WHERE id = {}", id);
        }
      }
      e.conn->execute(sql);
      std::map<std::int64_t, std::uint64_t> client = streamed(e);
      std::map<std::int64_t, std::uint64_t> server = in_database(e);
      EXPECT_NE(client[id], before[id]) << name << ": " << set;
      EXPECT_EQ(server, client) << name << ": " << set;
      for (const auto& [other, h] : before) {
        if (other != id) {
          EXPECT_EQ(client[other], h) << name << ": " << set << " moved row " << other;
        }
      }
      before = client;
    }
  }
}

// Text::stored writes each MySQL text value as its length and its bytes: every change of the
// list above moves its row's hash, and so does each value boundary that moves between
// neighbouring text columns, a value spelling the NULL marker, and the escapes.
TEST_F(CanonicalEngines, StoredTextHashMovesWithEveryDifferenceAndBoundary) {
  Engine& e = engine("mysql");
  const std::vector<std::pair<int, std::string>> changes = {
      {3, "i = i - 1"},
      {3, "v = 'A|b'"},
      {4, "tx = 'trailing   '"},
      {5, "v = CONCAT(v, ' ')"},
      {3, "t6 = '2024-01-02 03:04:05.123'"},
      {2, "v = NULL"},
      {1, "v = ''"},
      {2, "v = '|'"},            // v '|', c ''
      {2, "v = '', c = '|'"},    // the '|' moves to the next column
      {2, "c = '', tx = '|'"},   // and on
      {6, "v = '||', c = ''"},   // v '|', c '|' before
      {1, "v = 'N'"},            // the NULL marker as a value
      {1, "v = NULL, c = 'N'"},  // and moved
      {4, "v = NULL"},           // NULL for the text \N (row 4's v)
      {6, "l = '|\\\\'"},        // the escapes swapped
      {3, "v = '3', c = 'a|bx'"},
  };
  std::map<std::int64_t, std::uint64_t> before = in_database(e, "", Text::stored);
  ASSERT_EQ(before.size(), 6U);
  for (const auto& [id, set] : changes) {
    e.conn->execute(fmt::format("UPDATE t SET {} WHERE id = {}", set, id));
    std::map<std::int64_t, std::uint64_t> after = in_database(e, "", Text::stored);
    EXPECT_NE(after[id], before[id]) << set;
    for (const auto& [other, h] : before) {
      if (other != id) {
        EXPECT_EQ(after[other], h) << set << " moved row " << other;
      }
    }
    before = after;
  }
  // Equal rows hash equal: the sum of the rows is the aggregate's.
  std::optional<std::string> sel = sql_chunk_aggregate(e.conn->dialect(), columns_, Text::stored);
  ASSERT_TRUE(sel);
  auto r = e.conn->query(fmt::format("SELECT {} FROM t", *sel));
  ASSERT_TRUE(r->next());
  ChunkSum got = parse_chunk_aggregate(r->get(0), r->get(1));
  ChunkSum want;
  for (const auto& [id, h] : before) {
    want.add(h);
  }
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(got.sum, want.sum);
}

}  // namespace
}  // namespace cutover::verify
