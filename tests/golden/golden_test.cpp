// Golden files: the SQL each of the seven dialects generates, checked in under
// tests/golden/<dialect>/. Run with CUTOVER_UPDATE_GOLDEN=1 (or `ninja golden-update`) to
// rewrite them after an intended change, then review the diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "capture/capture.h"
#include "cleanup/registry.h"
#include "db/dialect.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"

namespace cutover {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kVersions = {"5.8.0", "7.0.0"};

// Everything besides table DDL a dialect generates, in one file per dialect.
std::string snippets(const db::Dialect& d) {
  std::vector<std::string> cols = {"TOKEN_ID", "TOKEN_STATE", "TIME_CREATED"};
  std::vector<std::string> key = {"TOKEN_ID"};
  std::vector<std::string> key2 = {"TENANT_ID", "USER_NAME", "DATA_KEY"};
  std::string out;
  out += "-- identifiers\n" + d.ident("IDN_OAUTH2_ACCESS_TOKEN") + "\n" +
         d.ident("weird\"name`]x") + "\n" + d.ident("select") + "\n";
  out += "-- string literal\n" + d.string_literal("it's a \\ test") + "\n";
  // Upsert, paging and the row probe take stored names: upper case here (PostgreSQL quotes
  // them), lower case below (Oracle, DB2 and H2 quote them).
  out += "-- upsert\n" + d.upsert("IDN_OAUTH2_ACCESS_TOKEN", cols, key) + "\n";
  out += "-- upsert, names stored in lower case\n" +
         d.upsert("idn_oauth2_access_token", {"token_id", "token_state", "time_created"},
                  {"token_id"}) +
         "\n";
  out += "-- any row\n" + d.any_row("IDN_OAUTH2_ACCESS_TOKEN") + "\n";
  out += "-- keyset first page\n" +
         d.keyset_page("IDN_IDENTITY_USER_DATA",
                       {"TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE"}, key2, 1000, true) +
         "\n";
  out += "-- keyset next page\n" +
         d.keyset_page("IDN_IDENTITY_USER_DATA",
                       {"TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE"}, key2, 1000, false) +
         "\n";
  out += "-- timestamp plus milliseconds\n" +
         d.timestamp_plus_ms("TIME_CREATED", "VALIDITY_PERIOD") + "\n";
  db::LoadLock lock = d.load_lock({"IDP", "IDN_OAUTH2_ACCESS_TOKEN"});
  for (const auto& [when, sqls] : {std::pair{"before begin", &lock.before_begin},
                                   std::pair{"in transaction", &lock.in_transaction},
                                   std::pair{"after end", &lock.after_end}}) {
    out += fmt::format("-- load lock, {}\n", when);
    for (const std::string& sql : *sqls) {
      out += sql + "\n";
    }
  }
  const schema::Product& is = schema::product("is");
  std::optional<db::TableDef> apps =
      is.table_at("IDN_OAUTH_CONSUMER_APPS", is.version_index("7.0.0"), d.name());
  out += "-- drop table\n";
  for (const std::string& s : d.drop_table(*apps)) {
    out += s + "\n";
  }
  return out;
}

// The tables of the capture scripts: one, three and four key columns, and a hostile name
// (quote, semicolon, dollar quote) with a hostile key column.
const std::vector<capture::CapturedTable> kCaptured = {
    {"IDN_OAUTH2_ACCESS_TOKEN", {"TOKEN_ID"}, {}},
    {"IDN_IDENTITY_USER_DATA", {"TENANT_ID", "USER_NAME", "DATA_KEY"}, {}},
    {"IDN_AUTH_SESSION_STORE", {"SESSION_ID", "SESSION_TYPE", "TIME_CREATED", "OPERATION"}, {}},
    {"we\"ird;name$$", {"k\"1"}, {}},
};

std::string generate(const std::string& dialect, const std::string& file) {
  const db::Dialect& d = db::dialect_by_name(dialect);
  if (file == "snippets.sql") {
    return snippets(d);
  }
  if (file == "capture_install.sql") {
    // A fixed journal id: the printed script's id is random.
    return capture::install_script(dialect, kCaptured, "0123456789abcdef");
  }
  if (file == "capture_remove.sql") {
    return capture::remove_script(dialect, kCaptured);
  }
  if (file == "registry_disable_versioning.sql") {
    return cleanup::disable_versioning_script(d);
  }
  std::string version = file.substr(3, file.size() - 3 - 4);  // is-<V>.sql
  const schema::Product& is = schema::product("is");
  return schema::create_script(is, is.version_index(version), d, schema::DatabaseFilter::all);
}

std::vector<std::string> expected_files() {
  std::vector<std::string> out = {"snippets.sql", "capture_install.sql", "capture_remove.sql",
                                  "registry_disable_versioning.sql"};
  for (const std::string& v : kVersions) {
    out.push_back("is-" + v + ".sql");
  }
  return out;
}

class GoldenFile : public ::testing::Test {
 public:
  GoldenFile(std::string dialect, std::string file)
      : dialect_(std::move(dialect)), file_(std::move(file)) {}

  void TestBody() override {
    fs::path path = fs::path(CUTOVER_GOLDEN_DIR) / dialect_ / file_;
    std::string actual = generate(dialect_, file_);
    const char* update = std::getenv("CUTOVER_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << actual;
      return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path << " is missing; run `ninja golden-update` and review it";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(want.str(), actual) << "generated SQL differs from " << path
                                  << "; if the change is intended run `ninja golden-update`";
  }

 private:
  std::string dialect_;
  std::string file_;
};

// No stray files: a golden file that nothing generates any more is stale.
TEST(Golden, DirectoryHoldsOnlyGeneratedFiles) {
  std::vector<std::string> files = expected_files();
  for (const fs::directory_entry& dir : fs::directory_iterator(CUTOVER_GOLDEN_DIR)) {
    if (!dir.is_directory()) {
      continue;
    }
    for (const fs::directory_entry& f : fs::directory_iterator(dir.path())) {
      EXPECT_NE(std::find(files.begin(), files.end(), f.path().filename().string()), files.end())
          << f.path();
    }
  }
}

}  // namespace
}  // namespace cutover

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (const std::string& dialect : cutover::db::dialect_names()) {
    for (const std::string& file : cutover::expected_files()) {
      std::string name = file.substr(0, file.size() - 4);
      std::replace(name.begin(), name.end(), '.', '_');
      std::replace(name.begin(), name.end(), '-', '_');
      ::testing::RegisterTest(
          ("Golden_" + dialect).c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
          [dialect, file]() -> ::testing::Test* { return new cutover::GoldenFile(dialect, file); });
    }
  }
  return RUN_ALL_TESTS();
}
