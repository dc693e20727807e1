#include "schema/catalogue.h"

#include <set>

#include <gtest/gtest.h>

#include "core/error.h"
#include "db/dialect.h"

namespace cutover::schema {
namespace {

TEST(Catalogue, KnowsEveryIsVersionInOrder) {
  const Product& is = product("is");
  std::vector<std::string> want = {"5.7.0", "5.8.0", "5.9.0", "5.10.0", "5.11.0", "6.0.0",
                                   "6.1.0", "7.0.0", "7.1.0", "7.2.0",  "7.3.0"};
  EXPECT_EQ(is.versions(), want);
}

TEST(Catalogue, UnknownVersionListsTheKnownOnes) {
  try {
    product("is").version_index("5.12.0");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(e.hint().find("5.7.0, 5.8.0"), std::string::npos) << e.hint();
  }
  EXPECT_THROW(product("apim"), Error);
}

TEST(Catalogue, TracksTheColumnsThatMarkEachVersion) {
  const Product& is = product("is");
  auto has = [&](const char* version, const char* column) {
    std::optional<db::TableDef> t =
        is.table_at("IDN_OAUTH2_ACCESS_TOKEN", is.version_index(version), "postgresql");
    return t && t->find_column(column) != nullptr;
  };
  EXPECT_FALSE(has("5.7.0", "IDP_ID"));
  EXPECT_TRUE(has("5.8.0", "IDP_ID"));
  EXPECT_FALSE(has("5.9.0", "TOKEN_BINDING_REF"));
  EXPECT_TRUE(has("5.10.0", "TOKEN_BINDING_REF"));
  EXPECT_FALSE(has("5.11.0", "CONSENTED_TOKEN"));
  EXPECT_TRUE(has("6.0.0", "CONSENTED_TOKEN"));
  EXPECT_FALSE(has("6.1.0", "AUTHORIZED_ORGANIZATION"));
  EXPECT_TRUE(has("7.0.0", "AUTHORIZED_ORGANIZATION"));
}

TEST(Catalogue, IdpIdBecomesNotNullWithDefaultIn511) {
  const Product& is = product("is");
  auto idp = [&](const char* v) {
    return *is.table_at("IDN_OAUTH2_ACCESS_TOKEN", is.version_index(v), "postgresql")
                ->find_column("IDP_ID");
  };
  EXPECT_TRUE(idp("5.10.0").nullable);
  EXPECT_FALSE(idp("5.11.0").nullable);
  EXPECT_EQ(idp("5.11.0").default_value.text, "-1");
}

TEST(Catalogue, ConAppKeyGrowsWithTheVersions) {
  const Product& is = product("is");
  auto key_size = [&](const char* v) -> std::size_t {
    auto t = is.table_at("IDN_OAUTH2_ACCESS_TOKEN", is.version_index(v), "mysql");
    for (const db::Key& k : t->unique_keys) {
      if (k.name == "CON_APP_KEY") {
        return k.columns.size();
      }
    }
    return 0;
  };
  EXPECT_EQ(key_size("5.7.0"), 8U);
  EXPECT_EQ(key_size("5.8.0"), 9U);
  EXPECT_EQ(key_size("5.10.0"), 10U);
  EXPECT_EQ(key_size("7.0.0"), 11U);
}

// Every version's model must be self-consistent, or the generated DDL fails on a real engine.
TEST(Catalogue, EveryVersionIsConsistent) {
  const Product& is = product("is");
  for (int v = 0; v < static_cast<int>(is.versions().size()); ++v) {
    for (const std::string& dialect : db::dialect_names()) {
      std::set<std::string> seen_tables;
      std::set<std::string> index_names;
      for (const db::TableDef& t : is.tables_at(v, dialect)) {
        SCOPED_TRACE(t.name + " " + is.versions()[v] + " " + dialect);
        std::set<std::string> cols;
        for (const db::Column& c : t.columns) {
          EXPECT_TRUE(cols.insert(db::to_upper(c.name)).second) << "duplicate column " << c.name;
        }
        for (const std::string& k : t.primary_key) {
          EXPECT_TRUE(cols.count(db::to_upper(k))) << k;
        }
        for (const db::Index& ix : t.indexes) {
          EXPECT_TRUE(index_names.insert(db::to_upper(ix.name)).second) << ix.name;
          EXPECT_LE(ix.name.size(), 64U);
          for (const std::string& c : ix.columns) {
            EXPECT_TRUE(cols.count(db::to_upper(c))) << ix.name << " " << c;
          }
        }
        for (const db::ForeignKey& fk : t.foreign_keys) {
          // Referenced tables come first (creation order).
          EXPECT_TRUE(seen_tables.count(db::to_upper(fk.ref_table)) ||
                      db::same_ident(fk.ref_table, t.name))
              << fk.ref_table;
        }
        seen_tables.insert(db::to_upper(t.name));
      }
    }
  }
}

}  // namespace
}  // namespace cutover::schema
