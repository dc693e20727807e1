// wso2conf xml settings: one of WSO2's old XML configuration files (carbon.xml, identity.xml,
// user-mgt.xml, axis2.xml, catalina-server.xml, registry.xml) flattened to its leaf values,
// each under a stable path, so the configuration converter can map some and report the rest.
// Paths drop namespace prefixes and name repeated elements by their identifying attribute
// (Property[@name='X'], parameter[@name='X'], Connector[@port='9443'], mount[@path='/x']) or
// by position (member[2]). Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cutover::wso2conf {

struct XmlSetting {
  std::string
      path;  ///< e.g. Server/Security/KeyStore/Location, .../Connector[@port='9443']/@proxyPort
  std::string value;  ///< text (trimmed) or attribute value
};

/// Every element text and attribute (xmlns declarations excepted), in document order.
/// Throws a config error naming the byte offset when the XML does not parse.
std::vector<XmlSetting> read_xml_settings(const std::filesystem::path& file);

}  // namespace cutover::wso2conf
