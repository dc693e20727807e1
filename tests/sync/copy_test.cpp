// sync copy over real databases, every pair among SQLite, PostgreSQL and MariaDB: a source made
// by `schema create` + `fill`, copied into an empty target, then compared row by row by this
// test itself (every column as text, in key order), independently of the copy code. Also: a
// target table of another shape is refused with nothing written, a filled one is refused, and
// a copy stopped after a few chunks resumes to the same result.
#include "sync/copy.h"

#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backend_context.h"
#include "capture/capture.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"
#include "sync/tables.h"

namespace cutover {
namespace {

using Pair = std::pair<std::string, std::string>;

// A fresh, empty database on `engine` ("sqlite", "postgresql", "mysql").
db::ConnectionSpec fresh_database(const std::string& engine) {
  return test::fresh_database(engine, "co_copy");
}

std::unique_ptr<db::Connection> connect(const db::ConnectionSpec& spec) {
  db::OpenOptions o;
  o.create = true;
  return db::open(spec, o);
}

// Every row of `table`, columns in name order, each cell as text, sorted by primary key.
std::vector<std::string> dump(db::Connection& conn, const std::string& table) {
  std::optional<db::TableDef> def = conn.describe_table(table);
  EXPECT_TRUE(def) << table;
  if (!def) {
    return {};
  }
  std::vector<std::string> names;
  for (const db::Column& c : def->columns) {
    names.push_back(c.name);
  }
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return db::to_upper(a) < db::to_upper(b); });
  const db::Dialect& d = conn.dialect();
  std::string cols;
  for (const std::string& n : names) {
    cols += (cols.empty() ? "" : ", ") + d.stored_ident(n);
  }
  std::string key;
  for (const std::string& k : def->primary_key.empty() ? names : def->primary_key) {
    key += (key.empty() ? "" : ", ") + d.stored_ident(k);
  }
  auto r = conn.query(
      fmt::format("SELECT {} FROM {} ORDER BY {}", cols, d.stored_ident(def->name), key));
  std::vector<std::string> rows;
  while (r->next()) {
    std::string line;
    for (std::size_t i = 0; i < names.size(); ++i) {
      db::Value v = r->get(i);
      line += db::to_upper(names[i]) + "=" + (v.is_null() ? "NULL" : v.to_text()) + "|";
    }
    rows.push_back(line);
  }
  return rows;
}

std::vector<std::string> user_tables(db::Connection& conn) {
  std::vector<std::string> out;
  for (const std::string& t : conn.list_tables()) {
    if (db::to_upper(t).rfind("CUTOVER_", 0) != 0) {
      out.push_back(db::to_upper(t));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CopyPair : public ::testing::TestWithParam<Pair> {
 protected:
  void SetUp() override {
    config_.source = fresh_database(GetParam().first);
    config_.target = fresh_database(GetParam().second);
    config_.from_version = "5.11.0";
    config_.tables = {"IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "IDN_OAUTH2_AUTHORIZATION_CODE"};
    config_.jobs = 3;
    auto src = connect(config_.source);
    const schema::Product& is = schema::product("is");
    schema::create_schema(*src, is, is.version_index("5.11.0"), schema::DatabaseFilter::identity);
    schema::FillOptions fill;
    fill.rows = 300;
    schema::fill(*src, fill);
    std::vector<sync::SyncTable> tables = sync::resolve_tables(*src, config_);
    journal_id_ = capture::install(*src, sync::captured_tables(tables)).journal_id;
  }

  // The synced tables and those they reference are in the target, equal to the source.
  void expect_equal_to_source() {
    auto src = connect(config_.source);
    auto dst = connect(config_.target);
    std::vector<std::string> copied = user_tables(*dst);
    for (const char* t : {"IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "IDN_OAUTH2_ACCESS_TOKEN",
                          "IDN_OAUTH_CONSUMER_APPS", "IDN_OAUTH2_AUTHORIZATION_CODE"}) {
      EXPECT_NE(std::find(copied.begin(), copied.end(), t), copied.end()) << t;
    }
    for (const std::string& t : copied) {
      std::vector<std::string> a = dump(*src, t);
      std::vector<std::string> b = dump(*dst, t);
      EXPECT_EQ(a.size(), b.size()) << t;
      EXPECT_EQ(a, b) << t;
    }
  }

  sync::SyncConfig config_;
  std::string journal_id_;
};

TEST_P(CopyPair, CopiesIntoAnEmptyTargetCreatingTheTables) {
  sync::CopyOptions options;
  options.chunk_rows = 70;  // several chunks per large table, text keys split
  std::vector<sync::CopyProgress> reports;
  std::mutex reports_mutex;
  sync::CopyResult r = sync::copy(config_, options, [&](const sync::CopyProgress& p) {
    std::lock_guard lock(reports_mutex);
    reports.push_back(p);
  });
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.resumed);
  EXPECT_GT(r.rows, 300);
  EXPECT_GT(reports.size(), r.tables.size());
  // Every table is announced once (initial, nothing done yet, its total) before any count
  // moves, so a progress line sums all tables' totals from its first drawing.
  std::set<std::string> announced;
  bool counting = false;
  std::int64_t announced_total = 0;
  for (const sync::CopyProgress& p : reports) {
    if (!p.initial) {
      counting = true;
      continue;
    }
    EXPECT_FALSE(counting) << "announced after the counting began: " << p.table;
    EXPECT_TRUE(announced.insert(p.table).second) << "announced twice: " << p.table;
    EXPECT_EQ(p.rows_done, 0) << p.table;
    announced_total += p.rows_total;
  }
  for (const sync::CopyTableResult& t : r.tables) {
    EXPECT_EQ(announced.count(t.table), 1U) << "never announced: " << t.table;
  }
  EXPECT_EQ(announced.size(), r.tables.size());
  EXPECT_GE(announced_total, r.rows / 2) << "the announced totals are not the tables' sizes";
  for (const sync::CopyTableResult& t : r.tables) {
    EXPECT_TRUE(t.created) << t.table;
  }
  expect_equal_to_source();
  auto dst = connect(config_.target);
  EXPECT_EQ(sync::copy_state(*dst, journal_id_), sync::CopyState::complete);
  // The created tables have the source's keys, foreign keys and indexes, built after the data
  // (PostgreSQL: the primary and unique keys too, as unique indexes attached at the end).
  auto src = connect(config_.source);
  for (const char* name : {"IDN_OAUTH2_ACCESS_TOKEN", "IDN_OAUTH2_ACCESS_TOKEN_SCOPE"}) {
    auto want = src->describe_table(name);
    auto got = dst->describe_table(name);
    ASSERT_TRUE(want && got) << name;
    EXPECT_EQ(got->primary_key.size(), want->primary_key.size()) << name;
    EXPECT_EQ(got->unique_keys.size(), want->unique_keys.size()) << name;
    EXPECT_EQ(got->indexes.size(), want->indexes.size()) << name;
    EXPECT_EQ(got->foreign_keys.size(), want->foreign_keys.size()) << name;
  }
  auto token = dst->describe_table("IDN_OAUTH2_ACCESS_TOKEN");
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->primary_key.empty());
  EXPECT_FALSE(token->unique_keys.empty());
  EXPECT_FALSE(token->indexes.empty());
  EXPECT_FALSE(token->foreign_keys.empty());
}

TEST_P(CopyPair, StoppedCopyResumesToTheSameResult) {
  sync::CopyOptions options;
  options.chunk_rows = 50;
  options.max_chunks = 3;
  sync::CopyResult first = sync::copy(config_, options);
  EXPECT_FALSE(first.complete);
  {
    auto dst = connect(config_.target);
    EXPECT_EQ(sync::copy_state(*dst, journal_id_), sync::CopyState::in_progress);
  }
  options.max_chunks = 0;
  sync::CopyResult second = sync::copy(config_, options);
  EXPECT_TRUE(second.resumed);
  EXPECT_TRUE(second.complete);
  expect_equal_to_source();
}

TEST_P(CopyPair, TargetTableOfAnotherShapeIsRefusedBeforeAnyWrite) {
  auto dst = connect(config_.target);
  const db::Dialect& d = dst->dialect();
  dst->execute(fmt::format("CREATE TABLE {} (ID INTEGER NOT NULL PRIMARY KEY, OTHER_COL INTEGER)",
                           d.ident("IDN_OAUTH_CONSUMER_APPS")));
  try {
    sync::copy(config_, sync::CopyOptions{});
    FAIL() << "copy wrote into a table of another shape";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(db::to_upper(e.message()).find("OTHER_COL"), std::string::npos) << e.message();
    EXPECT_NE(db::to_upper(e.message()).find("CONSUMER_KEY"), std::string::npos) << e.message();
  }
  EXPECT_EQ(user_tables(*dst), std::vector<std::string>{"IDN_OAUTH_CONSUMER_APPS"});
  EXPECT_FALSE(dst->describe_table(sync::kCopyTable));
}

TEST_P(CopyPair, FilledTargetTableIsRefused) {
  sync::CopyOptions options;
  sync::copy(config_, options);
  auto dst = connect(config_.target);
  dst->execute(fmt::format("DROP TABLE {}", dst->dialect().ident(sync::kCopyTable)));
  try {
    sync::copy(config_, options);
    FAIL() << "copy wrote into filled tables";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(e.message().find("already has"), std::string::npos) << e.message();
  }
}

std::vector<Pair> pairs() {
  std::vector<Pair> out;
  for (const char* s : {"sqlite", "postgresql", "mysql"}) {
    for (const char* t : {"sqlite", "postgresql", "mysql"}) {
      out.emplace_back(s, t);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Engines, CopyPair, ::testing::ValuesIn(pairs()),
                         [](const auto& pair_info) {
                           return pair_info.param.first + "_to_" + pair_info.param.second;
                         });

}  // namespace
}  // namespace cutover
