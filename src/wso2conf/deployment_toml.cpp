#include "wso2conf/deployment_toml.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace cutover::wso2conf {

namespace {

// $secret{alias} is a secure-vault reference: the value is not in this file.
bool is_vault_ref(const std::string& v) {
  return v.rfind("$secret{", 0) == 0;
}

std::optional<KeystoreConfig> keystore_from(const toml::table& root, const std::string& role,
                                            const std::filesystem::path& file,
                                            const std::optional<KeystoreConfig>& fallback) {
  const toml::table* t = root["keystore"][role].as_table();
  if (t == nullptr) {
    return fallback;
  }
  KeystoreConfig k = fallback.value_or(KeystoreConfig{});
  k.source = fmt::format("{} [keystore.{}]", file.string(), role);
  // 5.9.0 shipped `name`, which its template never read; both are taken here.
  std::optional<std::string> name = (*t)["file_name"].value<std::string>();
  if (!name) {
    name = (*t)["name"].value<std::string>();
  }
  if (name) {
    k.file = std::filesystem::path("repository/resources/security") / *name;
  }
  if (std::optional<std::string> v = (*t)["type"].value<std::string>()) {
    k.type = *v;
  }
  if (std::optional<std::string> v = (*t)["alias"].value<std::string>()) {
    k.alias = *v;
  }
  auto secret = [&k](std::optional<std::string> v, std::optional<Secret>& out) {
    if (!v || v->rfind("$ref{", 0) == 0) {
      return;
    }
    if (is_vault_ref(*v)) {
      k.password_protected = true;
      out.reset();
      return;
    }
    out = Secret(*v);
  };
  secret((*t)["password"].value<std::string>(), k.password);
  secret((*t)["key_password"].value<std::string>(), k.key_password);
  return k;
}

void read_keystores(const toml::table& root, const std::filesystem::path& file,
                    DeploymentToml& report) {
  if (root["keystore"]["primary"].as_table() != nullptr) {
    // WSO2's defaults fill what the table leaves out.
    KeystoreConfig d;
    d.file = "repository/resources/security/wso2carbon.jks";
    d.type = "JKS";
    d.alias = "wso2carbon";
    report.primary_keystore = keystore_from(root, "primary", file, d);
  }
  report.internal_keystore = keystore_from(root, "internal", file, report.primary_keystore);
  if (report.internal_keystore && !root["keystore"]["internal"].as_table()) {
    report.internal_keystore->source =
        fmt::format("{} [keystore.primary] (internal defaults to it)", file.string());
  }
  report.userstore_password_encryption =
      root["keystore"]["userstore_password_encryption"].value<std::string>();
}

}  // namespace

DeploymentToml read_deployment_toml(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw Error(ErrorKind::config, fmt::format("{} is not a regular file", file.string()),
                "repository/conf/deployment.toml must be the product's configuration file");
  }
  if (FILE* f = std::fopen(file.c_str(), "rb"); f != nullptr) {
    std::fclose(f);
  } else {
    throw Error(ErrorKind::io,
                fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)),
                "check that the file is readable by this user");
  }
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::config,
                fmt::format("cannot parse {}: {} (line {})", file.string(), e.description(),
                            e.source().begin.line),
                "fix the TOML syntax at that line");
  }
  DeploymentToml report;
  auto add = [&](const std::string& id, const toml::table& t) {
    std::string url = t["url"].value_or(std::string());
    if (url.empty()) {
      // [database.x] type/hostname/port/name: WSO2 infers the URL from these.
      std::string type = t["type"].value_or(std::string());
      std::string host = t["hostname"].value_or(std::string("localhost"));
      std::string name = t["name"].value_or(std::string());
      std::int64_t port = t["port"].value_or(std::int64_t{0});
      if (type == "postgre" || type == "postgresql") {
        url = fmt::format("jdbc:postgresql://{}:{}/{}", host, port ? port : 5432, name);
      } else if (type == "mysql" || type == "mariadb") {
        url = fmt::format("jdbc:mysql://{}:{}/{}", host, port ? port : 3306, name);
      } else if (type == "h2") {
        url = "jdbc:h2:(embedded)";
      } else if (!type.empty()) {
        url = fmt::format("jdbc:{}:(inferred)", type);
      }
    }
    Datasource d = describe_jdbc(id, url);
    set_credentials(d, t["username"].value_or(std::string()), t["password"].value<std::string>(),
                    false);
    report.databases.push_back(std::move(d));
  };
  if (const toml::table* dbs = root["database"].as_table()) {
    for (const auto& [key, node] : *dbs) {
      if (const toml::table* t = node.as_table()) {
        add(std::string(key.str()), *t);
      }
    }
  }
  if (const toml::array* ds = root["datasource"].as_array()) {
    for (const toml::node& n : *ds) {
      if (const toml::table* t = n.as_table()) {
        add((*t)["id"].value_or(std::string("datasource")), *t);
      }
    }
  }
  // Versioning flags, when the TOML sets them (the template's default is off from IS 5.9).
  RegistryVersioning rv;
  rv.source = file.string() + " [static_configuration]";
  bool any = false;
  auto flag = [&](const char* key, std::optional<bool>& out) {
    if (std::optional<bool> v = root["static_configuration"][key]["enable"].value<bool>()) {
      out = v;
      any = true;
    }
  };
  flag("versioning_properties", rv.properties);
  flag("versioning_comments", rv.comments);
  flag("versioning_tags", rv.tags);
  flag("versioning_ratings", rv.ratings);
  // The one switch WSO2's infer.json reads for all four (misspelt "registory" there, so that
  // is the key a server honours); a flag set on its own above wins over it.
  if (std::optional<bool> all = root["registory"]["static_configuration"]["enable"].value<bool>()) {
    for (std::optional<bool>* f : {&rv.properties, &rv.comments, &rv.tags, &rv.ratings}) {
      if (!*f) {
        *f = all;
      }
    }
    rv.source = file.string() + (any ? " [static_configuration], [registory.static_configuration]"
                                     : " [registory.static_configuration]");
    any = true;
  }
  if (any) {
    report.registry = rv;
  }
  read_keystores(root, file, report);
  return report;
}

}  // namespace cutover::wso2conf
