#include "db/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/echo.h"
#include "core/error.h"
#include "db/table_def.h"

namespace cutover::db {

namespace {

// A connection-string key that carries a secret: PWD, Password, and anything else whose name
// holds "password" or "pwd" (drivers trim spaces around '=', so " Password = x" counts too).
bool is_secret_key(std::string_view key) {
  std::string k = to_lower(key);
  k.erase(0, k.find_first_not_of(" \t"));
  k.erase(k.find_last_not_of(" \t") + 1);
  return k == "pwd" || k.find("password") != std::string::npos ||
         k.find("pwd") != std::string::npos;
}

// Splits "k=v;k=v" into items; a value in braces may hold ';'.
std::vector<std::string> odbc_items(std::string_view conn) {
  std::vector<std::string> items;
  std::string item;
  int depth = 0;
  for (char c : conn) {
    if (c == '{') {
      ++depth;
    } else if (c == '}' && depth > 0) {
      --depth;
    }
    if (c == ';' && depth == 0) {
      items.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  items.push_back(item);
  return items;
}

constexpr std::string_view kPasswordHint =
    "a password on the command line is visible to every user of this machine; set "
    "CUTOVER_DB_PASSWORD (CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD for two databases) "
    "or pass --password-file FILE";

// Levenshtein distance, for "did you mean" on schemes.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

[[noreturn]] void unknown_scheme(std::string_view scheme) {
  static const std::vector<std::string> kNames = {"sqlite", "postgresql", "postgres",
                                                  "mysql",  "mariadb",    "odbc"};
  std::string best;
  std::size_t best_d = 3;
  for (const std::string& n : kNames) {
    std::size_t d = edit_distance(to_lower(scheme), n);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  std::string hint = fmt::format("known schemes: {}", fmt::join(known_url_forms(), ", "));
  if (!best.empty()) {
    hint = fmt::format("did you mean '{}'? {}", best, hint);
  }
  if (to_lower(scheme).rfind("jdbc", 0) == 0) {
    hint = "JDBC URLs are read from a deployment.toml (--home); on the command line use " + hint;
  }
  throw Error(ErrorKind::usage, fmt::format("unknown URL scheme '{}'", echo(scheme, 40)), hint);
}

// user[:password]@host[:port]/database?k=v&k=v, for postgresql and mysql.
ConnectionSpec parse_server_url(std::string scheme, std::string_view rest, UrlOrigin origin) {
  ConnectionSpec spec;
  spec.scheme = std::move(scheme);
  std::string_view query;
  if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  if (std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    spec.database = percent_decode(rest.substr(slash + 1));
  }
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      if (origin == UrlOrigin::argv) {
        throw Error(ErrorKind::usage, "refusing a password inside a URL on the command line",
                    std::string(kPasswordHint));
      }
      spec.password = Secret(percent_decode(userinfo.substr(colon + 1)));
      userinfo = userinfo.substr(0, colon);
    }
    spec.user = percent_decode(userinfo);
  }
  std::string_view host = authority;
  std::string_view after_host = authority;
  if (!authority.empty() && authority.front() == '[') {
    // [IPv6]:port
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw Error(ErrorKind::usage, "unclosed '[' in the host of a database URL",
                  "write an IPv6 host as [::1]");
    }
    host = authority.substr(1, close - 1);
    after_host = authority.substr(close + 1);
    if (!after_host.empty() && after_host.front() != ':') {
      throw Error(ErrorKind::usage, "unexpected text after ']' in a database URL",
                  "write it as scheme://user@[::1]:port/database");
    }
  }
  if (std::size_t colon = after_host.rfind(':'); colon != std::string_view::npos) {
    if (after_host.data() == authority.data()) {
      host = authority.substr(0, colon);
    }
    std::string_view port = after_host.substr(colon + 1);
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p <= 0 || p > 65535) {
      throw Error(ErrorKind::usage,
                  fmt::format("invalid port '{}' in database URL", echo(port, 40)),
                  "write the URL as scheme://user@host:port/database");
    }
    spec.port = p;
  }
  spec.host = percent_decode(host);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    std::size_t eq = kv.find('=');
    std::string key = to_lower(kv.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
    if (is_secret_key(key)) {
      if (origin == UrlOrigin::argv) {
        throw Error(ErrorKind::usage, "refusing a password inside a URL on the command line",
                    std::string(kPasswordHint));
      }
      spec.password = Secret(value);
    } else if (!key.empty()) {
      spec.params[key] = value;
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  if (spec.database.empty()) {
    throw Error(ErrorKind::usage,
                fmt::format("database URL '{}' names no database", echo(spec.redacted())),
                fmt::format("write it as {}://user@host:port/database", spec.scheme));
  }
  return spec;
}

bool odbc_has_password(std::string_view conn) {
  for (const std::string& item : odbc_items(conn)) {
    std::size_t eq = item.find('=');
    if (eq != std::string::npos && is_secret_key(std::string_view(item).substr(0, eq))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      int v = 0;
      std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

const std::vector<std::string>& known_url_forms() {
  static const std::vector<std::string> kForms = {
      "sqlite:PATH", "postgresql://USER@HOST:PORT/DB", "mysql://USER@HOST:PORT/DB",
      "mariadb://USER@HOST:PORT/DB", "odbc:CONNECTION-STRING"};
  return kForms;
}

ConnectionSpec parse_url(std::string_view url, UrlOrigin origin) {
  std::size_t colon = url.find(':');
  if (url.empty() || colon == std::string_view::npos || colon == 0) {
    throw Error(ErrorKind::usage, fmt::format("'{}' is not a database URL", echo(url)),
                fmt::format("known forms: {}", fmt::join(known_url_forms(), ", ")));
  }
  std::string scheme = to_lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 1);
  if (scheme == "sqlite" || scheme == "sqlite3") {
    ConnectionSpec spec;
    spec.scheme = "sqlite";
    if (rest.substr(0, 2) == "//") {
      rest = rest.substr(2);
    }
    if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
      rest = rest.substr(0, q);
    }
    spec.path = std::string(rest);
    if (spec.path.empty()) {
      throw Error(ErrorKind::usage, "sqlite URL names no file", "write it as sqlite:path/to.db");
    }
    return spec;
  }
  if (scheme == "postgresql" || scheme == "postgres" || scheme == "mysql" || scheme == "mariadb") {
    if (rest.substr(0, 2) != "//") {
      throw Error(ErrorKind::usage, fmt::format("malformed {} URL", scheme),
                  fmt::format("write it as {}://user@host:port/database", scheme));
    }
    std::string key = scheme == "postgres" ? "postgresql" : scheme == "mariadb" ? "mysql" : scheme;
    return parse_server_url(key, rest.substr(2), origin);
  }
  if (scheme == "odbc") {
    ConnectionSpec spec;
    spec.scheme = "odbc";
    if (rest.empty()) {
      throw Error(ErrorKind::usage, "odbc URL has no connection string",
                  "write it as odbc:Driver={...};Server=...;Database=...;UID=...");
    }
    if (odbc_has_password(rest)) {
      if (origin == UrlOrigin::argv) {
        throw Error(ErrorKind::usage,
                    "refusing a password inside an ODBC connection string on the command line",
                    std::string(kPasswordHint));
      }
    }
    spec.odbc = std::string(rest);
    return spec;
  }
  unknown_scheme(scheme);
}

std::string ConnectionSpec::redacted() const {
  if (scheme == "sqlite") {
    return "sqlite:" + path;
  }
  if (scheme == "odbc") {
    std::string out = "odbc:";
    bool first = true;
    for (const std::string& item : odbc_items(odbc)) {
      if (item.empty()) {
        continue;
      }
      std::size_t eq = item.find('=');
      bool secret = eq != std::string::npos && is_secret_key(std::string_view(item).substr(0, eq));
      out += (first ? "" : ";") + (secret ? item.substr(0, eq) + "=***" : item);
      first = false;
    }
    return out;
  }
  std::string out = scheme + "://";
  if (!user.empty()) {
    out += user + (password.empty() ? "" : ":***") + "@";
  }
  // Written back the way parse_url reads it: socket paths percent-encoded, IPv6 in brackets.
  std::string h;
  for (char c : host) {
    h += c == '/' ? std::string("%2F") : std::string(1, c);
  }
  out += host.find(':') != std::string::npos ? "[" + h + "]" : h;
  if (port != 0) {
    out += fmt::format(":{}", port);
  }
  out += "/" + database;
  return out;
}

}  // namespace cutover::db
