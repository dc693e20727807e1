// Capture dialects: our object names fit Oracle's 30 characters and never collide, every
// printed script removes what it installs, and tables the journal cannot hold are refused.
#include "capture/capture_dialect.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::capture {
namespace {

// object_name is protected: the dialects are its only callers.
class Names : public CaptureDialect {
 public:
  using CaptureDialect::object_name;
};

const std::vector<std::string> kSuffixes = {"AI", "AU", "AD", "TRG", "FN"};

// Every name in the set gets distinct object names of at most 30 characters for every suffix.
void expect_short_and_distinct(const std::vector<std::string>& tables) {
  std::set<std::string> seen;
  for (const std::string& t : tables) {
    for (const std::string& s : kSuffixes) {
      std::string name = Names::object_name(t, s);
      EXPECT_LE(name.size(), 30u) << name << " for " << t;
      EXPECT_TRUE(seen.insert(name).second) << name << " twice, again for " << t;
    }
  }
}

TEST(CaptureObjectName, ShortNamesStayReadable) {
  EXPECT_EQ(Names::object_name("IDP", "AI"), "CO_IDP_AI");
  EXPECT_EQ(Names::object_name("IDN_OAUTH2_ACCESS_TOKEN", "AU"), "CO_IDN_OAUTH2_ACCESS_TOKEN_AU");
}

TEST(CaptureObjectName, LongCatalogueNamesFitAndDiffer) {
  expect_short_and_distinct({
      "IDN_OAUTH2_ACCESS_TOKEN",
      "IDN_OAUTH2_ACCESS_TOKEN_SCOPE",
      "IDN_OAUTH2_ACCESS_TOKEN_AUDIT",
      "IDN_OAUTH2_AUTHORIZATION_CODE",
      "IDN_OAUTH2_AUTHZ_CODE_SCOPE",
      "IDN_OAUTH2_TOKEN_BINDING",
      "IDN_OIDC_REQ_OBJECT_REFERENCE",
      "IDN_OIDC_REQ_OBJECT_CLAIMS",
      "IDN_OIDC_REQ_OBJ_CLAIM_VALUES",
      "IDN_OAUTH2_SCOPE_VALIDATORS",
      "IDN_OAUTH2_USER_CONSENTED_SCOPES",
      "IDN_AUTH_SESSION_STORE",
      "IDN_AUTH_TEMP_SESSION_STORE",
      "IDN_IDENTITY_USER_DATA",
      "IDN_OAUTH_CONSUMER_APPS",
  });
  // Cut to the same prefix, told apart by the hash.
  EXPECT_NE(Names::object_name("IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "TRG"),
            Names::object_name("IDN_OAUTH2_ACCESS_TOKEN_AUDIT", "TRG"));
}

TEST(CaptureObjectName, SharedPrefixDoesNotCollide) {
  std::string prefix = "ABCDEFGHIJKLMNOPQRSTUVWXY";  // 25 characters
  ASSERT_EQ(prefix.size(), 25u);
  expect_short_and_distinct({prefix, prefix + "Z", prefix + "ZZ", prefix + "_1", prefix + "_2",
                             prefix + "0123456789", prefix + "0123456788"});
}

TEST(CaptureObjectName, CaseAndReplacedCharactersDoNotCollide) {
  // Each group would clean to the same characters; PostgreSQL holds all of them at once.
  expect_short_and_distinct(
      {"IDN_X", "idn_x", "Idn_X", "IDN-X", "IDN X", "IDN$X", "IDN\"X", "IDN;X", "idn-x", "IDN__X"});
  // Hashed names are still plain words, never quoted.
  for (std::string_view t : {"we\"ird;name$$", "idn_x", "a b"}) {
    std::string name = Names::object_name(t, "TRG");
    EXPECT_TRUE(std::regex_match(name, std::regex("CO_[A-Z0-9_]+_TRG"))) << name;
  }
}

const std::vector<CapturedTable> kTables = {
    {"IDN_OAUTH2_ACCESS_TOKEN", {"TOKEN_ID"}, {}},
    {"IDN_AUTH_SESSION_STORE", {"SESSION_ID", "SESSION_TYPE", "TIME_CREATED", "OPERATION"}, {}},
    {"we\"ird;name$$", {"k\"1"}, {}},
};

// Every trigger, function, sequence, variable and table the install script creates is named
// by the remove script (PostgreSQL's triggers go with their functions: DROP ... CASCADE).
TEST(CaptureScript, RemoveNamesEverythingInstallCreates) {
  std::regex created(R"(CREATE (?:OR REPLACE )?(TRIGGER|FUNCTION|SEQUENCE|VARIABLE|TABLE) )"
                     R"(([A-Za-z0-9_]+))");
  for (const std::string& dialect : db::dialect_names()) {
    std::string install = install_script(dialect, kTables, "00112233445566ff");
    std::string remove = remove_script(dialect, kTables);
    int objects = 0;
    for (std::sregex_iterator it(install.begin(), install.end(), created), end; it != end; ++it) {
      std::string kind = (*it)[1];
      std::string name = (*it)[2];
      ++objects;
      if (kind == "TRIGGER" && dialect == "postgresql") {
        continue;
      }
      EXPECT_NE(remove.find(name), std::string::npos) << dialect << ": " << kind << " " << name;
    }
    // Journal and metadata plus at least one trigger per table.
    EXPECT_GE(objects, 2 + static_cast<int>(kTables.size())) << dialect;
  }
}

TEST(CaptureScript, H2TriggerSourceHoldsNoDollarQuote) {
  std::string install = install_script("h2", kTables, "00112233445566ff");
  std::size_t start = install.find("AS $$\n", install.find("we\"\"ird;name$$"));
  ASSERT_NE(start, std::string::npos);
  std::size_t end = install.find("$$", start + 5);
  ASSERT_NE(end, std::string::npos);
  // The source ends at the first "$$" after the opening one, right before the terminator.
  EXPECT_EQ(install.substr(end, 4), "$$;\n");
  EXPECT_NE(install.find("\"k\\\"1\""), std::string::npos) << "key column as a Java literal";
}

TEST(CaptureScript, RefusesTablesTheJournalCannotHold) {
  for (const std::vector<std::string>& key :
       {std::vector<std::string>{}, std::vector<std::string>{"A", "B", "C", "D", "E"}}) {
    try {
      install_script("postgresql", {{"T", key, {}}}, "00112233445566ff");
      ADD_FAILURE() << key.size() << " key columns accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config);
      EXPECT_NE(std::string(e.what()).find("T has"), std::string::npos) << e.what();
    }
  }
}

TEST(CaptureScript, UnknownDialectIsAUsageError) {
  try {
    install_script("sybase", kTables, "00112233445566ff");
    ADD_FAILURE() << "sybase accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("sybase"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cutover::capture
