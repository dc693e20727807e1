#include "wso2conf/xml_settings.h"

#include <map>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/echo.h"
#include "core/error.h"

namespace cutover::wso2conf {

namespace {

// Deep nesting is not configuration; a hostile file must not exhaust the stack.
constexpr int kMaxDepth = 64;
// Every setting repeats its ancestors' identifying attributes in its path, so the flattened
// size grows with depth times siblings: a 200 KB file with one long name="..." over many
// children flattened to over 1 GB (found with the bench/fuzz.sh harness). WSO2's largest
// file, axis2.xml, flattens to well under 1 MiB.
constexpr std::size_t kMaxFlattenedBytes = std::size_t{32} * 1024 * 1024;

struct Walk {
  const std::filesystem::path& file;
  std::vector<XmlSetting>& out;
  std::size_t bytes = 0;

  void add(std::string path, std::string value) {
    bytes += path.size() + value.size();
    if (bytes > kMaxFlattenedBytes) {
      throw Error(ErrorKind::config,
                  fmt::format("{} flattens to more than {} MiB of settings: not a configuration "
                              "file WSO2 writes",
                              echo(file.string()), kMaxFlattenedBytes / (std::size_t{1024} * 1024)),
                  "check the file (very long attribute values repeated in many elements)");
    }
    out.push_back({std::move(path), std::move(value)});
  }
};

std::string local(std::string_view name) {
  std::size_t colon = name.find(':');
  return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

std::string trimmed(std::string v) {
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  return v;
}

// The attribute that tells siblings of this element apart, when it has one.
std::string identity_of(const pugi::xml_node& n, const std::string& name) {
  for (const char* attr : {"name", "port", "path", "id"}) {
    if (pugi::xml_attribute a = n.attribute(attr)) {
      if (name == "Connector" || std::string_view(attr) == "name" ||
          std::string_view(attr) == "path" || std::string_view(attr) == "id") {
        return fmt::format("{}[@{}='{}']", name, attr, a.value());
      }
    }
  }
  return {};
}

void walk(const pugi::xml_node& n, const std::string& path, int depth, Walk& out) {
  if (depth > kMaxDepth) {
    throw Error(ErrorKind::config,
                fmt::format("{} nests deeper than {} elements", echo(path, 200), kMaxDepth));
  }
  for (const pugi::xml_attribute& a : n.attributes()) {
    std::string an = a.name();
    if (an == "xmlns" || an.rfind("xmlns:", 0) == 0) {
      continue;
    }
    out.add(fmt::format("{}/@{}", path, local(an)), a.value());
  }
  std::map<std::string, int> count;
  for (const pugi::xml_node& c : n.children()) {
    if (c.type() == pugi::node_element) {
      ++count[local(c.name())];
    }
  }
  std::map<std::string, int> seen;
  bool has_element = false;
  for (const pugi::xml_node& c : n.children()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    has_element = true;
    std::string name = local(c.name());
    std::string step = identity_of(c, name);
    if (step.empty()) {
      step = count[name] > 1 ? fmt::format("{}[{}]", name, ++seen[name]) : name;
    }
    walk(c, fmt::format("{}/{}", path, step), depth + 1, out);
  }
  if (!has_element) {
    std::string text = trimmed(n.text().as_string());
    if (!text.empty()) {
      out.add(path, std::move(text));
    }
  }
}

}  // namespace

std::vector<XmlSetting> read_xml_settings(const std::filesystem::path& file) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    throw Error(ErrorKind::config,
                fmt::format("cannot parse {}: {} (byte {})", echo(file.string()), ok.description(),
                            ok.offset),
                "fix the XML at that offset");
  }
  std::vector<XmlSetting> out;
  Walk w{file, out};
  pugi::xml_node root = doc.document_element();
  walk(root, local(root.name()), 0, w);
  return out;
}

}  // namespace cutover::wso2conf
