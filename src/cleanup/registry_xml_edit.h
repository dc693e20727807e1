// cleanup registry.xml edit: sets the four staticConfiguration versioning flags of a
// registry.xml to false and leaves every other byte of the file as it was (comments, layout,
// encoding declaration), so a reviewer's diff shows exactly four values.
#pragma once

#include <string>

namespace cutover::cleanup {

/// The text of registry.xml `text` with versioningProperties, versioningComments,
/// versioningTags and versioningRatings set to false (flags the file does not have stay
/// absent). Throws a config error naming `file` when the text is not XML or has no
/// wso2registry/staticConfiguration.
std::string with_versioning_off(const std::string& text, const std::string& file);

}  // namespace cutover::cleanup
