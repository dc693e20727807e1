#include "plan/home.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace cutover::plan {
namespace {

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

namespace fs = std::filesystem;

// A product home under the temporary directory with the given files of repository/conf.
fs::path make_home(const std::string& name,
                   std::initializer_list<std::pair<const char*, const char*>> files) {
  fs::path home = fs::temp_directory_path() /
                  ("cutover-home-" +
                   std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" + name);
  fs::remove_all(home);
  for (const auto& [file, text] : files) {
    fs::path p = home / "repository" / "conf" / file;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  return home;
}

TEST(Home, RegistryDatabaseIsTheDatasourceRegistryXmlNames) {
  fs::path home = make_home("xml", {{"datasources/master-datasources.xml", R"(<x><datasources>
  <datasource><name>WSO2_CARBON_DB</name><jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig>
    <definition><configuration><url>jdbc:h2:./carbon</url></configuration></definition></datasource>
  <datasource><name>WSO2_REG_DB</name><jndiConfig><name>jdbc/WSO2RegDB</name></jndiConfig>
    <definition><configuration><url>jdbc:postgresql://db/reg</url></configuration></definition></datasource>
</datasources></x>)"},
                                    {"registry.xml", R"(<wso2registry>
  <currentDBConfig>main</currentDBConfig>
  <dbConfig name="main"><dataSource>jdbc/WSO2RegDB</dataSource></dbConfig>
  <staticConfiguration><versioningTags>true</versioningTags></staticConfiguration>
</wso2registry>)"}});
  HomeReport r = read_home(home.string());
  EXPECT_EQ(r.registry_database, "WSO2_REG_DB");
  ASSERT_TRUE(r.registry_xml);
  EXPECT_TRUE(r.registry_xml->any_on());
  EXPECT_FALSE(r.registry_toml);
  fs::remove_all(home);
}

TEST(Home, RegistryDatabaseOfADeploymentTomlIsSharedDb) {
  fs::path home = make_home("toml", {{"deployment.toml", R"(
[database.identity_db]
url = "jdbc:postgresql://db/identity"
[database.shared_db]
url = "jdbc:postgresql://db/shared"
[registory.static_configuration]
enable = true
)"}});
  HomeReport r = read_home(home.string());
  EXPECT_EQ(r.registry_database, "shared_db");
  ASSERT_TRUE(r.registry_toml);
  EXPECT_TRUE(r.registry_toml->any_on());
  EXPECT_FALSE(r.registry_xml);
  fs::remove_all(home);
}

}  // namespace
}  // namespace cutover::plan
