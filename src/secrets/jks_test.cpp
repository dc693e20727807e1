// JKS container parsing over hand-built bytes: the integrity digest as documented, every
// length bounded, unknown tags and versions refused. Real keytool stores are exercised by
// tests/e2e/secrets_keystores.sh.
#include "secrets/jks.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "secrets/keystore.h"

namespace cutover::secrets {
namespace {

void put32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    s += static_cast<char>((v >> static_cast<unsigned>(shift)) & 0xFFU);
  }
}

std::string sha1(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha1(), nullptr);
  return {reinterpret_cast<char*>(out), len};
}

// A store with `body` after the header, sealed with the documented digest.
std::string sealed(std::uint32_t count, const std::string& body, const std::string& password) {
  std::string s;
  put32(s, jks::kMagic);
  put32(s, 2);
  put32(s, count);
  s += body;
  return s + sha1(utf16be(password) + "Mighty Aphrodite" + s);
}

std::string trusted_cert_entry(const std::string& alias, const std::string& cert) {
  std::string e;
  put32(e, 2);
  e += static_cast<char>(0);
  e += static_cast<char>(alias.size());
  e += alias;
  e += std::string(8, '\0');
  e += static_cast<char>(0);
  e += static_cast<char>(5);
  e += "X.509";
  put32(e, static_cast<std::uint32_t>(cert.size()));
  return e + cert;
}

ErrorKind kind_of(const std::string& bytes, const std::string& password) {
  try {
    Keystore::parse(bytes, Secret(password), "test.jks");
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::internal;  // accepted: no error kind
}

TEST(Jks, EmptyStoreWithTheRightPasswordOpens) {
  Keystore ks = Keystore::parse(sealed(0, "", "wso2carbon"), Secret("wso2carbon"), "t");
  EXPECT_EQ(ks.type(), KeystoreType::jks);
  EXPECT_TRUE(ks.entries().empty());
}

TEST(Jks, TrustedCertificateEntryIsReadByAlias) {
  Keystore ks =
      Keystore::parse(sealed(1, trusted_cert_entry("ca", "DERBYTES"), "pw"), Secret("pw"), "t");
  ASSERT_EQ(ks.entries().size(), 1U);
  EXPECT_EQ(ks.entry("CA").chain_der.front(), "DERBYTES");  // aliases compare case-blind
  EXPECT_EQ(ks.entry("ca").protection, KeyProtection::none);
}

TEST(Jks, WrongPasswordAndAFlippedByteFailTheIntegrityCheck) {
  std::string good = sealed(1, trusted_cert_entry("ca", "DERBYTES"), "pw");
  EXPECT_EQ(kind_of(good, "other"), ErrorKind::auth);
  std::string bad = good;
  bad[bad.size() - 25] ^= 1;  // inside the certificate
  EXPECT_EQ(kind_of(bad, "pw"), ErrorKind::auth);
}

TEST(Jks, EveryTruncationIsRefusedAsMalformed) {
  std::string good = sealed(1, trusted_cert_entry("ca", "DERBYTES"), "pw");
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(kind_of(good.substr(0, n), "pw"), ErrorKind::config) << "cut at " << n;
  }
  EXPECT_EQ(kind_of(good + "x", "pw"), ErrorKind::config);
}

TEST(Jks, HugeCountsAndLengthsAreBoundedByTheBytesLeft) {
  EXPECT_EQ(kind_of(sealed(0x7FFFFFFF, "", "pw"), "pw"), ErrorKind::config);
  std::string e;
  put32(e, 2);
  e += std::string("\0\1a", 3);
  e += std::string(8, '\0');
  e += std::string("\0\5X.509", 7);
  put32(e, 0xFFFFFFF0U);  // certificate length far beyond the file
  EXPECT_EQ(kind_of(sealed(1, e, "pw"), "pw"), ErrorKind::config);
}

TEST(Jks, UnknownTagVersionAndJceksAreNamed) {
  std::string e;
  put32(e, 3);  // a secret-key entry: JCEKS only
  e += std::string("\0\1a", 3) + std::string(8, '\0');
  EXPECT_EQ(kind_of(sealed(1, e + std::string(4, '\0'), "pw"), "pw"), ErrorKind::config);
  std::string v3 = sealed(0, "", "pw");
  v3[7] = 3;
  EXPECT_EQ(kind_of(v3, "pw"), ErrorKind::config);
  std::string jceks = sealed(0, "", "pw");
  jceks[0] = jceks[1] = jceks[2] = jceks[3] = static_cast<char>(0xCE);
  EXPECT_EQ(kind_of(jceks, "pw"), ErrorKind::unsupported);
}

TEST(Jks, KeyProtectorRejectsAWrongKeyPassword) {
  // An EncryptedPrivateKeyInfo with Sun's OID around salt | 1 byte | check digest of "pw".
  std::string salt(20, '\x11');
  std::string key = "K";
  std::string stream = sha1(utf16be("pw") + salt);
  std::string enc =
      salt + std::string(1, static_cast<char>(key[0] ^ stream[0])) + sha1(utf16be("pw") + key);
  std::string oid("\x06\x0a\x2b\x06\x01\x04\x01\x2a\x02\x11\x01\x01", 12);
  std::string alg =
      std::string("\x30") + static_cast<char>(oid.size() + 2) + oid + std::string("\x05\x00", 2);
  std::string octets = std::string("\x04") + static_cast<char>(enc.size()) + enc;
  std::string info =
      std::string("\x30") + static_cast<char>(alg.size() + octets.size()) + alg + octets;
  EXPECT_EQ(jks::recover_key(info, Secret("pw"), "t"), "K");
  try {
    jks::recover_key(info, Secret("wrong"), "t");
    ADD_FAILURE() << "a wrong key password was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
  }
}

TEST(Jks, PasswordsAreHashedAsJavaChars) {
  EXPECT_EQ(utf16be("ab"), std::string("\0a\0b", 4));
  EXPECT_EQ(utf16be("\xC3\xA4"), std::string("\0\xE4", 2));                    // U+00E4
  EXPECT_EQ(utf16be("\xF0\x9F\x94\x91"), std::string("\xD8\x3D\xDD\x11", 4));  // U+1F511
  EXPECT_THROW(utf16be("\xC3"), Error);
}

// Bounded random damage (a fuzz pass that runs in every test run): each variant either opens
// or throws cutover::Error; nothing else escapes, nothing reads out of bounds (run under
// -DCUTOVER_SANITIZE=ON to have ASan check the latter).
TEST(Jks, RandomDamageOnlyEverGivesAnError) {
  std::string good =
      sealed(2, trusted_cert_entry("a", "CERT-ONE") + trusted_cert_entry("b", "CERT-2"), "pw");
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525U + 1013904223U;
    return state >> 8U;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string v = good;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = next() % v.size();
      switch (next() % 3) {
        case 0:
          v[at] = static_cast<char>(next());
          break;
        case 1:
          v.resize(at);
          break;
        default:
          v.insert(at, std::string(1 + next() % 8, static_cast<char>(next())));
      }
      if (v.empty()) {
        break;
      }
    }
    try {
      Keystore::parse(v, Secret("pw"), "fuzz.jks");
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace cutover::secrets
