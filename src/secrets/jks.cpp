#include "secrets/jks.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "core/echo.h"
#include "core/error.h"

namespace cutover::secrets::jks {

namespace {

constexpr std::size_t kSha1Len = 20;
constexpr std::uint32_t kTagPrivateKey = 1;
constexpr std::uint32_t kTagTrustedCert = 2;
// The smallest possible entry: tag, empty alias, date, and an empty certificate.
constexpr std::size_t kMinEntryBytes = 4 + 2 + 8 + 4;
constexpr std::string_view kWhitener = "Mighty Aphrodite";
constexpr std::string_view kKeyProtectorOid = "1.3.6.1.4.1.42.2.17.1.1";

[[noreturn]] void malformed(const std::string& name, std::string_view what) {
  throw Error(ErrorKind::config,
              fmt::format("keystore {} is not a valid JKS file: {}", echo(name), what),
              "check the file is the keystore (not truncated or a copy in another format)");
}

// Big-endian reads with every length checked against the bytes left.
class Reader {
 public:
  Reader(std::string_view data, const std::string& name) : data_(data), name_(name) {}

  std::uint32_t u32() {
    need(4, "a length or count");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v = (v << 8U) | static_cast<unsigned char>(data_[pos_++]);
    }
    return v;
  }

  std::uint16_t u16() {
    need(2, "a string length");
    std::uint16_t v = static_cast<std::uint16_t>((static_cast<unsigned char>(data_[pos_]) << 8U) |
                                                 static_cast<unsigned char>(data_[pos_ + 1]));
    pos_ += 2;
    return v;
  }

  std::string_view bytes(std::size_t n, std::string_view what) {
    need(n, what);
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  // DataInputStream.readUTF: a u16 length, then modified UTF-8.
  std::string utf(std::string_view what) { return std::string(bytes(u16(), what)); }

  std::size_t left() const { return data_.size() - pos_; }

  std::size_t pos() const { return pos_; }

 private:
  void need(std::size_t n, std::string_view what) {
    if (n > left()) {
      malformed(name_, fmt::format("truncated: {} at byte {} needs {} bytes, {} left", what, pos_,
                                   n, left()));
    }
  }

  std::string_view data_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

std::array<unsigned char, kSha1Len> sha1(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::array<unsigned char, kSha1Len> out{};
  unsigned len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) == 1;
  for (std::string_view p : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok || len != kSha1Len) {
    throw Error(ErrorKind::internal, "SHA-1 failed in OpenSSL");
  }
  return out;
}

std::string_view view(const std::array<unsigned char, kSha1Len>& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// A certificate as stored: version 2 names its type ("X.509") first.
std::string read_cert(Reader& r, std::uint32_t version, const std::string& name) {
  if (version == 2) {
    std::string type = r.utf("a certificate type");
    if (type != "X.509") {
      malformed(name, fmt::format("certificate type '{}' (only X.509 is known)", echo(type)));
    }
  }
  std::uint32_t len = r.u32();
  return std::string(r.bytes(len, "a certificate"));
}

}  // namespace

std::vector<KeystoreEntry> parse(std::string_view bytes, const Secret& store_password,
                                 const std::string& name) {
  Reader r(bytes, name);
  std::uint32_t magic = r.u32();
  if (magic == kJceksMagic) {
    throw Error(ErrorKind::unsupported,
                fmt::format("keystore {} is JCEKS, which cutover does not read", echo(name)),
                "convert it: keytool -importkeystore -srcstoretype JCEKS -deststoretype PKCS12");
  }
  if (magic != kMagic) {
    malformed(name, "no JKS magic number");
  }
  std::uint32_t version = r.u32();
  if (version != 1 && version != 2) {
    malformed(name, fmt::format("unknown version {}", version));
  }
  std::uint32_t count = r.u32();
  if (count > r.left() / kMinEntryBytes) {
    malformed(name, fmt::format("{} entries cannot fit in {} bytes", count, r.left()));
  }
  std::vector<KeystoreEntry> entries;
  entries.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    KeystoreEntry e;
    std::uint32_t tag = r.u32();
    e.alias = r.utf("an alias");
    r.bytes(8, "an entry date");
    if (tag == kTagPrivateKey) {
      e.protection = KeyProtection::sun_jks;
      std::uint32_t key_len = r.u32();
      e.protected_key = std::string(r.bytes(key_len, "a protected key"));
      std::uint32_t chain = r.u32();
      if (chain > r.left() / 4) {
        malformed(name, fmt::format("a chain of {} certificates cannot fit", chain));
      }
      for (std::uint32_t c = 0; c < chain; ++c) {
        e.chain_der.push_back(read_cert(r, version, name));
      }
    } else if (tag == kTagTrustedCert) {
      e.chain_der.push_back(read_cert(r, version, name));
    } else {
      malformed(name, fmt::format("entry {} has unknown tag {}", i + 1, tag));
    }
    entries.push_back(std::move(e));
  }
  std::size_t data_len = r.pos();
  std::string_view stored = r.bytes(kSha1Len, "the integrity digest");
  if (r.left() != 0) {
    malformed(name, fmt::format("{} bytes after the integrity digest", r.left()));
  }
  std::string pw = utf16be(store_password.reveal());
  auto digest = sha1({pw, kWhitener, bytes.substr(0, data_len)});
  OPENSSL_cleanse(pw.data(), pw.size());
  if (CRYPTO_memcmp(digest.data(), stored.data(), kSha1Len) != 0) {
    throw Error(ErrorKind::auth,
                fmt::format("keystore {}: integrity check failed: wrong store password, or the "
                            "file was modified",
                            echo(name)),
                "set CUTOVER_KEYSTORE_PASSWORD (or --password-file) to the store password");
  }
  return entries;
}

std::string recover_key(std::string_view encrypted_private_key_info, const Secret& key_password,
                        const std::string& name) {
  const auto* p = reinterpret_cast<const unsigned char*>(encrypted_private_key_info.data());
  std::unique_ptr<X509_SIG, decltype(&X509_SIG_free)> sig(
      d2i_X509_SIG(nullptr, &p, static_cast<long>(encrypted_private_key_info.size())),
      X509_SIG_free);
  if (!sig) {
    malformed(name, "a private key entry is not an EncryptedPrivateKeyInfo");
  }
  const X509_ALGOR* alg = nullptr;
  const ASN1_OCTET_STRING* data = nullptr;
  X509_SIG_get0(sig.get(), &alg, &data);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  std::array<char, 80> oid_text{};
  OBJ_obj2txt(oid_text.data(), static_cast<int>(oid_text.size()), oid, 1);
  if (std::string_view(oid_text.data()) != kKeyProtectorOid) {
    throw Error(ErrorKind::unsupported,
                fmt::format("keystore {}: private key protected with {}, not Sun's KeyProtector",
                            echo(name), echo(oid_text.data())),
                "convert the keystore to PKCS12 with keytool -importkeystore");
  }
  std::string_view enc(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                       static_cast<std::size_t>(ASN1_STRING_length(data)));
  if (enc.size() <= 2 * kSha1Len) {
    malformed(name, "a protected key is shorter than its salt and check digest");
  }
  std::string_view salt = enc.substr(0, kSha1Len);
  std::string_view body = enc.substr(kSha1Len, enc.size() - 2 * kSha1Len);
  std::string_view check = enc.substr(enc.size() - kSha1Len);
  std::string pw = utf16be(key_password.reveal());
  // The keystream: d0 = salt, d(i+1) = SHA-1(password | d(i)), concatenated.
  std::string plain(body.size(), '\0');
  std::array<unsigned char, kSha1Len> d{};
  std::copy(salt.begin(), salt.end(), d.begin());
  for (std::size_t off = 0; off < body.size(); off += kSha1Len) {
    d = sha1({pw, view(d)});
    for (std::size_t i = 0; i < kSha1Len && off + i < body.size(); ++i) {
      plain[off + i] = static_cast<char>(static_cast<unsigned char>(body[off + i]) ^ d[i]);
    }
  }
  auto digest = sha1({pw, plain});
  OPENSSL_cleanse(pw.data(), pw.size());
  if (CRYPTO_memcmp(digest.data(), check.data(), kSha1Len) != 0) {
    OPENSSL_cleanse(plain.data(), plain.size());
    throw Error(
        ErrorKind::auth,
        fmt::format("keystore {}: cannot recover the private key: wrong key password", echo(name)),
        "set CUTOVER_KEY_PASSWORD (it defaults to the store password)");
  }
  return plain;
}

}  // namespace cutover::secrets::jks
