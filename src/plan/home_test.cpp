#include "plan/home.h"

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

}  // namespace
}  // namespace cutover::plan
