// Statements built from introspected names (upsert, keyset paging) address them exactly as
// stored, and an upsert only ever changes the row with its key (DESIGN §3.2, CON_APP_KEY).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "backend_fixture.h"
#include "core/error.h"

namespace cutover::test {
namespace {

// Rows of (key, text) through upsert, then read back page by page in key order.
void upsert_and_page(db::Connection& conn, const std::string& table,
                     const std::vector<std::string>& cols) {
  const db::Dialect& d = conn.dialect();
  std::string upsert = d.upsert(table, cols, {cols[0]});
  for (int i = 0; i < 25; ++i) {
    conn.execute(upsert, std::vector<Value>{Value((i * 7) % 25), Value("first")});
  }
  conn.execute(upsert, std::vector<Value>{Value(3), Value("second")});
  EXPECT_EQ(conn.query_value(
                    fmt::format("SELECT {} FROM {} WHERE {} = {}", d.stored_ident(cols[1]),
                                d.stored_ident(table), d.stored_ident(cols[0]), d.placeholder(1)),
                    std::vector<Value>{Value(3)})
                ->to_text(),
            "second");

  std::vector<std::int64_t> seen;
  std::optional<std::int64_t> last;
  for (int pages = 0; pages < 10; ++pages) {
    std::vector<Value> params;
    if (last) {
      params.push_back(Value(*last));
    }
    auto r = conn.query(d.keyset_page(table, cols, {cols[0]}, 10, !last), params);
    std::size_t got = 0;
    while (r->next()) {
      last = r->get(0).as_int();
      seen.push_back(*last);
      ++got;
    }
    if (got < 10) {
      break;
    }
  }
  ASSERT_EQ(seen.size(), 25U) << table;
  for (std::int64_t i = 0; i < 25; ++i) {
    EXPECT_EQ(seen[static_cast<std::size_t>(i)], i) << table;
  }
}

// PostgreSQL folds bare names to lower case: a table created as "IDN_QUOTED" (quoted) is only
// found when every statement quotes it, as bulk insert already does.
TEST_F(Backend, QuotedUpperCaseTableWorksThroughUpsertAndKeysetPaging) {
  conn_->execute(
      fmt::format("CREATE TABLE {} ({} INTEGER NOT NULL, {} VARCHAR(20), PRIMARY KEY ({}))",
                  d().quote_ident("IDN_QUOTED"), d().quote_ident("ID"), d().quote_ident("VAL"),
                  d().quote_ident("ID")));
  auto [table, cols] = stored("idn_quoted");
  EXPECT_EQ(table, "IDN_QUOTED");
  upsert_and_page(*conn_, table, cols);
}

TEST_F(Backend, QuotedMixedCaseTableWorksThroughUpsertAndKeysetPaging) {
  conn_->execute(
      fmt::format("CREATE TABLE {} ({} INTEGER NOT NULL, {} VARCHAR(20), PRIMARY KEY ({}))",
                  d().quote_ident("Quoted_Mixed"), d().quote_ident("Id"), d().quote_ident("Val"),
                  d().quote_ident("Id")));
  auto [table, cols] = stored("quoted_mixed");
  EXPECT_EQ(table, "Quoted_Mixed");
  EXPECT_EQ(cols, (std::vector<std::string>{"Id", "Val"}));
  upsert_and_page(*conn_, table, cols);
}

// WSO2's IDN_OAUTH_CONSUMER_APPS has CON_APP_KEY besides its primary key. An upsert of a new
// key whose unique value another row holds must fail as a constraint error and change nothing;
// MySQL's plain ON DUPLICATE KEY UPDATE would silently rewrite that other row.
TEST_F(Backend, UpsertCollidingOnASecondaryUniqueKeyFailsAndChangesNoOtherRow) {
  db::TableDef t;
  t.name = "APPS";
  t.columns = {
      db::Column{"ID", db::TypeKind::integer, 0, "", false, {}, false, ""},
      db::Column{"CONSUMER_KEY", db::TypeKind::varchar, 50, "", false, {}, false, ""},
      db::Column{"APP_NAME", db::TypeKind::varchar, 50, "", true, {}, false, ""},
  };
  t.primary_key = {"ID"};
  t.unique_keys = {db::Key{"CON_APP_KEY", {"CONSUMER_KEY"}}};
  for (const std::string& s : d().create_table(t)) {
    conn_->execute(s);
  }
  auto [table, cols] = stored("APPS");
  std::string upsert = d().upsert(table, cols, {cols[0]});
  conn_->execute(upsert, std::vector<Value>{Value(1), Value("key-1"), Value("one")});
  conn_->execute(upsert, std::vector<Value>{Value(3), Value("key-3"), Value("three")});
  // The upsert still updates by its own key.
  conn_->execute(upsert, std::vector<Value>{Value(1), Value("key-1"), Value("one, renamed")});

  auto expect_constraint = [&](std::vector<Value> row, const char* what) {
    try {
      conn_->execute(upsert, row);
      ADD_FAILURE() << what << ": the upsert succeeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::constraint) << what << ": " << e.one_line();
    }
  };
  // A new key with another row's unique value.
  expect_constraint({Value(2), Value("key-1"), Value("two")}, "new key");
  // An existing key taking another row's unique value.
  expect_constraint({Value(1), Value("key-3"), Value("one again")}, "existing key");

  std::string sql = fmt::format("SELECT {}, {}, {} FROM {} ORDER BY {}", d().stored_ident(cols[0]),
                                d().stored_ident(cols[1]), d().stored_ident(cols[2]),
                                d().stored_ident(table), d().stored_ident(cols[0]));
  auto r = conn_->query(sql);
  std::vector<std::string> rows;
  while (r->next()) {
    rows.push_back(
        fmt::format("{} {} {}", r->get(0).as_int(), r->get(1).to_text(), r->get(2).to_text()));
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"1 key-1 one, renamed", "3 key-3 three"}));
}

}  // namespace
}  // namespace cutover::test
