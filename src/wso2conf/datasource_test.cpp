#include "wso2conf/datasource.h"

#include <gtest/gtest.h>

namespace cutover::wso2conf {
namespace {

TEST(Datasource, JdbcUrlsBecomeCutoverUrlsOrSayWhyNot) {
  Datasource pg = describe_jdbc("identity_db", "jdbc:postgresql://db1:5433/WSO2_IDENTITY?ssl=1");
  EXPECT_EQ(pg.engine, "postgresql");
  EXPECT_EQ(pg.cutover_url.value_or(""), "postgresql://USER@db1:5433/WSO2_IDENTITY");
  Datasource my =
      describe_jdbc("shared_db", "jdbc:mysql://10.0.0.5:3306/WSO2_SHARED?autoReconnect=true");
  EXPECT_EQ(my.cutover_url.value_or(""), "mysql://USER@10.0.0.5:3306/WSO2_SHARED");
  Datasource h2 = describe_jdbc("WSO2_CARBON_DB", "jdbc:h2:./repository/database/WSO2CARBON_DB");
  EXPECT_EQ(h2.engine, "h2");
  EXPECT_FALSE(h2.cutover_url);
  EXPECT_FALSE(h2.note.empty());
  for (const char* url : {"jdbc:oracle:thin:@db:1521/ORCL", "jdbc:sqserver://x",
                          "jdbc:sqlserver://db:1433;databaseName=WSO2", "jdbc:db2://db:50000/W"}) {
    Datasource d = describe_jdbc("x", url);
    EXPECT_FALSE(d.cutover_url) << url;
    EXPECT_FALSE(d.note.empty()) << url;
  }
}

TEST(Datasource, JdbcPasswordParametersAreMasked) {
  Datasource d = describe_jdbc("x", "jdbc:mysql://h:3306/db?user=a&password=topsecret");
  EXPECT_EQ(d.jdbc_url.find("topsecret"), std::string::npos);
}

TEST(Datasource, EveryPasswordShapeInAJdbcUrlIsMasked) {
  for (const char* url :
       {"jdbc:oracle:thin:scott/tiger@db:1521/ORCL", "jdbc:mysql://wso2:tiger@dbhost:3306/shared",
        "jdbc:mysql://h:3306/db?user=a&pAssWord=tiger&x=1",
        "jdbc:sqlserver://db:1433;databaseName=W;pwd=tiger",
        "jdbc:postgresql://h/d?password=tiger"}) {
    Datasource d = describe_jdbc("x", url);
    EXPECT_EQ(d.jdbc_url.find("tiger"), std::string::npos) << d.jdbc_url;
    EXPECT_EQ(d.cutover_url.value_or("").find("tiger"), std::string::npos) << url;
  }
  EXPECT_EQ(
      describe_jdbc("x", "jdbc:mysql://wso2:tiger@dbhost:3306/shared").cutover_url.value_or(""),
      "mysql://USER@dbhost:3306/shared");
}

}  // namespace
}  // namespace cutover::wso2conf
