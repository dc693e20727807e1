// toml_with_versioning_off: exactly the "true" values of the versioning keys change, in every
// spelling TOML allows for them, and every other byte (comments, CRLF, other tables, a "true"
// elsewhere, non-ASCII text before the value) stays.
#include "cleanup/deployment_toml_edit.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::cleanup {
namespace {

TEST(DeploymentTomlEdit, ChangesOnlyTheVersioningValues) {
  std::string in =
      "# versioning_properties.enable = true (a comment stays)\r\n"
      "[server]\r\nhostname = \"h\u00e9te\" # true\r\noffset = 0\r\n"
      "[static_configuration]\r\n"
      "versioning_properties.enable = true # keep this comment\r\n"
      "versioning_comments.enable=true\r\n"
      "versioning_tags.enable = false\r\n"
      "\r\n[static_configuration.versioning_ratings]\r\n  \"enable\"  =   true\r\n"
      "[registory.static_configuration]\r\nenable = true\r\n"
      "[other]\r\nenable = true\r\n";
  std::string want =
      "# versioning_properties.enable = true (a comment stays)\r\n"
      "[server]\r\nhostname = \"h\u00e9te\" # true\r\noffset = 0\r\n"
      "[static_configuration]\r\n"
      "versioning_properties.enable = false # keep this comment\r\n"
      "versioning_comments.enable=false\r\n"
      "versioning_tags.enable = false\r\n"
      "\r\n[static_configuration.versioning_ratings]\r\n  \"enable\"  =   false\r\n"
      "[registory.static_configuration]\r\nenable = false\r\n"
      "[other]\r\nenable = true\r\n";
  EXPECT_EQ(toml_with_versioning_off(in, "deployment.toml"), want);
}

TEST(DeploymentTomlEdit, AValueAfterNonAsciiTextOnItsLine) {
  std::string in = "registory.static_configuration = { \"\u00e9\" = 1, enable = true }\n";
  EXPECT_EQ(toml_with_versioning_off(in, "d.toml"),
            "registory.static_configuration = { \"\u00e9\" = 1, enable = false }\n");
}

TEST(DeploymentTomlEdit, NoFlagsChangesNothingAndBadTomlNamesTheLine) {
  std::string in = "[server]\nhostname = \"localhost\"\n";
  EXPECT_EQ(toml_with_versioning_off(in, "d.toml"), in);
  try {
    toml_with_versioning_off("[server]\nhostname = \n", "d.toml");
    ADD_FAILURE() << "bad TOML was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cutover::cleanup
