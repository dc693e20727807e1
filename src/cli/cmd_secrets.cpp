// cutover secrets: re-encrypt secondary userstore passwords for another keystore (reencrypt),
// and decrypt or encrypt one value read from stdin (decrypt, encrypt). Passwords come from the
// environment or a file, never argv; plaintext goes only to stdout of `decrypt`.
#include <array>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_table.h"
#include "cli/common.h"
#include "core/echo.h"
#include "core/error.h"
#include "core/secret.h"
#include "secrets/cipher.h"
#include "secrets/keystore.h"
#include "secrets/reencrypt.h"

namespace cutover::cli {

namespace {

// One value on stdin: a password or its ciphertext, never more than a few KiB.
constexpr std::size_t kMaxStdinBytes = std::size_t{64} * 1024;

constexpr const char* kFormsNote =
    "Forms: legacy base64 RSA PKCS#1 v1.5 (IS <= 5.4) and the base64 self-contained JSON "
    "{c,t,tp,tpd} with RSA-OAEP SHA-1/MGF1 (IS 5.5-5.10). AES-GCM values (IS 5.11+, symmetric "
    "key) are not handled: no value encrypted by WSO2's own code was available to verify "
    "against.";

struct OneValueArgs {
  std::string keystore;
  std::string alias;
  std::string password_file;
  std::string format = "self-contained";
};

struct ReencryptArgs {
  std::string home;
  std::string from = "primary";
  std::string to = "internal";
  std::string from_keystore;
  std::string to_keystore;
  std::string from_alias;
  std::string to_alias;
  std::string from_password_file;
  std::string to_password_file;
  bool dry_run = false;
  bool json = false;
};

std::string read_stdin_value() {
  std::string s;
  std::array<char, 4096> buf{};
  while (std::cin.read(buf.data(), static_cast<std::streamsize>(buf.size())) ||
         std::cin.gcount() > 0) {
    s.append(buf.data(), static_cast<std::size_t>(std::cin.gcount()));
    if (s.size() > kMaxStdinBytes) {
      throw Error(ErrorKind::usage, fmt::format("more than {} bytes on stdin", kMaxStdinBytes),
                  "give one value on stdin");
    }
  }
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
  if (s.empty()) {
    throw Error(ErrorKind::usage, "no value on stdin", "e.g. printf %s \"$VALUE\" | cutover ...");
  }
  return s;
}

struct OpenedKeystore {
  secrets::Keystore store;
  Secret store_password;
};

OpenedKeystore open_for(const OneValueArgs& a) {
  std::optional<Secret> pw = password_from("CUTOVER_KEYSTORE_PASSWORD", a.password_file);
  if (!pw) {
    throw Error(ErrorKind::usage, "no keystore password",
                "set CUTOVER_KEYSTORE_PASSWORD or give --password-file FILE");
  }
  return {secrets::Keystore::open(a.keystore, *pw), *pw};
}

int run_decrypt(const OneValueArgs& a) {
  OpenedKeystore ks = open_for(a);
  std::string value = read_stdin_value();
  const secrets::KeystoreEntry& e = ks.store.entry(a.alias);
  Secret key_pw = password_from("CUTOVER_KEY_PASSWORD", "").value_or(ks.store_password);
  secrets::PrivateKey key = ks.store.private_key(e.alias, key_pw);
  if (e.chain_der.empty()) {
    throw Error(ErrorKind::config, fmt::format("entry '{}' has no certificate", echo(e.alias)));
  }
  Secret plain = secrets::decrypt(value, key.get(), e.chain_der.front());
  print_out(plain.reveal());
  print_out("\n");
  return 0;
}

int run_encrypt(const OneValueArgs& a) {
  OpenedKeystore ks = open_for(a);
  Secret plain(read_stdin_value());
  const secrets::KeystoreEntry& e = ks.store.entry(a.alias);
  if (e.chain_der.empty()) {
    throw Error(ErrorKind::config, fmt::format("entry '{}' has no certificate", echo(e.alias)));
  }
  secrets::CipherForm form =
      a.format == "pkcs1" ? secrets::CipherForm::pkcs1 : secrets::CipherForm::self_contained;
  print_out(secrets::encrypt(plain, e.chain_der.front(), form) + "\n");
  return 0;
}

secrets::KeySource key_source(const std::string& home, const std::string& role,
                              const std::string& keystore, const std::string& alias,
                              const char* store_env, const char* key_env,
                              const std::string& password_file) {
  secrets::KeySource s;
  if (!keystore.empty()) {
    s.role = "given";
    s.file = keystore;
    s.source = "the command line";
  } else {
    if (role != "primary" && role != "internal") {
      throw Error(ErrorKind::usage, fmt::format("unknown keystore role '{}'", echo(role, 40)),
                  "use primary or internal, or name a file with --from-keystore/--to-keystore");
    }
    s = secrets::configured_keystore(home, role);
  }
  if (!alias.empty()) {
    s.alias = alias;
  }
  // The environment or a file wins over the configuration (needed when the configured
  // password is protected by the secure vault).
  if (std::optional<Secret> pw = password_from(store_env, password_file)) {
    s.store_password = *pw;
  }
  if (std::optional<Secret> kp = password_from(key_env, "")) {
    s.key_password = *kp;
  }
  return s;
}

int run_reencrypt(const ReencryptArgs& a) {
  secrets::ReencryptOptions o;
  o.home = a.home;
  o.dry_run = a.dry_run;
  o.from = key_source(a.home, a.from, a.from_keystore, a.from_alias, "CUTOVER_KEYSTORE_PASSWORD",
                      "CUTOVER_KEY_PASSWORD", a.from_password_file);
  o.to = key_source(a.home, a.to, a.to_keystore, a.to_alias, "CUTOVER_TARGET_KEYSTORE_PASSWORD",
                    "CUTOVER_TARGET_KEY_PASSWORD", a.to_password_file);
  if (o.to.role == "given") {
    o.to.role = "target";
  }
  secrets::ReencryptReport r = secrets::reencrypt_userstores(o);
  std::size_t changed = 0;
  for (const secrets::PropertyResult& p : r.properties) {
    changed += p.changed ? 1 : 0;
  }
  if (a.json) {
    nlohmann::json j;
    j["from_thumbprint"] = r.from_thumbprint;
    j["to_thumbprint"] = r.to_thumbprint;
    j["dry_run"] = a.dry_run;
    j["files"] = r.files;
    j["written"] = r.written;
    j["backups"] = r.backups;
    j["properties"] = nlohmann::json::array();
    for (const secrets::PropertyResult& p : r.properties) {
      j["properties"].push_back(
          {{"file", p.file}, {"property", p.property}, {"was", p.was}, {"changed", p.changed}});
    }
    print_out(j.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n");
    return 0;
  }
  std::string out = fmt::format("from key {} to key {}\n", r.from_thumbprint, r.to_thumbprint);
  for (const secrets::PropertyResult& p : r.properties) {
    out += fmt::format("  {} {}: {}\n", echo(p.file), echo(p.property, 60),
                       p.changed ? fmt::format("{} -> self-contained (target key){}", p.was,
                                               a.dry_run ? ", not written (dry run)" : "")
                                 : "already for the target key, left alone");
  }
  out += fmt::format(
      "{} userstore files, {} encrypted properties, {} re-encrypted{}\n", r.files.size(),
      r.properties.size(), changed,
      a.dry_run ? " (dry run: nothing written)"
                : fmt::format(", {} files replaced (backups beside them)", r.written.size()));
  print_out(out);
  return 0;
}

}  // namespace

void add_secrets_commands(CLI::App& app, Runner& selected) {
  CLI::App* s = app.add_subcommand(
      "secrets",
      "keystores and encrypted values: re-encrypt secondary userstore passwords for "
      "another keystore; decrypt or encrypt one value");
  s->require_subcommand(1);
  s->footer(std::string("\n") + kFormsNote +
            "\nKeystores: JKS and PKCS12, detected from the file. Passwords: "
            "CUTOVER_KEYSTORE_PASSWORD and CUTOVER_KEY_PASSWORD (the key password defaults to the "
            "store password), for reencrypt's target CUTOVER_TARGET_KEYSTORE_PASSWORD and "
            "CUTOVER_TARGET_KEY_PASSWORD, or the --*password-file options; never argv.");

  auto one = [&](const char* name, const char* help, bool encrypt) {
    auto args = std::make_shared<OneValueArgs>();
    CLI::App* c = s->add_subcommand(name, help);
    c->add_option("--keystore", args->keystore, "the keystore file (.jks or .p12)")
        ->required()
        ->check(CLI::ExistingFile);
    c->add_option("--alias", args->alias, "the key entry (default: the only one)");
    c->add_option("--password-file", args->password_file,
                  "read the store password from the first line of FILE");
    if (encrypt) {
      c->add_option("--format", args->format,
                    "self-contained (RSA-OAEP, IS 5.5+) or pkcs1 (legacy RSA PKCS#1 v1.5)")
          ->check(CLI::IsMember({"self-contained", "pkcs1"}))
          ->capture_default_str();
    }
    c->footer(kFormsNote);
    c->callback([args, &selected, encrypt] {
      selected = [args, encrypt] { return encrypt ? run_encrypt(*args) : run_decrypt(*args); };
    });
  };
  one("decrypt",
      "decrypt one value read from stdin (either form, detected) and print the plaintext", false);
  one("encrypt", "encrypt one value read from stdin for the keystore's certificate", true);

  auto args = std::make_shared<ReencryptArgs>();
  CLI::App* r = s->add_subcommand(
      "reencrypt",
      "re-encrypt every encrypted=\"true\" property of the secondary userstore files "
      "(repository/deployment/server/userstores, repository/tenants/*/userstores) from one "
      "keystore's key to another's, in the self-contained RSA-OAEP form; each new value is "
      "decrypted again and compared before any file is replaced (atomically, with a backup)");
  r->add_option("--home", args->home, "product home (IS_HOME)")
      ->required()
      ->check(CLI::ExistingDirectory);
  r->add_option("--from", args->from, "keystore role the values are encrypted for")
      ->check(CLI::IsMember({"primary", "internal"}))
      ->capture_default_str();
  r->add_option("--to", args->to, "keystore role to encrypt for")
      ->check(CLI::IsMember({"primary", "internal"}))
      ->capture_default_str();
  r->add_option("--from-keystore", args->from_keystore,
                "source keystore file instead of the configured one")
      ->check(CLI::ExistingFile);
  r->add_option("--to-keystore", args->to_keystore,
                "target keystore file instead of the configured one")
      ->check(CLI::ExistingFile);
  r->add_option("--from-alias", args->from_alias, "source key entry");
  r->add_option("--to-alias", args->to_alias, "target key entry");
  r->add_option("--from-password-file", args->from_password_file,
                "source store password from FILE (else CUTOVER_KEYSTORE_PASSWORD, else the "
                "configuration)");
  r->add_option("--to-password-file", args->to_password_file,
                "target store password from FILE (else CUTOVER_TARGET_KEYSTORE_PASSWORD, else "
                "the configuration)");
  r->add_flag("--dry-run", args->dry_run, "decrypt, re-encrypt and verify, but write nothing");
  r->add_flag("--json", args->json, "machine-readable output");
  r->footer(kFormsNote);
  r->callback([args, &selected] { selected = [args] { return run_reencrypt(*args); }; });
}

}  // namespace cutover::cli
