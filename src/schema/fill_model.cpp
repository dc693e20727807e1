#include "schema/fill_model.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/utc_time.h"
#include "schema/fill_values.h"

namespace cutover::schema {

namespace {

using db::Row;
using db::Value;

constexpr std::array<std::string_view, 8> kScopes = {
    "openid", "profile", "email", "phone", "address", "default", "internal_login", "groups"};

// Every sorted set of one to three scopes from kScopes, in a fixed order.
const std::vector<std::vector<std::string>>& scope_sets() {
  static const std::vector<std::vector<std::string>> kSets = [] {
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> s(kScopes.begin(), kScopes.end());
    std::sort(s.begin(), s.end());
    for (std::size_t a = 0; a < s.size(); ++a) {
      out.push_back({s[a]});
    }
    for (std::size_t a = 0; a < s.size(); ++a) {
      for (std::size_t b = a + 1; b < s.size(); ++b) {
        out.push_back({s[a], s[b]});
      }
    }
    for (std::size_t a = 0; a < s.size(); ++a) {
      for (std::size_t b = a + 1; b < s.size(); ++b) {
        for (std::size_t d = b + 1; d < s.size(); ++d) {
          out.push_back({s[a], s[b], s[d]});
        }
      }
    }
    return out;
  }();
  return kSets;
}

}  // namespace

FillModel::FillModel(const FillOptions& options, bool versioned_registry)
    : seed_(options.seed), versioned_registry_(versioned_registry) {
  base_ = parse_utc(options.base_time);
  rows_ = std::max<std::int64_t>(options.rows, 0);
  apps_ = std::clamp<std::int64_t>(rows_ / 50, 3, 2000);
  users_ = std::clamp<std::int64_t>(rows_ / 10, 6, 100000);
  users_ += (3 - users_ % 3) % 3;  // a multiple of the tenant count
  combos_ = std::clamp<std::int64_t>(
      rows_ * 2 / 3, 1, apps_ * (users_ / 3) * static_cast<std::int64_t>(scope_sets().size()));
  codes_ = rows_ / 4;
}

int FillModel::tenant_of_app(std::int64_t app) const {
  return kTenants[static_cast<std::size_t>((app - 1) % 3)];
}

std::int64_t FillModel::idp_of_tenant(int tenant) const {
  auto it = std::find(kTenants.begin(), kTenants.end(), tenant);
  return (it - kTenants.begin()) + 1;  // LOCAL IdP ids are 1..3
}

std::string FillModel::user_name(std::int64_t u) const {
  return fmt::format("user{}", u);
}

std::string FillModel::user_domain(std::int64_t u) const {
  return u % 10 == 9 ? "SECONDARY" : "PRIMARY";
}

std::string FillModel::token_id(std::int64_t i) const {
  Rng r(seed_, kTokenId, static_cast<std::uint64_t>(i));
  return uuid4(r);
}

std::string FillModel::code_id(std::int64_t j) const {
  Rng r(seed_, kCodeId, static_cast<std::uint64_t>(j));
  return uuid4(r);
}

// Combo c is (app, user slot, scope set) with c = app + apps * (slot + slots * round): a
// bijection, so two combos never share a CON_APP_KEY. Slot 0 of every app is the
// application itself (client_credentials tokens).
Combo FillModel::combo(std::int64_t c) const {
  Combo k;
  std::int64_t slots = users_ / 3;
  k.app = 1 + c % apps_;
  k.tenant = tenant_of_app(k.app);
  std::int64_t slot = (c / apps_) % slots;
  std::int64_t round = c / (apps_ * slots);
  k.user = slot == 0 ? -1 : slot * 3 + (k.app - 1) % 3;
  const std::vector<std::vector<std::string>>& sets = scope_sets();
  // 29 is coprime to the number of sets (92), so for one app and slot every round maps to
  // a different set; the app and slot only shift where the sequence starts.
  std::int64_t n = static_cast<std::int64_t>(sets.size());
  k.scopes = sets[static_cast<std::size_t>((round * 29 + k.app * 7 + slot * 3) % n)];
  k.binding_ref = c % 10 == 3 ? md5_hex(fmt::format("binding-{}", c)) : "NONE";
  return k;
}

std::string FillModel::join(const std::vector<std::string>& scopes) {
  return fmt::format("{}", fmt::join(scopes, " "));
}

std::vector<std::string> FillModel::token_columns() {
  return {"TOKEN_ID",
          "ACCESS_TOKEN",
          "REFRESH_TOKEN",
          "CONSUMER_KEY_ID",
          "AUTHZ_USER",
          "TENANT_ID",
          "USER_DOMAIN",
          "USER_TYPE",
          "GRANT_TYPE",
          "TIME_CREATED",
          "REFRESH_TOKEN_TIME_CREATED",
          "VALIDITY_PERIOD",
          "REFRESH_TOKEN_VALIDITY_PERIOD",
          "TOKEN_SCOPE_HASH",
          "TOKEN_STATE",
          "TOKEN_STATE_ID",
          "SUBJECT_IDENTIFIER",
          "ACCESS_TOKEN_HASH",
          "REFRESH_TOKEN_HASH",
          "IDP_ID",
          "TOKEN_BINDING_REF",
          "CONSENTED_TOKEN",
          "AUTHORIZED_ORGANIZATION"};
}

// Token i belongs to combo i % combos_; only the newest token of a combo may be ACTIVE, so
// CON_APP_KEY ("one ACTIVE token per client, user and scope") holds by construction. The
// others carry a fresh TOKEN_STATE_ID, as WSO2 writes when a token leaves ACTIVE.
Row FillModel::token_row(std::int64_t i, Stream stream) const {
  std::int64_t c = i % combos_;
  Combo k = combo(c);
  Rng r(seed_, stream, static_cast<std::uint64_t>(i));
  bool newest = i + combos_ >= rows_;
  std::string state;
  if (newest && stream == kToken) {
    state = r.chance(80) ? "ACTIVE" : (r.chance(50) ? "EXPIRED" : "REVOKED");
  } else {
    std::uint64_t p = r.below(100);
    state = p < 50 ? "INACTIVE" : p < 80 ? "EXPIRED" : "REVOKED";
  }
  bool app_token = k.user < 0;
  std::string grant =
      app_token ? "client_credentials"
                : (i % 4 == 0 ? "password" : (i % 4 == 1 ? "refresh_token" : "authorization_code"));
  std::string access = uuid4(r);
  Value refresh = app_token ? Value() : Value(uuid4(r));
  std::int64_t age = state == "ACTIVE"
                         ? static_cast<std::int64_t>(r.below(std::uint64_t{12} * 3600))
                         : static_cast<std::int64_t>(r.below(std::uint64_t{30} * 86400));
  std::string created = utc_text(base_ - age);
  std::int64_t validity = state == "ACTIVE" && r.chance(5) ? -1000 : 3600000;
  std::string user = app_token ? "admin" : user_name(k.user);
  return {Value(stream == kToken ? token_id(i) : uuid4(r)),
          Value(access),
          refresh,
          Value(k.app),
          Value(user),
          Value(k.tenant),
          Value(app_token ? "PRIMARY" : user_domain(k.user)),
          Value(app_token ? "APPLICATION" : "APPLICATION_USER"),
          Value(grant),
          Value(created),
          Value(created),
          Value(validity),
          Value(std::int64_t{86400000}),
          Value(md5_hex(join(k.scopes))),
          Value(state),
          Value(state == "ACTIVE" ? std::string("NONE") : uuid4(r)),
          Value(user),
          Value(hash_json(access)),
          refresh.is_null() ? Value() : Value(hash_json(refresh.as_text())),
          Value(idp_of_tenant(k.tenant)),
          Value(k.binding_ref),
          Value(r.chance(50) ? "true" : "false"),
          Value("NONE")};
}

}  // namespace cutover::schema
