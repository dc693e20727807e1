// WSO2's cipher forms over a key made here with OpenSSL: both forms round-trip, the
// self-contained JSON is what Gson writes, thumbprints are checked, base64 is strict, AES-GCM is
// named as unsupported. Interop with openssl's CLI and the JDK is in tests/e2e/secrets_*.sh.
#include "secrets/cipher.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/error.h"

namespace cutover::secrets {
namespace {

struct TestKey {
  PrivateKey key;
  std::string cert_der;
};

TestKey make_key() {
  TestKey k{PrivateKey(EVP_RSA_gen(2048)), {}};
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, k.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_sign(x, k.key.get(), EVP_sha256());
  int len = i2d_X509(x, nullptr);
  k.cert_der.resize(static_cast<std::size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(k.cert_der.data());
  i2d_X509(x, &p);
  X509_free(x);
  return k;
}

const TestKey& key_a() {
  static const TestKey kKey = make_key();
  return kKey;
}

const TestKey& key_b() {
  static const TestKey kKey = make_key();
  return kKey;
}

ErrorKind kind_of_decrypt(const std::string& value, const TestKey& k) {
  try {
    decrypt(value, k.key.get(), k.cert_der);
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::internal;
}

TEST(Cipher, BothFormsRoundTrip) {
  for (CipherForm form : {CipherForm::pkcs1, CipherForm::self_contained}) {
    std::string v = encrypt(Secret("s3cret-\xC3\xA4"), key_a().cert_der, form);
    EXPECT_EQ(inspect_ciphertext(v).form, form);
    EXPECT_EQ(decrypt(v, key_a().key.get(), key_a().cert_der).reveal(), "s3cret-\xC3\xA4");
  }
}

TEST(Cipher, SelfContainedIsGsonsJsonWithTheUpperCaseSha1Thumbprint) {
  std::string v = encrypt(Secret("x"), key_a().cert_der, CipherForm::self_contained);
  std::string json = base64_decode(v);
  EXPECT_EQ(json.rfind("{\"c\":\"", 0), 0U);
  std::string tail =
      fmt::format(R"(","t":"RSA/ECB/OAEPwithSHA1andMGF1Padding","tp":"{}","tpd":"SHA-1"}})",
                  thumbprint(key_a().cert_der));
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail);
  EXPECT_NE(json.find("\\u003d"), std::string::npos);  // a 256-byte RSA block ends in "="
  EXPECT_EQ(json.find('='), std::string::npos);
  CipherInfo info = inspect_ciphertext(v);
  EXPECT_EQ(info.thumbprint.size(), 40U);
  EXPECT_EQ(info.raw.size(), 256U);
}

TEST(Cipher, WrongKeyIsAnAuthErrorAndAForeignThumbprintIsNamed) {
  std::string legacy = encrypt(Secret("x"), key_a().cert_der, CipherForm::pkcs1);
  EXPECT_EQ(kind_of_decrypt(legacy, key_b()), ErrorKind::auth);
  std::string sc = encrypt(Secret("x"), key_a().cert_der, CipherForm::self_contained);
  try {
    decrypt(sc, key_b().key.get(), key_b().cert_der);
    ADD_FAILURE() << "a value for another certificate decrypted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(e.message().find(thumbprint(key_a().cert_der)), std::string::npos);
  }
}

TEST(Cipher, AesGcmIsUnsupportedNotMisread) {
  std::string outer = base64_encode(R"({"c":"AAAA","t":"AES/GCM/NoPadding","iv":"AAAA"})");
  try {
    inspect_ciphertext(outer);
    ADD_FAILURE() << "AES-GCM accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
  }
}

TEST(Cipher, Base64IsStrict) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_THROW(base64_decode("aGVsbG8"), Error);
  EXPECT_THROW(base64_decode("aG=sbG8="), Error);
  EXPECT_THROW(base64_decode("aGVs*G8="), Error);
  EXPECT_THROW(base64_decode(""), Error);
  EXPECT_THROW(inspect_ciphertext(std::string(20000, 'A')), Error);
}

TEST(Cipher, TamperedCiphertextFailsItsPaddingCheck) {
  for (CipherForm form : {CipherForm::pkcs1, CipherForm::self_contained}) {
    std::string v = encrypt(Secret("x"), key_a().cert_der, form);
    CipherInfo info = inspect_ciphertext(v);
    info.raw[100] ^= 1;
    std::string bad = base64_encode(info.raw);
    if (form == CipherForm::self_contained) {
      bad = base64_encode(fmt::format(R"({{"c":"{}","t":"{}","tp":"{}","tpd":"SHA-1"}})", bad,
                                      kOaepTransformation, thumbprint(key_a().cert_der)));
    }
    EXPECT_EQ(kind_of_decrypt(bad, key_a()), ErrorKind::auth);
  }
}

// Found by bench/fuzz.sh: a self-contained value whose t, tp or tpd is not a string escaped
// as nlohmann's type_error (an internal error, and the end of a reencrypt run).
TEST(Cipher, SelfContainedFieldsOfAnotherTypeAreAConfigError) {
  for (const char* json : {R"({"c":"AAAA","t":1})", R"({"c":"AAAA","tp":["x"]})",
                           R"({"c":"AAAA","tpd":null})", R"({"c":"AAAA","t":{"a":1}})"}) {
    try {
      inspect_ciphertext(base64_encode(json));
      ADD_FAILURE() << json << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config) << json;
    }
  }
}

TEST(Cipher, RandomValuesOnlyEverGiveAnError) {
  std::uint32_t state = 777;
  auto next = [&state] {
    state = state * 1664525U + 1013904223U;
    return state >> 8U;
  };
  std::string sc =
      base64_decode(encrypt(Secret("x"), key_a().cert_der, CipherForm::self_contained));
  for (int i = 0; i < 300; ++i) {
    std::string v = sc;
    v[next() % v.size()] = static_cast<char>(next());
    if (next() % 2 == 0) {
      v.resize(next() % v.size());
    }
    try {
      decrypt(base64_encode(v), key_a().key.get(), key_a().cert_der);
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace cutover::secrets
