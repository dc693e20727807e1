// with_versioning_off: exactly the four flag values change, whatever their spelling, and every
// other byte (comments quoting the flags, CRLF, declarations, other elements) stays.
#include "cleanup/registry_xml_edit.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::cleanup {
namespace {

TEST(RegistryXmlEdit, ChangesOnlyTheFourValues) {
  std::string in =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\r\n"
      "<!-- <versioningProperties>true</versioningProperties> -->\r\n"
      "<wso2registry>\r\n  <readOnly>true</readOnly>\r\n  <staticConfiguration>\r\n"
      "    <versioningProperties>true</versioningProperties>\r\n"
      "    <versioningComments>\r\n      TRUE\r\n    </versioningComments>\r\n"
      "    <!-- <versioningTags>true</versioningTags> -->\r\n"
      "    <versioningTags><![CDATA[true]]></versioningTags>\r\n"
      "    <versioningRatings/>\r\n  </staticConfiguration>\r\n</wso2registry>\r\n";
  std::string want =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\r\n"
      "<!-- <versioningProperties>true</versioningProperties> -->\r\n"
      "<wso2registry>\r\n  <readOnly>true</readOnly>\r\n  <staticConfiguration>\r\n"
      "    <versioningProperties>false</versioningProperties>\r\n"
      "    <versioningComments>false</versioningComments>\r\n"
      "    <!-- <versioningTags>true</versioningTags> -->\r\n"
      "    <versioningTags><![CDATA[false]]></versioningTags>\r\n"
      "    <versioningRatings>false</versioningRatings>\r\n  </staticConfiguration>\r\n"
      "</wso2registry>\r\n";
  EXPECT_EQ(with_versioning_off(in, "registry.xml"), want);
}

TEST(RegistryXmlEdit, AbsentFlagsStayAbsentAndFalseStaysByteForByte) {
  std::string in =
      "<wso2registry><staticConfiguration><versioningTags>false</versioningTags>"
      "</staticConfiguration></wso2registry>";
  EXPECT_EQ(with_versioning_off(in, "registry.xml"), in);
}

TEST(RegistryXmlEdit, RefusesFilesWithoutStaticConfiguration) {
  EXPECT_THROW(with_versioning_off("<wso2registry/>", "r.xml"), Error);
  EXPECT_THROW(with_versioning_off("<wso2registry><staticConfiguration>", "r.xml"), Error);
}

}  // namespace
}  // namespace cutover::cleanup
