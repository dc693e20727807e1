// sync repair on real SQLite files: a target made equal to the source (a file copy, or a
// `sync copy` across versions), then damaged (a row deleted, values changed, a row added);
// repair_keys with those keys makes it equal again, as this test reads it with its own SQL;
// the source file is byte for byte unchanged; a dry run writes nothing and prints the SQL.
#include "sync/repair.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "capture/capture.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"
#include "sync/copy.h"
#include "sync/tables.h"

namespace cutover::sync {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every row of `table`, every column as text in name order, sorted: the test's own reading.
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
  std::sort(names.begin(), names.end());
  std::string cols;
  for (const std::string& n : names) {
    cols += (cols.empty() ? "" : ", ") + conn.dialect().stored_ident(n);
  }
  auto r = conn.query(fmt::format("SELECT {} FROM {}", cols, conn.dialect().stored_ident(table)));
  std::vector<std::string> rows;
  while (r->next()) {
    std::string line;
    for (std::size_t i = 0; i < names.size(); ++i) {
      db::Value v = r->get(i);
      line += names[i] + "=" + (v.is_null() ? "NULL" : v.to_text()) + "|";
    }
    rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string one(db::Connection& conn, const std::string& sql) {
  std::optional<db::Value> v = conn.query_value(sql);
  return v && !v->is_null() ? v->to_text() : "NULL";
}

class Repair : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("cutover-repair-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override { fs::remove_all(dir_); }

  db::ConnectionSpec sqlite(const std::string& name) const {
    db::ConnectionSpec s;
    s.scheme = "sqlite";
    s.path = (dir_ / (name + ".db")).string();
    return s;
  }

  static std::unique_ptr<db::Connection> open(const db::ConnectionSpec& s) {
    db::OpenOptions o;
    o.create = true;
    return db::open(s, o);
  }

  static void create(const db::ConnectionSpec& s, const std::string& version, int rows) {
    auto conn = open(s);
    const schema::Product& is = schema::product("is");
    schema::create_schema(*conn, is, is.version_index(version), schema::DatabaseFilter::identity);
    if (rows > 0) {
      schema::FillOptions fill;
      fill.rows = rows;
      schema::fill(*conn, fill);
    }
  }

  fs::path dir_;
};

TEST_F(Repair, MakesADamagedTargetEqualAndLeavesTheSourceAsItWas) {
  SyncConfig config;
  config.source = sqlite("src");
  config.target = sqlite("dst");
  config.from_version = "7.0.0";
  config.batch_size = 3;  // several target transactions
  create(config.source, "7.0.0", 40);
  fs::copy_file(config.source.path, config.target.path);
  const std::vector<std::string> tables = {"IDN_OAUTH_CONSUMER_APPS", "IDN_OAUTH2_ACCESS_TOKEN",
                                           "IDN_OAUTH2_ACCESS_TOKEN_SCOPE"};

  std::string gone;     // a token deleted on the target, with its scopes
  std::string changed;  // a token whose state the target changed
  std::string other;    // a token that gets an extra scope on the target
  std::string app_id;
  std::vector<db::Row> gone_scopes;
  {
    auto src = open(config.source);
    auto r = src->query("SELECT TOKEN_ID FROM IDN_OAUTH2_ACCESS_TOKEN ORDER BY TOKEN_ID LIMIT 3");
    ASSERT_TRUE(r->next());
    gone = r->get(0).to_text();
    ASSERT_TRUE(r->next());
    changed = r->get(0).to_text();
    ASSERT_TRUE(r->next());
    other = r->get(0).to_text();
    r.reset();
    app_id = one(*src, "SELECT MIN(ID) FROM IDN_OAUTH_CONSUMER_APPS");
    auto s = src->query(
        "SELECT TOKEN_ID, TOKEN_SCOPE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE "
        "WHERE TOKEN_ID = ?",
        std::vector<db::Value>{db::Value(gone)});
    while (s->next()) {
      gone_scopes.push_back({s->get(0), s->get(1)});
    }
    ASSERT_FALSE(gone_scopes.empty());
  }
  {
    auto dst = open(config.target);
    std::vector<db::Value> p = {db::Value(gone)};
    dst->execute("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = ?", p);
    dst->execute("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = ?", p);
    dst->execute("UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'DAMAGED' WHERE TOKEN_ID = ?",
                 std::vector<db::Value>{db::Value(changed)});
    dst->execute("UPDATE IDN_OAUTH_CONSUMER_APPS SET APP_NAME = 'it''s damaged' WHERE ID = " +
                 app_id);
    dst->execute(
        "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) "
        "VALUES (?, 'extra_scope', -1234)",
        std::vector<db::Value>{db::Value(other)});
  }
  // The keys as verify hands them over: the app's integer key as text, as SQLite text reads
  // may give it; the extra scope's key as the target holds it.
  std::vector<RepairKeys> keys = {
      {"IDN_OAUTH2_ACCESS_TOKEN_SCOPE", gone_scopes},
      {"IDN_OAUTH2_ACCESS_TOKEN", {{db::Value(gone)}, {db::Value(changed)}}},
      {"IDN_OAUTH_CONSUMER_APPS", {{db::Value(app_id)}}},
  };
  keys[0].keys.push_back({db::Value(other), db::Value("extra_scope")});
  auto expected_upserts = static_cast<std::int64_t>(gone_scopes.size()) + 3;

  std::string source_before = file_bytes(config.source.path);
  std::string target_damaged = file_bytes(config.target.path);

  // Dry run: the statements, values written in; the target file does not change.
  std::vector<std::string> printed;
  RepairOptions dry;
  dry.dry_run = true;
  dry.print_sql = [&](const std::string& s) { printed.push_back(s); };
  RepairResult d = repair_keys(config, keys, dry);
  EXPECT_EQ(file_bytes(config.target.path), target_damaged);
  EXPECT_EQ(file_bytes(config.source.path), source_before);
  EXPECT_EQ(d.upserted, expected_upserts);
  EXPECT_EQ(d.deleted, 1);
  std::string all;
  for (const std::string& s : printed) {
    all += s + ";\n";
  }
  EXPECT_EQ(printed.front(), "BEGIN") << all;
  EXPECT_EQ(printed.back(), "COMMIT") << all;
  EXPECT_NE(all.find(fmt::format("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = '{}' "
                                 "AND TOKEN_SCOPE = 'extra_scope'",
                                 other)),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(fmt::format("'{}'", gone)), std::string::npos) << all;
  EXPECT_NE(all.find("INSERT INTO IDN_OAUTH_CONSUMER_APPS"), std::string::npos) << all;

  // The repair: the target equals the source again; the source is unchanged.
  RepairResult r = repair_keys(config, keys);
  EXPECT_EQ(r.upserted, expected_upserts);
  EXPECT_EQ(r.deleted, 1);
  EXPECT_GE(r.batches, 2);
  ASSERT_EQ(r.tables.size(), 3U);
  EXPECT_EQ(r.tables[0].absent, 1);  // the extra scope
  EXPECT_EQ(r.tables[0].present, static_cast<std::int64_t>(gone_scopes.size()));
  EXPECT_EQ(r.tables[1].present, 2);
  EXPECT_EQ(file_bytes(config.source.path), source_before);
  {
    auto src = open(config.source);
    auto dst = open(config.target);
    for (const std::string& t : tables) {
      EXPECT_EQ(dump(*dst, t), dump(*src, t)) << t;
    }
    EXPECT_EQ(one(*dst, "SELECT APP_NAME FROM IDN_OAUTH_CONSUMER_APPS WHERE ID = " + app_id),
              one(*src, "SELECT APP_NAME FROM IDN_OAUTH_CONSUMER_APPS WHERE ID = " + app_id));
  }
  // Again: nothing left to change, and still nothing written to the source.
  RepairResult again = repair_keys(config, keys);
  EXPECT_EQ(again.deleted, 0);
  EXPECT_EQ(file_bytes(config.source.path), source_before);
  auto src = open(config.source);
  auto dst = open(config.target);
  for (const std::string& t : tables) {
    EXPECT_EQ(dump(*dst, t), dump(*src, t)) << t;
  }
}

TEST_F(Repair, WritesTheTransformedRowAcrossVersions) {
  SyncConfig config;
  config.source = sqlite("src58");
  config.target = sqlite("dst70");
  config.from_version = "5.8.0";
  config.to_version = "7.0.0";
  config.tables = {"IDN_OAUTH2_ACCESS_TOKEN"};
  create(config.source, "5.8.0", 30);
  create(config.target, "7.0.0", 0);
  {
    auto src = open(config.source);
    capture::install(*src, captured_tables(resolve_tables(*src, config)));
  }
  CopyResult copied = copy(config, CopyOptions());
  ASSERT_TRUE(copied.complete);
  std::vector<std::string> good;
  std::string gone;
  std::string changed;
  {
    auto dst = open(config.target);
    good = dump(*dst, "IDN_OAUTH2_ACCESS_TOKEN");
    ASSERT_EQ(good.size(), 30U);
    auto r = dst->query("SELECT TOKEN_ID FROM IDN_OAUTH2_ACCESS_TOKEN ORDER BY TOKEN_ID LIMIT 2");
    ASSERT_TRUE(r->next());
    gone = r->get(0).to_text();
    ASSERT_TRUE(r->next());
    changed = r->get(0).to_text();
    r.reset();
    dst->execute("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = ?",
                 std::vector<db::Value>{db::Value(gone)});
    // Columns the 5.8.0 source does not have: only the transform can put them back.
    dst->execute(
        "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET AUTHORIZED_ORGANIZATION = 'x', "
        "TOKEN_BINDING_REF = 'y' WHERE TOKEN_ID = ?",
        std::vector<db::Value>{db::Value(changed)});
  }
  std::string source_before = file_bytes(config.source.path);
  RepairResult r =
      repair_keys(config, "IDN_OAUTH2_ACCESS_TOKEN", {{db::Value(gone)}, {db::Value(changed)}});
  EXPECT_EQ(r.upserted, 2);
  EXPECT_EQ(r.deleted, 0);
  EXPECT_EQ(file_bytes(config.source.path), source_before);
  auto dst = open(config.target);
  EXPECT_EQ(dump(*dst, "IDN_OAUTH2_ACCESS_TOKEN"), good);
  for (const std::string& id : {gone, changed}) {
    std::string where = fmt::format(" FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '{}'", id);
    EXPECT_EQ(one(*dst, "SELECT TOKEN_BINDING_REF" + where), "NONE");
    EXPECT_EQ(one(*dst, "SELECT AUTHORIZED_ORGANIZATION" + where), "NONE");
  }
}

TEST_F(Repair, RefusesWhatItCannotMatchAndWritesNothing) {
  SyncConfig config;
  config.source = sqlite("src");
  config.target = sqlite("dst");
  create(config.source, "7.0.0", 10);
  fs::copy_file(config.source.path, config.target.path);
  {
    auto dst = open(config.target);
    dst->execute("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE");
  }
  std::string target_before = file_bytes(config.target.path);
  try {
    repair_keys(config, "NO_SUCH_TABLE", {{db::Value("x")}});
    ADD_FAILURE() << "an unknown table was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("NO_SUCH_TABLE"), std::string::npos) << e.what();
  }
  try {
    // The scope table's key has two columns.
    repair_keys(config, "IDN_OAUTH2_ACCESS_TOKEN_SCOPE", {{db::Value("x")}});
    ADD_FAILURE() << "a key of the wrong width was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
  }
  EXPECT_EQ(file_bytes(config.target.path), target_before);
}

}  // namespace
}  // namespace cutover::sync
