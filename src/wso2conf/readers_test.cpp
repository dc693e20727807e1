#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "wso2conf/datasources_xml.h"
#include "wso2conf/deployment_toml.h"
#include "wso2conf/registry_xml.h"

namespace cutover::wso2conf {
namespace {

namespace fs = std::filesystem;

// A file under the test's own temporary directory, removed with it.
class Readers : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("cutover-wso2conf-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }

  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  fs::path dir_;
};

TEST_F(Readers, DeploymentTomlDatabasesAndVersioningFlags) {
  fs::path f = write("deployment.toml", R"(
[database.identity_db]
type = "postgre"
hostname = "db1"
name = "WSO2_IDENTITY"
username = "wso2"
password = "$secret{identity}"

[database.shared_db]
url = "jdbc:mysql://db2:3307/WSO2_SHARED"
username = "wso2"
password = "plain"

[static_configuration.versioning_tags]
enable = true
)");
  DeploymentToml t = read_deployment_toml(f);
  ASSERT_EQ(t.databases.size(), 2U);
  EXPECT_EQ(t.databases[0].id, "identity_db");
  EXPECT_EQ(t.databases[0].cutover_url.value_or(""), "postgresql://USER@db1:5432/WSO2_IDENTITY");
  EXPECT_TRUE(t.databases[0].password_protected);
  EXPECT_EQ(t.databases[1].cutover_url.value_or(""), "mysql://USER@db2:3307/WSO2_SHARED");
  EXPECT_FALSE(t.databases[1].password_protected);
  ASSERT_TRUE(t.databases[1].spec);
  EXPECT_EQ(t.databases[1].spec->user, "wso2");
  ASSERT_TRUE(t.registry);
  EXPECT_EQ(t.registry->tags, std::optional<bool>(true));
  EXPECT_FALSE(t.registry->properties);
}

TEST_F(Readers, DeploymentTomlSyntaxErrorNamesTheLine) {
  fs::path f = write("deployment.toml", "[database.identity_db]\nurl = \n");
  try {
    read_deployment_toml(f);
    ADD_FAILURE() << "a TOML syntax error was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST_F(Readers, DatasourcesXmlSecureVaultPasswordIsProtected) {
  fs::path f = write("master-datasources.xml", R"(<datasources-configuration>
  <datasources>
    <datasource>
      <name>WSO2_CARBON_DB</name>
      <definition type="RDBMS"><configuration>
        <url>jdbc:postgresql://db:5432/carbon</url>
        <username>wso2</username>
        <password svns:secretAlias="Datasources.WSO2_CARBON_DB.Password"/>
      </configuration></definition>
    </datasource>
  </datasources>
</datasources-configuration>)");
  std::vector<Datasource> ds = read_datasources_xml(f);
  ASSERT_EQ(ds.size(), 1U);
  EXPECT_EQ(ds[0].id, "WSO2_CARBON_DB");
  EXPECT_EQ(ds[0].engine, "postgresql");
  EXPECT_TRUE(ds[0].password_protected);
}

TEST_F(Readers, RegistryXmlFlagsAndAnUnparsableFileIsAProblemNotAnError) {
  fs::path good = write("registry.xml", R"(<wso2registry><staticConfiguration>
  <versioningProperties>true</versioningProperties>
  <versioningComments> false </versioningComments>
</staticConfiguration></wso2registry>)");
  RegistryXml r = read_registry_xml(good);
  ASSERT_TRUE(r.versioning);
  EXPECT_EQ(r.versioning->properties, std::optional<bool>(true));
  EXPECT_EQ(r.versioning->comments, std::optional<bool>(false));
  EXPECT_FALSE(r.versioning->tags);
  EXPECT_TRUE(r.problem.empty());

  RegistryXml bad = read_registry_xml(write("broken.xml", "<wso2registry><staticConfig"));
  EXPECT_FALSE(bad.versioning);
  EXPECT_NE(bad.problem.find("cannot parse"), std::string::npos) << bad.problem;
}

}  // namespace
}  // namespace cutover::wso2conf
