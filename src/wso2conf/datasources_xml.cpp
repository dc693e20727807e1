#include "wso2conf/datasources_xml.h"

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/error.h"

namespace cutover::wso2conf {

std::vector<Datasource> read_datasources_xml(const std::filesystem::path& file) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    throw Error(
        ErrorKind::config,
        fmt::format("cannot parse {}: {} at byte {}", file.string(), ok.description(), ok.offset),
        "fix the XML at that position");
  }
  std::vector<Datasource> out;
  for (pugi::xpath_node x : doc.select_nodes("//datasource")) {
    pugi::xml_node ds = x.node();
    pugi::xml_node cfg = ds.child("definition").child("configuration");
    Datasource d =
        describe_jdbc(ds.child("name").text().as_string(), cfg.child("url").text().as_string());
    d.jndi = ds.child("jndiConfig").child("name").text().as_string();
    d.jndi.erase(0, d.jndi.find_first_not_of(" \t\r\n"));
    d.jndi.erase(d.jndi.find_last_not_of(" \t\r\n") + 1);
    pugi::xml_node pw = cfg.child("password");
    // Secure vault: <password svns:secretAlias="..."/> or an encrypted="true" value.
    bool encrypted = std::string(pw.attribute("encrypted").as_string()) == "true";
    for (pugi::xml_attribute a : pw.attributes()) {
      encrypted = encrypted || std::string(a.name()).find("secretAlias") != std::string::npos;
    }
    set_credentials(d, cfg.child("username").text().as_string(),
                    pw ? std::optional<std::string>(pw.text().as_string()) : std::nullopt,
                    encrypted);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DatasourceDefinition> read_datasource_definitions(const std::filesystem::path& file) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    throw Error(
        ErrorKind::config,
        fmt::format("cannot parse {}: {} at byte {}", file.string(), ok.description(), ok.offset),
        "fix the XML at that position");
  }
  auto text = [](const pugi::xml_node& n) {
    std::string v = n.text().as_string();
    v.erase(0, v.find_first_not_of(" \t\r\n"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    return v;
  };
  std::vector<DatasourceDefinition> out;
  for (pugi::xpath_node x : doc.select_nodes("//datasource")) {
    pugi::xml_node ds = x.node();
    pugi::xml_node cfg = ds.child("definition").child("configuration");
    DatasourceDefinition d;
    d.name = text(ds.child("name"));
    d.jndi = text(ds.child("jndiConfig").child("name"));
    for (pugi::xml_node c : cfg.children()) {
      if (c.type() != pugi::node_element) {
        continue;
      }
      std::string n = c.name();
      if (n == "url") {
        d.url = text(c);
      } else if (n == "username") {
        d.username = text(c);
      } else if (n == "driverClassName") {
        d.driver = text(c);
      } else if (n == "password") {
        d.password = Secret(text(c));
        for (pugi::xml_attribute a : c.attributes()) {
          if (std::string(a.name()).find("secretAlias") != std::string::npos) {
            d.vault_alias = a.value();
          }
        }
      } else {
        d.options.emplace_back(n, text(c));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace cutover::wso2conf
