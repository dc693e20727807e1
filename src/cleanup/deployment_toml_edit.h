// cleanup deployment.toml edit: sets the registry versioning keys of an IS 5.9+
// deployment.toml to false ([static_configuration] versioning_*.enable and WSO2's misspelt
// [registory.static_configuration] enable) and leaves every other byte as it was, so a
// reviewer's diff shows only those values. Pure function; thread-safe.
#pragma once

#include <string>

namespace cutover::cleanup {

/// The text of deployment.toml `text` with each of those keys that is true set to false (keys
/// the file does not have stay absent). Throws a config error naming `file` and the line when
/// the text is not TOML.
std::string toml_with_versioning_off(const std::string& text, const std::string& file);

}  // namespace cutover::cleanup
