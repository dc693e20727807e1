// The demo's IS workload on real SQLite files: it writes each version's own columns (7.0.0:
// TOKEN_BINDING_REF, AUTHORIZED_ORGANIZATION, code scopes), keeps one ACTIVE token per client,
// user and scope, exchanges codes for tokens, and refuses a schema of another version.
#include "demo/workload.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.h"
#include "db/connection.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"

namespace cutover::demo {
namespace {

namespace fs = std::filesystem;

class WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("co.workload." + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "." + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override { fs::remove_all(dir_); }

  /// A filled IS database of `version`; returns its spec.
  db::ConnectionSpec filled(const std::string& version, std::int64_t rows) {
    db::ConnectionSpec spec =
        db::parse_url("sqlite:" + (dir_ / (version + ".db")).string(), db::UrlOrigin::argv);
    db::OpenOptions o;
    o.create = true;
    std::unique_ptr<db::Connection> c = db::open(spec, o);
    const schema::Product& p = schema::product("is");
    schema::create_schema(*c, p, p.version_index(version), schema::DatabaseFilter::identity);
    schema::FillOptions f;
    f.rows = rows;
    f.version = version;
    schema::fill(*c, f);
    return spec;
  }

  static std::int64_t count(db::Connection& c, const std::string& sql) {
    return c.query_value(sql).value_or(db::Value(std::int64_t{-1})).as_int();
  }

  static WorkloadCounts run_for(Workload& w, std::chrono::milliseconds d) {
    w.start();
    std::this_thread::sleep_for(d);
    w.stop();
    return w.counts();
  }

  fs::path dir_;
};

TEST_F(WorkloadTest, WritesTheNewColumnsOfIs700AndKeepsOneActiveTokenPerGrant) {
  db::ConnectionSpec spec = filled("7.0.0", 400);
  WorkloadOptions o;
  o.database = spec;
  o.version = "7.0.0";
  o.threads = 3;
  o.rate = 0;
  Workload w(o);
  WorkloadCounts n = run_for(w, std::chrono::milliseconds(1500));
  EXPECT_GT(n.issued, 0);
  EXPECT_GT(n.refreshed, 0);
  EXPECT_GT(n.revoked, 0);
  EXPECT_GT(n.codes, 0);
  EXPECT_GT(n.user_updates, 0);

  std::unique_ptr<db::Connection> c = db::open(spec);
  // New tokens (TIME_CREATED now; the fill's are before its base time, 2026-11-01) carry this
  // version's values.
  std::string fresh = "FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TIME_CREATED > '2026-11-01 00:00:00'";
  std::int64_t issued = count(*c, "SELECT COUNT(*) " + fresh);
  EXPECT_EQ(issued, n.issued + n.refreshed + n.codes);
  EXPECT_EQ(count(*c, "SELECT COUNT(*) " + fresh +
                          " AND AUTHORIZED_ORGANIZATION = 'NONE' AND TOKEN_BINDING_REF = 'NONE' "
                          "AND IDP_ID IN (SELECT ID FROM IDP)"),
            issued);
  // Every token issued from a code names it, and the code's scopes are in the 7.0.0 table.
  EXPECT_EQ(count(*c,
                  "SELECT COUNT(*) FROM IDN_OAUTH2_AUTHORIZATION_CODE c JOIN "
                  "IDN_OAUTH2_ACCESS_TOKEN t ON t.TOKEN_ID = c.TOKEN_ID WHERE "
                  "t.GRANT_TYPE = 'authorization_code' AND c.STATE = 'INACTIVE' AND "
                  "t.TIME_CREATED > '2026-11-01 00:00:00'"),
            n.codes);
  EXPECT_GT(count(*c,
                  "SELECT COUNT(*) FROM IDN_OAUTH2_AUTHZ_CODE_SCOPE s JOIN "
                  "IDN_OAUTH2_AUTHORIZATION_CODE c ON c.CODE_ID = s.CODE_ID WHERE "
                  "c.TIME_CREATED > '2026-11-01 00:00:00'"),
            0);
  EXPECT_EQ(count(*c,
                  "SELECT COUNT(*) FROM (SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN WHERE "
                  "TOKEN_STATE = 'ACTIVE' GROUP BY CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, "
                  "USER_DOMAIN, USER_TYPE, TOKEN_SCOPE_HASH, IDP_ID HAVING COUNT(*) > 1)"),
            0);
  // Each new token has the scopes of its grant.
  EXPECT_EQ(count(*c, "SELECT COUNT(*) " + fresh +
                          " AND TOKEN_ID NOT IN (SELECT TOKEN_ID FROM "
                          "IDN_OAUTH2_ACCESS_TOKEN_SCOPE)"),
            0);
}

TEST_F(WorkloadTest, WritesOnlyTheColumnsIs580Has) {
  db::ConnectionSpec spec = filled("5.8.0", 300);
  WorkloadOptions o;
  o.database = spec;
  o.version = "5.8.0";
  o.threads = 2;
  o.rate = 0;
  Workload w(o);
  WorkloadCounts n = run_for(w, std::chrono::milliseconds(800));
  EXPECT_GT(n.transactions, 0);
  EXPECT_EQ(n.transactions, n.issued + n.refreshed + n.revoked + n.codes * 2 + n.user_updates);
}

TEST_F(WorkloadTest, RefusesASchemaOfAnotherVersion) {
  db::ConnectionSpec spec = filled("5.8.0", 50);
  WorkloadOptions o;
  o.database = spec;
  o.version = "7.0.0";
  try {
    Workload w(o);
    FAIL() << "a 5.8.0 schema was taken for 7.0.0";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("lacks IDN_OAUTH2_ACCESS_TOKEN."), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cutover::demo
