#include "sync/config.h"

#include <array>

#include "core/error.h"
#include "schema/catalogue.h"

namespace cutover::sync {

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

}  // namespace cutover::sync
