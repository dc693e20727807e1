#include "cleanup/deployment_toml_edit.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace cutover::cleanup {

namespace {

// The keys a server reads for the four flags (wso2conf/deployment_toml.cpp reads the same).
constexpr const char* kKeys[] = {
    "static_configuration.versioning_properties.enable",
    "static_configuration.versioning_comments.enable",
    "static_configuration.versioning_tags.enable",
    "static_configuration.versioning_ratings.enable",
    "registory.static_configuration.enable",
};

toml::table parse(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw Error(
        ErrorKind::config,
        fmt::format("cannot parse {}: {} (line {})", file, e.description(), e.source().begin.line),
        "fix the TOML syntax at that line");
  }
}

// Byte offset of a toml++ position: lines from 1, columns from 1 in code points.
std::size_t offset_of(const std::string& text, const toml::source_position& at) {
  std::size_t pos = 0;
  for (toml::source_index line = 1; line < at.line && pos != std::string::npos; ++line) {
    pos = text.find('\n', pos);
    pos = pos == std::string::npos ? pos : pos + 1;
  }
  for (toml::source_index col = 1; col < at.column && pos < text.size(); ++col) {
    // Skip one UTF-8 sequence: a lead byte, then its continuation bytes.
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0U) == 0x80U) {
      ++pos;
    }
  }
  return pos;
}

}  // namespace

std::string toml_with_versioning_off(const std::string& text, const std::string& file) {
  // toml++ tells where each value starts in the text it parsed; the edit replaces the "true"
  // found there, never re-serialises the document (which would drop comments and layout).
  toml::table root = parse(text, file);
  std::vector<std::size_t> at;
  for (const char* key : kKeys) {
    const toml::node* n = root.at_path(key).node();
    if (n == nullptr || !n->is_boolean() || !n->as_boolean()->get()) {
      continue;
    }
    std::size_t pos = offset_of(text, n->source().begin);
    if (pos == std::string::npos || text.compare(pos, 4, "true") != 0) {
      throw Error(ErrorKind::internal,
                  fmt::format("could not find the value of {} in {}", key, file),
                  "set it to false by hand");
    }
    at.push_back(pos);
  }
  std::sort(at.begin(), at.end(), std::greater<>());
  std::string out = text;
  for (std::size_t pos : at) {
    out.replace(pos, 4, "false");
  }
  // The result must read back with every one of the keys false, or the positions were wrong.
  toml::table check = parse(out, file);
  for (const char* key : kKeys) {
    if (check.at_path(key).value_or(false)) {
      throw Error(ErrorKind::internal, fmt::format("could not set {} in {} to false", key, file),
                  "set it to false by hand");
    }
  }
  return out;
}

}  // namespace cutover::cleanup
