#include "sync/config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/echo.h"
#include "core/error.h"
#include "core/secret.h"
#include "core/utf8.h"
#include "db/table_def.h"
#include "schema/catalogue.h"
#include "wso2conf/deployment_toml.h"

namespace cutover::sync {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSourcePasswordEnv = "CUTOVER_SOURCE_PASSWORD";
constexpr const char* kTargetPasswordEnv = "CUTOVER_TARGET_PASSWORD";

// The numbers of a SyncConfig with the range a sync can run with. Upper bounds keep a typo
// (an extra zero or three) from turning into hour-long transactions or a thousand connections.
struct NumberField {
  const char* name;  // the TOML key; messages use it for every origin
  int SyncConfig::*member;
  int min;
  int max;
};

constexpr std::array<NumberField, 4> kNumbers = {{
    {"batch_size", &SyncConfig::batch_size, 1, 1000000},
    {"interval_ms", &SyncConfig::interval_ms, 0, 86400000},
    {"max_transaction_age_s", &SyncConfig::max_transaction_age_s, 1, 604800},
    {"jobs", &SyncConfig::jobs, 1, 256},
}};

const NumberField& number_field(std::string_view name) {
  for (const NumberField& f : kNumbers) {
    if (name == f.name) {
      return f;
    }
  }
  throw Error(ErrorKind::internal, fmt::format("no number field {}", name));
}

std::string shown(const fs::path& file) {
  return echo(file.string());
}

// The whole file, or a config error (not a regular file) / io error (unreadable) naming it.
std::string read_text(const fs::path& file, std::string_view hint) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw Error(ErrorKind::config, fmt::format("{} is not a regular file", shown(file)),
                std::string(hint));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    throw Error(ErrorKind::io, fmt::format("cannot read {}: {}", shown(file), std::strerror(errno)),
                "check that the file is readable by this user");
  }
  return text.str();
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\f\r\n");
  if (b == std::string_view::npos) {
    return {};
  }
  return std::string(s.substr(b, s.find_last_not_of(" \t\f\r\n") - b + 1));
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    std::string item =
        trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start));
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

// The catalogue's spelling of a table name written in another case (WSO2's docs and scripts
// are upper case, a hand-written config may not be); other names are kept for validate().
std::string catalogue_spelling(const schema::Product& product, const std::string& name) {
  std::string upper = db::to_upper(name);
  for (const schema::TableSpec& spec : product.specs()) {
    if (spec.name == upper) {
      return spec.name;
    }
  }
  return name;
}

// `value` for `key` after checking the known versions; "" stays "" (detect / same as from).
std::string checked_version(const schema::Product& product, const std::string& value,
                            std::string_view key, const fs::path& file) {
  if (!value.empty() && !product.find_version(value)) {
    throw Error(ErrorKind::config,
                fmt::format("{} in {}: '{}' is not a known {} version", key, shown(file),
                            echo(value, 40), product.title()),
                fmt::format("known versions: {}", fmt::join(product.versions(), ", ")));
  }
  return value;
}

// `where` is the file, and the line where the format has no line numbers at hand.
int checked_number(const NumberField& f, long long value, std::string_view key,
                   std::string_view where) {
  if (value < f.min || value > f.max) {
    throw Error(ErrorKind::config,
                fmt::format("{} in {} is {}, outside {}..{}", key, where, value, f.min, f.max),
                fmt::format("write a whole number from {} to {}", f.min, f.max));
  }
  return static_cast<int>(value);
}

// Runs validate() and names the file in any error it throws.
void validate_from(const SyncConfig& config, const fs::path& file) {
  try {
    validate(config);
  } catch (Error& e) {
    e.add_context(fmt::format("reading {}", shown(file)));
    throw;
  }
}

// --- cutover sync TOML ----------------------------------------------------------------------

constexpr std::array<std::string_view, 10> kTomlKeys = {
    "product", "from",   "to",    "tables", "batch_size", "interval_ms", "max_transaction_age_s",
    "jobs",    "source", "target"};
constexpr std::array<std::string_view, 3> kDatabaseKeys = {"url", "password_env", "password_file"};

// An unknown key is an error: a misspelt "batch_sise" must not silently run with the default.
template <std::size_t N>
void refuse_unknown_keys(const toml::table& table, const std::array<std::string_view, N>& known,
                         std::string_view prefix, const fs::path& file) {
  for (const auto& [key, node] : table) {
    bool ok = false;
    for (std::string_view k : known) {
      ok = ok || key.str() == k;
    }
    if (!ok) {
      throw Error(
          ErrorKind::config,
          fmt::format("unknown key '{}{}' in {} (line {})", prefix, echo(key.str(), 60),
                      shown(file), node.source().begin.line),
          fmt::format("known keys{}: {}", prefix.empty() ? "" : " here", fmt::join(known, ", ")));
    }
  }
}

[[noreturn]] void wrong_type(std::string_view key, const toml::node& node, const fs::path& file,
                             std::string_view expected) {
  throw Error(ErrorKind::config,
              fmt::format("{} in {} (line {}) must be {}", key, shown(file),
                          node.source().begin.line, expected),
              "docs/sync-config.md describes every key");
}

std::optional<std::string> toml_string(const toml::table& table, std::string_view key,
                                       std::string_view shown_key, const fs::path& file) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (!node->is_string()) {
    wrong_type(shown_key, *node, file, "a quoted string");
  }
  return node->value<std::string>();
}

// A path from the config file, relative to the file's directory so the config means the same
// whatever the current directory.
fs::path beside(const fs::path& file, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : file.parent_path() / p;
}

// [source] or [target]: url, and at most one of a password in the URL, password_env and
// password_file; with none of them, the side's CUTOVER_*_PASSWORD when set.
db::ConnectionSpec toml_database(const toml::table& root, std::string_view side,
                                 const char* default_env, const fs::path& file) {
  const toml::node* node = root.get(side);
  if (node == nullptr) {
    throw Error(ErrorKind::config, fmt::format("{} has no [{}] table", shown(file), side),
                fmt::format("add [{}] with url = \"postgresql://user@host:5432/database\"", side));
  }
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    wrong_type(side, *node, file, fmt::format("a table: [{}] url = \"...\"", side));
  }
  refuse_unknown_keys(*table, kDatabaseKeys, fmt::format("{}.", side), file);
  std::optional<std::string> url = toml_string(*table, "url", fmt::format("{}.url", side), file);
  if (!url || url->empty()) {
    throw Error(ErrorKind::config, fmt::format("[{}] in {} has no url", side, shown(file)),
                "add url = \"postgresql://user@host:5432/database\" (or sqlite:, mysql://, odbc:)");
  }
  db::ConnectionSpec spec;
  try {
    spec = db::parse_url(*url, db::UrlOrigin::config_file);
  } catch (Error& e) {
    e.add_context(fmt::format("reading {}.url in {}", side, shown(file)));
    throw;
  }
  if (spec.scheme == "sqlite") {
    spec.path = beside(file, spec.path).string();
  }
  std::optional<std::string> env =
      toml_string(*table, "password_env", fmt::format("{}.password_env", side), file);
  std::optional<std::string> pw_file =
      toml_string(*table, "password_file", fmt::format("{}.password_file", side), file);
  if (int(!spec.password.empty()) + int(env.has_value()) + int(pw_file.has_value()) > 1) {
    throw Error(ErrorKind::config,
                fmt::format("[{}] in {} gives the password more than one way", side, shown(file)),
                "keep one of: a password in url, password_env, password_file");
  }
  if (env) {
    std::optional<Secret> pw = password_from(*env, "");
    if (!pw) {
      throw Error(ErrorKind::config,
                  fmt::format("{}.password_env in {} names {}, which is not set", side, shown(file),
                              echo(*env, 60)),
                  "export that variable before running cutover, or use password_file");
    }
    spec.password = *pw;
  } else if (pw_file) {
    spec.password = *password_from("", beside(file, *pw_file).string());
  } else if (spec.password.empty()) {
    if (std::optional<Secret> pw = password_from(default_env, "")) {
      spec.password = *pw;
    }
  }
  return spec;
}

}  // namespace

SyncConfig read_sync_toml(const fs::path& file) {
  std::string text = read_text(file, "give the path of a cutover sync config (TOML)");
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::config,
                fmt::format("cannot parse {}: {} (line {})", shown(file), e.description(),
                            e.source().begin.line),
                "fix the TOML syntax at that line");
  }
  refuse_unknown_keys(root, kTomlKeys, "", file);
  SyncConfig config;
  config.product = toml_string(root, "product", "product", file).value_or(config.product);
  std::vector<std::string> ids = schema::product_ids();
  if (std::find(ids.begin(), ids.end(), config.product) == ids.end()) {
    throw Error(
        ErrorKind::config,
        fmt::format("product in {}: unknown product '{}'", shown(file), echo(config.product, 40)),
        fmt::format("known products: {}", fmt::join(ids, ", ")));
  }
  const schema::Product& product = schema::product(config.product);
  config.from_version =
      checked_version(product, toml_string(root, "from", "from", file).value_or(""), "from", file);
  config.to_version =
      checked_version(product, toml_string(root, "to", "to", file).value_or(""), "to", file);
  if (const toml::node* node = root.get("tables")) {
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      wrong_type("tables", *node, file, "a list of strings: [\"IDN_OAUTH2_ACCESS_TOKEN\"]");
    }
    for (const toml::node& item : *list) {
      if (!item.is_string()) {
        wrong_type("tables", item, file, "a list of strings: [\"IDN_OAUTH2_ACCESS_TOKEN\"]");
      }
      config.tables.push_back(catalogue_spelling(product, *item.value<std::string>()));
    }
    if (config.tables.empty()) {
      throw Error(ErrorKind::config, fmt::format("tables in {} is an empty list", shown(file)),
                  "list the tables to sync, or leave tables out for the default set");
    }
  }
  for (const NumberField& f : kNumbers) {
    if (const toml::node* node = root.get(f.name)) {
      if (!node->is_integer()) {
        wrong_type(f.name, *node, file, fmt::format("a whole number from {} to {}", f.min, f.max));
      }
      config.*f.member =
          checked_number(f, *node->value<long long>(), f.name,
                         fmt::format("{} (line {})", shown(file), node->source().begin.line));
    }
  }
  config.source = toml_database(root, "source", kSourcePasswordEnv, file);
  config.target = toml_database(root, "target", kTargetPasswordEnv, file);
  validate_from(config, file);
  return config;
}

// --- WSO2 sync.properties ---------------------------------------------------------------------

namespace {

struct Property {
  std::string key;
  std::string value;
  int line = 0;  // where its logical line starts
};

// java.util.Properties escapes: \t \n \r \f, \uXXXX (UTF-16, surrogate pairs joined), and a
// backslash before any other character stands for that character. A malformed \u is an error
// there too ("Malformed \uxxxx encoding").
std::string unescape(std::string_view s, int line, const fs::path& file) {
  auto malformed = [&] {
    return Error(ErrorKind::config,
                 fmt::format("malformed \\uXXXX escape in {} line {}", shown(file), line),
                 "write \\u followed by four hex digits, or \\\\ for a backslash");
  };
  auto hex4 = [&](std::size_t at) {
    unsigned v = 0;
    if (at + 4 > s.size()) {
      throw malformed();
    }
    auto [ptr, ec] = std::from_chars(s.data() + at, s.data() + at + 4, v, 16);
    if (ec != std::errc() || ptr != s.data() + at + 4) {
      throw malformed();
    }
    return static_cast<char32_t>(v);
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      if (s[i] != '\\') {
        out += s[i];
      }
      continue;
    }
    char c = s[++i];
    if (c == 'u') {
      char32_t unit = hex4(i + 1);
      i += 4;
      if (unit >= 0xD800 && unit < 0xDC00) {
        // A high surrogate must be followed by \u and a low one.
        if (i + 2 >= s.size() || s[i + 1] != '\\' || s[i + 2] != 'u') {
          throw malformed();
        }
        char32_t low = hex4(i + 3);
        if (low < 0xDC00 || low >= 0xE000) {
          throw malformed();
        }
        i += 6;
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      } else if (unit >= 0xDC00 && unit < 0xE000) {
        throw malformed();
      }
      append_utf8(out, unit);
    } else {
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
    }
  }
  return out;
}

bool ends_in_odd_backslashes(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[s.size() - 1 - n] == '\\') {
    ++n;
  }
  return n % 2 == 1;
}

std::string_view skip_blanks(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\f");
  return b == std::string_view::npos ? std::string_view() : s.substr(b);
}

// The java.util.Properties.load grammar: natural lines end in \n, \r or \r\n; blank lines and
// lines whose first non-blank is # or ! are comments; a line ending in an odd number of
// backslashes continues on the next, whose leading blanks are dropped; the key ends at the
// first unescaped '=', ':' or blank, then blanks and one '=' or ':' separate it from the value.
// Bytes pass through unchanged (the keys and values we read are ASCII).
std::vector<Property> parse_properties(std::string_view text, const fs::path& file) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n' ? 2 : 1);
  }
  std::vector<Property> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view first = skip_blanks(lines[i]);
    if (first.empty() || first.front() == '#' || first.front() == '!') {
      continue;
    }
    int line = static_cast<int>(i) + 1;
    std::string logical(first);
    while (ends_in_odd_backslashes(logical) && i + 1 < lines.size()) {
      logical.pop_back();
      logical += skip_blanks(lines[++i]);
    }
    std::size_t k = 0;
    while (k < logical.size() && std::strchr("=: \t\f", logical[k]) == nullptr) {
      k += logical[k] == '\\' ? 2 : 1;
    }
    k = std::min(k, logical.size());
    std::string_view rest = skip_blanks(std::string_view(logical).substr(k));
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) {
      rest = skip_blanks(rest.substr(1));
    }
    out.push_back({unescape(std::string_view(logical).substr(0, k), line, file),
                   trim(unescape(rest, line, file)), line});
  }
  return out;
}

constexpr std::array<std::string_view, 6> kPropertyKeys = {
    "sourceVersion", "targetVersion", "batchSize", "syncInterval", "syncTables", "identitySchema"};

// The sync.properties keys by name: unknown and repeated keys are errors, since WSO2's tool
// would have ignored the one and silently taken the last of the other.
std::map<std::string, Property> properties_by_key(const std::vector<Property>& list,
                                                  const fs::path& file) {
  std::map<std::string, Property> out;
  for (const Property& p : list) {
    if (p.key == "umSchema" || p.key == "regSchema" || p.key == "consentSchema") {
      throw Error(ErrorKind::config,
                  fmt::format("{} in {} line {} is not supported", p.key, shown(file), p.line),
                  "cutover syncs the identity database of identitySchema; remove the key, and "
                  "sync another database with a config of its own");
    }
    if (std::find(kPropertyKeys.begin(), kPropertyKeys.end(), p.key) == kPropertyKeys.end()) {
      throw Error(
          ErrorKind::config,
          fmt::format("unknown key '{}' in {} line {}", echo(p.key, 60), shown(file), p.line),
          fmt::format("known keys (case matters): {}", fmt::join(kPropertyKeys, ", ")));
    }
    auto [it, fresh] = out.emplace(p.key, p);
    if (!fresh) {
      throw Error(ErrorKind::config,
                  fmt::format("{} is set twice in {} (lines {} and {})", p.key, shown(file),
                              it->second.line, p.line),
                  "keep one of them");
    }
  }
  return out;
}

const std::string& required(const std::map<std::string, Property>& props, const std::string& key,
                            const fs::path& file, std::string_view example) {
  auto it = props.find(key);
  if (it == props.end() || it->second.value.empty()) {
    throw Error(
        ErrorKind::config,
        fmt::format("{} {} {}", shown(file), it == props.end() ? "has no" : "has an empty", key),
        fmt::format("add {} (WSO2's sync.properties requires it)", example));
  }
  return it->second.value;
}

int property_number(const Property& p, const NumberField& f, const fs::path& file) {
  long long v = 0;
  std::string_view s = p.value;
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);  // Integer.parseInt accepts a sign
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    throw Error(ErrorKind::config,
                fmt::format("{} in {} line {} is '{}', not a whole number", p.key, shown(file),
                            p.line, echo(p.value, 40)),
                fmt::format("write a whole number from {} to {}", f.min, f.max));
  }
  return checked_number(f, v, p.key, fmt::format("{} line {}", shown(file), p.line));
}

// WSO2's default JNDI names of the two [database.*] tables, which the reader reports by id.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kDefaultJndi = {{
    {"jdbc/WSO2IdentityDB", "identity_db"},
    {"jdbc/WSO2SharedDB", "shared_db"},
}};

// identitySchema names a datasource by the id or, as WSO2's docs have it, the JNDI name of a
// [[datasource]] (jndi_config.name). The JNDI names, which the shared reader does not keep, are
// read here: JNDI name -> id.
std::map<std::string, std::string> jndi_ids(const fs::path& deployment_toml) {
  std::map<std::string, std::string> out;
  for (const auto& [jndi, id] : kDefaultJndi) {
    out.emplace(jndi, id);
  }
  // read_deployment_toml has already parsed this file, so it parses here too.
  toml::table root = toml::parse_file(deployment_toml.string());
  if (const toml::array* list = root["datasource"].as_array()) {
    for (const toml::node& n : *list) {
      if (const toml::table* t = n.as_table()) {
        std::optional<std::string> id = (*t)["id"].value<std::string>();
        std::optional<std::string> jndi = (*t)["jndi_config"]["name"].value<std::string>();
        if (id && jndi) {
          out[*jndi] = *id;
        }
      }
    }
  }
  return out;
}

db::ConnectionSpec datasource_spec(const wso2conf::DeploymentToml& deployment,
                                   const std::map<std::string, std::string>& jndi,
                                   const std::string& name, std::string_view side, const char* env,
                                   const fs::path& properties, const fs::path& deployment_toml) {
  const wso2conf::Datasource* found = nullptr;
  for (int pass = 0; pass < 2 && found == nullptr; ++pass) {
    auto by_jndi = jndi.find(name);
    std::string id = pass == 0 ? name : by_jndi == jndi.end() ? std::string() : by_jndi->second;
    for (const wso2conf::Datasource& d : deployment.databases) {
      if (found == nullptr && !id.empty() && d.id == id) {
        found = &d;
      }
    }
  }
  if (found == nullptr) {
    std::vector<std::string> declared;
    for (const wso2conf::Datasource& d : deployment.databases) {
      declared.push_back(echo(d.id, 40));
    }
    throw Error(ErrorKind::config,
                fmt::format("identitySchema in {} names {} datasource '{}', which {} does not "
                            "declare",
                            shown(properties), side, echo(name, 60), shown(deployment_toml)),
                declared.empty()
                    ? std::string("add a [[datasource]] with that id (or jndi_config.name)")
                    : fmt::format("declared datasources: {}; name one of them by id or "
                                  "jndi_config.name",
                                  fmt::join(declared, ", ")));
  }
  const wso2conf::Datasource& d = *found;
  if (!d.spec) {
    throw Error(ErrorKind::config,
                fmt::format("cutover cannot open datasource '{}' ({} of identitySchema, {} in {})",
                            echo(d.id, 60), side, d.engine, shown(deployment_toml)),
                d.note);
  }
  db::ConnectionSpec spec = *d.spec;
  if (spec.password.empty()) {
    std::optional<Secret> pw = password_from(env, "");
    if (!pw && d.password_protected) {
      throw Error(ErrorKind::config,
                  fmt::format("the password of datasource '{}' in {} is a secure-vault reference",
                              echo(d.id, 60), shown(deployment_toml)),
                  fmt::format("set the {} database's password in {}", side, env));
    }
    if (pw) {
      spec.password = *pw;
    }
  }
  return spec;
}

}  // namespace

SyncConfig read_sync_properties(const fs::path& properties, const fs::path& deployment_toml) {
  std::string text = read_text(properties, "give the path of WSO2's sync.properties");
  std::map<std::string, Property> props =
      properties_by_key(parse_properties(text, properties), properties);
  SyncConfig config;
  const schema::Product& product = schema::product(config.product);
  config.from_version = checked_version(
      product, required(props, "sourceVersion", properties, "sourceVersion=5.8.0 (the old IS)"),
      "sourceVersion", properties);
  config.to_version = checked_version(
      product, required(props, "targetVersion", properties, "targetVersion=5.9.0 (the new IS)"),
      "targetVersion", properties);
  std::vector<std::string> ids = split_list(
      required(props, "identitySchema", properties,
               "identitySchema=<source datasource>,<target datasource> (ids or JNDI names of "
               "deployment.toml's [[datasource]] entries)"));
  if (ids.size() != 2) {
    throw Error(ErrorKind::config,
                fmt::format("identitySchema in {} line {} names {} datasource(s), not 2",
                            shown(properties), props.at("identitySchema").line, ids.size()),
                "write identitySchema=<source datasource>,<target datasource>");
  }
  // Our faster defaults where the file gives none; WSO2's own defaults (100, 5000 ms) only
  // when written down.
  if (auto it = props.find("batchSize"); it != props.end()) {
    config.batch_size = property_number(it->second, number_field("batch_size"), properties);
  }
  if (auto it = props.find("syncInterval"); it != props.end()) {
    config.interval_ms = property_number(it->second, number_field("interval_ms"), properties);
  }
  if (auto it = props.find("syncTables"); it != props.end()) {
    for (const std::string& t : split_list(it->second.value)) {
      config.tables.push_back(catalogue_spelling(product, t));
    }
    if (config.tables.empty()) {
      throw Error(ErrorKind::config,
                  fmt::format("syncTables in {} line {} lists no table", shown(properties),
                              it->second.line),
                  "list tables separated by commas, or remove the key for the default set");
    }
  }
  wso2conf::DeploymentToml deployment = wso2conf::read_deployment_toml(deployment_toml);
  std::map<std::string, std::string> jndi = jndi_ids(deployment_toml);
  config.source = datasource_spec(deployment, jndi, ids[0], "source", kSourcePasswordEnv,
                                  properties, deployment_toml);
  config.target = datasource_spec(deployment, jndi, ids[1], "target", kTargetPasswordEnv,
                                  properties, deployment_toml);
  validate_from(config, properties);
  return config;
}

// --- validation -------------------------------------------------------------------------------

namespace {

// "This machine" for every spelling a client could use for it: no host (the default socket),
// a socket path, or a loopback name.
std::string server_key(const db::ConnectionSpec& spec) {
  std::string host = db::to_lower(spec.host);
  bool local = host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" ||
               host == "::1";
  int port = spec.port;
  if (port == 0) {
    port = spec.scheme == "postgresql" ? 5432 : spec.scheme == "mysql" ? 3306 : 0;
  }
  return fmt::format("{}:{}", local ? std::string("(local)") : host, port);
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) {
    return true;  // hard links and symlinks to one existing file
  }
  std::error_code ea;
  std::error_code eb;
  fs::path ca = fs::weakly_canonical(fs::absolute(a), ea);
  fs::path cb = fs::weakly_canonical(fs::absolute(b), eb);
  return !ea && !eb && ca == cb;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 128 || std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

void check_table(const schema::Product& product, const std::string& name,
                 const std::optional<int>& from, const std::optional<int>& to,
                 const SyncConfig& config) {
  if (!is_identifier(name)) {
    throw Error(ErrorKind::config, fmt::format("'{}' is not a table name", echo(name, 60)),
                "a table name is letters, digits and _, as in WSO2's scripts: "
                "IDN_OAUTH2_ACCESS_TOKEN");
  }
  const schema::TableSpec* spec = nullptr;
  for (const schema::TableSpec& s : product.specs()) {
    spec = s.name == name ? &s : spec;
  }
  if (spec == nullptr) {
    throw Error(ErrorKind::config,
                fmt::format("table {} is not in the {} catalogue", name, product.title()),
                "name a table of WSO2's database scripts (catalogue/" + product.id() +
                    "/ lists them), e.g. IDN_OAUTH2_ACCESS_TOKEN");
  }
  for (const auto& [index, version] :
       {std::pair(from, config.from_version), std::pair(to, config.to_version)}) {
    if (index && !spec->range.contains(*index)) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} does not exist in {} {}", name, product.id(), version),
                  "sync only tables both versions have");
    }
  }
}

}  // namespace

bool same_database(const db::ConnectionSpec& a, const db::ConnectionSpec& b) {
  if (a.scheme != b.scheme) {
    return false;  // engines differ; an ODBC spelling of the other is not recognised
  }
  if (a.scheme == "sqlite") {
    return same_file(a.path, b.path);
  }
  if (a.scheme == "odbc") {
    return trim(a.odbc) == trim(b.odbc);
  }
  // Database names compare without case: MySQL on case-insensitive file systems and lower-
  // case-table-names setups treat them so, and a false "same" only asks for a second look.
  return server_key(a) == server_key(b) && db::to_lower(a.database) == db::to_lower(b.database);
}

void validate(const SyncConfig& config, bool with_target) {
  const schema::Product& product = schema::product(config.product);
  for (const auto& [spec, side] :
       {std::pair(&config.source, "source"), std::pair(&config.target, "target")}) {
    if (spec->scheme.empty() && (with_target || spec == &config.source)) {
      throw Error(ErrorKind::config, fmt::format("no {} database given", side),
                  fmt::format("name it with --{} URL or in the sync config", side));
    }
  }
  if (with_target && same_database(config.source, config.target)) {
    throw Error(
        ErrorKind::config,
        fmt::format("source and target are the same database ({})", echo(config.source.redacted())),
        "the target is the new deployment's database, a different one from the source");
  }
  std::optional<int> from;
  std::optional<int> to;
  if (!config.from_version.empty()) {
    from = product.version_index(config.from_version);
  }
  if (!config.to_version.empty()) {
    to = product.version_index(config.to_version);
  }
  if (from && to && *to < *from) {
    throw Error(ErrorKind::config,
                fmt::format("target version {} is older than source version {}", config.to_version,
                            config.from_version),
                "from is the old deployment's version and to the new one's; swap them");
  }
  for (const NumberField& f : kNumbers) {
    int v = config.*f.member;
    if (v < f.min || v > f.max) {
      throw Error(ErrorKind::config,
                  fmt::format("{} is {}, outside {}..{}", f.name, v, f.min, f.max),
                  fmt::format("use a whole number from {} to {}", f.min, f.max));
    }
  }
  // Without a from version the catalogue check waits for detection; to alone means nothing.
  std::optional<int> to_checked = from ? (to ? to : from) : std::nullopt;
  for (std::size_t i = 0; i < config.tables.size(); ++i) {
    check_table(product, config.tables[i], from, to_checked, config);
    for (std::size_t j = 0; j < i; ++j) {
      if (config.tables[j] == config.tables[i]) {
        throw Error(ErrorKind::config, fmt::format("table {} is listed twice", config.tables[i]),
                    "list each table once");
      }
    }
  }
}

std::vector<std::string> default_tables(std::string_view product_id, std::string_view from_version,
                                        std::string_view to_version) {
  // The seed's four tables first, then the ones WSO2's tool left out that a live IS writes
  // on every login and token request.
  static constexpr std::array<const char*, 7> kDefaults = {
      "IDN_IDENTITY_USER_DATA",        "IDN_OAUTH2_ACCESS_TOKEN",  "IDN_OAUTH2_ACCESS_TOKEN_SCOPE",
      "IDN_OAUTH2_AUTHORIZATION_CODE", "IDN_OAUTH2_TOKEN_BINDING", "IDN_OAUTH2_AUTHZ_CODE_SCOPE",
      "IDN_AUTH_SESSION_STORE"};
  const schema::Product& product = schema::product(product_id);
  int from = product.version_index(from_version);
  int to = product.version_index(to_version.empty() ? from_version : to_version);
  std::vector<std::string> out;
  // In the catalogue's order, which puts referenced tables first.
  for (const schema::TableSpec& spec : product.specs()) {
    bool wanted = false;
    for (const char* name : kDefaults) {
      wanted = wanted || spec.name == name;
    }
    if (wanted && spec.range.contains(from) && spec.range.contains(to)) {
      out.push_back(spec.name);
    }
  }
  return out;
}

SyncConfig reversed(const SyncConfig& config) {
  SyncConfig r = config;
  if (r.to_version.empty()) {
    r.to_version = r.from_version;  // "same as from", kept when the two are swapped
  }
  std::swap(r.source, r.target);
  std::swap(r.from_version, r.to_version);
  r.reverse = !config.reverse;
  return r;
}

}  // namespace cutover::sync
