#include "db/dialect.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::db {
namespace {

TEST(Dialect, KeepsWso2IdentifiersBareAndQuotesHostileOnes) {
  const Dialect& pg = dialect_by_name("postgresql");
  EXPECT_EQ(pg.ident("IDN_OAUTH2_ACCESS_TOKEN"), "IDN_OAUTH2_ACCESS_TOKEN");
  EXPECT_EQ(pg.ident("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"");
  EXPECT_EQ(dialect_by_name("mysql").ident("a`b"), "`a``b`");
  EXPECT_EQ(dialect_by_name("mssql").ident("a]b"), "[a]]b]");
  EXPECT_EQ(pg.ident("select"), "\"select\"");
}

TEST(Dialect, StringLiteralsDoubleQuotesAndMysqlBackslashes) {
  EXPECT_EQ(dialect_by_name("postgresql").string_literal("it's"), "'it''s'");
  EXPECT_EQ(dialect_by_name("mysql").string_literal("a\\'b"), "'a\\\\''b'");
}

TEST(Dialect, PlaceholdersFollowTheEngine) {
  EXPECT_EQ(dialect_by_name("postgresql").placeholder(3), "$3");
  EXPECT_EQ(dialect_by_name("mysql").placeholder(3), "?");
  EXPECT_EQ(dialect_by_name("sqlite").placeholder(1), "?");
}

TEST(Dialect, ValueLiteralsFollowTheEngine) {
  const Dialect& pg = dialect_by_name("postgresql");
  const Dialect& my = dialect_by_name("mysql");
  const Dialect& lite = dialect_by_name("sqlite");
  EXPECT_EQ(pg.value_literal(Value()), "NULL");
  EXPECT_EQ(pg.value_literal(Value(std::int64_t{-42})), "-42");
  EXPECT_EQ(pg.value_literal(Value(0.5)), "0.5");
  EXPECT_EQ(pg.value_literal(Value("it's")), "'it''s'");
  EXPECT_EQ(my.value_literal(Value("a\\b")), "'a\\\\b'");
  EXPECT_EQ(lite.value_literal(Value(Bytes{0x00, 0xff})), "X'00ff'");
  EXPECT_EQ(pg.value_literal(Value(Bytes{0x00, 0xff})), "'\\x00ff'::bytea");
  EXPECT_EQ(dialect_by_name("oracle").value_literal(Value(Bytes{0x0a})), "HEXTORAW('0a')");
  EXPECT_EQ(dialect_by_name("mssql").value_literal(Value(Bytes{0x0a})), "0x0a");
  EXPECT_EQ(dialect_by_name("db2").value_literal(Value(Bytes{0x0a})), "BX'0a'");
}

TEST(Dialect, WithLiteralsFillsEachPlaceholderOnce) {
  std::vector<Value> params = {Value(std::int64_t{7}), Value("x?y"), Value()};
  // A '?' inside a quoted identifier or an inserted value is not a placeholder.
  EXPECT_EQ(dialect_by_name("sqlite").with_literals("UPDATE \"T?\" SET A = ?, B = ? WHERE C IS ?",
                                                    params),
            "UPDATE \"T?\" SET A = 7, B = 'x?y' WHERE C IS NULL");
  EXPECT_EQ(dialect_by_name("postgresql").with_literals("SELECT $2, $1, $3", params),
            "SELECT 'x?y', 7, NULL");
  EXPECT_THROW(dialect_by_name("mysql").with_literals("SELECT ?", params), Error);
  EXPECT_THROW(dialect_by_name("postgresql").with_literals("SELECT $4", params), Error);
}

TEST(Dialect, UpsertNamesTheKeyAndNeverReplaces) {
  std::vector<std::string> cols = {"TOKEN_ID", "TOKEN_STATE"};
  std::vector<std::string> key = {"TOKEN_ID"};
  for (const std::string& name : dialect_names()) {
    std::string sql = dialect_by_name(name).upsert("T", cols, key);
    EXPECT_EQ(sql.find("REPLACE"), std::string::npos) << name;
    EXPECT_NE(sql.find("TOKEN_STATE"), std::string::npos) << name;
  }
  // Stored names: PostgreSQL stores WSO2's bare names in lower case.
  EXPECT_EQ(dialect_by_name("postgresql").upsert("t", {"token_id", "token_state"}, {"token_id"}),
            "INSERT INTO t (token_id, token_state) VALUES ($1, $2) ON CONFLICT (token_id) DO "
            "UPDATE SET token_state = EXCLUDED.token_state");
}

TEST(Dialect, MysqlUpsertRefusesToUpdateARowWithAnotherKey) {
  // ON DUPLICATE KEY fires on any unique key; the guard turns a hit on another row into NULL
  // for its NOT NULL key, an error in strict mode (tests/backends/identifiers_test.cpp).
  EXPECT_EQ(dialect_by_name("mysql").upsert("T", {"ID", "UK", "V"}, {"ID"}),
            "INSERT INTO T (ID, UK, V) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE ID = IF(ID <=> "
            "VALUES(ID), ID, NULL), UK = VALUES(UK), V = VALUES(V)");
  EXPECT_EQ(dialect_by_name("mysql").upsert("T", {"A", "B"}, {"A", "B"}),
            "INSERT INTO T (A, B) VALUES (?, ?) ON DUPLICATE KEY UPDATE A = IF(A <=> VALUES(A) "
            "AND B <=> VALUES(B), A, NULL)");
}

TEST(Dialect, StatementsOnLiveTablesAddressStoredNamesExactly) {
  // PostgreSQL folds bare names to lower case; Oracle, DB2 and H2 to upper case; MySQL and
  // SQLite keep them as written.
  const Dialect& pg = dialect_by_name("postgresql");
  EXPECT_EQ(pg.upsert("Mixed_T", {"Id", "val"}, {"Id"}),
            "INSERT INTO \"Mixed_T\" (\"Id\", val) VALUES ($1, $2) ON CONFLICT (\"Id\") DO "
            "UPDATE SET val = EXCLUDED.val");
  EXPECT_EQ(pg.keyset_page("IDN_X", {"ID", "V"}, {"ID"}, 10, false),
            "SELECT \"ID\", \"V\" FROM \"IDN_X\" WHERE \"ID\" > $1 ORDER BY \"ID\" LIMIT 10");
  EXPECT_EQ(dialect_by_name("oracle").keyset_page("t", {"a", "B"}, {"a"}, 10, false),
            "SELECT \"a\", B FROM \"t\" WHERE (\"a\" > ?) ORDER BY \"a\" FETCH FIRST 10 ROWS ONLY");
  EXPECT_EQ(dialect_by_name("h2").upsert("t", {"ID", "v"}, {"ID"}),
            "MERGE INTO \"t\" (ID, \"v\") KEY (ID) VALUES (?, ?)");
  EXPECT_EQ(dialect_by_name("db2").stored_ident("Mixed"), "\"Mixed\"");
  EXPECT_EQ(dialect_by_name("mssql").upsert("t", {"ID"}, {"ID"}),
            "MERGE INTO t d USING (VALUES (?)) s (ID) ON (d.ID = s.ID) WHEN NOT MATCHED THEN "
            "INSERT (ID) VALUES (s.ID);");
  EXPECT_EQ(dialect_by_name("mysql").keyset_page("Mixed_T", {"Id"}, {"Id"}, 5, true),
            "SELECT Id FROM Mixed_T ORDER BY Id LIMIT 5");
}

TEST(Dialect, AnyRowUsesEachEnginesRowLimit) {
  EXPECT_EQ(dialect_by_name("sqlite").any_row("T"), "SELECT 1 FROM T LIMIT 1");
  EXPECT_EQ(dialect_by_name("postgresql").any_row("idn_x"), "SELECT 1 FROM idn_x LIMIT 1");
  EXPECT_EQ(dialect_by_name("mssql").any_row("T"), "SELECT TOP (1) 1 FROM T");
  EXPECT_EQ(dialect_by_name("oracle").any_row("T"), "SELECT 1 FROM T FETCH FIRST 1 ROWS ONLY");
  EXPECT_EQ(dialect_by_name("db2").any_row("T"), "SELECT 1 FROM T FETCH FIRST 1 ROWS ONLY");
}

TEST(Dialect, KeysetPagingUsesRowValuesOrTheExpandedForm) {
  std::vector<std::string> cols = {"A", "B", "C"};
  std::vector<std::string> key = {"A", "B"};
  EXPECT_EQ(dialect_by_name("postgresql").keyset_page("t", {"a", "b", "c"}, {"a", "b"}, 100, false),
            "SELECT a, b, c FROM t WHERE (a, b) > ($1, $2) ORDER BY a, b LIMIT 100");
  EXPECT_EQ(dialect_by_name("oracle").keyset_page("T", cols, key, 100, false),
            "SELECT A, B, C FROM T WHERE (A > ?) OR (A = ? AND B > ?) ORDER BY A, B FETCH FIRST "
            "100 ROWS ONLY");
  EXPECT_EQ(dialect_by_name("mssql").keyset_page("T", cols, key, 5, true),
            "SELECT TOP (5) A, B, C FROM T ORDER BY A, B");
}

TEST(Dialect, UnknownDialectListsTheSeven) {
  try {
    dialect_by_name("informix");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(e.hint().find("sqlite, postgresql, mysql, oracle, mssql, db2, h2"),
              std::string::npos);
  }
}

TEST(Dialect, MysqlTablesAreLatin1InnoDb) {
  TableDef t;
  t.name = "X";
  t.columns.push_back(Column{"ID", TypeKind::integer, 0, "", false, {}, true, ""});
  t.columns.push_back(Column{"T", TypeKind::timestamp, 0, "", true, {}, false, ""});
  t.primary_key = {"ID"};
  std::string sql = dialect_by_name("mysql").create_table(t).front();
  EXPECT_NE(sql.find("ENGINE=InnoDB DEFAULT CHARACTER SET latin1"), std::string::npos) << sql;
  EXPECT_NE(sql.find("ID INTEGER NOT NULL AUTO_INCREMENT"), std::string::npos) << sql;
  EXPECT_NE(sql.find("T TIMESTAMP NULL"), std::string::npos) << sql;
}

}  // namespace
}  // namespace cutover::db

namespace cutover::db {
namespace {

using Statements = std::vector<std::string>;

TEST(DialectTransactionStart, WritersTakeTheLockAndReadersDoNot) {
  const Dialect& sqlite = dialect_by_name("sqlite");
  EXPECT_EQ(sqlite.transaction_start({}), Statements{"BEGIN IMMEDIATE"});
  TxOptions ro;
  ro.read_only = true;
  EXPECT_EQ(sqlite.transaction_start(ro), (Statements{"BEGIN DEFERRED", "PRAGMA query_only = 1"}));
  EXPECT_EQ(dialect_by_name("mysql").transaction_start({}), Statements{"START TRANSACTION"});
  EXPECT_TRUE(dialect_by_name("postgresql").transaction_start({}).empty());
}

TEST(DialectTransactionStart, ASnapshotStartsAtBeginAndImpliesRepeatableRead) {
  TxOptions o;
  o.read_only = true;
  o.consistent_snapshot = true;
  EXPECT_EQ(dialect_by_name("postgresql").transaction_start(o),
            (Statements{"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", "SELECT 1"}));
  EXPECT_EQ(dialect_by_name("mysql").transaction_start(o),
            (Statements{"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"}));
  o.snapshot_id = "00000003-0000001B-1";
  EXPECT_EQ(dialect_by_name("postgresql").transaction_start(o),
            (Statements{"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                        "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'", "SELECT 1"}));
  o.isolation = Isolation::serializable;
  EXPECT_EQ(dialect_by_name("postgresql").transaction_start(o).front(),
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
}

TEST(DialectTransactionStart, RefusesWhatTheEngineCannotDo) {
  TxOptions shared;
  shared.snapshot_id = "00000003-0000001B-1";
  for (const char* name : {"sqlite", "mysql", "oracle"}) {
    EXPECT_THROW(dialect_by_name(name).transaction_start(shared), Error) << name;
  }
  TxOptions contradictory;
  contradictory.consistent_snapshot = true;
  contradictory.isolation = Isolation::read_committed;
  EXPECT_THROW(dialect_by_name("postgresql").transaction_start(contradictory), Error);
}

TEST(Dialect, MultiRowUpsertNumbersParametersRowAfterRow) {
  EXPECT_EQ(dialect_by_name("postgresql").upsert_rows("t", {"k", "v"}, {"k"}, 2),
            "INSERT INTO t (k, v) VALUES ($1, $2), ($3, $4) ON CONFLICT (k) DO UPDATE SET v = "
            "EXCLUDED.v");
  EXPECT_EQ(dialect_by_name("mysql").upsert_rows("T", {"K", "V"}, {"K"}, 2),
            "INSERT INTO T (K, V) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE K = IF(K <=> "
            "VALUES(K), K, NULL), V = VALUES(V)");
  for (const char* name : {"sqlite", "postgresql", "mysql"}) {
    const Dialect& d = dialect_by_name(name);
    EXPECT_EQ(d.upsert_rows("T", {"K", "V"}, {"K"}, 1), d.upsert("T", {"K", "V"}, {"K"})) << name;
  }
  EXPECT_THROW(dialect_by_name("oracle").upsert_rows("T", {"K", "V"}, {"K"}, 2), Error);
}

}  // namespace
}  // namespace cutover::db
