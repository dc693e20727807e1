#include "wso2conf/registry_xml.h"

#include <fmt/format.h>
#include <pugixml.hpp>

#include "db/table_def.h"

namespace cutover::wso2conf {

namespace {

std::string trimmed(std::string v) {
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  return v;
}

std::optional<bool> xml_bool(const pugi::xml_node& parent, const char* name) {
  pugi::xml_node n = parent.child(name);
  if (!n) {
    return std::nullopt;
  }
  return db::to_lower(trimmed(n.text().as_string())) == "true";
}

}  // namespace

RegistryXml read_registry_xml(const std::filesystem::path& file) {
  RegistryXml out;
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    out.problem = fmt::format("cannot parse {}: {}", file.string(), ok.description());
    return out;
  }
  pugi::xml_node root = doc.child("wso2registry");
  std::string current = trimmed(root.child("currentDBConfig").text().as_string());
  for (pugi::xml_node c = root.child("dbConfig"); c; c = c.next_sibling("dbConfig")) {
    if (!current.empty() && current == c.attribute("name").as_string()) {
      out.datasource_jndi = trimmed(c.child("dataSource").text().as_string());
    }
  }
  pugi::xml_node sc = root.child("staticConfiguration");
  if (!sc) {
    return out;
  }
  RegistryVersioning rv;
  rv.source = file.string();
  rv.properties = xml_bool(sc, "versioningProperties");
  rv.comments = xml_bool(sc, "versioningComments");
  rv.tags = xml_bool(sc, "versioningTags");
  rv.ratings = xml_bool(sc, "versioningRatings");
  out.versioning = rv;
  return out;
}

}  // namespace cutover::wso2conf
