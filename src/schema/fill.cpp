#include "schema/fill.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"
#include "db/dialect.h"
#include "plan/fingerprint.h"
#include "plan/inspect.h"
#include "schema/catalogue.h"
#include "schema/fill_values.h"

namespace cutover::schema {

namespace {

using db::Row;
using db::Value;

// RNG streams: one per kind of value, so each value is recomputable from its entity's index.
using Stream = std::uint64_t;
constexpr Stream kTokenId = 1;
constexpr Stream kToken = 2;
constexpr Stream kApp = 4;
constexpr Stream kCode = 5;
constexpr Stream kCodeId = 6;
constexpr Stream kUser = 7;
constexpr Stream kSession = 8;
constexpr Stream kTempSession = 9;
constexpr Stream kAudit = 10;
constexpr Stream kOidc = 11;
constexpr Stream kRegistry = 12;
constexpr Stream kIdp = 13;

// constexpr arrays: no static initialisation that could throw before main().
constexpr std::array<int, 3> kTenants = {-1234, 1, 2};
constexpr std::array<std::string_view, 8> kScopes = {
    "openid", "profile", "email", "phone", "address", "default", "internal_login", "groups"};
constexpr std::array<std::string_view, 6> kClaims = {
    "http://wso2.org/claims/identity/accountLocked",
    "http://wso2.org/claims/identity/failedLoginAttempts",
    "http://wso2.org/claims/identity/lastLogonTime",
    "http://wso2.org/claims/identity/lastPasswordUpdateTime",
    "http://wso2.org/claims/identity/emailVerified",
    "http://wso2.org/claims/identity/accountDisabled"};
constexpr std::array<std::string_view, 5> kSessionTypes = {
    "AppAuthFrameworkSessionContextCache", "AuthenticationContextCache",
    "AuthenticationRequestCache", "AuthorizationGrantCache", "OIDCSessionDataCache"};

constexpr std::size_t kFlushRows = 5000;

// Buffers generated rows for one table and loads them through the bulk path. The generator
// names the columns it produces; columns the live table lacks (an older version) are dropped,
// and a live NOT NULL column without a default that the generator does not produce is a bug.
class TableWriter {
 public:
  TableWriter(db::Connection& conn, const db::TableDef& live, std::vector<std::string> produced)
      : conn_(conn), table_(live.name) {
    for (const db::Column& c : live.columns) {
      auto it = std::find_if(produced.begin(), produced.end(),
                             [&](const std::string& p) { return db::same_ident(p, c.name); });
      if (it != produced.end()) {
        columns_.push_back(c.name);
        pick_.push_back(static_cast<std::size_t>(it - produced.begin()));
      } else if (!c.nullable && c.default_value.kind == db::DefaultValue::Kind::none &&
                 !c.generated) {
        throw Error(
            ErrorKind::config,
            fmt::format("cannot fill {}: column {} is NOT NULL without a default and is not "
                        "part of the catalogued schema",
                        live.name, c.name),
            "fill loads schemas as WSO2 defines them; give the column a default or fill a "
            "database created by 'cutover schema create'");
      }
    }
  }

  void add(const Row& generated) {
    Row r;
    r.reserve(pick_.size());
    for (std::size_t i : pick_) {
      r.push_back(generated[i]);
    }
    buffer_.push_back(std::move(r));
    if (buffer_.size() >= kFlushRows) {
      flush();
    }
  }

  std::int64_t finish() {
    flush();
    return written_;
  }

 private:
  class Source final : public db::RowSource {
   public:
    explicit Source(std::vector<Row>& rows) : rows_(rows) {}

    bool next(Row& row) override {
      if (at_ >= rows_.size()) {
        return false;
      }
      row = std::move(rows_[at_++]);
      return true;
    }

   private:
    std::vector<Row>& rows_;
    std::size_t at_ = 0;
  };

  void flush() {
    throw_if_cancelled();
    if (buffer_.empty()) {
      return;
    }
    Source src(buffer_);
    written_ += conn_.bulk_insert(table_, columns_, src);
    buffer_.clear();
  }

  db::Connection& conn_;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<std::size_t> pick_;
  std::vector<Row> buffer_;
  std::int64_t written_ = 0;
};

class Generator {
 public:
  Generator(db::Connection& conn, const FillOptions& o, const Product& product, int version,
            std::map<std::string, db::TableDef> live)
      : conn_(conn), o_(o), live_(std::move(live)) {
    versioned_registry_ = version <= product.version_index("5.8.0");
    base_ = parse_utc(o.base_time);
    rows_ = std::max<std::int64_t>(o.rows, 0);
    apps_ = std::clamp<std::int64_t>(rows_ / 50, 3, 2000);
    users_ = std::clamp<std::int64_t>(rows_ / 10, 6, 100000);
    users_ += (3 - users_ % 3) % 3;  // a multiple of the tenant count
    combos_ = std::clamp<std::int64_t>(
        rows_ * 2 / 3, 1, apps_ * (users_ / 3) * static_cast<std::int64_t>(scope_sets().size()));
    codes_ = rows_ / 4;
  }

  FillResult run() {
    FillResult result;
    auto load = [&](const char* table, auto&& body) {
      auto it = live_.find(table);
      if (it == live_.end()) {
        return;
      }
      std::int64_t n = body(it->second);
      result.rows.emplace_back(it->second.name, n);
      result.total_rows += n;
    };
    load("IDP", [&](const db::TableDef& t) { return idps(t); });
    load("IDN_OAUTH_CONSUMER_APPS", [&](const db::TableDef& t) { return apps(t); });
    load("IDN_OAUTH2_ACCESS_TOKEN", [&](const db::TableDef& t) { return tokens(t); });
    load("IDN_OAUTH2_ACCESS_TOKEN_SCOPE", [&](const db::TableDef& t) { return token_scopes(t); });
    load("IDN_OAUTH2_TOKEN_BINDING", [&](const db::TableDef& t) { return bindings(t); });
    load("IDN_OAUTH2_AUTHORIZATION_CODE", [&](const db::TableDef& t) { return codes(t); });
    load("IDN_OAUTH2_AUTHZ_CODE_SCOPE", [&](const db::TableDef& t) { return code_scopes(t); });
    load("IDN_OAUTH2_DPOP_JKT", [&](const db::TableDef& t) { return dpop(t); });
    load("IDN_OIDC_REQ_OBJECT_REFERENCE", [&](const db::TableDef& t) { return oidc_refs(t); });
    load("IDN_IDENTITY_USER_DATA", [&](const db::TableDef& t) { return user_data(t); });
    load("IDN_AUTH_SESSION_STORE",
         [&](const db::TableDef& t) { return sessions(t, rows_ / 10, kSession); });
    load("IDN_AUTH_TEMP_SESSION_STORE",
         [&](const db::TableDef& t) { return sessions(t, rows_ / 20, kTempSession); });
    load("IDN_OAUTH2_ACCESS_TOKEN_AUDIT", [&](const db::TableDef& t) { return audit(t); });
    registry(result);
    return result;
  }

 private:
  // --- entities as pure functions of their index ---------------------------------------

  int tenant_of_app(std::int64_t app) const {
    return kTenants[static_cast<std::size_t>((app - 1) % 3)];
  }

  std::int64_t idp_of_tenant(int tenant) const {
    auto it = std::find(kTenants.begin(), kTenants.end(), tenant);
    return (it - kTenants.begin()) + 1;  // LOCAL IdP ids are 1..3
  }

  std::string user_name(std::int64_t u) const { return fmt::format("user{}", u); }

  std::string user_domain(std::int64_t u) const { return u % 10 == 9 ? "SECONDARY" : "PRIMARY"; }

  std::string token_id(std::int64_t i) const {
    Rng r(o_.seed, kTokenId, static_cast<std::uint64_t>(i));
    return uuid4(r);
  }

  std::string code_id(std::int64_t j) const {
    Rng r(o_.seed, kCodeId, static_cast<std::uint64_t>(j));
    return uuid4(r);
  }

  // A combination of client, user and scopes: the part of CON_APP_KEY that repeats.
  struct Combo {
    std::int64_t app;
    std::int64_t user;  ///< -1 for application tokens (client_credentials)
    int tenant;
    std::vector<std::string> scopes;
    std::string binding_ref;
  };

  // Combo c is (app, user slot, scope set) with c = app + apps * (slot + slots * round): a
  // bijection, so two combos never share a CON_APP_KEY. Slot 0 of every app is the
  // application itself (client_credentials tokens).
  Combo combo(std::int64_t c) const {
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

  // Every sorted set of one to three scopes from kScopes, in a fixed order.
  static const std::vector<std::vector<std::string>>& scope_sets() {
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

  static std::string join(const std::vector<std::string>& v) {
    return fmt::format("{}", fmt::join(v, " "));
  }

  std::int64_t write(const db::TableDef& t, std::vector<std::string> cols,
                     const std::function<void(TableWriter&)>& body) {
    TableWriter w(conn_, t, std::move(cols));
    body(w);
    return w.finish();
  }

  // --- identity tables ------------------------------------------------------------------

  std::int64_t idps(const db::TableDef& t) {
    return write(t,
                 {"ID", "TENANT_ID", "NAME", "IS_ENABLED", "IS_PRIMARY", "HOME_REALM_ID",
                  "DESCRIPTION", "DISPLAY_NAME", "UUID"},
                 [&](TableWriter& w) {
                   Rng r(o_.seed, kIdp, 0);
                   for (std::size_t i = 0; i < kTenants.size(); ++i) {
                     w.add({Value(static_cast<std::int64_t>(i + 1)), Value(kTenants[i]),
                            Value("LOCAL"), Value("1"), Value("1"), Value("localhost"),
                            Value("Resident identity provider"), Value("LOCAL"), Value(uuid4(r))});
                   }
                   w.add({Value(static_cast<std::int64_t>(kTenants.size() + 1)), Value(-1234),
                          Value("Google"), Value("1"), Value("0"), Value(), Value("Federated IdP"),
                          Value("Google"), Value(uuid4(r))});
                 });
  }

  std::int64_t apps(const db::TableDef& t) {
    return write(
        t,
        {"ID", "CONSUMER_KEY", "CONSUMER_SECRET", "USERNAME", "TENANT_ID", "USER_DOMAIN",
         "APP_NAME", "OAUTH_VERSION", "CALLBACK_URL", "GRANT_TYPES", "PKCE_MANDATORY",
         "PKCE_SUPPORT_PLAIN", "APP_STATE", "USER_ACCESS_TOKEN_EXPIRE_TIME",
         "APP_ACCESS_TOKEN_EXPIRE_TIME", "REFRESH_TOKEN_EXPIRE_TIME", "ID_TOKEN_EXPIRE_TIME"},
        [&](TableWriter& w) {
          for (std::int64_t a = 1; a <= apps_; ++a) {
            Rng r(o_.seed, kApp, static_cast<std::uint64_t>(a));
            w.add({Value(a), Value(consumer_key(r)), Value(consumer_key(r)), Value("admin"),
                   Value(tenant_of_app(a)), Value("PRIMARY"), Value(fmt::format("app-{}", a)),
                   Value("OAuth-2.0"), Value(fmt::format("https://app{}.example.com/callback", a)),
                   Value("authorization_code password refresh_token client_credentials"),
                   Value(a % 5 == 0 ? "1" : "0"), Value("0"),
                   Value(a % 50 == 49 ? "REVOKED" : "ACTIVE"), Value(3600), Value(3600),
                   Value(84600), Value(3600)});
          }
        });
  }

  // The token table's columns, in the order token_row() produces them.
  static std::vector<std::string> token_columns() {
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
  Row token_row(std::int64_t i, std::uint64_t stream) const {
    std::int64_t c = i % combos_;
    Combo k = combo(c);
    Rng r(o_.seed, stream, static_cast<std::uint64_t>(i));
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
        app_token
            ? "client_credentials"
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

  std::int64_t tokens(const db::TableDef& t) {
    return write(t, token_columns(), [&](TableWriter& w) {
      for (std::int64_t i = 0; i < rows_; ++i) {
        w.add(token_row(i, kToken));
      }
    });
  }

  std::int64_t token_scopes(const db::TableDef& t) {
    return write(t, {"TOKEN_ID", "TOKEN_SCOPE", "TENANT_ID"}, [&](TableWriter& w) {
      for (std::int64_t i = 0; i < rows_; ++i) {
        Combo k = combo(i % combos_);
        std::string id = token_id(i);
        for (const std::string& s : k.scopes) {
          w.add({Value(id), Value(s), Value(k.tenant)});
        }
      }
    });
  }

  std::int64_t bindings(const db::TableDef& t) {
    return write(t,
                 {"ID", "TOKEN_ID", "TOKEN_BINDING_TYPE", "TOKEN_BINDING_REF",
                  "TOKEN_BINDING_VALUE", "TENANT_ID"},
                 [&](TableWriter& w) {
                   std::int64_t id = 0;
                   for (std::int64_t i = 0; i < rows_; ++i) {
                     std::int64_t c = i % combos_;
                     Combo k = combo(c);
                     if (k.binding_ref == "NONE") {
                       continue;
                     }
                     w.add({Value(++id), Value(token_id(i)), Value("cookie"), Value(k.binding_ref),
                            Value(fmt::format("binding-{}", c)), Value(k.tenant)});
                   }
                 });
  }

  std::int64_t codes(const db::TableDef& t) {
    return write(t,
                 {"CODE_ID", "AUTHORIZATION_CODE", "CONSUMER_KEY_ID", "CALLBACK_URL", "SCOPE",
                  "AUTHZ_USER", "TENANT_ID", "USER_DOMAIN", "TIME_CREATED", "VALIDITY_PERIOD",
                  "STATE", "TOKEN_ID", "SUBJECT_IDENTIFIER", "PKCE_CODE_CHALLENGE",
                  "PKCE_CODE_CHALLENGE_METHOD", "AUTHORIZATION_CODE_HASH", "IDP_ID"},
                 [&](TableWriter& w) {
                   for (std::int64_t j = 0; j < codes_; ++j) {
                     std::int64_t token = (j * 4) % std::max<std::int64_t>(rows_, 1);
                     Combo k = combo(token % combos_);
                     Rng r(o_.seed, kCode, static_cast<std::uint64_t>(j));
                     std::uint64_t p = r.below(100);
                     std::string state = p < 70 ? "INACTIVE" : p < 90 ? "EXPIRED" : "ACTIVE";
                     std::string code = uuid4(r);
                     std::string user = k.user < 0 ? "admin" : user_name(k.user);
                     bool pkce = r.chance(30);
                     w.add({Value(code_id(j)), Value(code), Value(k.app),
                            Value(fmt::format("https://app{}.example.com/callback", k.app)),
                            Value(join(k.scopes)), Value(user), Value(k.tenant),
                            Value(k.user < 0 ? "PRIMARY" : user_domain(k.user)),
                            Value(utc_text(base_ - static_cast<std::int64_t>(
                                                       r.below(std::uint64_t{30} * 86400)))),
                            Value(std::int64_t{300000}), Value(state),
                            state == "INACTIVE" ? Value(token_id(token)) : Value(), Value(user),
                            pkce ? Value(sha256_hex(code).substr(0, 43)) : Value(),
                            pkce ? Value("S256") : Value(), Value(hash_json(code)),
                            Value(idp_of_tenant(k.tenant))});
                   }
                 });
  }

  std::int64_t code_scopes(const db::TableDef& t) {
    return write(t, {"CODE_ID", "SCOPE", "TENANT_ID"}, [&](TableWriter& w) {
      for (std::int64_t j = 0; j < codes_; ++j) {
        std::int64_t token = (j * 4) % std::max<std::int64_t>(rows_, 1);
        Combo k = combo(token % combos_);
        std::string id = code_id(j);
        for (const std::string& s : k.scopes) {
          w.add({Value(id), Value(s), Value(k.tenant)});
        }
      }
    });
  }

  // DPoP-bound codes (7.2+): every fifth code carries a key thumbprint.
  std::int64_t dpop(const db::TableDef& t) {
    return write(t, {"CODE_ID", "DPOP_JKT"}, [&](TableWriter& w) {
      for (std::int64_t j = 0; j < codes_; j += 5) {
        w.add({Value(code_id(j)), Value(sha256_hex(code_id(j)).substr(0, 43))});
      }
    });
  }

  std::int64_t oidc_refs(const db::TableDef& t) {
    return write(t, {"ID", "CONSUMER_KEY_ID", "CODE_ID", "TOKEN_ID", "SESSION_DATA_KEY"},
                 [&](TableWriter& w) {
                   if (codes_ == 0) {
                     return;
                   }
                   for (std::int64_t n = 0; n < rows_ / 50; ++n) {
                     std::int64_t j = (n * 3) % codes_;
                     std::int64_t token = (j * 4) % rows_;
                     Combo k = combo(token % combos_);
                     Rng r(o_.seed, kOidc, static_cast<std::uint64_t>(n));
                     w.add({Value(n + 1), Value(k.app), Value(code_id(j)), Value(token_id(token)),
                            Value(uuid4(r))});
                   }
                 });
  }

  std::int64_t user_data(const db::TableDef& t) {
    return write(t, {"TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE"}, [&](TableWriter& w) {
      for (std::int64_t u = 0; u < users_; ++u) {
        Rng r(o_.seed, kUser, static_cast<std::uint64_t>(u));
        int tenant = kTenants[static_cast<std::size_t>(u % 3)];
        std::string name = user_domain(u) == "PRIMARY" ? user_name(u) : "SECONDARY/" + user_name(u);
        std::size_t claims = 2 + static_cast<std::size_t>(u % 3);
        for (std::size_t c = 0; c < claims; ++c) {
          const std::string key(kClaims[(static_cast<std::size_t>(u) + c) % kClaims.size()]);
          std::string value;
          if (key.find("Time") != std::string::npos) {
            value = std::to_string(
                (base_ - static_cast<std::int64_t>(r.below(std::uint64_t{90} * 86400))) * 1000);
          } else if (key.find("Attempts") != std::string::npos) {
            value = std::to_string(r.below(4));
          } else {
            value = r.chance(10) ? "true" : "false";
          }
          w.add({Value(tenant), Value(name), Value(key), Value(value)});
        }
      }
    });
  }

  std::int64_t sessions(const db::TableDef& t, std::int64_t count, Stream stream) {
    return write(
        t,
        {"SESSION_ID", "SESSION_TYPE", "OPERATION", "SESSION_OBJECT", "TIME_CREATED", "TENANT_ID",
         "EXPIRY_TIME"},
        [&](TableWriter& w) {
          for (std::int64_t s = 0; s < count; ++s) {
            Rng r(o_.seed, stream, static_cast<std::uint64_t>(s));
            const std::string type(
                kSessionTypes[static_cast<std::size_t>(r.below(kSessionTypes.size()))]);
            std::string id = type == kSessionTypes[0] ? sha256_hex(uuid4(r)) : uuid4(r);
            bool store = r.chance(90);
            db::Bytes object;
            if (store) {
              // A Java serialisation stream header, then opaque bytes.
              object = {0xac, 0xed, 0x00, 0x05};
              std::size_t n = 64 + static_cast<std::size_t>(r.below(192));
              for (std::size_t b = 0; b < n; ++b) {
                object.push_back(static_cast<std::uint8_t>(r.next()));
              }
            }
            // Nanoseconds since the epoch, as WSO2's session store writes them.
            std::int64_t created =
                (base_ - static_cast<std::int64_t>(r.below(std::uint64_t{14} * 86400))) *
                    1000000000LL +
                static_cast<std::int64_t>(r.below(1000000000));
            std::int64_t validity = (stream == kSession ? 14 * 86400LL : 40 * 60LL) * 1000000000LL;
            w.add({Value(id), Value(type), Value(store ? "STORE" : "DELETE"),
                   store ? Value(std::move(object)) : Value(), Value(created),
                   Value(kTenants[static_cast<std::size_t>(s % 3)]), Value(created + validity)});
          }
        });
  }

  std::int64_t audit(const db::TableDef& t) {
    std::vector<std::string> cols = token_columns();
    cols.push_back("INVALIDATED_TIME");
    cols.push_back("ID");
    return write(t, cols, [&](TableWriter& w) {
      for (std::int64_t n = 0; n < rows_ / 10; ++n) {
        Row row = token_row(n, kAudit);
        row.push_back(Value(utc_text(base_ - static_cast<std::int64_t>(n % 86400))));
        row.push_back(Value(n + 1));
        w.add(row);
      }
    });
  }

  // --- registry (shared database) -------------------------------------------------------
  // Small next to the token tables, so built in memory and written in foreign-key order.

  void registry(FillResult& result) {
    if (live_.count("REG_PATH") == 0) {
      return;
    }
    std::map<std::string, std::vector<Row>> rows;
    std::int64_t path_id = 0;
    std::int64_t version = 0;
    std::int64_t content_id = 0;
    std::int64_t value_id = 0;
    std::map<std::string, std::int64_t> link_ids;
    Rng r(o_.seed, kRegistry, 0);
    std::int64_t collections = std::max<std::int64_t>(2, rows_ / 500);
    auto time = [&]() {
      return Value(
          utc_text(base_ - static_cast<std::int64_t>(r.below(std::uint64_t{365} * 86400))));
    };
    auto link = [&](const std::string& table, std::int64_t value, std::int64_t ver,
                    std::int64_t path, const Value& name, int tenant) {
      // Versioning on (IS <= 5.8): links name the resource version; off: path and name.
      Value v = versioned_registry_ ? Value(ver) : Value();
      Value p = versioned_registry_ ? Value() : Value(path);
      Value n = versioned_registry_ ? Value() : name;
      rows[table].push_back({Value(value), v, p, n, Value(tenant), Value(++link_ids[table])});
    };
    for (int tenant : kTenants) {
      std::vector<std::pair<std::string, std::int64_t>> paths;  // value, id
      auto add_path = [&](const std::string& value, std::int64_t parent) {
        std::int64_t id = ++path_id;
        rows["REG_PATH"].push_back(
            {Value(id), Value(value), parent == 0 ? Value() : Value(parent), Value(tenant)});
        // The collection itself is a REG_RESOURCE row with a NULL name.
        rows["REG_RESOURCE"].push_back(
            {Value(id), Value(), Value(++version), Value(), Value("wso2.system.user"), time(),
             Value("wso2.system.user"), time(), Value(), Value(), Value(tenant), Value(uuid4(r))});
        paths.emplace_back(value, id);
        return id;
      };
      std::int64_t root = add_path("/", 0);
      std::int64_t sys = add_path("/_system", root);
      std::int64_t config = add_path("/_system/config", sys);
      std::int64_t gov = add_path("/_system/governance", sys);
      add_path("/_system/local", sys);
      std::int64_t base = add_path("/_system/config/cutover", config);
      add_path("/_system/governance/cutover", gov);
      for (std::int64_t k = 0; k < collections; ++k) {
        std::int64_t coll = add_path(fmt::format("/_system/config/cutover/c{}", k), base);
        for (int j = 0; j < 3; ++j) {
          Value name(fmt::format("res{}.xml", j));
          int history = versioned_registry_ ? static_cast<int>((k + j) % 3) : 0;
          // Older versions first: they move to the history tables with their own content.
          for (int h = 0; h <= history; ++h) {
            bool current = h == history;
            std::int64_t cid = ++content_id;
            std::int64_t ver = ++version;
            std::string xml = fmt::format("<config><key>{}</key><v>{}</v></config>", uuid4(r), h);
            db::Bytes bytes(xml.begin(), xml.end());
            Row res = {Value(coll),         name,       Value(ver),     Value("application/xml"),
                       Value("admin"),      time(),     Value("admin"), time(),
                       Value("a resource"), Value(cid), Value(tenant),  Value(uuid4(r))};
            if (current) {
              rows["REG_CONTENT"].push_back({Value(cid), Value(std::move(bytes)), Value(tenant)});
              rows["REG_RESOURCE"].push_back(std::move(res));
            } else {
              rows["REG_CONTENT_HISTORY"].push_back(
                  {Value(cid), Value(std::move(bytes)), Value(0), Value(tenant)});
              res.push_back(Value(0));  // REG_DELETED
              rows["REG_RESOURCE_HISTORY"].push_back(std::move(res));
            }
            for (int p = 0; p < 2; ++p) {
              std::int64_t id = ++value_id;
              rows["REG_PROPERTY"].push_back({Value(id), Value(fmt::format("prop{}", p)),
                                              Value(fmt::format("value-{}-{}", h, p)),
                                              Value(tenant)});
              if (current || versioned_registry_) {
                link("REG_RESOURCE_PROPERTY", id, ver, coll, name, tenant);
              }
            }
            if (!current) {
              continue;
            }
            if (j == 0) {
              std::int64_t id = ++value_id;
              rows["REG_TAG"].push_back(
                  {Value(id), Value("cutover"), Value("admin"), time(), Value(tenant)});
              link("REG_RESOURCE_TAG", id, ver, coll, name, tenant);
            } else if (j == 1) {
              std::int64_t id = ++value_id;
              rows["REG_COMMENT"].push_back({Value(id), Value("reviewed before migration"),
                                             Value("admin"), time(), Value(tenant)});
              link("REG_RESOURCE_COMMENT", id, ver, coll, name, tenant);
            } else {
              std::int64_t id = ++value_id;
              rows["REG_RATING"].push_back({Value(id),
                                            Value(static_cast<std::int64_t>(1 + r.below(5))),
                                            Value("admin"), time(), Value(tenant)});
              link("REG_RESOURCE_RATING", id, ver, coll, name, tenant);
            }
          }
        }
      }
    }
    const std::vector<std::string> resource_cols = {
        "REG_PATH_ID",     "REG_NAME",         "REG_VERSION",      "REG_MEDIA_TYPE",
        "REG_CREATOR",     "REG_CREATED_TIME", "REG_LAST_UPDATOR", "REG_LAST_UPDATED_TIME",
        "REG_DESCRIPTION", "REG_CONTENT_ID",   "REG_TENANT_ID",    "REG_UUID"};
    std::vector<std::string> history_cols = resource_cols;
    history_cols.push_back("REG_DELETED");
    auto link_cols = [](const char* value_col) {
      return std::vector<std::string>{value_col,           "REG_VERSION",   "REG_PATH_ID",
                                      "REG_RESOURCE_NAME", "REG_TENANT_ID", "ID"};
    };
    const std::vector<std::pair<std::string, std::vector<std::string>>> order = {
        {"REG_PATH", {"REG_PATH_ID", "REG_PATH_VALUE", "REG_PATH_PARENT_ID", "REG_TENANT_ID"}},
        {"REG_CONTENT", {"REG_CONTENT_ID", "REG_CONTENT_DATA", "REG_TENANT_ID"}},
        {"REG_CONTENT_HISTORY",
         {"REG_CONTENT_ID", "REG_CONTENT_DATA", "REG_DELETED", "REG_TENANT_ID"}},
        {"REG_RESOURCE", resource_cols},
        {"REG_RESOURCE_HISTORY", history_cols},
        {"REG_PROPERTY", {"REG_ID", "REG_NAME", "REG_VALUE", "REG_TENANT_ID"}},
        {"REG_RESOURCE_PROPERTY", link_cols("REG_PROPERTY_ID")},
        {"REG_TAG", {"REG_ID", "REG_TAG_NAME", "REG_USER_ID", "REG_TAGGED_TIME", "REG_TENANT_ID"}},
        {"REG_RESOURCE_TAG", link_cols("REG_TAG_ID")},
        {"REG_COMMENT",
         {"REG_ID", "REG_COMMENT_TEXT", "REG_USER_ID", "REG_COMMENTED_TIME", "REG_TENANT_ID"}},
        {"REG_RESOURCE_COMMENT", link_cols("REG_COMMENT_ID")},
        {"REG_RATING", {"REG_ID", "REG_RATING", "REG_USER_ID", "REG_RATED_TIME", "REG_TENANT_ID"}},
        {"REG_RESOURCE_RATING", link_cols("REG_RATING_ID")},
    };
    for (const auto& [table, cols] : order) {
      auto it = live_.find(table);
      if (it == live_.end()) {
        continue;
      }
      const std::vector<Row>& table_rows = rows[table];  // lambdas cannot capture bindings
      std::int64_t n = write(it->second, cols, [&](TableWriter& w) {
        for (const Row& row : table_rows) {
          w.add(row);
        }
      });
      result.rows.emplace_back(it->second.name, n);
      result.total_rows += n;
    }
  }

  db::Connection& conn_;
  const FillOptions& o_;
  std::map<std::string, db::TableDef> live_;
  bool versioned_registry_ = false;
  std::int64_t base_ = 0;
  std::int64_t rows_ = 0;
  std::int64_t apps_ = 0;
  std::int64_t users_ = 0;
  std::int64_t combos_ = 0;
  std::int64_t codes_ = 0;
};

}  // namespace

FillResult fill(db::Connection& conn, const FillOptions& options) {
  const Product& product = schema::product(options.product);
  if (options.rows < 0) {
    throw Error(ErrorKind::usage, "--rows must be zero or more");
  }
  parse_utc(options.base_time);  // reject a malformed time before touching anything

  // Which version the live tables are; fill writes exactly their columns.
  std::map<std::string, db::TableDef> live = plan::live_catalogued_tables(conn, product);
  plan::VersionMatch match = plan::match_version(product, live, conn.dialect().name());
  if (match.tables_found == 0) {
    throw Error(ErrorKind::config,
                fmt::format("no {} tables to fill in this database", product.title()),
                "create them first: cutover schema create URL --product is --version V");
  }
  std::string version = options.version;
  std::string label = version;
  if (version.empty() && match.column_differences != 0) {
    // WSO2 keeps identity and shared (registry) tables in separate databases, which may hold
    // different versions; when each matches exactly on its own, fill each as what it is. Only
    // the registry's link style depends on the version, so the shared match decides it.
    plan::VersionMatch identity = plan::match_version(
        product, plan::tables_of(product, live, Database::identity), conn.dialect().name());
    plan::VersionMatch shared = plan::match_version(
        product, plan::tables_of(product, live, Database::shared), conn.dialect().name());
    if (identity.tables_found > 0 && shared.tables_found > 0 && identity.column_differences == 0 &&
        shared.column_differences == 0) {
      version = shared.versions.back();
      label = fmt::format("identity {}, shared {}", identity.label(), shared.label());
    }
  }
  if (version.empty()) {
    if (match.column_differences != 0) {
      throw Error(ErrorKind::config,
                  fmt::format("the tables match no {} version exactly (closest {}, {} "
                              "differences)",
                              product.title(), match.label(), match.column_differences),
                  "name the version with --version, or run 'cutover inspect' to see the "
                  "differences");
    }
    // Versions the catalogue cannot tell apart have the same tables: fill the newest.
    const std::vector<std::string>& candidates =
        match.narrowed.empty() ? match.versions : match.narrowed;
    version = candidates.back();
    label = candidates.size() == 1 ? version : candidates.front() + "-" + candidates.back();
  }
  int vindex = product.version_index(version);

  // Refuse to mix generated rows with existing ones: ids would collide.
  for (const auto& [name, def] : live) {
    std::optional<db::Value> any = conn.query_value(conn.dialect().any_row(def.name));
    if (any) {
      throw Error(ErrorKind::config, fmt::format("table {} already has rows", def.name),
                  "schema fill loads an empty schema; create a fresh database for it");
    }
  }

  // One transaction for everything: a failure or Ctrl-C leaves the tables empty.
  db::Transaction tx(conn);
  Generator gen(conn, options, product, vindex, std::move(live));
  FillResult result = gen.run();
  result.version = label;
  for (const auto& [name, def] : plan::live_catalogued_tables(conn, product)) {
    for (const db::Column& c : def.columns) {
      if (std::string sql = conn.dialect().sequence_resync(def.name, c); !sql.empty()) {
        conn.query_value(sql);
      }
    }
  }
  tx.commit();
  return result;
}

}  // namespace cutover::schema
