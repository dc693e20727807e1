#include "sync/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::sync {
namespace {

namespace fs = std::filesystem;

// Real files under the test's own temporary directory, removed with it. The password
// variables are cleared so the machine's environment cannot leak into a test.
class SyncConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cutover-sync-config-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    for (const char* v : kVars) {
      unsetenv(v);
    }
  }

  void TearDown() override {
    fs::remove_all(dir_);
    for (const char* v : kVars) {
      unsetenv(v);
    }
  }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // The one-line error a reader throws, or a test failure when it throws none.
  template <typename F>
  static std::string error_of(F&& f, ErrorKind kind = ErrorKind::config) {
    try {
      f();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.one_line();
      EXPECT_FALSE(e.hint().empty()) << e.one_line();
      EXPECT_EQ(e.one_line().find('\n'), std::string::npos);
      return e.one_line();
    }
    ADD_FAILURE() << "no error";
    return {};
  }

  // A deployment.toml of the sync-tool pack the seed sets up: old and new databases declared
  // as [[datasource]] with JNDI names, plus one the cutover cannot open (H2).
  fs::path deployment() {
    return write("deployment.toml", R"(
[[datasource]]
id = "WSO2_OLD_IDENTITY_DB"
url = "jdbc:postgresql://db-old:5432/identity?sslmode=disable"
username = "wso2"
password = "old-secret"
driver = "org.postgresql.Driver"
jndi_config.name = "jdbc/OldIdentityDB"

[[datasource]]
id = "WSO2_NEW_IDENTITY_DB"
url = "jdbc:mysql://db-new:3307/identity"
username = "wso2new"
password = "$secret{new_db}"
jndi_config.name = "jdbc/NewIdentityDB"

[[datasource]]
id = "EMBEDDED"
url = "jdbc:h2:./repository/database/WSO2CARBON_DB"
username = "wso2carbon"
password = "wso2carbon"
)");
  }

  static constexpr const char* kVars[] = {"CUTOVER_SOURCE_PASSWORD", "CUTOVER_TARGET_PASSWORD",
                                          "CUTOVER_TEST_OLD_PW"};
  fs::path dir_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(SyncConfigFiles, TomlWithEveryKeyIsRead) {
  setenv("CUTOVER_TEST_OLD_PW", "from-env", 1);
  write("target.pw", "from-file\n");
  fs::path f = write("sync.toml", R"(
product = "is"
from = "5.8.0"
to = "5.9.0"
tables = ["idn_oauth2_access_token", "IDN_OAUTH2_ACCESS_TOKEN_SCOPE"]
batch_size = 2000
interval_ms = 50
max_transaction_age_s = 600
jobs = 8

[source]
url = "postgresql://wso2@db-old:5433/identity"
password_env = "CUTOVER_TEST_OLD_PW"

[target]
url = "sqlite:data/new.db"
password_file = "target.pw"
)");
  SyncConfig c = read_sync_toml(f);
  EXPECT_EQ(c.product, "is");
  EXPECT_EQ(c.from_version, "5.8.0");
  EXPECT_EQ(c.to_version, "5.9.0");
  // Catalogue spelling, file order.
  EXPECT_EQ(c.tables,
            (std::vector<std::string>{"IDN_OAUTH2_ACCESS_TOKEN", "IDN_OAUTH2_ACCESS_TOKEN_SCOPE"}));
  EXPECT_EQ(c.batch_size, 2000);
  EXPECT_EQ(c.interval_ms, 50);
  EXPECT_EQ(c.max_transaction_age_s, 600);
  EXPECT_EQ(c.jobs, 8);
  EXPECT_EQ(c.source.scheme, "postgresql");
  EXPECT_EQ(c.source.host, "db-old");
  EXPECT_EQ(c.source.port, 5433);
  EXPECT_EQ(c.source.database, "identity");
  EXPECT_EQ(c.source.password.reveal(), "from-env");
  EXPECT_EQ(c.target.scheme, "sqlite");
  // Relative to the config file, not the current directory.
  EXPECT_EQ(fs::path(c.target.path), dir_ / "data" / "new.db");
  EXPECT_EQ(c.target.password.reveal(), "from-file");
}

TEST_F(SyncConfigFiles, TomlPasswordInUrlOrFromTheEnvironment) {
  setenv("CUTOVER_SOURCE_PASSWORD", "env-source", 1);
  setenv("CUTOVER_TARGET_PASSWORD", "env-target", 1);
  fs::path f = write("sync.toml", R"(
[source]
url = "mysql://wso2:in%40url@db-old/identity"
[target]
url = "postgresql://wso2@db-new/identity"
)");
  SyncConfig c = read_sync_toml(f);
  EXPECT_EQ(c.source.password.reveal(), "in@url");  // the file's own password wins
  EXPECT_EQ(c.target.password.reveal(), "env-target");
  EXPECT_FALSE(contains(c.source.redacted(), "in@url"));
}

TEST_F(SyncConfigFiles, TomlDefaultsWhenKeysAbsent) {
  fs::path f = write("sync.toml",
                     "[source]\nurl = \"sqlite:old.db\"\n[target]\nurl = "
                     "\"sqlite:new.db\"\n");
  SyncConfig c = read_sync_toml(f);
  SyncConfig defaults;
  EXPECT_EQ(c.product, "is");
  EXPECT_TRUE(c.from_version.empty());
  EXPECT_TRUE(c.to_version.empty());
  EXPECT_TRUE(c.tables.empty());
  EXPECT_EQ(c.batch_size, defaults.batch_size);
  EXPECT_EQ(c.interval_ms, defaults.interval_ms);
  EXPECT_EQ(c.max_transaction_age_s, defaults.max_transaction_age_s);
  EXPECT_EQ(c.jobs, defaults.jobs);
  EXPECT_TRUE(c.source.password.empty());
}

TEST_F(SyncConfigFiles, TomlUnknownKeyNamesKeyLineAndFile) {
  fs::path f = write("sync.toml",
                     "batch_sise = 10\n[source]\nurl = \"sqlite:a.db\"\n"
                     "[target]\nurl = \"sqlite:b.db\"\n");
  std::string e = error_of([&] { read_sync_toml(f); });
  EXPECT_TRUE(contains(e, "'batch_sise'")) << e;
  EXPECT_TRUE(contains(e, f.string())) << e;
  EXPECT_TRUE(contains(e, "line 1")) << e;

  fs::path g = write("nested.toml",
                     "[source]\nurl = \"sqlite:a.db\"\npasword_file = \"x\"\n"
                     "[target]\nurl = \"sqlite:b.db\"\n");
  e = error_of([&] { read_sync_toml(g); });
  EXPECT_TRUE(contains(e, "'source.pasword_file'")) << e;
  EXPECT_TRUE(contains(e, "line 3")) << e;
}

TEST_F(SyncConfigFiles, TomlBadValuesNameKeyAndFile) {
  const std::string dbs = "[source]\nurl = \"sqlite:a.db\"\n[target]\nurl = \"sqlite:b.db\"\n";

  struct Case {
    std::string line;
    std::string key;
  };

  for (const Case& c :
       {Case{"batch_size = -5", "batch_size"}, Case{"batch_size = 0", "batch_size"},
        Case{"batch_size = \"100\"", "batch_size"}, Case{"jobs = 100000", "jobs"},
        Case{"interval_ms = 1.5", "interval_ms"}, Case{"from = \"5.8.1\"", "from"},
        Case{"to = 590", "to"}, Case{"tables = \"IDN_OAUTH2_ACCESS_TOKEN\"", "tables"},
        Case{"tables = []", "tables"}, Case{"product = \"apim\"", "product"}}) {
    fs::path f = write("bad.toml", c.line + "\n" + dbs);
    std::string e = error_of([&] { read_sync_toml(f); });
    EXPECT_TRUE(contains(e, c.key + " in ")) << c.line << ": " << e;
    EXPECT_TRUE(contains(e, f.string())) << c.line << ": " << e;
  }
  // No [target] at all.
  fs::path f = write("half.toml", "[source]\nurl = \"sqlite:a.db\"\n");
  EXPECT_TRUE(contains(error_of([&] { read_sync_toml(f); }), "[target]"));
}

TEST_F(SyncConfigFiles, TomlPasswordGivenTwoWaysOrUnsetVariableIsRefused) {
  fs::path f = write("two.toml",
                     "[source]\nurl = \"postgresql://u:pw@h/d\"\npassword_env = \"X\"\n"
                     "[target]\nurl = \"sqlite:b.db\"\n");
  EXPECT_TRUE(contains(error_of([&] { read_sync_toml(f); }), "more than one way"));
  fs::path g = write("unset.toml",
                     "[source]\nurl = \"postgresql://u@h/d\"\npassword_env = "
                     "\"CUTOVER_TEST_OLD_PW\"\n[target]\nurl = \"sqlite:b.db\"\n");
  std::string e = error_of([&] { read_sync_toml(g); });
  EXPECT_TRUE(contains(e, "CUTOVER_TEST_OLD_PW")) << e;
}

TEST_F(SyncConfigFiles, HostileTableNamesAreRefusedAndEchoedSafely) {
  const std::string dbs = "[source]\nurl = \"sqlite:a.db\"\n[target]\nurl = \"sqlite:b.db\"\n";
  fs::path f = write("drop.toml", "tables = [\"X; DROP TABLE IDN_OAUTH2_ACCESS_TOKEN\"]\n" + dbs);
  std::string e = error_of([&] { read_sync_toml(f); });
  EXPECT_TRUE(contains(e, "X; DROP TABLE IDN_OAUTH2_ACCESS_TOKEN' is not a table name")) << e;
  EXPECT_TRUE(contains(e, f.string())) << e;

  fs::path g = write("quote.toml", "tables = ['IDN\"_TOKEN', \"\\u001b[2J\"]\n" + dbs);
  e = error_of([&] { read_sync_toml(g); });
  EXPECT_TRUE(contains(e, "IDN\"_TOKEN")) << e;

  fs::path h = write("escape.toml", "tables = [\"\\u001b[2J\"]\n" + dbs);
  e = error_of([&] { read_sync_toml(h); });
  EXPECT_FALSE(contains(e, "\x1b")) << "a terminal escape reached the message";
  EXPECT_TRUE(contains(e, "\\x1b[2J")) << e;

  // Well-formed but not catalogued, and catalogued but listed twice.
  fs::path i = write("unknown.toml", "tables = [\"IDN_NO_SUCH_TABLE\"]\n" + dbs);
  EXPECT_TRUE(contains(error_of([&] { read_sync_toml(i); }), "IDN_NO_SUCH_TABLE is not in"));
  fs::path j = write("twice.toml",
                     "tables = [\"IDN_OAUTH2_ACCESS_TOKEN\", \"idn_oauth2_access_token\"]\n" + dbs);
  EXPECT_TRUE(contains(error_of([&] { read_sync_toml(j); }), "listed twice"));
}

TEST_F(SyncConfigFiles, SameSqliteFileUnderTwoSpellingsIsRefused) {
  write("data/identity.db", "");
  fs::create_directories(dir_ / "other");
  fs::path f = write("same.toml",
                     "[source]\nurl = \"sqlite:data/identity.db\"\n"
                     "[target]\nurl = \"sqlite:other/../data/./identity.db\"\n");
  std::string e = error_of([&] { read_sync_toml(f); });
  EXPECT_TRUE(contains(e, "same database")) << e;
  EXPECT_TRUE(contains(e, f.string())) << e;

  // A symbolic link and an absolute path name the same file too.
  fs::create_symlink(dir_ / "data" / "identity.db", dir_ / "link.db");
  SyncConfig c;
  c.source = db::parse_url("sqlite:" + (dir_ / "link.db").string(), db::UrlOrigin::argv);
  c.target =
      db::parse_url("sqlite:" + (dir_ / "data" / "identity.db").string(), db::UrlOrigin::argv);
  EXPECT_TRUE(contains(error_of([&] { validate(c); }), "same database"));
  c.target.path = (dir_ / "data" / "identity-new.db").string();
  EXPECT_NO_THROW(validate(c));
}

TEST_F(SyncConfigFiles, SameServerDatabaseIsRefused) {
  auto url = [](const std::string& u) { return db::parse_url(u, db::UrlOrigin::argv); };
  EXPECT_TRUE(
      same_database(url("postgresql://a@localhost/wso2"), url("postgres://b@127.0.0.1:5432/wso2")));
  EXPECT_TRUE(same_database(url("postgresql://a@%2Ftmp%2Fpg/wso2"),
                            url("postgresql://a@localhost:5432/wso2")));
  EXPECT_TRUE(same_database(url("mariadb://a@DB1:3306/Identity"), url("mysql://a@db1/identity")));
  EXPECT_FALSE(same_database(url("postgresql://a@localhost/wso2"),
                             url("postgresql://a@localhost/wso2_new")));
  EXPECT_FALSE(same_database(url("postgresql://a@localhost:5432/wso2"),
                             url("postgresql://a@localhost:5433/wso2")));
  EXPECT_FALSE(same_database(url("postgresql://a@db1/wso2"), url("postgresql://a@db2/wso2")));
  EXPECT_FALSE(same_database(url("postgresql://a@db1/wso2"), url("mysql://a@db1/wso2")));
}

TEST(SyncConfigReversed, SwapsSidesAndVersionsAndTwiceIsTheOriginal) {
  SyncConfig c;
  c.source = db::parse_url("sqlite:old.db", db::UrlOrigin::argv);
  c.target = db::parse_url("postgresql://is@db/wso2", db::UrlOrigin::argv);
  c.from_version = "5.8.0";
  c.to_version = "7.0.0";
  c.batch_size = 77;
  SyncConfig r = reversed(c);
  EXPECT_TRUE(r.reverse);
  EXPECT_EQ(r.source.scheme, "postgresql");
  EXPECT_EQ(r.target.path, "old.db");
  // The reverse transform is the one from the new version to the old one.
  EXPECT_EQ(r.from_version, "7.0.0");
  EXPECT_EQ(r.to_version, "5.8.0");
  EXPECT_EQ(r.batch_size, 77);
  SyncConfig back = reversed(r);
  EXPECT_FALSE(back.reverse);
  EXPECT_EQ(back.source.path, "old.db");
  EXPECT_EQ(back.from_version, "5.8.0");
  // "to: same as from" stays the same version on both sides once swapped.
  c.to_version.clear();
  EXPECT_EQ(reversed(c).from_version, "5.8.0");
  EXPECT_EQ(reversed(c).to_version, "5.8.0");
}

TEST_F(SyncConfigFiles, VersionsMustBeKnownAndNotGoBackwards) {
  SyncConfig c;
  c.source = db::parse_url("sqlite:a.db", db::UrlOrigin::argv);
  c.target = db::parse_url("sqlite:b.db", db::UrlOrigin::argv);
  c.from_version = "5.9.0";
  c.to_version = "5.8.0";
  EXPECT_TRUE(contains(error_of([&] { validate(c); }), "older than"));
  c.to_version = "5.99.0";
  EXPECT_TRUE(contains(error_of([&] { validate(c); }), "5.99.0"));
  c.to_version = "5.10.0";
  c.tables = {"IDN_OAUTH2_ACCESS_TOKEN"};
  EXPECT_NO_THROW(validate(c));
  c.batch_size = 0;
  EXPECT_TRUE(contains(error_of([&] { validate(c); }), "batch_size"));
}

// The seed's sync.properties, written the ways java.util.Properties allows: comments with # and
// !, "key=value", "key: value", "key value", a continued line, escapes and CRLF line ends.
TEST_F(SyncConfigFiles, SyncPropertiesAsWso2WritesThem) {
  fs::path d = deployment();
  setenv("CUTOVER_TARGET_PASSWORD", "new-from-env", 1);
  fs::path p = write("sync.properties",
                     "# sync tool\r\n"
                     "! WSO2 style comment\r\n"
                     "sourceVersion=5.8.0\r\n"
                     "targetVersion: 5.9.0\r\n"
                     "batchSize 100\r\n"
                     "   syncInterval = 5000   \r\n"
                     "syncTables=IDN_OAUTH2_ACCESS_TOKEN,\\\r\n"
                     "           IDN_OAUTH2_ACCESS_TOKEN_SCOPE, \\\r\n"
                     "    IDN_IDENTITY_USER_DATA\r\n"
                     "ident\\u0069tySchema=jdbc/OldIdentityDB,WSO2_NEW_IDENTITY_DB\r\n");
  SyncConfig c = read_sync_properties(p, d);
  EXPECT_EQ(c.product, "is");
  EXPECT_EQ(c.from_version, "5.8.0");
  EXPECT_EQ(c.to_version, "5.9.0");
  EXPECT_EQ(c.batch_size, 100);  // written down: WSO2's value honoured
  EXPECT_EQ(c.interval_ms, 5000);
  EXPECT_EQ(c.tables,
            (std::vector<std::string>{"IDN_OAUTH2_ACCESS_TOKEN", "IDN_OAUTH2_ACCESS_TOKEN_SCOPE",
                                      "IDN_IDENTITY_USER_DATA"}));
  EXPECT_EQ(c.source.scheme, "postgresql");
  EXPECT_EQ(c.source.host, "db-old");
  EXPECT_EQ(c.source.database, "identity");
  EXPECT_EQ(c.source.user, "wso2");
  EXPECT_EQ(c.source.password.reveal(), "old-secret");
  EXPECT_EQ(c.target.scheme, "mysql");
  EXPECT_EQ(c.target.port, 3307);
  EXPECT_EQ(c.target.user, "wso2new");
  // A secure-vault password in deployment.toml: the environment supplies it.
  EXPECT_EQ(c.target.password.reveal(), "new-from-env");
}

TEST_F(SyncConfigFiles, SyncPropertiesDefaultsAreOursWhenKeysAbsent) {
  fs::path d = deployment();
  setenv("CUTOVER_TARGET_PASSWORD", "x", 1);
  fs::path p = write("sync.properties",
                     "sourceVersion=5.8.0\ntargetVersion=5.8.0\n"
                     "identitySchema=WSO2_OLD_IDENTITY_DB, jdbc/NewIdentityDB\n");
  SyncConfig c = read_sync_properties(p, d);
  SyncConfig defaults;
  EXPECT_EQ(c.batch_size, defaults.batch_size);
  EXPECT_EQ(c.interval_ms, defaults.interval_ms);
  EXPECT_TRUE(c.tables.empty());  // default_tables() at run time
}

TEST_F(SyncConfigFiles, SyncPropertiesWithARequiredKeyMissing) {
  fs::path d = deployment();
  setenv("CUTOVER_TARGET_PASSWORD", "x", 1);
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"sourceVersion", "sourceVersion=5.8.0"},
      {"targetVersion", "targetVersion=5.9.0"},
      {"identitySchema", "identitySchema=WSO2_OLD_IDENTITY_DB,WSO2_NEW_IDENTITY_DB"}};
  for (const auto& [missing, _] : lines) {
    std::string text;
    for (const auto& [key, line] : lines) {
      text += key == missing ? "" : line + "\n";
    }
    fs::path p = write("sync.properties", text);
    std::string e = error_of([&] { read_sync_properties(p, d); });
    EXPECT_TRUE(contains(e, "has no " + missing)) << e;
    EXPECT_TRUE(contains(e, p.string())) << e;
  }
  // Present but empty counts as missing.
  fs::path p = write("sync.properties", "sourceVersion=\ntargetVersion=5.9.0\n");
  EXPECT_TRUE(contains(error_of([&] { read_sync_properties(p, d); }), "empty sourceVersion"));
}

TEST_F(SyncConfigFiles, SyncPropertiesBadKeysAndValues) {
  fs::path d = deployment();
  setenv("CUTOVER_TARGET_PASSWORD", "x", 1);
  const std::string base =
      "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
      "identitySchema=WSO2_OLD_IDENTITY_DB,WSO2_NEW_IDENTITY_DB\n";

  struct Case {
    std::string line;
    std::string expected;
  };

  for (const Case& c :
       {Case{"batchsize=100", "unknown key 'batchsize'"}, Case{"batchSize=-1", "batchSize"},
        Case{"batchSize=ten", "not a whole number"}, Case{"syncInterval=5s", "syncInterval"},
        Case{"sourceVersion=5.8.0", "set twice"}, Case{"umSchema=a,b", "umSchema"},
        Case{"syncTables=IDN_OAUTH2_ACCESS_TOKEN;DROP", "not a table name"},
        Case{"syncTables=,", "lists no table"}, Case{"key=\\u00zz", "\\uXXXX"}}) {
    fs::path p = write("sync.properties", base + c.line + "\n");
    std::string e = error_of([&] { read_sync_properties(p, d); });
    EXPECT_TRUE(contains(e, c.expected)) << c.line << ": " << e;
    EXPECT_TRUE(contains(e, p.string())) << c.line << ": " << e;
  }
}

TEST_F(SyncConfigFiles, IdentitySchemaNamingAnAbsentOrUnusableDatasource) {
  fs::path d = deployment();
  setenv("CUTOVER_TARGET_PASSWORD", "x", 1);
  fs::path p = write("sync.properties",
                     "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
                     "identitySchema=jdbc/NoSuchDB,WSO2_NEW_IDENTITY_DB\n");
  std::string e = error_of([&] { read_sync_properties(p, d); });
  EXPECT_TRUE(contains(e, "'jdbc/NoSuchDB'")) << e;
  EXPECT_TRUE(contains(e, d.string())) << e;

  fs::path h2 = write("h2.properties",
                      "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
                      "identitySchema=EMBEDDED,WSO2_NEW_IDENTITY_DB\n");
  e = error_of([&] { read_sync_properties(h2, d); });
  EXPECT_TRUE(contains(e, "'EMBEDDED'")) << e;

  fs::path one = write("one.properties",
                       "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
                       "identitySchema=WSO2_OLD_IDENTITY_DB\n");
  EXPECT_TRUE(contains(error_of([&] { read_sync_properties(one, d); }), "not 2"));

  // The secure-vault password with nothing in the environment to replace it.
  unsetenv("CUTOVER_TARGET_PASSWORD");
  fs::path vault = write("vault.properties",
                         "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
                         "identitySchema=WSO2_OLD_IDENTITY_DB,WSO2_NEW_IDENTITY_DB\n");
  e = error_of([&] { read_sync_properties(vault, d); });
  EXPECT_TRUE(contains(e, "secure-vault")) << e;
}

TEST_F(SyncConfigFiles, SyncPropertiesSameDatabaseBothSides) {
  fs::path d = deployment();
  fs::path p = write("sync.properties",
                     "sourceVersion=5.8.0\ntargetVersion=5.9.0\n"
                     "identitySchema=WSO2_OLD_IDENTITY_DB,jdbc/OldIdentityDB\n");
  std::string e = error_of([&] { read_sync_properties(p, d); });
  EXPECT_TRUE(contains(e, "same database")) << e;
  EXPECT_FALSE(contains(e, "old-secret")) << e;
}

}  // namespace
}  // namespace cutover::sync
