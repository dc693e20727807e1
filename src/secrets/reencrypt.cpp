#include "secrets/reencrypt.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/atomic_file.h"
#include "core/echo.h"
#include "core/error.h"
#include "secrets/cipher.h"
#include "secrets/keystore.h"
#include "wso2conf/carbon_xml.h"
#include "wso2conf/deployment_toml.h"

namespace cutover::secrets {

namespace fs = std::filesystem;

namespace {

// A userstore file is a few KiB; a much larger one is not what it claims.
constexpr std::uintmax_t kMaxUserstoreBytes = std::uintmax_t{4} * 1024 * 1024;

std::string read_all(const fs::path& p) {
  std::error_code ec;
  std::uintmax_t size = fs::file_size(p, ec);
  if (ec || size > kMaxUserstoreBytes) {
    throw Error(ErrorKind::config,
                fmt::format("{} is not a readable userstore file of at most {} bytes",
                            echo(p.string()), kMaxUserstoreBytes));
  }
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || !in.is_open()) {
    throw Error(ErrorKind::io, fmt::format("cannot read {}", echo(p.string())));
  }
  return s;
}

std::string trimmed(std::string v) {
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  return v;
}

bool is_true(const char* v) {
  std::string s = trimmed(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "true";
}

std::vector<fs::path> userstore_files(const fs::path& home) {
  std::vector<fs::path> dirs{home / "repository/deployment/server/userstores"};
  std::error_code ec;
  fs::path tenants = home / "repository/tenants";
  if (fs::is_directory(tenants, ec)) {
    for (const fs::directory_entry& t : fs::directory_iterator(tenants, ec)) {
      dirs.push_back(t.path() / "userstores");
    }
  }
  std::vector<fs::path> files;
  for (const fs::path& d : dirs) {
    if (!fs::is_directory(d, ec)) {
      continue;
    }
    for (const fs::directory_entry& f : fs::directory_iterator(d, ec)) {
      if (f.is_regular_file(ec) && f.path().extension() == ".xml") {
        files.push_back(f.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// An opened key: private key for decrypting, certificate for encrypting and thumbprints.
struct OpenKey {
  Keystore store;
  PrivateKey key;
  std::string cert_der;
  std::string thumbprint;
};

OpenKey open_key(const KeySource& s) {
  if (!s.store_password) {
    throw Error(ErrorKind::config,
                fmt::format("no password for the {} keystore {}", s.role, echo(s.file.string())),
                s.role == "internal" || s.role == "target"
                    ? "set CUTOVER_TARGET_KEYSTORE_PASSWORD or --to-password-file"
                    : "set CUTOVER_KEYSTORE_PASSWORD or --from-password-file");
  }
  OpenKey k{Keystore::open(s.file, *s.store_password), nullptr, {}, {}};
  const KeystoreEntry& e = k.store.entry(s.alias);
  k.key = k.store.private_key(e.alias, s.key_password.value_or(*s.store_password));
  if (e.chain_der.empty()) {
    throw Error(ErrorKind::config, fmt::format("keystore {}: key '{}' has no certificate",
                                               echo(s.file.string()), echo(e.alias, 40)));
  }
  k.cert_der = e.chain_der.front();
  k.thumbprint = thumbprint(k.cert_der);
  return k;
}

bool valid_utf8(const std::string& s) {
  try {
    utf16be(s);
  } catch (const Error&) {
    return false;
  }
  return true;
}

std::string rel_to_home(const fs::path& p, const fs::path& home) {
  return p.lexically_relative(home).string();
}

struct PendingFile {
  fs::path path;
  std::string original;
  std::string contents;
};

// Replaces every occurrence of `from` in `text`; base64 needs no XML escaping, so the value
// stands in the file exactly as it was read, and the rest of the file keeps its bytes.
std::size_t replace_all(std::string& text, const std::string& from, const std::string& to) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
    ++n;
  }
  return n;
}

fs::path backup_path(const fs::path& p) {
  fs::path b = p;
  b += ".cutover-backup";
  std::error_code ec;
  for (int i = 1; fs::exists(b, ec) && i < 1000; ++i) {
    b = p;
    b += fmt::format(".cutover-backup.{}", i);
  }
  return b;
}

}  // namespace

KeySource configured_keystore(const fs::path& home, std::string_view role) {
  std::optional<wso2conf::KeystoreConfig> k;
  fs::path toml = home / "repository/conf/deployment.toml";
  fs::path carbon = home / "repository/conf/carbon.xml";
  std::error_code ec;
  fs::path used;
  if (fs::exists(toml, ec)) {
    used = toml;
    wso2conf::DeploymentToml d = wso2conf::read_deployment_toml(toml);
    k = role == "primary" ? d.primary_keystore : d.internal_keystore;
    if (k && k->file.is_relative()) {
      k->file = home / k->file;
    }
  } else if (fs::exists(carbon, ec)) {
    used = carbon;
    wso2conf::CarbonXml c = wso2conf::read_carbon_xml(carbon, home);
    k = role == "primary" ? c.primary : c.internal;
  } else {
    throw Error(ErrorKind::config,
                fmt::format("{} has neither repository/conf/deployment.toml nor carbon.xml",
                            echo(home.string())),
                "give the product home (IS_HOME), or name the keystores with --from-keystore "
                "and --to-keystore");
  }
  if (!k) {
    throw Error(ErrorKind::config,
                fmt::format("{} configures no {} keystore", echo(used.string()), role),
                fmt::format("name it with --{}-keystore PATH", role == "primary" ? "from" : "to"));
  }
  KeySource s;
  s.role = std::string(role);
  s.file = k->file;
  s.store_password = k->password;
  s.key_password = k->key_password;
  s.alias = k->alias;
  s.source = k->source;
  return s;
}

ReencryptReport reencrypt_userstores(const ReencryptOptions& o) {
  ReencryptReport report;
  OpenKey from = open_key(o.from);
  OpenKey to = open_key(o.to);
  report.from_thumbprint = from.thumbprint;
  report.to_thumbprint = to.thumbprint;

  // Everything is decided and verified in memory first: no file is written while any value
  // of any file can still fail.
  std::vector<PendingFile> pending;
  for (const fs::path& file : userstore_files(o.home)) {
    std::string rel = rel_to_home(file, o.home);
    report.files.push_back(rel);
    std::string original = read_all(file);
    pugi::xml_document doc;
    pugi::xml_parse_result ok = doc.load_buffer(original.data(), original.size());
    if (!ok) {
      throw Error(
          ErrorKind::config,
          fmt::format("cannot parse {}: {} (byte {})", echo(rel), ok.description(), ok.offset),
          "fix the XML, or move the file out of the userstores folder");
    }
    std::string updated = original;
    std::vector<std::pair<std::string, Secret>> expect;  // new value -> plaintext
    for (pugi::xml_node p : doc.child("UserStoreManager").children("Property")) {
      if (!is_true(p.attribute("encrypted").as_string())) {
        continue;
      }
      std::string name = p.attribute("name").as_string();
      std::string value = trimmed(p.text().as_string());
      if (value.empty()) {
        continue;
      }
      PropertyResult r{rel, name, {}, false};
      try {
        CipherInfo info = inspect_ciphertext(value);
        r.was = to_string(info.form);
        if (info.form == CipherForm::self_contained && info.thumbprint == to.thumbprint &&
            info.transformation == kOaepTransformation) {
          report.properties.push_back(r);  // already for the target: a rerun changes nothing
          continue;
        }
        Secret plain = decrypt(value, from.key.get(), from.cert_der);
        // A legacy value carries no thumbprint, and a wrong key passes PKCS#1 v1.5's check
        // about once in 10^5 tries: a password that is not text means the wrong key.
        if (plain.reveal().find('\0') != std::string::npos || !valid_utf8(plain.reveal())) {
          throw Error(ErrorKind::auth, "the value decrypts to bytes that are not text",
                      "it was probably encrypted for another key: check --from");
        }
        std::string fresh = encrypt(plain, to.cert_der, CipherForm::self_contained);
        if (replace_all(updated, value, fresh) == 0) {
          throw Error(ErrorKind::internal, "the value was not found in the file's text");
        }
        expect.emplace_back(fresh, std::move(plain));
        r.changed = true;
      } catch (Error& e) {
        e.add_context(fmt::format("property {} of {}", echo(name, 60), echo(rel)));
        throw;
      }
      report.properties.push_back(r);
    }
    if (expect.empty()) {
      continue;
    }
    // Read the new text back as the server will, and check each new value decrypts with the
    // target key to the plaintext it came from.
    pugi::xml_document check;
    if (!check.load_buffer(updated.data(), updated.size())) {
      throw Error(ErrorKind::internal, fmt::format("the rewritten {} does not parse", echo(rel)));
    }
    std::size_t seen = 0;
    for (pugi::xml_node p : check.child("UserStoreManager").children("Property")) {
      std::string value = trimmed(p.text().as_string());
      for (const auto& [fresh, plain] : expect) {
        if (value == fresh) {
          ++seen;
          Secret again = decrypt(value, to.key.get(), to.cert_der);
          if (again.reveal() != plain.reveal()) {
            throw Error(ErrorKind::internal,
                        fmt::format("a re-encrypted value of {} did not decrypt to the same "
                                    "plaintext; nothing was written",
                                    echo(rel)));
          }
        }
      }
    }
    if (seen < expect.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("the rewritten {} lost a value; nothing was written", echo(rel)));
    }
    pending.push_back({file, std::move(original), std::move(updated)});
  }
  if (o.dry_run) {
    return report;
  }
  for (PendingFile& f : pending) {
    // Someone editing the file meanwhile (the server's own deployer) must not be overwritten.
    if (read_all(f.path) != f.original) {
      throw Error(ErrorKind::io,
                  fmt::format("{} changed while cutover was working; it was left as it is",
                              echo(rel_to_home(f.path, o.home))),
                  "run reencrypt again (values already re-encrypted are left alone)");
    }
    fs::path backup = backup_path(f.path);
    write_file_atomically(backup.string(), f.original);
    report.backups.push_back(rel_to_home(backup, o.home));
    write_file_atomically(f.path.string(), f.contents);
    report.written.push_back(rel_to_home(f.path, o.home));
  }
  return report;
}

}  // namespace cutover::secrets
