#include "plan/home.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <zip.h>

#include "core/error.h"
#include "wso2conf/datasources_xml.h"
#include "wso2conf/deployment_toml.h"
#include "wso2conf/registry_xml.h"

namespace cutover::plan {

namespace fs = std::filesystem;

namespace {

std::string read_zip_entry(const std::string& path, const char* entry, std::string& problem) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (z == nullptr) {
    problem = "not a readable jar";
    return {};
  }
  std::string out;
  zip_file_t* f = zip_fopen(z, entry, ZIP_FL_NOCASE);
  if (f == nullptr) {
    problem = "no META-INF/MANIFEST.MF";
  } else {
    char buf[8192];
    zip_int64_t n = 0;
    while ((n = zip_fread(f, buf, sizeof buf)) > 0 && out.size() < (1U << 20)) {
      out.append(buf, static_cast<std::size_t>(n));
    }
    zip_fclose(f);
  }
  zip_close(z);
  return out;
}

}  // namespace

Component parse_manifest(const std::string& text) {
  // Join continuation lines (a line starting with one space continues the previous one).
  std::map<std::string, std::string> attrs;
  std::string key;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (!line.empty() && line[0] == ' ' && !key.empty()) {
      attrs[key] += line.substr(1);
      continue;
    }
    std::size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      key.clear();
      continue;
    }
    key = line.substr(0, colon);
    attrs[key] = line.substr(colon + 2);
  }
  Component c;
  std::string sym = attrs["Bundle-SymbolicName"];
  c.symbolic_name = sym.substr(0, sym.find(';'));
  c.version =
      !attrs["Bundle-Version"].empty() ? attrs["Bundle-Version"] : attrs["Implementation-Version"];
  // Import-Package: a,b;version="[1.0,2)",c -- commas inside quotes are not separators.
  std::string imports = attrs["Import-Package"];
  std::string item;
  bool quoted = false;
  auto push = [&]() {
    std::string name = item.substr(0, item.find(';'));
    name.erase(0, name.find_first_not_of(' '));
    if (!name.empty()) {
      c.imports.push_back(name);
    }
    item.clear();
  };
  for (char ch : imports) {
    if (ch == '"') {
      quoted = !quoted;
    }
    if (ch == ',' && !quoted) {
      push();
    } else {
      item += ch;
    }
  }
  push();
  return c;
}

HomeReport read_home(const std::string& home) {
  fs::path root(home);
  fs::path conf = root / "repository" / "conf";
  std::error_code ec;
  if (!fs::is_directory(conf, ec)) {
    throw Error(ErrorKind::config,
                fmt::format("{} is not a WSO2 product home (no repository/conf)", home),
                "pass the directory that contains bin/ and repository/ (IS_HOME)");
  }
  HomeReport report;
  report.home = home;

  // Databases: deployment.toml (IS 5.9+), else the XML datasources (IS 5.8 and older).
  fs::path toml_file = conf / "deployment.toml";
  fs::path ds_xml = conf / "datasources" / "master-datasources.xml";
  if (fs::exists(toml_file, ec)) {
    wso2conf::DeploymentToml conf_toml = wso2conf::read_deployment_toml(toml_file);
    report.config_source = toml_file.string();
    report.databases = std::move(conf_toml.databases);
    report.registry = conf_toml.registry;
    report.registry_toml = std::move(conf_toml.registry);
  } else if (fs::exists(ds_xml, ec)) {
    report.databases = wso2conf::read_datasources_xml(ds_xml);
    report.config_source = ds_xml.string();
  } else {
    report.warnings.push_back(
        "neither deployment.toml nor datasources/master-datasources.xml "
        "found under repository/conf");
  }

  // Registry versioning: registry.xml is what the running server reads.
  std::string registry_jndi;
  if (fs::path reg = conf / "registry.xml"; fs::exists(reg, ec)) {
    wso2conf::RegistryXml xml = wso2conf::read_registry_xml(reg);
    if (!xml.problem.empty()) {
      report.warnings.push_back(xml.problem);
    } else if (xml.versioning) {
      report.registry = xml.versioning;
      report.registry_xml = xml.versioning;
    }
    registry_jndi = xml.datasource_jndi;
  }
  // The registry's database: by the JNDI name registry.xml gives, else WSO2's default one.
  bool toml = report.config_source == toml_file.string();
  for (const char* id : {"", toml ? "shared_db" : "WSO2_CARBON_DB"}) {
    for (const wso2conf::Datasource& d : report.databases) {
      bool match = *id == '\0' ? !registry_jndi.empty() && d.jndi == registry_jndi : d.id == id;
      if (match && report.registry_database.empty()) {
        report.registry_database = d.id;
      }
    }
  }

  // Custom components: every jar in dropins and lib, with its manifest.
  for (const char* where : {"dropins", "lib"}) {
    fs::path dir = root / "repository" / "components" / where;
    if (!fs::is_directory(dir, ec)) {
      continue;
    }
    std::vector<fs::path> jars;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".jar") {
        jars.push_back(e.path());
      }
    }
    std::sort(jars.begin(), jars.end());
    for (const fs::path& jar : jars) {
      std::string problem;
      std::string manifest = read_zip_entry(jar.string(), "META-INF/MANIFEST.MF", problem);
      Component c = problem.empty() ? parse_manifest(manifest) : Component{};
      c.problem = problem;
      c.file = fs::relative(jar, root, ec).string();
      c.location = where;
      report.components.push_back(std::move(c));
    }
  }
  return report;
}

}  // namespace cutover::plan
