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

TEST(Dialect, UpsertNamesTheKeyAndNeverReplaces) {
  std::vector<std::string> cols = {"TOKEN_ID", "TOKEN_STATE"};
  std::vector<std::string> key = {"TOKEN_ID"};
  for (const std::string& name : dialect_names()) {
    std::string sql = dialect_by_name(name).upsert("T", cols, key);
    EXPECT_EQ(sql.find("REPLACE"), std::string::npos) << name;
    EXPECT_NE(sql.find("TOKEN_STATE"), std::string::npos) << name;
  }
  EXPECT_EQ(dialect_by_name("postgresql").upsert("T", cols, key),
            "INSERT INTO T (TOKEN_ID, TOKEN_STATE) VALUES ($1, $2) ON CONFLICT (TOKEN_ID) DO "
            "UPDATE SET TOKEN_STATE = EXCLUDED.TOKEN_STATE");
}

TEST(Dialect, KeysetPagingUsesRowValuesOrTheExpandedForm) {
  std::vector<std::string> cols = {"A", "B", "C"};
  std::vector<std::string> key = {"A", "B"};
  EXPECT_EQ(dialect_by_name("postgresql").keyset_page("T", cols, key, 100, false),
            "SELECT A, B, C FROM T WHERE (A, B) > ($1, $2) ORDER BY A, B LIMIT 100");
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

}  // namespace
}  // namespace cutover::db
