#include "wso2conf/carbon_xml.h"

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/echo.h"
#include "core/error.h"

namespace cutover::wso2conf {

namespace {

std::string trimmed(const pugi::xml_node& n) {
  std::string v = n.text().as_string();
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  return v;
}

// A secure-vault protected element carries svns:secretAlias (any prefix) or holds "password"
// as a placeholder the vault fills in.
bool vault_protected(const pugi::xml_node& n) {
  for (const pugi::xml_attribute& a : n.attributes()) {
    std::string_view name = a.name();
    if (name.size() >= 11 && name.substr(name.size() - 11) == "secretAlias") {
      return true;
    }
  }
  return false;
}

std::filesystem::path resolve(std::string location, const std::filesystem::path& home) {
  const std::string marker = "${carbon.home}";
  if (std::size_t pos = location.find(marker); pos != std::string::npos) {
    location.replace(pos, marker.size(), home.string());
  }
  std::filesystem::path p(location);
  return p.is_relative() && !home.empty() ? home / p : p;
}

std::optional<KeystoreConfig> keystore(const pugi::xml_node& n, const std::string& source,
                                       const std::filesystem::path& home) {
  if (!n) {
    return std::nullopt;
  }
  KeystoreConfig k;
  k.source = source;
  k.file = resolve(trimmed(n.child("Location")), home);
  k.type = trimmed(n.child("Type"));
  k.alias = trimmed(n.child("KeyAlias"));
  pugi::xml_node pw = n.child("Password");
  pugi::xml_node kpw = n.child("KeyPassword");
  if (vault_protected(pw) || vault_protected(kpw)) {
    k.password_protected = true;
  } else {
    if (pw) {
      k.password = Secret(trimmed(pw));
    }
    if (kpw) {
      k.key_password = Secret(trimmed(kpw));
    }
  }
  return k;
}

}  // namespace

CarbonXml read_carbon_xml(const std::filesystem::path& file, const std::filesystem::path& home) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    throw Error(ErrorKind::config,
                fmt::format("cannot parse {}: {} (byte {})", echo(file.string()), ok.description(),
                            ok.offset),
                "fix the XML at that offset");
  }
  pugi::xml_node security = doc.child("Server").child("Security");
  CarbonXml out;
  out.primary = keystore(security.child("KeyStore"), file.string() + " Security/KeyStore", home);
  out.internal = keystore(security.child("InternalKeyStore"),
                          file.string() + " Security/InternalKeyStore", home);
  if (pugi::xml_node e = security.child("UserStorePasswordEncryption")) {
    out.userstore_password_encryption = trimmed(e);
  }
  return out;
}

}  // namespace cutover::wso2conf
