#include "plan/home.h"

#include <gtest/gtest.h>

namespace cutover::plan {
namespace {

TEST(Home, JdbcUrlsBecomeCutoverUrlsOrSayWhyNot) {
  HomeDatabase pg = describe_jdbc("identity_db", "jdbc:postgresql://db1:5433/WSO2_IDENTITY?ssl=1");
  EXPECT_EQ(pg.engine, "postgresql");
  EXPECT_EQ(pg.cutover_url.value_or(""), "postgresql://USER@db1:5433/WSO2_IDENTITY");
  HomeDatabase my =
      describe_jdbc("shared_db", "jdbc:mysql://10.0.0.5:3306/WSO2_SHARED?autoReconnect=true");
  EXPECT_EQ(my.cutover_url.value_or(""), "mysql://USER@10.0.0.5:3306/WSO2_SHARED");
  HomeDatabase h2 = describe_jdbc("WSO2_CARBON_DB", "jdbc:h2:./repository/database/WSO2CARBON_DB");
  EXPECT_EQ(h2.engine, "h2");
  EXPECT_FALSE(h2.cutover_url);
  EXPECT_FALSE(h2.note.empty());
  for (const char* url : {"jdbc:oracle:thin:@db:1521/ORCL", "jdbc:sqserver://x",
                          "jdbc:sqlserver://db:1433;databaseName=WSO2", "jdbc:db2://db:50000/W"}) {
    HomeDatabase d = describe_jdbc("x", url);
    EXPECT_FALSE(d.cutover_url) << url;
    EXPECT_FALSE(d.note.empty()) << url;
  }
}

TEST(Home, JdbcPasswordParametersAreMasked) {
  HomeDatabase d = describe_jdbc("x", "jdbc:mysql://h:3306/db?user=a&password=topsecret");
  EXPECT_EQ(d.jdbc_url.find("topsecret"), std::string::npos);
}

TEST(Home, EveryPasswordShapeInAJdbcUrlIsMasked) {
  for (const char* url :
       {"jdbc:oracle:thin:scott/tiger@db:1521/ORCL", "jdbc:mysql://wso2:tiger@dbhost:3306/shared",
        "jdbc:mysql://h:3306/db?user=a&pAssWord=tiger&x=1",
        "jdbc:sqlserver://db:1433;databaseName=W;pwd=tiger",
        "jdbc:postgresql://h/d?password=tiger"}) {
    HomeDatabase d = describe_jdbc("x", url);
    EXPECT_EQ(d.jdbc_url.find("tiger"), std::string::npos) << d.jdbc_url;
    EXPECT_EQ(d.cutover_url.value_or("").find("tiger"), std::string::npos) << url;
  }
  EXPECT_EQ(
      describe_jdbc("x", "jdbc:mysql://wso2:tiger@dbhost:3306/shared").cutover_url.value_or(""),
      "mysql://USER@dbhost:3306/shared");
}

TEST(Home, ManifestContinuationLinesAndQuotedImports) {
  std::string mf =
      "Manifest-Version: 1.0\r\n"
      "Bundle-SymbolicName: org.example.custom.authenticator;singleton:=tru\r\n"
      " e\r\n"
      "Bundle-Version: 1.2.3\r\n"
      "Import-Package: org.wso2.carbon.identity.application.authentication.f\r\n"
      " ramework;version=\"[5.14.0,6.0.0)\",org.apache.commons.logging,javax.se\r\n"
      " rvlet.http\r\n"
      "\r\n";
  Component c = parse_manifest(mf);
  EXPECT_EQ(c.symbolic_name, "org.example.custom.authenticator");
  EXPECT_EQ(c.version, "1.2.3");
  ASSERT_EQ(c.imports.size(), 3U);
  EXPECT_EQ(c.imports[0], "org.wso2.carbon.identity.application.authentication.framework");
  EXPECT_EQ(c.imports[2], "javax.servlet.http");
}

}  // namespace
}  // namespace cutover::plan
