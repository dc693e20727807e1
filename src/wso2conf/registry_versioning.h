// wso2conf registry versioning: the registry's static configuration flags, as registry.xml
// (staticConfiguration) or deployment.toml ([static_configuration]) set them. Plain data.
#pragma once

#include <optional>
#include <string>

namespace cutover::wso2conf {

/// Each flag is nullopt when the file does not set it.
struct RegistryVersioning {
  std::string source;  ///< the file the flags came from
  std::optional<bool> properties;
  std::optional<bool> comments;
  std::optional<bool> tags;
  std::optional<bool> ratings;

  bool any_on() const {
    return properties.value_or(false) || comments.value_or(false) || tags.value_or(false) ||
           ratings.value_or(false);
  }
};

}  // namespace cutover::wso2conf
