#include "schema/transform.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::schema {
namespace {

const Product& is() {
  return product("is");
}

db::TableDef at(std::string_view table, std::string_view version) {
  return is().table_at(table, is().version_index(version), "postgresql").value();
}

std::vector<std::string> key_of(const db::TableDef& t) {
  if (!t.primary_key.empty()) {
    return t.primary_key;
  }
  return t.unique_keys.empty() ? std::vector<std::string>{} : t.unique_keys.front().columns;
}

// A row in source_columns() order from named values; NULL for the rest.
db::Row row_for(const TableTransform& x, const std::map<std::string, db::Value>& values) {
  db::Row r;
  for (const std::string& c : x.source_columns()) {
    auto it = values.find(c);
    r.push_back(it == values.end() ? db::Value() : it->second);
  }
  return r;
}

const db::Value& column(const TableTransform& x, const db::Row& out, std::string_view name) {
  for (std::size_t i = 0; i < x.target_columns().size(); ++i) {
    if (x.target_columns()[i] == name) {
      return out[i];
    }
  }
  static const db::Value kAbsent("(not written)");
  return kAbsent;
}

std::string error_of(const TableTransform& x, db::Row in) {
  db::Row out;
  try {
    x.apply(in, out, nullptr);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Transform, EveryUpgradePairIsDeclaredForEveryCataloguedTable) {
  const std::vector<std::string>& v = is().versions();
  for (std::size_t i = 0; i < v.size(); ++i) {
    for (std::size_t j = i + 1; j < v.size(); ++j) {
      Transform x = Transform::make(is(), v[i], v[j]);
      for (const TableSpec& spec : is().specs()) {
        auto from = is().table_at(spec.name, static_cast<int>(i), "postgresql");
        auto to = is().table_at(spec.name, static_cast<int>(j), "postgresql");
        if (!from || !to) {
          continue;
        }
        bool crosses_idp_uuid = spec.name == "IDP" && i < 3 && j >= 3;
        if (crosses_idp_uuid) {
          EXPECT_THROW(x.bind(*from, *to, key_of(*from)), Error) << v[i] << " -> " << v[j];
          continue;
        }
        TableTransform t = x.bind(*from, *to, key_of(*from));
        EXPECT_TRUE(t.unmatched().empty())
            << spec.name << " " << v[i] << " -> " << v[j] << ": " << t.unmatched().front();
      }
    }
  }
}

TEST(Transform, UnknownVersionIsAConfigError) {
  try {
    Transform::make(is(), "5.8.0", "6.5.0");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("6.5.0"), std::string::npos);
  }
}

TEST(Transform, UpgradeGivesNewColumnsTheirDeclaredValues) {
  TableTransform x = Transform::make(is(), "5.7.0", "7.0.0")
                         .bind(at("IDN_OAUTH2_ACCESS_TOKEN", "5.7.0"),
                               at("IDN_OAUTH2_ACCESS_TOKEN", "7.0.0"), {"TOKEN_ID"});
  EXPECT_EQ(x.source_columns().front(), "TOKEN_ID");
  EXPECT_TRUE(x.needs_local_idps());
  // FEDERATED rows need no IdP lookup: they get -1, as WSO2's migration gives them.
  db::Row in = row_for(x, {{"TOKEN_ID", db::Value("t1")},
                           {"TENANT_ID", db::Value(1)},
                           {"USER_DOMAIN", db::Value("FEDERATED")},
                           {"TOKEN_STATE", db::Value("ACTIVE")}});
  db::Row out;
  x.apply(in, out, nullptr);
  EXPECT_EQ(column(x, out, "TOKEN_ID"), db::Value("t1"));
  EXPECT_EQ(column(x, out, "IDP_ID"), db::Value(-1));
  EXPECT_EQ(column(x, out, "TOKEN_BINDING_REF"), db::Value("NONE"));
  EXPECT_EQ(column(x, out, "AUTHORIZED_ORGANIZATION"), db::Value("NONE"));
  EXPECT_EQ(column(x, out, "TOKEN_STATE"), db::Value("ACTIVE"));
  // CONSENTED_TOKEN has no default: not written, the target's NULL.
  EXPECT_EQ(column(x, out, "CONSENTED_TOKEN"), db::Value("(not written)"));
  // A tenant without a LOCAL identity provider is an error naming the row.
  std::string e = error_of(x, row_for(x, {{"TOKEN_ID", db::Value("t2")},
                                          {"TENANT_ID", db::Value(7)},
                                          {"USER_DOMAIN", db::Value("PRIMARY")}}));
  EXPECT_NE(e.find("IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID=t2)"), std::string::npos) << e;
  EXPECT_NE(e.find("tenant 7"), std::string::npos) << e;
}

TEST(Transform, AFederatedRowKeepsItsOwnIdpId) {
  TableTransform x = Transform::make(is(), "5.8.0", "7.0.0")
                         .bind(at("IDN_OAUTH2_ACCESS_TOKEN", "5.8.0"),
                               at("IDN_OAUTH2_ACCESS_TOKEN", "7.0.0"), {"TOKEN_ID"});
  db::Row out;
  db::Row in = row_for(x, {{"TOKEN_ID", db::Value("t1")},
                           {"TENANT_ID", db::Value(1)},
                           {"USER_DOMAIN", db::Value("FEDERATED")},
                           {"IDP_ID", db::Value(4)}});
  x.apply(in, out, nullptr);
  EXPECT_EQ(column(x, out, "IDP_ID"), db::Value(4));
  // A value of its own passes whatever the domain; only NULL (NOT NULL from 5.11.0) is looked up.
  in = row_for(x, {{"TOKEN_ID", db::Value("t2")},
                   {"TENANT_ID", db::Value(1)},
                   {"USER_DOMAIN", db::Value("PRIMARY")},
                   {"IDP_ID", db::Value(2)}});
  x.apply(in, out, nullptr);
  EXPECT_EQ(column(x, out, "IDP_ID"), db::Value(2));
}

TEST(Transform, RollbackDropsNewColumnsAndKeepsIdpId) {
  Transform back = Transform::make(is(), "7.0.0", "5.8.0");
  TableTransform x = back.bind(at("IDN_OAUTH2_ACCESS_TOKEN", "7.0.0"),
                               at("IDN_OAUTH2_ACCESS_TOKEN", "5.8.0"), {"TOKEN_ID"});
  EXPECT_FALSE(x.needs_local_idps());
  for (const char* gone : {"TOKEN_BINDING_REF", "CONSENTED_TOKEN", "AUTHORIZED_ORGANIZATION"}) {
    EXPECT_EQ(std::count(x.target_columns().begin(), x.target_columns().end(), gone), 0) << gone;
  }
  EXPECT_TRUE(x.unmatched().empty());
  db::Row out;
  db::Row in = row_for(x, {{"TOKEN_ID", db::Value("t1")}, {"IDP_ID", db::Value(12)}});
  x.apply(in, out, nullptr);
  EXPECT_EQ(column(x, out, "IDP_ID"), db::Value(12));
}

TEST(Transform, RollbackRefusesAValueTheOlderSchemaCannotHoldNamingTheRow) {
  TableTransform x =
      Transform::make(is(), "7.0.0", "6.1.0")
          .bind(at("IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "7.0.0"),
                at("IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "6.1.0"), {"TOKEN_ID", "TOKEN_SCOPE"});
  db::Row out;
  db::Row fits =
      row_for(x, {{"TOKEN_ID", db::Value("t1")}, {"TOKEN_SCOPE", db::Value(std::string(60, 's'))}});
  x.apply(fits, out, nullptr);
  std::string e = error_of(x, row_for(x, {{"TOKEN_ID", db::Value("t1")},
                                          {"TOKEN_SCOPE", db::Value(std::string(61, 's'))}}));
  EXPECT_NE(e.find("IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID=t1"), std::string::npos) << e;
  EXPECT_NE(e.find("column TOKEN_SCOPE: 61 characters do not fit the target's 60"),
            std::string::npos)
      << e;
}

TEST(Transform, SameVersionIsTheIdentity) {
  Transform x = Transform::make(is(), "6.0.0", "6.0.0");
  EXPECT_TRUE(x.identity());
  TableTransform t = x.bind(at("IDN_OAUTH2_ACCESS_TOKEN", "6.0.0"),
                            at("IDN_OAUTH2_ACCESS_TOKEN", "6.0.0"), {"TOKEN_ID"});
  EXPECT_FALSE(t.needs_local_idps());
  EXPECT_EQ(t.source_columns().size(), t.target_columns().size());
}

}  // namespace
}  // namespace cutover::schema
