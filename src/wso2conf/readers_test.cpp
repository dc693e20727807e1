#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "wso2conf/carbon_xml.h"
#include "wso2conf/datasources_xml.h"
#include "wso2conf/deployment_toml.h"
#include "wso2conf/registry_xml.h"
#include "wso2conf/xml_settings.h"

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

TEST_F(Readers, DeploymentTomlRegistorySwitchSetsTheFlagsNotSetOneByOne) {
  DeploymentToml all = read_deployment_toml(write("all.toml", R"(
[registory.static_configuration]
enable = true
)"));
  ASSERT_TRUE(all.registry);
  EXPECT_EQ(all.registry->properties, std::optional<bool>(true));
  EXPECT_EQ(all.registry->ratings, std::optional<bool>(true));
  EXPECT_NE(all.registry->source.find("[registory.static_configuration]"), std::string::npos);

  DeploymentToml mixed = read_deployment_toml(write("mixed.toml", R"(
[static_configuration]
versioning_tags.enable = false
[registory.static_configuration]
enable = true
)"));
  ASSERT_TRUE(mixed.registry);
  EXPECT_EQ(mixed.registry->tags, std::optional<bool>(false));
  EXPECT_EQ(mixed.registry->comments, std::optional<bool>(true));

  // The correctly spelt table is not what a server reads: it sets nothing.
  DeploymentToml spelt = read_deployment_toml(write("spelt.toml", R"(
[registry.static_configuration]
enable = true
)"));
  EXPECT_FALSE(spelt.registry);
}

TEST_F(Readers, RegistryXmlNamesTheDatasourceOfTheCurrentDbConfig) {
  RegistryXml r = read_registry_xml(write("registry.xml", R"(<wso2registry>
  <currentDBConfig>wso2registry</currentDBConfig>
  <dbConfig name="sharedregistry"><dataSource>jdbc/WSO2RegDS</dataSource></dbConfig>
  <dbConfig name="wso2registry"><dataSource> jdbc/WSO2CarbonDB </dataSource></dbConfig>
</wso2registry>)"));
  EXPECT_EQ(r.datasource_jndi, "jdbc/WSO2CarbonDB");
  EXPECT_FALSE(r.versioning);
}

TEST_F(Readers, DatasourcesXmlSecureVaultPasswordIsProtected) {
  fs::path f = write("master-datasources.xml", R"(<datasources-configuration>
  <datasources>
    <datasource>
      <name>WSO2_CARBON_DB</name>
      <jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig>
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
  EXPECT_EQ(ds[0].jndi, "jdbc/WSO2CarbonDB");
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

TEST_F(Readers, DeploymentTomlKeystoresTakeNameAndRefAndVaultReferences) {
  fs::path f = write("deployment.toml", R"(
[keystore.primary]
name = "old-style.jks"
password = "ks-pass"

[keystore.internal]
file_name = "internal.p12"
type = "PKCS12"
password = "$secret{internal_ks}"
key_password = "$ref{keystore.primary.password}"
)");
  DeploymentToml d = read_deployment_toml(f);
  ASSERT_TRUE(d.primary_keystore);
  // 5.9.0 shipped `name`; its defaults fill the rest.
  EXPECT_EQ(d.primary_keystore->file, fs::path("repository/resources/security/old-style.jks"));
  EXPECT_EQ(d.primary_keystore->alias, "wso2carbon");
  EXPECT_EQ(d.primary_keystore->password->reveal(), "ks-pass");
  ASSERT_TRUE(d.internal_keystore);
  EXPECT_EQ(d.internal_keystore->file, fs::path("repository/resources/security/internal.p12"));
  EXPECT_EQ(d.internal_keystore->type, "PKCS12");
  EXPECT_TRUE(d.internal_keystore->password_protected);
  EXPECT_FALSE(d.internal_keystore->password);
}

TEST_F(Readers, DeploymentTomlInternalKeystoreDefaultsToThePrimary) {
  fs::path f = write("deployment.toml", "[keystore.primary]\nfile_name = \"p.jks\"\n");
  DeploymentToml d = read_deployment_toml(f);
  ASSERT_TRUE(d.internal_keystore);
  EXPECT_EQ(d.internal_keystore->file.filename(), "p.jks");
}

TEST_F(Readers, CarbonXmlKeystoresResolveCarbonHomeAndSecureVault) {
  fs::path f = write("carbon.xml", R"(<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"
    xmlns:svns="http://org.wso2.securevault/configuration"><Security>
  <KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>
    <Type>JKS</Type><Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias>
    <KeyPassword>wso2carbon</KeyPassword></KeyStore>
  <InternalKeyStore><Location>repository/resources/security/int.p12</Location><Type>PKCS12</Type>
    <Password svns:secretAlias="Carbon.Security.InternalKeyStore.Password">password</Password>
    <KeyAlias>int</KeyAlias></InternalKeyStore>
</Security></Server>)");
  CarbonXml c = read_carbon_xml(f, "/opt/is");
  ASSERT_TRUE(c.primary && c.internal);
  EXPECT_EQ(c.primary->file, fs::path("/opt/is/repository/resources/security/wso2carbon.jks"));
  EXPECT_EQ(c.primary->key_password->reveal(), "wso2carbon");
  EXPECT_EQ(c.internal->file, fs::path("/opt/is/repository/resources/security/int.p12"));
  EXPECT_TRUE(c.internal->password_protected);
  EXPECT_FALSE(c.internal->password);
  EXPECT_THROW(read_carbon_xml(write("bad.xml", "<Server><Security>"), "/opt/is"), Error);
}

TEST_F(Readers, XmlSettingsNameRepeatedElementsByTheirIdentifyingAttribute) {
  fs::path f = write("x.xml", R"(<a:Root xmlns:a="urn:x" xmlns="urn:y">
  <Property name="p1">v1</Property><Property name="p2" encrypted="true"> v2 </Property>
  <member><port>1</port></member><member><port>2</port></member>
  <Service name="Catalina"><Connector port="9443" proxyPort="443"/></Service>
</a:Root>)");
  std::vector<XmlSetting> s = read_xml_settings(f);
  std::map<std::string, std::string> m;
  for (const XmlSetting& x : s) {
    m[x.path] = x.value;
  }
  EXPECT_EQ(m["Root/Property[@name='p1']"], "v1");
  EXPECT_EQ(m["Root/Property[@name='p2']"], "v2");
  EXPECT_EQ(m["Root/Property[@name='p2']/@encrypted"], "true");
  EXPECT_EQ(m["Root/member[2]/port"], "2");
  EXPECT_EQ(m["Root/Service[@name='Catalina']/Connector[@port='9443']/@proxyPort"], "443");
  EXPECT_EQ(m.count("Root/@xmlns"), 0U);
  std::string deep;
  for (int i = 0; i < 100; ++i) {
    deep += "<e>";
  }
  for (int i = 0; i < 100; ++i) {
    deep += "</e>";
  }
  EXPECT_THROW(read_xml_settings(write("deep.xml", deep)), Error);
}

// Found with the bench/fuzz.sh harness: each path repeats its ancestors' name="..." values, so
// 200 KB of XML (one 100 KB name over 11,000 children) flattened to over 1 GB of settings.
TEST_F(Readers, XmlSettingsRefuseAFileThatFlattensQuadratically) {
  std::string xml = "<r><a name=\"" + std::string(100000, 'X') + "\">";
  for (int i = 0; i < 11000; ++i) {
    xml += "<b c=\"\"/>";
  }
  xml += "</a></r>";
  try {
    read_xml_settings(write("wide.xml", xml));
    ADD_FAILURE() << "a file flattening to over 1 GB was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("flattens to more than"), std::string::npos) << e.what();
  }
  // Ordinary repetition stays well inside the bound.
  std::string many = "<r>";
  for (int i = 0; i < 5000; ++i) {
    many += "<Property name=\"p" + std::to_string(i) + "\">v</Property>";
  }
  many += "</r>";
  EXPECT_EQ(read_xml_settings(write("many.xml", many)).size(), 10000U);  // @name and text
}

}  // namespace
}  // namespace cutover::wso2conf
