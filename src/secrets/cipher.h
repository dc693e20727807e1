// secrets cipher: WSO2's keystore-based ciphertexts. Two forms (reference
// wso2-migration-tooling.md §5.2): legacy, base64 of raw RSA PKCS#1 v1.5 (IS <= 5.4, or no
// org.wso2.CipherTransformation); and self-contained, base64 of the JSON {c, t, tp, tpd} that
// CryptoUtil writes with Gson (c: base64 RSA-OAEP SHA-1/MGF1 ciphertext, tp: upper-case hex
// thumbprint of the certificate, tpd: its digest). AES-GCM (IS 5.11+) is not handled: it was
// not verified against a value WSO2's own code encrypted. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/secret.h"
#include "secrets/keystore.h"

namespace cutover::secrets {

enum class CipherForm { pkcs1, self_contained };

const char* to_string(CipherForm form);

/// The transformation WSO2 names in `t` for the self-contained form.
inline constexpr std::string_view kOaepTransformation = "RSA/ECB/OAEPwithSHA1andMGF1Padding";

/// What a stored value is, without decrypting it.
struct CipherInfo {
  CipherForm form = CipherForm::pkcs1;
  std::string transformation;     ///< `t`; "RSA" for the legacy form
  std::string thumbprint;         ///< `tp` in upper case; empty for the legacy form
  std::string thumbprint_digest;  ///< `tpd`
  std::string raw;                ///< the RSA ciphertext bytes
};

/// Classifies a base64 value. Throws config for bad base64 or a self-contained value missing
/// `c`; unsupported for a transformation other than RSA PKCS#1 v1.5 or OAEP (AES-GCM).
CipherInfo inspect_ciphertext(std::string_view base64_value);

/// Decrypts with `key`; `cert_der` is the certificate of that key, checked against a
/// self-contained value's thumbprint (a mismatch throws config naming both thumbprints, so the
/// wrong keystore is named before RSA fails). A padding failure throws auth ("not encrypted
/// for this key"); the message never holds the value or the plaintext.
Secret decrypt(std::string_view base64_value, EVP_PKEY* key, std::string_view cert_der);

/// Encrypts UTF-8 `plaintext` for the certificate's public key, in the given form; the
/// self-contained JSON is written as Gson writes it (fields c, t, tp, tpd; '=' as \u003d).
std::string encrypt(const Secret& plaintext, std::string_view cert_der, CipherForm form);

/// Strict base64 (RFC 4648 alphabet, padding required, whitespace skipped).
std::string base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace cutover::secrets
