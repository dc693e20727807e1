#include "confconv/convert.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/echo.h"
#include "core/error.h"
#include "wso2conf/datasources_xml.h"
#include "wso2conf/xml_settings.h"

namespace cutover::confconv {

namespace fs = std::filesystem;

namespace {

enum class Kind {
  text,
  integer,
  boolean,
  minutes,    ///< XML minutes -> "15m" / "1h" / "14d"
  seconds,    ///< XML seconds -> "300s" / "5m" / "1h" / "1d"
  file_name,  ///< a keystore location -> its file name (the template adds the folder)
  secret,     ///< a password: into the TOML as written, never into the report
  user_store_class,
};

// One row of reference §4.1. `fallback` names another old path whose value is this one's
// default (WSO2's $ref{keystore.primary.*} for the internal keystore).
struct Rule {
  const char* file;
  const char* path;
  const char* key;
  Kind kind;
  const char* new_default;  ///< nullptr: no default known, emitted when customised
  const char* fallback = nullptr;
};

constexpr const char* kCarbon = "carbon.xml";
constexpr const char* kUserMgt = "user-mgt.xml";
constexpr const char* kIdentity = "identity/identity.xml";
constexpr const char* kRegistry = "registry.xml";
constexpr const char* kAxis2 = "axis2/axis2.xml";
constexpr const char* kCatalina = "tomcat/catalina-server.xml";
constexpr const char* kDatasources = "datasources/master-datasources.xml";
constexpr const char* kLog4j = "log4j.properties";

#define KS "Server/Security/KeyStore/"
#define IKS "Server/Security/InternalKeyStore/"
#define RC "UserManager/Realm/Configuration/"
#define USM "UserManager/Realm/UserStoreManager/Property[@name='"
#define OA "Server/OAuth/"
#define SC "wso2registry/staticConfiguration/"
#define HTTPS "Server/Service[@name='Catalina']/Connector[@port='9443']/@"
#define HTTP "Server/Service[@name='Catalina']/Connector[@port='9763']/@"
#define CL "axisconfig/clustering/parameter[@name='"

const Rule kRules[] = {
    {kCarbon, "Server/HostName", "server.hostname", Kind::text, "localhost"},
    {kCarbon, "Server/Ports/Offset", "server.offset", Kind::integer, "0"},
    {kCarbon, "Server/ProxyContextPath", "server.proxy_context_path", Kind::text, ""},
    {kCarbon, KS "Location", "keystore.primary.file_name", Kind::file_name, "wso2carbon.jks"},
    {kCarbon, KS "Type", "keystore.primary.type", Kind::text, "JKS"},
    {kCarbon, KS "Password", "keystore.primary.password", Kind::secret, "wso2carbon"},
    {kCarbon, KS "KeyAlias", "keystore.primary.alias", Kind::text, "wso2carbon"},
    {kCarbon, KS "KeyPassword", "keystore.primary.key_password", Kind::secret, "wso2carbon"},
    {kCarbon, IKS "Location", "keystore.internal.file_name", Kind::file_name, "wso2carbon.jks",
     KS "Location"},
    {kCarbon, IKS "Type", "keystore.internal.type", Kind::text, "JKS", KS "Type"},
    {kCarbon, IKS "Password", "keystore.internal.password", Kind::secret, "wso2carbon",
     KS "Password"},
    {kCarbon, IKS "KeyAlias", "keystore.internal.alias", Kind::text, "wso2carbon", KS "KeyAlias"},
    {kCarbon, IKS "KeyPassword", "keystore.internal.key_password", Kind::secret, "wso2carbon",
     KS "KeyPassword"},
    {kCarbon, "Server/Security/TrustStore/Location", "truststore.file_name", Kind::file_name,
     "client-truststore.jks"},
    {kCarbon, "Server/Security/TrustStore/Type", "truststore.type", Kind::text, "JKS"},
    {kCarbon, "Server/Security/TrustStore/Password", "truststore.password", Kind::secret,
     "wso2carbon"},
    {kCarbon, "Server/Security/UserStorePasswordEncryption",
     "keystore.userstore_password_encryption", Kind::text, nullptr},
    {kCarbon, "Server/EnableEmailUserName", "tenant_mgt.enable_email_domain", Kind::boolean,
     "false"},
    {kCarbon, "Server/Cache/DefaultCacheTimeout", "server.default_cache_timeout", Kind::minutes,
     "15m"},
    {kCarbon, "Server/Cache/ForceLocalCache", "server.force_local_cache", Kind::boolean, "true"},
    {kCarbon, "Server/Tenant/LoadingPolicy/LazyLoading/IdleTime", "tenant_mgt.tenant_idle_timeout",
     Kind::integer, "30"},

    {kUserMgt, RC "AdminUser/UserName", "super_admin.username", Kind::text, "admin"},
    {kUserMgt, RC "AdminUser/Password", "super_admin.password", Kind::secret, "admin"},
    {kUserMgt, RC "AddAdmin", "super_admin.create_admin_account", Kind::boolean, "true"},
    {kUserMgt, RC "AdminRole", "super_admin.admin_role", Kind::text, "admin"},
    {kUserMgt, "UserManager/Realm/UserStoreManager/@class", "user_store.type",
     Kind::user_store_class, "read_write_ldap"},
    {kUserMgt, USM "ConnectionURL']", "user_store.connection_url", Kind::text,
     "ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}"},
    {kUserMgt, USM "ConnectionName']", "user_store.connection_name", Kind::text,
     "uid=admin,ou=system"},
    {kUserMgt, USM "ConnectionPassword']", "user_store.connection_password", Kind::secret, "admin"},
    {kUserMgt, USM "UserSearchBase']", "user_store.user_search_base", Kind::text,
     "ou=Users,dc=wso2,dc=org"},
    {kUserMgt, USM "GroupSearchBase']", "user_store.group_search_base", Kind::text,
     "ou=Groups,dc=wso2,dc=org"},

    {kIdentity, "Server/JDBCPersistenceManager/SessionDataPersist/Enable",
     "session_data.persistence.enable_persistence", Kind::boolean, "true"},
    {kIdentity, "Server/JDBCPersistenceManager/SessionDataPersist/Temporary",
     "session_data.persistence.persist_temporary_data", Kind::boolean, "true"},
    {kIdentity, "Server/JDBCPersistenceManager/SessionDataPersist/PoolSize",
     "session_data.persistence.persistence_pool_size", Kind::integer, "0"},
    {kIdentity, "Server/JDBCPersistenceManager/SessionDataPersist/SessionDataCleanUp/Enable",
     "session_data.cleanup.enable_expired_data_cleanup", Kind::boolean, "true"},
    {kIdentity,
     "Server/JDBCPersistenceManager/SessionDataPersist/SessionDataCleanUp/CleanUpTimeout",
     "session_data.cleanup.expire_session_data_after", Kind::minutes, "14d"},
    {kIdentity, "Server/JDBCPersistenceManager/SessionDataPersist/SessionDataCleanUp/CleanUpPeriod",
     "session_data.cleanup.clean_expired_session_data_every", Kind::minutes, "1d"},
    {kIdentity,
     "Server/JDBCPersistenceManager/SessionDataPersist/SessionDataCleanUp/DeleteChunkSize",
     "session_data.cleanup.clean_expired_session_data_in_chunks_of", Kind::integer, "8192"},
    {kIdentity, "Server/TimeConfig/SessionIdleTimeout", "session.timeout.idle_session_timeout",
     Kind::minutes, "15m"},
    {kIdentity, "Server/TimeConfig/RememberMeTimeout",
     "session.timeout.remember_me_session_timeout", Kind::minutes, "14d"},
    {kIdentity, OA "TokenCleanup/EnableTokenCleanup", "oauth.token_cleanup.enable", Kind::boolean,
     "true"},
    {kIdentity, OA "TokenCleanup/RetainOldAccessToken",
     "oauth.token_cleanup.retain_access_tokens_for_auditing", Kind::boolean, "true"},
    {kIdentity, OA "AuthorizationCodeDefaultValidityPeriod",
     "oauth.token_validation.authorization_code_validity", Kind::seconds, "5m"},
    {kIdentity, OA "AccessTokenDefaultValidityPeriod",
     "oauth.token_validation.app_access_token_validity", Kind::seconds, "1h"},
    {kIdentity, OA "UserAccessTokenDefaultValidityPeriod",
     "oauth.token_validation.user_access_token_validity", Kind::seconds, "1h"},
    {kIdentity, OA "RefreshTokenValidityPeriod", "oauth.token_validation.refresh_token_validity",
     Kind::seconds, "1d"},
    {kIdentity, OA "TokenPersistenceProcessor", "oauth.extensions.token_persistence_processor",
     Kind::text, "org.wso2.carbon.identity.oauth.tokenprocessor.PlainTextPersistenceProcessor"},
    {kIdentity, OA "EnableClientSecretHash", "oauth.hash_tokens_and_secrets", Kind::boolean,
     "false"},
    {kIdentity, OA "HashAlgorithm", "oauth.hash_token_algorithm", Kind::text, "SHA-256"},
    {kIdentity, OA "OpenIDConnect/IDTokenIssuerID", "oauth.oidc.id_token.issuer", Kind::text,
     "https://localhost:9443/oauth2/token"},
    {kIdentity, OA "OpenIDConnect/IDTokenExpiration",
     "oauth.oidc.token_validation.id_token_validity", Kind::seconds, "1h"},

    {kRegistry, SC "versioningProperties", "static_configuration.versioning_properties.enable",
     Kind::boolean, "false"},
    {kRegistry, SC "versioningComments", "static_configuration.versioning_comments.enable",
     Kind::boolean, "false"},
    {kRegistry, SC "versioningTags", "static_configuration.versioning_tags.enable", Kind::boolean,
     "false"},
    {kRegistry, SC "versioningRatings", "static_configuration.versioning_ratings.enable",
     Kind::boolean, "false"},
    {kRegistry, "wso2registry/versionResourcesOnChange", "version_resources.on_change",
     Kind::boolean, "false"},
    {kRegistry, "wso2registry/remoteInstance/cacheId", "governance_data.cache_id", Kind::text,
     nullptr},
    {kRegistry, "wso2registry/remoteInstance/enableCache", "governance_data.enable_cache",
     Kind::boolean, "true"},
    {kRegistry, "wso2registry/mount[@path='/_system/config']/targetPath", "config_data.path",
     Kind::text, "/_system/config"},
    {kRegistry, "wso2registry/mount[@path='/_system/governance']/targetPath",
     "governance_data.path", Kind::text, "/_system/governance"},

    {kCatalina, HTTPS "port", "transport.https.properties.port", Kind::integer, "9443"},
    {kCatalina, HTTPS "proxyPort", "transport.https.properties.proxyPort", Kind::integer, nullptr},
    {kCatalina, HTTPS "keystoreFile", "keystore.tls.file_name", Kind::file_name, "wso2carbon.jks",
     nullptr},
    {kCatalina, HTTPS "keystorePass", "keystore.tls.password", Kind::secret, "wso2carbon"},
    {kCatalina, HTTPS "sslEnabledProtocols", "transport.https.sslHostConfig.properties.protocols",
     Kind::text, "+TLSv1,+TLSv1.1,+TLSv1.2"},
    {kCatalina, HTTPS "sslProtocol", "transport.https.sslHostConfig.properties.sslProtocol",
     Kind::text, "TLS"},
    {kCatalina, HTTPS "clientAuth",
     "transport.https.sslHostConfig.properties.certificateVerification", Kind::text, "want"},
    {kCatalina, HTTP "port", "transport.http.properties.port", Kind::integer, "9763"},
    {kCatalina, HTTP "redirectPort", "transport.http.properties.redirectPort", Kind::integer,
     "9443"},
    {kCatalina, HTTP "proxyPort", "transport.http.properties.proxyPort", Kind::integer, nullptr},

    {kAxis2, CL "membershipScheme']", "clustering.membership_scheme", Kind::text, nullptr},
    {kAxis2, CL "domain']", "clustering.domain", Kind::text, "wso2.carbon.domain"},
    {kAxis2, CL "localMemberHost']", "clustering.local_member_host", Kind::text, "127.0.0.1"},
    {kAxis2, CL "localMemberPort']", "clustering.local_member_port", Kind::integer, "4000"},
};

#undef KS
#undef IKS
#undef RC
#undef USM
#undef OA
#undef SC
#undef HTTPS
#undef HTTP
#undef CL

// Settings whose value is carried by another TOML key or decided by the datasource mapping;
// taken, never reported.
const char* const kTakenElsewhere[] = {
    "Server/MgtHostName",  // the same [server] hostname fills both (checked below)
    "UserManager/Realm/Configuration/Property[@name='dataSource']",
    "Server/JDBCPersistenceManager/DataSource/Name",
};

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool looks_secret(std::string_view path) {
  std::string lower;
  for (char c : path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/'))) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.find("password") != std::string::npos || lower.find("pass'") != std::string::npos ||
         lower.find("@keystorepass") != std::string::npos ||
         lower.find("@truststorepass") != std::string::npos ||
         lower.find("secret") != std::string::npos;
}

std::optional<std::int64_t> to_int(std::string_view v) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return std::nullopt;
  }
  return n;
}

// "15m" / "1h" / "14d" / "300s" -> seconds.
std::optional<std::int64_t> duration_seconds(std::string_view d) {
  if (d.empty()) {
    return std::nullopt;
  }
  std::optional<std::int64_t> n = to_int(d.substr(0, d.size() - 1));
  if (!n) {
    return std::nullopt;
  }
  switch (d.back()) {
    case 's':
      return *n;
    case 'm':
      return *n * 60;
    case 'h':
      return *n * 3600;
    case 'd':
      return *n * 86400;
    default:
      return std::nullopt;
  }
}

std::string duration_text(std::int64_t seconds) {
  if (seconds != 0 && seconds % 86400 == 0) {
    return fmt::format("{}d", seconds / 86400);
  }
  if (seconds != 0 && seconds % 3600 == 0) {
    return fmt::format("{}h", seconds / 3600);
  }
  if (seconds % 60 == 0) {
    return fmt::format("{}m", seconds / 60);
  }
  return fmt::format("{}s", seconds);
}

std::string user_store_type(const std::string& cls) {
  static const std::map<std::string, std::string> kKnown{
      {"org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager", "database"},
      {"org.wso2.carbon.user.core.ldap.ReadOnlyLDAPUserStoreManager", "read_only_ldap"},
      {"org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager", "read_write_ldap"},
      {"org.wso2.carbon.user.core.ldap.ActiveDirectoryUserStoreManager", "active_directory"},
      {"org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager", "database_unique_id"},
      {"org.wso2.carbon.user.core.ldap.UniqueIDReadOnlyLDAPUserStoreManager",
       "read_only_ldap_unique_id"},
      {"org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager",
       "read_write_ldap_unique_id"},
      {"org.wso2.carbon.user.core.ldap.UniqueIDActiveDirectoryUserStoreManager",
       "active_directory_unique_id"},
  };
  auto it = kKnown.find(cls);
  return it == kKnown.end() ? std::string() : it->second;
}

// Splits "a.b.c" and creates the tables on the way; returns the innermost table and last key.
std::pair<toml::table*, std::string> at(toml::table& root, const std::string& dotted) {
  toml::table* t = &root;
  std::size_t start = 0;
  for (std::size_t dot = dotted.find('.'); dot != std::string::npos;
       dot = dotted.find('.', start)) {
    std::string part = dotted.substr(start, dot - start);
    if (!t->contains(part)) {
      t->insert(part, toml::table{});
    }
    t = (*t)[part].as_table();
    if (t == nullptr) {
      throw Error(ErrorKind::internal,
                  fmt::format("TOML key {} is both a value and a table", part));
    }
    start = dot + 1;
  }
  return {t, dotted.substr(start)};
}

using Settings = std::map<std::string, std::string>;  // path -> value

struct FileSettings {
  std::string name;
  std::vector<wso2conf::XmlSetting> ordered;
  Settings by_path;
};

std::optional<FileSettings> load(const fs::path& conf, const char* name) {
  fs::path p = conf / name;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    return std::nullopt;
  }
  FileSettings f{name, wso2conf::read_xml_settings(p), {}};
  for (const wso2conf::XmlSetting& s : f.ordered) {
    f.by_path.emplace(s.path, s.value);
  }
  return f;
}

std::vector<std::pair<std::string, std::string>> read_properties(const fs::path& p) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#' || line[b] == '!') {
      continue;
    }
    std::size_t eq = line.find_first_of("=:", b);
    if (eq == std::string::npos) {
      continue;
    }
    std::string k = line.substr(b, eq - b);
    k.erase(k.find_last_not_of(" \t") + 1);
    std::string v = line.substr(eq + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r") + 1);
    out.emplace_back(k, v);
  }
  return out;
}

std::string db_type(const std::string& url) {
  for (auto [prefix, type] :
       std::initializer_list<std::pair<const char*, const char*>>{{"jdbc:mysql:", "mysql"},
                                                                  {"jdbc:mariadb:", "mysql"},
                                                                  {"jdbc:postgresql:", "postgre"},
                                                                  {"jdbc:oracle:", "oracle"},
                                                                  {"jdbc:sqlserver:", "mssql"},
                                                                  {"jdbc:jtds:", "mssql"},
                                                                  {"jdbc:db2:", "db2"},
                                                                  {"jdbc:h2:", "h2"}}) {
    if (starts_with(url, prefix)) {
      return type;
    }
  }
  return {};
}

std::string inferred_validation_query(const std::string& type) {
  if (type == "postgre") {
    return "SELECT 1; COMMIT";
  }
  if (type == "oracle") {
    return "SELECT 1 FROM DUAL";
  }
  if (type == "db2") {
    return "SELECT 1 FROM sysibm.sysdummy1";
  }
  return "SELECT 1";
}

class Converter {
 public:
  explicit Converter(const ConvertOptions& o) : o_(o) {}

  ConvertResult run();

 private:
  void apply_rules();
  void map_datasources();
  void report_rest();
  void report_log4j();
  bool customised(const std::string& file, const std::string& path, const std::string& value);
  void put(const std::string& key, const std::string& value, Kind kind);
  void verbatim(const char* file, const std::string& prefix, const std::string& close,
                const std::string& table);

  const ConvertOptions& o_;
  ConvertResult r_;
  toml::table root_;
  std::map<std::string, FileSettings> files_;
  std::map<std::string, FileSettings> base_;
  std::set<std::pair<std::string, std::string>> taken_;  // (file, path) consumed
};

bool Converter::customised(const std::string& file, const std::string& path,
                           const std::string& value) {
  if (!o_.baseline) {
    return true;
  }
  auto f = base_.find(file);
  if (f == base_.end()) {
    return true;
  }
  auto v = f->second.by_path.find(path);
  return v == f->second.by_path.end() || v->second != value;
}

void Converter::put(const std::string& key, const std::string& value, Kind kind) {
  auto [table, last] = at(root_, key);
  if (kind == Kind::integer) {
    if (std::optional<std::int64_t> n = to_int(value)) {
      table->insert_or_assign(last, *n);
      return;
    }
  }
  if (kind == Kind::boolean && (value == "true" || value == "false")) {
    table->insert_or_assign(last, value == "true");
    return;
  }
  table->insert_or_assign(last, value);
}

void Converter::verbatim(const char* file, const std::string& prefix, const std::string& close,
                         const std::string& table) {
  auto f = files_.find(file);
  if (f == files_.end()) {
    return;
  }
  for (const wso2conf::XmlSetting& s : f->second.ordered) {
    if (!starts_with(s.path, prefix) || taken_.count({file, s.path}) != 0) {
      continue;
    }
    std::size_t end = close.empty() ? s.path.size() : s.path.find(close, prefix.size());
    if (end == std::string::npos) {
      continue;
    }
    taken_.insert({file, s.path});
    if (s.path.size() > end + close.size()) {
      continue;  // an attribute of the Property (encrypted=, ...): carried with its value
    }
    if (!customised(file, s.path, s.value)) {
      continue;
    }
    std::string name = s.path.substr(prefix.size(), end - prefix.size());
    // The name is a key of its own (it may hold dots): set it on the table itself.
    at(root_, fmt::format("{}._", table)).first->insert_or_assign(name, s.value);
    r_.mapped.push_back({file, s.path, fmt::format("{}.{}", table, name)});
  }
}

void Converter::apply_rules() {
  for (const Rule& rule : kRules) {
    auto f = files_.find(rule.file);
    if (f == files_.end()) {
      continue;
    }
    auto v = f->second.by_path.find(rule.path);
    if (v == f->second.by_path.end()) {
      continue;
    }
    taken_.insert({rule.file, rule.path});
    std::string value = v->second;
    // Clustering keys mean nothing while clustering is off.
    if (starts_with(rule.path, "axisconfig/clustering/") &&
        f->second.by_path["axisconfig/clustering/@enable"] != "true") {
      continue;
    }
    std::string def = rule.new_default ? rule.new_default : "";
    bool has_default = rule.new_default != nullptr;
    if (rule.fallback != nullptr) {
      // $ref{keystore.primary.x}: the default is what the primary keystore says.
      auto p = f->second.by_path.find(rule.fallback);
      if (p != f->second.by_path.end()) {
        def = p->second;
      }
    }
    std::string out = value;
    switch (rule.kind) {
      case Kind::file_name:
        out = fs::path(value).filename().string();
        if (rule.fallback != nullptr) {
          def = fs::path(def).filename().string();
        }
        break;
      case Kind::minutes:
      case Kind::seconds: {
        std::optional<std::int64_t> n = to_int(value);
        if (!n) {
          r_.unmapped.push_back(
              {rule.file,
               rule.path,
               value,
               false,
               fmt::format("not a whole number of {}; {} left at its default",
                           rule.kind == Kind::minutes ? "minutes" : "seconds", rule.key),
               {}});
          continue;
        }
        std::int64_t s = rule.kind == Kind::minutes ? *n * 60 : *n;
        if (has_default && duration_seconds(def) == s) {
          continue;
        }
        put(rule.key, duration_text(s), Kind::text);
        r_.mapped.push_back({rule.file, rule.path, rule.key});
        continue;
      }
      case Kind::user_store_class: {
        std::string type = user_store_type(value);
        std::string want = o_.target_version >= "5.10.0" && o_.target_version < "6.0.0"
                               ? "read_write_ldap_unique_id"
                           : o_.target_version >= "6.0.0" ? "database_unique_id"
                                                          : "read_write_ldap";
        if (type.empty()) {
          put("user_store.class", value, Kind::text);
          r_.mapped.push_back({rule.file, rule.path, "user_store.class"});
        } else if (type != want) {
          put(rule.key, type, Kind::text);
          r_.mapped.push_back({rule.file, rule.path, rule.key});
        }
        continue;
      }
      default:
        break;
    }
    if (has_default && out == def) {
      continue;
    }
    if (!has_default && !customised(rule.file, rule.path, value)) {
      continue;
    }
    put(rule.key, out, rule.kind);
    r_.mapped.push_back({rule.file, rule.path, rule.key});
  }
  // Tables whose every key becomes an attribute or property of its own name: the primary user
  // store's other Properties, the connectors' other attributes.
  verbatim(kUserMgt, "UserManager/Realm/UserStoreManager/Property[@name='", "']",
           "user_store.properties");
  verbatim(kCatalina, "Server/Service[@name='Catalina']/Connector[@port='9443']/@", "",
           "transport.https.properties");
  verbatim(kCatalina, "Server/Service[@name='Catalina']/Connector[@port='9763']/@", "",
           "transport.http.properties");
  // Clustering members, and the taken-elsewhere paths.
  if (auto f = files_.find(kAxis2); f != files_.end()) {
    bool on = f->second.by_path["axisconfig/clustering/@enable"] == "true";
    toml::array members;
    for (const wso2conf::XmlSetting& s : f->second.ordered) {
      if (starts_with(s.path, "axisconfig/clustering/members/")) {
        taken_.insert({kAxis2, s.path});
        if (on && s.path.size() >= 9 && s.path.substr(s.path.size() - 9) == "/hostName") {
          std::string base = s.path.substr(0, s.path.size() - 9);
          members.push_back(fmt::format("{}:{}", s.value, f->second.by_path[base + "/port"]));
        }
      }
    }
    if (!members.empty()) {
      at(root_, "clustering.members").first->insert_or_assign("members", members);
      r_.mapped.push_back({kAxis2, "axisconfig/clustering/members", "clustering.members"});
    }
    if (!on) {
      // Off in both: the clustering block carries nothing to the new version.
      for (const wso2conf::XmlSetting& s : f->second.ordered) {
        if (starts_with(s.path, "axisconfig/clustering")) {
          taken_.insert({kAxis2, s.path});
        }
      }
    } else {
      taken_.insert({kAxis2, "axisconfig/clustering/@enable"});
    }
  }
  for (const char* p : kTakenElsewhere) {
    for (auto& [name, f] : files_) {
      if (f.by_path.count(p) != 0) {
        taken_.insert({name, p});
      }
    }
  }
  if (auto f = files_.find(kCarbon); f != files_.end()) {
    const Settings& s = f->second.by_path;
    auto host = s.find("Server/HostName");
    auto mgt = s.find("Server/MgtHostName");
    if (mgt != s.end() && host != s.end() && mgt->second != host->second) {
      r_.unmapped.push_back({kCarbon,
                             "Server/MgtHostName",
                             mgt->second,
                             false,
                             "differs from HostName; the new version has one [server] hostname "
                             "for both",
                             {}});
    }
  }
}

void Converter::map_datasources() {
  fs::path conf = o_.home / "repository/conf";
  std::error_code ec;
  if (!fs::is_regular_file(conf / kDatasources, ec)) {
    return;
  }
  r_.files_read.push_back(kDatasources);
  std::vector<wso2conf::DatasourceDefinition> defs =
      wso2conf::read_datasource_definitions(conf / kDatasources);
  auto setting = [this](const char* file, const char* path, const char* def) {
    auto f = files_.find(file);
    if (f == files_.end()) {
      return std::string(def);
    }
    auto v = f->second.by_path.find(path);
    return v == f->second.by_path.end() ? std::string(def) : v->second;
  };
  std::string identity_jndi =
      setting(kIdentity, "Server/JDBCPersistenceManager/DataSource/Name", "jdbc/WSO2CarbonDB");
  // The registry's database: the config mount's instance, else the local wso2registry.
  std::string shared_jndi = "jdbc/WSO2CarbonDB";
  if (auto f = files_.find(kRegistry); f != files_.end()) {
    const Settings& s = f->second.by_path;
    std::string instance = s.count("wso2registry/mount[@path='/_system/config']/instanceId") != 0
                               ? s.at("wso2registry/mount[@path='/_system/config']/instanceId")
                               : "";
    std::string db_config = "wso2registry";
    if (!instance.empty() && s.count("wso2registry/remoteInstance/id") != 0 &&
        s.at("wso2registry/remoteInstance/id") == instance) {
      db_config = s.count("wso2registry/remoteInstance/dbConfig") != 0
                      ? s.at("wso2registry/remoteInstance/dbConfig")
                      : db_config;
    }
    std::string key = fmt::format("wso2registry/dbConfig[@name='{}']/dataSource", db_config);
    if (s.count(key) != 0) {
      shared_jndi = s.at(key);
    }
    // The registry's database wiring is what [database.shared_db] now says.
    for (const wso2conf::XmlSetting& x : f->second.ordered) {
      if (starts_with(x.path, "wso2registry/dbConfig") ||
          starts_with(x.path, "wso2registry/remoteInstance/") ||
          (starts_with(x.path, "wso2registry/mount[") && taken_.count({kRegistry, x.path}) == 0)) {
        taken_.insert({kRegistry, x.path});
      }
    }
  }
  std::string realm_jndi =
      setting(kUserMgt, "UserManager/Realm/Configuration/Property[@name='dataSource']",
              "jdbc/WSO2CarbonDB");
  auto suffix = [](const std::string& jndi) {
    return starts_with(jndi, "jdbc/") ? jndi.substr(5) : jndi;
  };
  auto fill = [this](const std::string& prefix, toml::table& t,
                     const wso2conf::DatasourceDefinition& d) {
    std::string type = db_type(d.url);
    if (!type.empty()) {
      t.insert_or_assign("type", type);
    }
    t.insert_or_assign("url", d.url);
    t.insert_or_assign("username", d.username);
    if (!d.vault_alias.empty()) {
      t.insert_or_assign("password", fmt::format("$secret{{{}}}", d.vault_alias));
    } else if (d.password) {
      t.insert_or_assign("password", d.password->reveal());
    }
    if (!d.driver.empty()) {
      t.insert_or_assign("driver", d.driver);
    }
    static const std::map<std::string, std::string> kPoolDefaults{{"maxActive", "50"},
                                                                  {"maxWait", "60000"},
                                                                  {"testOnBorrow", "true"},
                                                                  {"validationInterval", "30000"},
                                                                  {"defaultAutoCommit", "true"}};
    toml::table pool;
    for (const auto& [k, v] : d.options) {
      if (k == "validationQuery") {
        if (v != inferred_validation_query(type)) {
          t.insert_or_assign("validationQuery", v);
        }
        continue;
      }
      auto def = kPoolDefaults.find(k);
      if (def != kPoolDefaults.end() && def->second == v) {
        continue;
      }
      if (std::optional<std::int64_t> n = to_int(v)) {
        pool.insert_or_assign(k, *n);
      } else if (v == "true" || v == "false") {
        pool.insert_or_assign(k, v == "true");
      } else {
        pool.insert_or_assign(k, v);
      }
    }
    if (!pool.empty()) {
      t.insert_or_assign("pool_options", pool);
    }
    r_.mapped.push_back({kDatasources, fmt::format("datasources/datasource[{}]", d.name), prefix});
  };
  toml::array others;
  for (const wso2conf::DatasourceDefinition& d : defs) {
    bool identity = d.jndi == identity_jndi;
    bool shared = d.jndi == shared_jndi;
    if (identity) {
      toml::table t;
      fill("database.identity_db", t, d);
      at(root_, "database.identity_db").first->insert_or_assign("identity_db", t);
    }
    if (shared) {
      toml::table t;
      fill("database.shared_db", t, d);
      at(root_, "database.shared_db").first->insert_or_assign("shared_db", t);
    }
    if (identity || shared) {
      r_.notes.push_back(fmt::format("datasource {} ({}) became {}{}{}", d.name, d.jndi,
                                     identity ? "[database.identity_db]" : "",
                                     identity && shared ? " and " : "",
                                     shared ? "[database.shared_db]" : ""));
      continue;
    }
    if (d.jndi == "jdbc/WSO2CarbonDB" && db_type(d.url) == "h2") {
      r_.notes.push_back(fmt::format(
          "datasource {} (local H2, {}) is not carried: the new version keeps its own local "
          "WSO2_CARBON_DB",
          d.name, d.jndi));
      continue;
    }
    toml::table t;
    t.insert("id", suffix(d.jndi.empty() ? d.name : d.jndi));
    fill(fmt::format("datasource (id {})", suffix(d.jndi)), t, d);
    others.push_back(t);
    r_.notes.push_back(fmt::format(
        "datasource {} became [[datasource]] id {}: the new version names it {} with JNDI name "
        "jdbc/{} (references to {} keep working)",
        d.name, suffix(d.jndi), suffix(d.jndi), suffix(d.jndi), d.jndi));
  }
  if (!others.empty()) {
    root_.insert_or_assign("datasource", others);
  }
  // The realm's database: the shared one by default.
  if (realm_jndi != shared_jndi) {
    std::string id = realm_jndi == identity_jndi ? "WSO2IdentityDB" : suffix(realm_jndi);
    put("realm_manager.data_source", id, Kind::text);
    r_.mapped.push_back({kUserMgt, "UserManager/Realm/Configuration/Property[@name='dataSource']",
                         "realm_manager.data_source"});
  }
}

void Converter::report_rest() {
  for (const auto& [name, f] : files_) {
    for (const wso2conf::XmlSetting& s : f.ordered) {
      if (taken_.count({name, s.path}) != 0 || !customised(name, s.path, s.value)) {
        continue;
      }
      bool secret = looks_secret(s.path);
      r_.unmapped.push_back({name,
                             s.path,
                             secret ? "" : s.value,
                             secret,
                             o_.baseline ? "differs from the baseline; no deployment.toml key "
                                           "known to cutover"
                                         : "no deployment.toml key known to cutover (no "
                                           "--baseline to tell customised from stock)",
                             {}});
    }
  }
}

void Converter::report_log4j() {
  fs::path p = o_.home / "repository/conf" / kLog4j;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    return;
  }
  r_.files_read.push_back(kLog4j);
  std::map<std::string, std::string> base;
  if (o_.baseline) {
    for (auto& [k, v] : read_properties(*o_.baseline / "repository/conf" / kLog4j)) {
      base[k] = v;
    }
  }
  for (const auto& [k, v] : read_properties(p)) {
    if (o_.baseline && base.count(k) != 0 && base[k] == v) {
      continue;
    }
    Unmapped u{kLog4j,
               k,
               v,
               looks_secret(k),
               "log4j settings have no deployment.toml key: "
               "hand-port to repository/conf/log4j2.properties",
               {}};
    if (u.secret) {
      u.value.clear();
    }
    if (starts_with(k, "log4j.logger.")) {
      std::string pkg = k.substr(13);
      std::string id = pkg;
      std::replace(id.begin(), id.end(), '.', '_');
      std::string level = v.substr(0, v.find(','));
      level.erase(level.find_last_not_of(" \t") + 1);
      u.log4j2 = {fmt::format("logger.{}.name = {}", id, pkg),
                  fmt::format("logger.{}.level = {}", id, level),
                  fmt::format("loggers = <existing list>, {}", id)};
    } else if (k == "log4j.rootLogger") {
      std::string level = v.substr(0, v.find(','));
      level.erase(level.find_last_not_of(" \t") + 1);
      u.log4j2 = {fmt::format("rootLogger.level = {}", level)};
    }
    r_.unmapped.push_back(std::move(u));
  }
}

ConvertResult Converter::run() {
  if (o_.target_version < "5.9.0" || o_.target_version >= "8") {
    throw Error(ErrorKind::config,
                fmt::format("target version {} does not use deployment.toml as cutover knows it",
                            echo(o_.target_version, 20)),
                "give --target-version 5.9.0 or later");
  }
  fs::path conf = o_.home / "repository/conf";
  std::error_code ec;
  if (!fs::is_directory(conf, ec)) {
    throw Error(ErrorKind::config,
                fmt::format("{} has no repository/conf folder", echo(o_.home.string())),
                "give the old product home (IS_HOME)");
  }
  if (fs::exists(conf / "deployment.toml", ec)) {
    r_.notes.push_back("the home already has a deployment.toml: it is not read; the XML files are");
  }
  for (const char* name : {kCarbon, kUserMgt, kIdentity, kRegistry, kAxis2, kCatalina}) {
    if (std::optional<FileSettings> f = load(conf, name)) {
      r_.files_read.push_back(name);
      files_.emplace(name, std::move(*f));
    }
    if (o_.baseline) {
      if (std::optional<FileSettings> b = load(*o_.baseline / "repository/conf", name)) {
        base_.emplace(name, std::move(*b));
      }
    }
  }
  if (files_.empty()) {
    throw Error(ErrorKind::config,
                fmt::format("{} holds none of carbon.xml, user-mgt.xml, identity.xml, "
                            "registry.xml, axis2.xml, catalina-server.xml",
                            echo(conf.string())),
                "give the home of IS 5.8 or older");
  }
  apply_rules();
  map_datasources();
  report_rest();
  report_log4j();
  std::ostringstream out;
  out << "# deployment.toml written by cutover config convert from " << o_.home.string()
      << " for IS " << o_.target_version << "\n\n"
      << toml::toml_formatter(root_) << "\n";
  r_.toml = out.str();
  return std::move(r_);
}

}  // namespace

ConvertResult convert(const ConvertOptions& options) {
  Converter c(options);
  return c.run();
}

}  // namespace cutover::confconv
