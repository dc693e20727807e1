#include "schema/fingerprint.h"

#include <gtest/gtest.h>

namespace cutover::schema {
namespace {

std::map<std::string, db::TableDef> as_live(const Product& p, const char* version) {
  std::map<std::string, db::TableDef> live;
  for (db::TableDef& t : p.tables_at(p.version_index(version), "postgresql")) {
    std::string key = db::to_upper(t.name);
    live.emplace(key, std::move(t));
  }
  return live;
}

TEST(Fingerprint, EveryVersionRecognisesItsOwnModel) {
  const Product& is = product("is");
  for (const std::string& v : is.versions()) {
    VersionMatch m = match_version(is, as_live(is, v.c_str()), "postgresql");
    EXPECT_EQ(m.column_differences, 0) << v;
    EXPECT_NE(std::find(m.versions.begin(), m.versions.end(), v), m.versions.end()) << v;
    EXPECT_NE(std::find(m.narrowed.begin(), m.narrowed.end(), v), m.narrowed.end()) << v;
  }
}

TEST(Fingerprint, ReportsAColumnNoVersionHas) {
  const Product& is = product("is");
  auto live = as_live(is, "7.0.0");
  db::Column custom;
  custom.name = "CUSTOM_COL";
  live["IDN_OAUTH2_ACCESS_TOKEN"].columns.push_back(custom);
  VersionMatch m = match_version(is, live, "postgresql");
  EXPECT_EQ(m.label(), "7.0.0");
  ASSERT_EQ(m.unknown_columns.size(), 1U);
  EXPECT_EQ(m.unknown_columns[0], "IDN_OAUTH2_ACCESS_TOKEN.CUSTOM_COL");
}

TEST(Fingerprint, ClosestVersionWithTheDifferencesNamed) {
  const Product& is = product("is");
  auto live = as_live(is, "6.0.0");
  auto& cols = live["IDN_OAUTH2_ACCESS_TOKEN"].columns;
  cols.erase(std::remove_if(cols.begin(), cols.end(),
                            [](const db::Column& c) { return c.name == "CONSENTED_TOKEN"; }),
             cols.end());
  VersionMatch m = match_version(is, live, "postgresql");
  EXPECT_EQ(m.column_differences, 1);
  EXPECT_EQ(m.label(), "6.0.0-6.1.0");
  bool named = false;
  for (const TableDiff& d : m.differences) {
    for (const std::string& c : d.missing_columns) {
      named = named || c == "CONSENTED_TOKEN";
    }
  }
  EXPECT_TRUE(named);
}

TEST(Fingerprint, NoCatalogedTablesIsNoMatch) {
  std::map<std::string, db::TableDef> live;
  live["SOMETHING_ELSE"] = db::TableDef{};
  VersionMatch m = match_version(product("is"), live, "sqlite");
  EXPECT_EQ(m.tables_found, 0);
  EXPECT_TRUE(m.versions.empty());
}

TEST(Fingerprint, AnIdentityOnlyDatabaseIsNotPenalisedForMissingRegistryTables) {
  const Product& is = product("is");
  auto live = as_live(is, "5.10.0");
  for (auto it = live.begin(); it != live.end();) {
    it = it->first.rfind("REG_", 0) == 0 ? live.erase(it) : std::next(it);
  }
  VersionMatch m = match_version(is, live, "postgresql");
  EXPECT_EQ(m.column_differences, 0);
  EXPECT_NE(std::find(m.versions.begin(), m.versions.end(), "5.10.0"), m.versions.end());
}

TEST(Fingerprint, MissingTablesOfANamedVersionAreListed) {
  const Product& is = product("is");
  int v58 = is.version_index("5.8.0");
  auto live = as_live(is, "5.8.0");
  EXPECT_TRUE(missing_tables(is, live, "postgresql", v58).empty());
  live.erase("IDN_OAUTH2_ACCESS_TOKEN_AUDIT");
  live.erase("REG_RATING");
  EXPECT_EQ(missing_tables(is, live, "postgresql", v58),
            (std::vector<std::string>{"IDN_OAUTH2_ACCESS_TOKEN_AUDIT", "REG_RATING"}));
}

TEST(Fingerprint, AnAbsentWSO2DatabaseMissesNoTables) {
  const Product& is = product("is");
  int v70 = is.version_index("7.0.0");
  auto live = as_live(is, "7.0.0");
  for (auto it = live.begin(); it != live.end();) {
    it = it->first.rfind("REG_", 0) == 0 ? live.erase(it) : std::next(it);
  }
  EXPECT_TRUE(missing_tables(is, live, "postgresql", v70).empty());
  live.erase("IDP");
  EXPECT_EQ(missing_tables(is, live, "postgresql", v70), (std::vector<std::string>{"IDP"}));
}

}  // namespace
}  // namespace cutover::schema
