#include "plan/home.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <pugixml.hpp>
#include <toml++/toml.h>
#include <zip.h>

#include "core/error.h"
#include "db/table_def.h"

namespace cutover::plan {

namespace fs = std::filesystem;

namespace {

std::string after(const std::string& s, std::string_view prefix) {
  return s.substr(prefix.size());
}

// "host:port/db?params" -> host, port, db (params dropped: JDBC options mean nothing to us).
void split_host_db(std::string rest, std::string& host, std::string& port, std::string& db) {
  if (std::size_t q = rest.find_first_of("?;"); q != std::string::npos) {
    rest = rest.substr(0, q);
  }
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (std::size_t at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);  // user:password@ is never part of the host
  }
  db = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (std::size_t comma = authority.find(','); comma != std::string::npos) {
    authority = authority.substr(0, comma);  // first host of a failover list
  }
  std::size_t colon = authority.rfind(':');
  host = authority.substr(0, colon);
  port = colon == std::string::npos ? "" : authority.substr(colon + 1);
}

std::optional<bool> xml_bool(const pugi::xml_node& parent, const char* name) {
  pugi::xml_node n = parent.child(name);
  if (!n) {
    return std::nullopt;
  }
  std::string v = db::to_lower(n.text().as_string());
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  return v == "true";
}

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

void read_deployment_toml(const fs::path& file, HomeReport& report) {
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
  report.config_source = file.string();
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
    HomeDatabase d = describe_jdbc(id, url);
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
  if (any) {
    report.registry = rv;
  }
}

void read_datasources_xml(const fs::path& file, HomeReport& report) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    throw Error(
        ErrorKind::config,
        fmt::format("cannot parse {}: {} at byte {}", file.string(), ok.description(), ok.offset),
        "fix the XML at that position");
  }
  report.config_source = file.string();
  for (pugi::xpath_node x : doc.select_nodes("//datasource")) {
    pugi::xml_node ds = x.node();
    pugi::xml_node cfg = ds.child("definition").child("configuration");
    HomeDatabase d =
        describe_jdbc(ds.child("name").text().as_string(), cfg.child("url").text().as_string());
    pugi::xml_node pw = cfg.child("password");
    // Secure vault: <password svns:secretAlias="..."/> or an encrypted="true" value.
    bool encrypted = std::string(pw.attribute("encrypted").as_string()) == "true";
    for (pugi::xml_attribute a : pw.attributes()) {
      encrypted = encrypted || std::string(a.name()).find("secretAlias") != std::string::npos;
    }
    set_credentials(d, cfg.child("username").text().as_string(),
                    pw ? std::optional<std::string>(pw.text().as_string()) : std::nullopt,
                    encrypted);
    report.databases.push_back(std::move(d));
  }
}

void read_registry_xml(const fs::path& file, HomeReport& report) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_file(file.c_str());
  if (!ok) {
    report.warnings.push_back(fmt::format("cannot parse {}: {}", file.string(), ok.description()));
    return;
  }
  pugi::xml_node sc = doc.child("wso2registry").child("staticConfiguration");
  if (!sc) {
    return;
  }
  RegistryVersioning rv;
  rv.source = file.string();
  rv.properties = xml_bool(sc, "versioningProperties");
  rv.comments = xml_bool(sc, "versioningComments");
  rv.tags = xml_bool(sc, "versioningTags");
  rv.ratings = xml_bool(sc, "versioningRatings");
  report.registry = rv;
}

}  // namespace

std::string redact_jdbc(const std::string& url) {
  std::string out = url;
  // user:password@host (MySQL, PostgreSQL) and Oracle's thin user/password@host.
  if (std::size_t at = out.find('@'); at != std::string::npos) {
    std::size_t start = out.rfind("//", at);
    start = start == std::string::npos ? out.rfind(':', at) : start + 1;
    std::size_t sep = out.find_first_of(":/", start + 1);
    if (start != std::string::npos && sep != std::string::npos && sep < at) {
      out = out.substr(0, sep + 1) + "***" + out.substr(at);
    }
  }
  // ?password=x&..., ;password=x;... in any letter case, and pwd=.
  std::string lower = db::to_lower(out);
  for (const char* key : {"password=", "pwd="}) {
    std::size_t pos = 0;
    while ((pos = lower.find(key, pos)) != std::string::npos) {
      std::size_t value = pos + std::string(key).size();
      std::size_t end = out.find_first_of("&;", value);
      end = end == std::string::npos ? out.size() : end;
      out = out.substr(0, value) + "***" + out.substr(end);
      lower = db::to_lower(out);
      pos = value + 3;
    }
  }
  return out;
}

HomeDatabase describe_jdbc(std::string id, const std::string& jdbc_url) {
  HomeDatabase d;
  d.id = std::move(id);
  d.jdbc_url = redact_jdbc(jdbc_url);
  std::string host;
  std::string port;
  std::string database;
  const std::string& u = jdbc_url;
  if (u.rfind("jdbc:postgresql://", 0) == 0) {
    d.engine = "postgresql";
    split_host_db(after(u, "jdbc:postgresql://"), host, port, database);
    d.cutover_url =
        fmt::format("postgresql://USER@{}{}/{}", host, port.empty() ? "" : ":" + port, database);
  } else if (u.rfind("jdbc:mysql://", 0) == 0 || u.rfind("jdbc:mariadb://", 0) == 0) {
    d.engine = "mysql";
    split_host_db(u.substr(u.find("//") + 2), host, port, database);
    d.cutover_url =
        fmt::format("mysql://USER@{}{}/{}", host, port.empty() ? "" : ":" + port, database);
  } else if (u.rfind("jdbc:h2:", 0) == 0) {
    d.engine = "h2";
    d.note =
        "H2 is embedded in the Java server and has no ODBC driver: export it, or migrate "
        "after moving it to PostgreSQL or MySQL";
  } else if (u.rfind("jdbc:oracle:", 0) == 0) {
    d.engine = "oracle";
    d.note = "open it through ODBC (odbc:Driver={Oracle ...};DBQ=...), or --print-sql oracle";
  } else if (u.rfind("jdbc:sqlserver://", 0) == 0) {
    d.engine = "mssql";
    d.note =
        "open it through ODBC (odbc:Driver={ODBC Driver 18 for SQL Server};...), or "
        "--print-sql mssql";
  } else if (u.rfind("jdbc:db2://", 0) == 0) {
    d.engine = "db2";
    d.note = "open it through ODBC (odbc:Driver={IBM DB2 ODBC DRIVER};...), or --print-sql db2";
  } else {
    d.engine = "unknown";
    d.note = u.empty() ? "no URL configured" : "not a JDBC URL cutover recognises";
  }
  if (d.cutover_url) {
    d.note = "set the password in CUTOVER_DB_PASSWORD or --password-file";
  }
  return d;
}

void set_credentials(HomeDatabase& d, const std::string& user,
                     const std::optional<std::string>& password, bool encrypted) {
  d.user = user;
  d.password_set = password.has_value();
  // deployment.toml refers to secure-vault secrets as $secret{alias}.
  d.password_protected = encrypted || (password && password->find("$secret{") != std::string::npos);
  if (!d.cutover_url) {
    return;
  }
  db::ConnectionSpec spec = db::parse_url(*d.cutover_url, db::UrlOrigin::config_file);
  spec.user = user;  // set directly: a user name may hold characters a URL would need escaped
  if (password && !d.password_protected) {
    spec.password = Secret(*password);
  }
  d.spec = spec;
}

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
    read_deployment_toml(toml_file, report);
  } else if (fs::exists(ds_xml, ec)) {
    read_datasources_xml(ds_xml, report);
  } else {
    report.warnings.push_back(
        "neither deployment.toml nor datasources/master-datasources.xml "
        "found under repository/conf");
  }

  // Registry versioning: registry.xml is what the running server reads.
  if (fs::path reg = conf / "registry.xml"; fs::exists(reg, ec)) {
    read_registry_xml(reg, report);
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
