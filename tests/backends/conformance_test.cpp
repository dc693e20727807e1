// One backend conformance suite, compiled once and run against every backend (SOCI's
// pattern): SQLite files, and PostgreSQL and MariaDB servers started by the CTest fixtures,
// natively and through ODBC.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "core/error.h"
#include "db/dialect.h"
#include "plan/inspect.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"

namespace cutover::test {
namespace {

TEST_F(Backend, RoundTripsEveryTypeThroughParameters) {
  create_sample();
  db::Bytes all_bytes;
  for (int i = 0; i < 256; ++i) {
    all_bytes.push_back(static_cast<std::uint8_t>(i));
  }
  std::string tricky = "it's a \"quote\", a \\ backslash, a ? mark and $1";
  std::vector<Value> row = {Value(1),   Value(std::int64_t{9000000000}), Value(tricky),
                            Value("Y"), Value("2026-01-02 03:04:05"),    Value(all_bytes)};
  std::string insert = fmt::format(
      "INSERT INTO SAMPLE (ID, BIG, NAME, FLAG, AT, DATA) VALUES "
      "({}, {}, {}, {}, {}, {})",
      ph(1), ph(2), ph(3), ph(4), ph(5), ph(6));
  EXPECT_EQ(conn_->execute(insert, row), 1);
  std::vector<Value> nulls = {Value(2), Value(), Value(), Value(), Value(), Value()};
  conn_->execute(insert, nulls);

  auto r = conn_->query("SELECT ID, BIG, NAME, FLAG, AT, DATA FROM SAMPLE WHERE ID = " + ph(1),
                        std::vector<Value>{Value(1)});
  ASSERT_TRUE(r->next());
  EXPECT_EQ(r->get(0).as_int(), 1);
  EXPECT_EQ(r->get(1).as_int(), 9000000000);
  EXPECT_EQ(r->get(2).to_text(), tricky);
  EXPECT_EQ(r->get(3).to_text(), "Y");
  EXPECT_EQ(r->get(4).to_text(), "2026-01-02 03:04:05");
  ASSERT_TRUE(r->get(5).is_bytes()) << conn_->backend();
  EXPECT_EQ(r->get(5).as_bytes(), all_bytes);
  EXPECT_FALSE(r->next());

  auto n = conn_->query("SELECT BIG, NAME, AT, DATA FROM SAMPLE WHERE ID = 2");
  ASSERT_TRUE(n->next());
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(n->get(i).is_null()) << i;
  }
}

TEST_F(Backend, BulkInsertLoadsEveryRowInOrder) {
  create_sample();

  class Rows final : public db::RowSource {
   public:
    bool next(db::Row& row) override {
      if (i_ >= 3000) {
        return false;
      }
      row = {Value(i_),
             Value(i_ * 1000),
             Value(fmt::format("row\t{}\n\\ '{}'", i_, i_)),
             Value("N"),
             Value("2026-11-01 00:00:00"),
             Value(db::Bytes{0, static_cast<std::uint8_t>(i_ % 256), 255})};
      ++i_;
      return true;
    }

   private:
    std::int64_t i_ = 0;
  } rows;

  auto [name, cols] = stored("SAMPLE");
  EXPECT_EQ(conn_->bulk_insert(name, cols, rows), 3000);
  EXPECT_EQ(count("SAMPLE"), 3000);
  auto r = conn_->query("SELECT NAME, DATA FROM SAMPLE WHERE ID = " + ph(1),
                        std::vector<Value>{Value(2999)});
  ASSERT_TRUE(r->next());
  EXPECT_EQ(r->get(0).to_text(), "row\t2999\n\\ '2999'");
  EXPECT_EQ(r->get(1).as_bytes(), (db::Bytes{0, static_cast<std::uint8_t>(2999 % 256), 255}));
}

TEST_F(Backend, RollbackLeavesNothingAndDestructorRollsBack) {
  create_sample();
  conn_->begin();
  conn_->execute("INSERT INTO SAMPLE (ID) VALUES (1)");
  conn_->rollback();
  EXPECT_EQ(count("SAMPLE"), 0);
  {
    db::Transaction tx(*conn_);
    conn_->execute("INSERT INTO SAMPLE (ID) VALUES (2)");
  }
  EXPECT_EQ(count("SAMPLE"), 0);
  {
    db::Transaction tx(*conn_);
    conn_->execute("INSERT INTO SAMPLE (ID) VALUES (3)");
    tx.commit();
  }
  EXPECT_EQ(count("SAMPLE"), 1);
}

TEST_F(Backend, DuplicateKeyIsAConstraintError) {
  create_sample();
  conn_->execute("INSERT INTO SAMPLE (ID) VALUES (1)");
  try {
    conn_->execute("INSERT INTO SAMPLE (ID) VALUES (1)");
    FAIL() << "duplicate key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::constraint) << e.one_line();
    EXPECT_FALSE(e.retryable());
  }
}

TEST_F(Backend, MissingTableIsAnSqlErrorWithCode) {
  try {
    conn_->query_value("SELECT * FROM NO_SUCH_TABLE");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::sql) << e.one_line();
    EXPECT_TRUE(!e.sqlstate().empty() || e.native_code() != 0) << e.one_line();
  }
  EXPECT_FALSE(conn_->describe_table("NO_SUCH_TABLE"));
}

TEST_F(Backend, DescribesColumnsKeysForeignKeysAndIndexes) {
  const schema::Product& is = schema::product("is");
  schema::create_schema(*conn_, is, is.version_index("7.0.0"), schema::DatabaseFilter::identity);
  std::optional<db::TableDef> t = conn_->describe_table("IDN_OAUTH2_ACCESS_TOKEN");
  ASSERT_TRUE(t);
  std::optional<db::TableDef> want =
      is.table_at("IDN_OAUTH2_ACCESS_TOKEN", is.version_index("7.0.0"), d().name());
  ASSERT_EQ(t->columns.size(), want->columns.size());
  for (std::size_t i = 0; i < want->columns.size(); ++i) {
    EXPECT_TRUE(db::same_ident(t->columns[i].name, want->columns[i].name));
  }
  ASSERT_EQ(t->primary_key.size(), 1U);
  EXPECT_TRUE(db::same_ident(t->primary_key[0], "TOKEN_ID"));

  const db::Column* org = t->find_column("AUTHORIZED_ORGANIZATION");
  ASSERT_NE(org, nullptr);
  EXPECT_FALSE(org->nullable);
  EXPECT_EQ(org->type, db::TypeKind::varchar);
  EXPECT_EQ(org->length, 36);
  EXPECT_EQ(org->default_value.kind, db::DefaultValue::Kind::string);
  EXPECT_EQ(org->default_value.text, "NONE");
  const db::Column* idp = t->find_column("IDP_ID");
  EXPECT_EQ(idp->default_value.kind, db::DefaultValue::Kind::number);
  EXPECT_EQ(idp->default_value.text, "-1");

  bool con_app_key = std::any_of(t->unique_keys.begin(), t->unique_keys.end(),
                                 [](const db::Key& k) { return k.columns.size() == 11; }) ||
                     std::any_of(t->indexes.begin(), t->indexes.end(), [](const db::Index& ix) {
                       return ix.unique && ix.columns.size() == 11;
                     });
  EXPECT_TRUE(con_app_key);
  ASSERT_FALSE(t->foreign_keys.empty());
  EXPECT_TRUE(db::same_ident(t->foreign_keys[0].ref_table, "IDN_OAUTH_CONSUMER_APPS"));
  EXPECT_TRUE(t->foreign_keys[0].on_delete_cascade);
  EXPECT_TRUE(std::any_of(t->indexes.begin(), t->indexes.end(),
                          [](const db::Index& ix) { return db::same_ident(ix.name, "IDX_TC"); }));

  std::optional<db::TableDef> apps = conn_->describe_table("idn_oauth_consumer_apps");
  ASSERT_TRUE(apps);
  EXPECT_TRUE(apps->find_column("ID")->generated);
}

TEST_F(Backend, HostileIdentifiersAreQuotedEverywhere) {
  const std::string table = "x\"y`z]w; DROP TABLE SAMPLE; --";
  const std::string column = "c 'o\" `l";
  create_sample();
  db::TableDef t;
  t.name = table;
  t.columns = {db::Column{"ID", db::TypeKind::integer, 0, "", false, {}, false, ""},
               db::Column{column, db::TypeKind::varchar, 50, "", true, {}, false, ""}};
  t.primary_key = {"ID"};
  for (const std::string& s : d().create_table(t)) {
    conn_->execute(s);
  }

  class Rows final : public db::RowSource {
   public:
    bool next(db::Row& row) override {
      if (n_ == 3) {
        return false;
      }
      row = {Value(n_), Value("'); DROP TABLE SAMPLE; --")};
      ++n_;
      return true;
    }

   private:
    std::int64_t n_ = 0;
  } rows;

  auto [name, cols] = stored(table);
  EXPECT_EQ(name, table);
  EXPECT_EQ(conn_->bulk_insert(name, cols, rows), 3);
  EXPECT_EQ(count(table), 3);
  EXPECT_TRUE(conn_->describe_table("SAMPLE"));  // still there
  std::vector<std::string> tables = conn_->list_tables();
  EXPECT_NE(std::find(tables.begin(), tables.end(), table), tables.end());
  std::optional<db::TableDef> got = conn_->describe_table(table);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->columns.size(), 2U);
  EXPECT_EQ(got->columns[1].name, column);
  ASSERT_EQ(got->primary_key.size(), 1U);
  EXPECT_TRUE(db::same_ident(got->primary_key[0], "ID"));  // bare: lower case in PostgreSQL
  EXPECT_TRUE(conn_->table_size_bytes(table).has_value() || !conn_->capabilities().table_sizes);
}

// A table created with quoted mixed-case names (not how WSO2 does it, but legal) is found by
// introspection and addressed exactly by every path that works from stored names.
TEST_F(Backend, QuotedMixedCaseNamesAreAddressedExactly) {
  conn_->execute(fmt::format("CREATE TABLE {} ({} INTEGER NOT NULL, {} VARCHAR(20))",
                             d().quote_ident("Mixed_Case_T"), d().quote_ident("Id"),
                             d().quote_ident("Val")));
  auto [name, cols] = stored("mixed_case_t");
  EXPECT_TRUE(db::same_ident(name, "Mixed_Case_T"));

  class Rows final : public db::RowSource {
   public:
    bool next(db::Row& row) override {
      row = {Value(n_), Value("v")};
      return n_++ < 5;
    }

   private:
    std::int64_t n_ = 0;
  } rows;

  EXPECT_EQ(conn_->bulk_insert(name, cols, rows), 5);
  EXPECT_EQ(conn_->query_value("SELECT COUNT(*) FROM " + d().stored_ident(name))->as_int(), 5);
}

TEST_F(Backend, UpsertInsertsThenUpdatesByKey) {
  create_sample();
  auto [table, cols] = stored("SAMPLE");  // upsert takes stored names
  std::string sql = d().upsert(table, {cols[0], cols[2]}, {cols[0]});
  conn_->execute(sql, std::vector<Value>{Value(1), Value("first")});
  conn_->execute(sql, std::vector<Value>{Value(1), Value("second")});
  EXPECT_EQ(count("SAMPLE"), 1);
  EXPECT_EQ(conn_->query_value("SELECT NAME FROM SAMPLE")->to_text(), "second");
}

TEST_F(Backend, KeysetPagingVisitsEveryRowOnce) {
  create_sample();
  for (int i = 0; i < 250; ++i) {
    conn_->execute(fmt::format("INSERT INTO SAMPLE (ID, NAME) VALUES ({}, 'n')", (i * 7) % 250));
  }
  auto [table, cols] = stored("SAMPLE");  // keyset_page takes stored names
  std::vector<std::int64_t> seen;
  std::optional<std::int64_t> last;
  while (true) {
    std::string sql = d().keyset_page(table, {cols[0]}, {cols[0]}, 100, !last);
    std::vector<Value> params;
    if (last) {
      params.push_back(Value(*last));
    }
    auto r = conn_->query(sql, params);
    std::size_t got = 0;
    while (r->next()) {
      last = r->get(0).as_int();
      seen.push_back(*last);
      ++got;
    }
    if (got < 100) {
      break;
    }
  }
  ASSERT_EQ(seen.size(), 250U);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

// Timestamps come back whole, fraction included, in one form on every backend and whichever
// way it is read (native or ODBC): trailing zeros of the fraction trimmed, no zone.
TEST_F(Backend, TimestampsKeepFractionalSecondsInOneForm) {
  // MySQL's TIMESTAMP keeps whole seconds unless declared with a precision.
  std::string type = d().name() == "mysql" ? "TIMESTAMP(6) NULL" : "TIMESTAMP";
  conn_->execute(fmt::format("CREATE TABLE TS (ID INTEGER NOT NULL PRIMARY KEY, AT {})", type));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"2026-01-02 03:04:05.123456", "2026-01-02 03:04:05.123456"},
      {"2026-01-02 03:04:05.5", "2026-01-02 03:04:05.5"},
      {"2026-01-02 03:04:05.500000", "2026-01-02 03:04:05.5"},
      {"2026-01-02 03:04:05.000001", "2026-01-02 03:04:05.000001"},
      {"2026-01-02 03:04:05", "2026-01-02 03:04:05"},
      {"2026-01-02 03:04:05.000000", "2026-01-02 03:04:05"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    conn_->execute(fmt::format("INSERT INTO TS (ID, AT) VALUES ({}, {})", i, ph(1)),
                   std::vector<Value>{Value(cases[i].first)});
  }
  auto r = conn_->query("SELECT ID, AT FROM TS ORDER BY ID");
  for (const auto& [written, read] : cases) {
    ASSERT_TRUE(r->next());
    EXPECT_EQ(r->get(1).to_text(), read) << "written as " << written;
  }
  EXPECT_FALSE(r->next());
}

// Native and ODBC sessions are put in the same state (Dialect::session_setup), so a value with
// a zone reads as UTC wall clock and binary as hex on the wire, whichever way it is fetched.
TEST_F(Backend, SessionsAnswerInUtcIsoFormNativelyAndThroughOdbc) {
  if (d().name() == "postgresql") {
    auto r = conn_->query(
        "SELECT current_setting('DateStyle'), current_setting('bytea_output'), "
        "current_setting('TimeZone'), CAST('2026-01-02 03:04:05.250+02' AS TIMESTAMPTZ)");
    ASSERT_TRUE(r->next());
    EXPECT_EQ(r->get(0).to_text(), "ISO, YMD");
    EXPECT_EQ(r->get(1).to_text(), "hex");
    EXPECT_EQ(r->get(2).to_text(), "UTC");
    EXPECT_EQ(r->get(3).to_text(), "2026-01-02 01:04:05.25");
  } else if (d().name() == "mysql") {
    auto r = conn_->query("SELECT @@session.time_zone, @@session.sql_mode");
    ASSERT_TRUE(r->next());
    EXPECT_EQ(r->get(0).to_text(), "+00:00");
    EXPECT_EQ(r->get(1).to_text(),
              "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION");
  } else {
    EXPECT_EQ(conn_->query_value("SELECT datetime('2026-01-02 03:04:05')")->to_text(),
              "2026-01-02 03:04:05");
  }
}

// Booleans read as "true"/"false" where the engine has a boolean type, natively and through
// ODBC alike (psqlodbc would otherwise answer "1"/"0"); MySQL's BOOLEAN is a TINYINT and reads
// as a number either way.
TEST_F(Backend, BooleansReadTheSameNativelyAndThroughOdbc) {
  conn_->execute("CREATE TABLE BOOLS (ID INTEGER NOT NULL PRIMARY KEY, B BOOLEAN)");
  conn_->execute("INSERT INTO BOOLS (ID, B) VALUES (1, TRUE), (2, FALSE), (3, NULL)");
  auto r = conn_->query("SELECT B FROM BOOLS ORDER BY ID");
  std::vector<Value> got;
  while (r->next()) {
    got.push_back(r->get(0));
  }
  if (d().name() == "postgresql") {
    EXPECT_EQ(got, (std::vector<Value>{Value("true"), Value("false"), Value()}));
  } else {
    EXPECT_EQ(got, (std::vector<Value>{Value(1), Value(0), Value()}));
  }
}

// Paging over a composite text key whose values sort differently under a binary collation
// (PostgreSQL with C, SQLite) and a case-insensitive one (MariaDB latin1, where "apple" and
// "APPLE" are equal in the first column). keyset_page orders and compares in the same
// statement, in the key columns' own collation, so every row comes exactly once; the client
// never compares keys itself.
TEST_F(Backend, KeysetPagingOverACompositeTextKeyVisitsEveryRowOnce) {
  db::TableDef t;
  t.name = "PAGED";
  t.columns = {db::Column{"K1", db::TypeKind::varchar, 20, "", false, {}, false, ""},
               db::Column{"K2", db::TypeKind::varchar, 20, "", false, {}, false, ""},
               db::Column{"V", db::TypeKind::integer, 0, "", true, {}, false, ""}};
  t.primary_key = {"K1", "K2"};
  for (const std::string& s : d().create_table(t)) {
    conn_->execute(s);
  }
  std::set<std::pair<std::string, std::string>> want;
  for (const char* k1 : {"apple", "Banana", "cherry", "Date", "_x", "Zed", "a b", "a"}) {
    for (const char* k2 : {"a", "B", "c", "D"}) {
      want.emplace(k1, k2);
    }
  }
  want.emplace("APPLE", "e");  // equal to "apple" when case is ignored; "e" keeps it unique
  want.emplace("APPLE", "F");
  int v = 0;
  for (const auto& [k1, k2] : want) {
    conn_->execute(
        fmt::format("INSERT INTO PAGED (K1, K2, V) VALUES ({}, {}, {})", ph(1), ph(2), ph(3)),
        std::vector<Value>{Value(k1), Value(k2), Value(v++)});
  }
  constexpr int kPage = 5;
  // keyset_page takes stored names, as introspection reports them (lower case on PostgreSQL).
  auto [table, cols] = stored("PAGED");
  std::vector<std::string> key(cols.begin(), cols.begin() + 2);
  std::vector<std::pair<std::string, std::string>> seen;
  std::optional<std::pair<std::string, std::string>> last;
  while (true) {
    std::string sql = d().keyset_page(table, cols, key, kPage, !last);
    std::vector<Value> params;
    if (last) {
      params = {Value(last->first), Value(last->second)};
    }
    auto r = conn_->query(sql, params);
    int got = 0;
    while (r->next()) {
      last.emplace(r->get(0).to_text(), r->get(1).to_text());
      seen.push_back(*last);
      ++got;
    }
    if (got < kPage) {
      break;
    }
  }
  EXPECT_EQ(seen.size(), want.size());
  std::set<std::pair<std::string, std::string>> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct, want);
}

TEST_F(Backend, TimestampArithmeticInMilliseconds) {
  create_sample();
  conn_->execute("INSERT INTO SAMPLE (ID, BIG, AT) VALUES (1, 3600000, " + ph(1) + ")",
                 std::vector<Value>{Value("2026-01-01 00:00:00")});
  std::string expr = d().timestamp_plus_ms("AT", "BIG");
  EXPECT_EQ(count("SAMPLE"), 1);
  auto earlier =
      conn_->query_value(fmt::format("SELECT COUNT(*) FROM SAMPLE WHERE {} < {}", expr, ph(1)),
                         std::vector<Value>{Value("2026-01-01 00:59:59")});
  auto later =
      conn_->query_value(fmt::format("SELECT COUNT(*) FROM SAMPLE WHERE {} < {}", expr, ph(1)),
                         std::vector<Value>{Value("2026-01-01 01:00:01")});
  EXPECT_EQ(earlier->as_int(), 0);
  EXPECT_EQ(later->as_int(), 1);
}

// The whole catalogue on a real engine: every version's DDL runs, fill loads it, and the
// fingerprint names the version that was created.
TEST_F(Backend, EveryCatalogedVersionCreatesFillsAndIsRecognised) {
  const schema::Product& is = schema::product("is");
  for (const std::string& v : is.versions()) {
    SCOPED_TRACE(v);
    db::ConnectionSpec spec = BackendContext::get().create_database();
    {
      std::unique_ptr<db::Connection> c = BackendContext::get().open(spec);
      schema::create_schema(*c, is, is.version_index(v), schema::DatabaseFilter::all);
      schema::FillOptions fo;
      fo.rows = 200;
      schema::FillResult fr = schema::fill(*c, fo);
      EXPECT_GT(fr.total_rows, 200);
      plan::InspectReport r = plan::inspect(*c, spec.redacted(), plan::InspectOptions{});
      EXPECT_EQ(r.match.column_differences, 0);
      EXPECT_TRUE(r.match.unknown_columns.empty());
      EXPECT_NE(std::find(r.match.narrowed.begin(), r.match.narrowed.end(), v),
                r.match.narrowed.end())
          << "recognised as " << r.match.label();
      ASSERT_TRUE(r.cleanup);
      EXPECT_EQ(r.cleanup->total_tokens, 200);
    }
    BackendContext::get().drop_database(spec);
  }
}

TEST_F(Backend, CreateRefusesExistingTablesAndChangesNothing) {
  const schema::Product& is = schema::product("is");
  conn_->execute("CREATE TABLE IDP (ID INTEGER)");
  std::size_t before = conn_->list_tables().size();
  EXPECT_THROW(schema::create_schema(*conn_, is, 0, schema::DatabaseFilter::all), Error);
  EXPECT_EQ(conn_->list_tables().size(), before);
}

TEST_F(Backend, FailedFillLeavesTablesEmpty) {
  const schema::Product& is = schema::product("is");
  schema::create_schema(*conn_, is, is.version_index("5.9.0"), schema::DatabaseFilter::all);
  // A unique index the generator cannot satisfy makes the load fail part-way.
  conn_->execute("CREATE UNIQUE INDEX CO_TEST_BREAK ON IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TENANT_ID)");
  schema::FillOptions fo;
  fo.rows = 100;
  EXPECT_THROW(schema::fill(*conn_, fo), Error);
  EXPECT_EQ(count("IDN_OAUTH2_ACCESS_TOKEN"), 0);
  EXPECT_EQ(count("IDN_OAUTH_CONSUMER_APPS"), 0);
}

}  // namespace
}  // namespace cutover::test
