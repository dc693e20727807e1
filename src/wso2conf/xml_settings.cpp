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

void walk(const pugi::xml_node& n, const std::string& path, int depth,
          std::vector<XmlSetting>& out) {
  if (depth > kMaxDepth) {
    throw Error(ErrorKind::config,
                fmt::format("{} nests deeper than {} elements", echo(path, 200), kMaxDepth));
  }
  for (const pugi::xml_attribute& a : n.attributes()) {
    std::string an = a.name();
    if (an == "xmlns" || an.rfind("xmlns:", 0) == 0) {
      continue;
    }
    out.push_back({fmt::format("{}/@{}", path, local(an)), a.value()});
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
      out.push_back({path, text});
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
  pugi::xml_node root = doc.document_element();
  walk(root, local(root.name()), 0, out);
  return out;
}

}  // namespace cutover::wso2conf
