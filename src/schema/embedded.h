// The catalogue data files compiled into the binary (see cmake/embed_catalogue.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace cutover::schema {

struct EmbeddedFile {
  std::string_view path;  ///< relative to catalogue/, e.g. "is/IDP.toml"
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace cutover::schema
