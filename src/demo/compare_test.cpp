// The demo's equality check between two IS versions, on real SQLite files: a 5.8.0 source and
// a 7.0.0 target whose rows are written here by hand as the migration should leave them (IDP_ID
// of the row's tenant's LOCAL identity provider, FEDERATED rows keeping theirs, 'NONE' in the
// new columns). The check finds them equal, and finds each kind of departure from that.
#include "demo/compare.h"

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"

namespace cutover::demo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTable = "IDN_OAUTH2_ACCESS_TOKEN";

class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("co.compare." + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "." + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    source_ = make("5.8.0");
    target_ = make("7.0.0");
    source_->execute(
        "INSERT INTO IDP (ID, TENANT_ID, NAME) VALUES (5, -1234, 'LOCAL'), "
        "(6, 1, 'LOCAL'), (9, 1, 'google')");
    const char* cols =
        "TOKEN_ID, ACCESS_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, "
        "USER_TYPE, GRANT_TYPE, TIME_CREATED, REFRESH_TOKEN_TIME_CREATED, TOKEN_SCOPE_HASH, "
        "TOKEN_STATE, TOKEN_STATE_ID, IDP_ID";
    const char* ts = "'2026-11-30 10:00:00'";
    source_->execute(fmt::format(
        "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN ({0}) VALUES "
        "('t1', 'at1', NULL, 'alice', -1234, 'PRIMARY', 'APPLICATION_USER', 'password', {1}, {1}, "
        "'h1', 'ACTIVE', 'NONE', NULL), "
        "('t2', 'at2', NULL, 'bob', 1, 'PRIMARY', 'APPLICATION_USER', 'password', {1}, {1}, "
        "'h2', 'ACTIVE', 'NONE', 6), "
        "('t3', 'at3', NULL, 'fred', 1, 'FEDERATED', 'APPLICATION_USER', 'authorization_code', "
        "{1}, "
        "{1}, 'h3', 'ACTIVE', 'NONE', 9)",
        cols, ts));
    // What 7.0.0 should hold: t1 gets tenant -1234's LOCAL IdP (5), the FEDERATED t3 keeps 9.
    target_->execute(fmt::format(
        "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN ({0}, TOKEN_BINDING_REF, AUTHORIZED_ORGANIZATION) "
        "VALUES "
        "('t1', 'at1', NULL, 'alice', -1234, 'PRIMARY', 'APPLICATION_USER', 'password', {1}, {1}, "
        "'h1', 'ACTIVE', 'NONE', 5, 'NONE', 'NONE'), "
        "('t2', 'at2', NULL, 'bob', 1, 'PRIMARY', 'APPLICATION_USER', 'password', {1}, {1}, "
        "'h2', 'ACTIVE', 'NONE', 6, 'NONE', 'NONE'), "
        "('t3', 'at3', NULL, 'fred', 1, 'FEDERATED', 'APPLICATION_USER', 'authorization_code', "
        "{1}, "
        "{1}, 'h3', 'ACTIVE', 'NONE', 9, 'NONE', 'NONE')",
        cols, ts));
  }

  void TearDown() override {
    source_.reset();
    target_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<db::Connection> make(const std::string& version) {
    db::ConnectionSpec spec =
        db::parse_url("sqlite:" + (dir_ / (version + ".db")).string(), db::UrlOrigin::argv);
    db::OpenOptions o;
    o.create = true;
    std::unique_ptr<db::Connection> c = db::open(spec, o);
    const schema::Product& p = schema::product("is");
    schema::create_schema(*c, p, p.version_index(version), schema::DatabaseFilter::identity);
    return c;
  }

  TableComparison compare() {
    schema::Transform x = schema::Transform::make(schema::product("is"), "5.8.0", "7.0.0");
    std::vector<TableComparison> r = compare_tables(*source_, *target_, {kTable}, &x);
    EXPECT_EQ(r.size(), 1U);
    return r.empty() ? TableComparison{} : r.front();
  }

  static bool mentions(const TableComparison& c, const std::string& what) {
    for (const std::string& e : c.examples) {
      if (e.find(what) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  fs::path dir_;
  std::unique_ptr<db::Connection> source_;
  std::unique_ptr<db::Connection> target_;
};

TEST_F(CompareTest, TargetRowsAsTheUpgradeDeclaresThemAreEqual) {
  TableComparison c = compare();
  EXPECT_TRUE(c.equal()) << (c.examples.empty() ? "" : c.examples.front());
  EXPECT_EQ(c.source_rows, 3);
  EXPECT_EQ(c.target_rows, 3);
}

TEST_F(CompareTest, PlainComparisonCannotSeeThroughTheVersionChange) {
  // Without the transform the NULL IDP_ID of t1 differs from the 5 the upgrade gives it.
  std::vector<TableComparison> r = compare_tables(*source_, *target_, {kTable});
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0].differing, 1);
  EXPECT_TRUE(mentions(r[0], "IDP_ID"));
}

TEST_F(CompareTest, NewColumnsAndComputedIdpAreChecked) {
  target_->execute(
      "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET AUTHORIZED_ORGANIZATION = 'org-1' WHERE TOKEN_ID = "
      "'t2'");
  target_->execute("UPDATE IDN_OAUTH2_ACCESS_TOKEN SET IDP_ID = 6 WHERE TOKEN_ID = 't1'");
  target_->execute("UPDATE IDN_OAUTH2_ACCESS_TOKEN SET IDP_ID = 6 WHERE TOKEN_ID = 't3'");
  TableComparison c = compare();
  EXPECT_EQ(c.differing, 3);
  EXPECT_EQ(c.only_source + c.only_target, 0);
  EXPECT_TRUE(mentions(c,
                       "(t2): AUTHORIZED_ORGANIZATION is NONE in the transformed source, "
                       "org-1 in the target"));
  EXPECT_TRUE(mentions(c, "(t1): IDP_ID is 5"));
  EXPECT_TRUE(mentions(c, "(t3): IDP_ID is 9"));
}

TEST_F(CompareTest, MissingAndExtraRowsAreCounted) {
  target_->execute("DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = 't3'");
  target_->execute(
      "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TENANT_ID, USER_DOMAIN, IDP_ID) VALUES "
      "('t9', 1, 'PRIMARY', 6)");
  TableComparison c = compare();
  EXPECT_EQ(c.only_source, 1);
  EXPECT_EQ(c.only_target, 1);
  EXPECT_EQ(c.differing, 0);
  EXPECT_TRUE(mentions(c, "(t3): only in the source"));
  EXPECT_TRUE(mentions(c, "(t9): only in the target"));
}

TEST_F(CompareTest, RowTheTransformRefusesCountsOnceAsDiffering) {
  // Tenant 2 has no LOCAL identity provider on either side: 7.0.0's IDP_ID cannot be made.
  source_->execute(
      "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TENANT_ID, USER_DOMAIN) VALUES "
      "('t4', 2, 'PRIMARY')");
  target_->execute(
      "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TENANT_ID, USER_DOMAIN, IDP_ID) VALUES "
      "('t4', 2, 'PRIMARY', -1)");
  TableComparison c = compare();
  EXPECT_EQ(c.differing, 1);
  EXPECT_EQ(c.only_source + c.only_target, 0);
  EXPECT_TRUE(mentions(c, "(t4): the transform refuses it"));
  EXPECT_TRUE(mentions(c, "tenant 2 has no LOCAL identity provider"));
}

}  // namespace
}  // namespace cutover::demo
