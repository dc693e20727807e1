#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "core/utc_time.h"
#include "schema/fill_values.h"
#include "schema/fill_writer.h"

// The identity tables: applications, tokens and their scopes and bindings, authorisation
// codes, users' claims, session stores and the token audit, all derived from the fill model.
namespace cutover::schema {

namespace {

using db::Row;
using db::Value;

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

// One writer per table; each function returns the rows it wrote.
class IdentityTables {
 public:
  IdentityTables(db::Connection& conn, const FillModel& model) : conn_(conn), m_(model) {}

  std::int64_t idps(const db::TableDef& t) {
    return write_table(
        conn_, t,
        {"ID", "TENANT_ID", "NAME", "IS_ENABLED", "IS_PRIMARY", "HOME_REALM_ID", "DESCRIPTION",
         "DISPLAY_NAME", "UUID"},
        [&](FillWriter& w) {
          Rng r(m_.seed(), kIdp, 0);
          for (std::size_t i = 0; i < kTenants.size(); ++i) {
            w.add({Value(static_cast<std::int64_t>(i + 1)), Value(kTenants[i]), Value("LOCAL"),
                   Value("1"), Value("1"), Value("localhost"), Value("Resident identity provider"),
                   Value("LOCAL"), Value(uuid4(r))});
          }
          w.add({Value(static_cast<std::int64_t>(kTenants.size() + 1)), Value(-1234),
                 Value("Google"), Value("1"), Value("0"), Value(), Value("Federated IdP"),
                 Value("Google"), Value(uuid4(r))});
        });
  }

  std::int64_t apps(const db::TableDef& t) {
    return write_table(
        conn_, t,
        {"ID", "CONSUMER_KEY", "CONSUMER_SECRET", "USERNAME", "TENANT_ID", "USER_DOMAIN",
         "APP_NAME", "OAUTH_VERSION", "CALLBACK_URL", "GRANT_TYPES", "PKCE_MANDATORY",
         "PKCE_SUPPORT_PLAIN", "APP_STATE", "USER_ACCESS_TOKEN_EXPIRE_TIME",
         "APP_ACCESS_TOKEN_EXPIRE_TIME", "REFRESH_TOKEN_EXPIRE_TIME", "ID_TOKEN_EXPIRE_TIME"},
        [&](FillWriter& w) {
          for (std::int64_t a = 1; a <= m_.apps(); ++a) {
            Rng r(m_.seed(), kApp, static_cast<std::uint64_t>(a));
            w.add({Value(a), Value(consumer_key(r)), Value(consumer_key(r)), Value("admin"),
                   Value(m_.tenant_of_app(a)), Value("PRIMARY"), Value(fmt::format("app-{}", a)),
                   Value("OAuth-2.0"), Value(fmt::format("https://app{}.example.com/callback", a)),
                   Value("authorization_code password refresh_token client_credentials"),
                   Value(a % 5 == 0 ? "1" : "0"), Value("0"),
                   Value(a % 50 == 49 ? "REVOKED" : "ACTIVE"), Value(3600), Value(3600),
                   Value(84600), Value(3600)});
          }
        });
  }

  std::int64_t tokens(const db::TableDef& t) {
    return write_table(conn_, t, FillModel::token_columns(), [&](FillWriter& w) {
      for (std::int64_t i = 0; i < m_.rows(); ++i) {
        w.add(m_.token_row(i, kToken));
      }
    });
  }

  std::int64_t token_scopes(const db::TableDef& t) {
    return write_table(conn_, t, {"TOKEN_ID", "TOKEN_SCOPE", "TENANT_ID"}, [&](FillWriter& w) {
      for (std::int64_t i = 0; i < m_.rows(); ++i) {
        Combo k = m_.combo(i % m_.combos());
        std::string id = m_.token_id(i);
        for (const std::string& s : k.scopes) {
          w.add({Value(id), Value(s), Value(k.tenant)});
        }
      }
    });
  }

  std::int64_t bindings(const db::TableDef& t) {
    return write_table(
        conn_, t,
        {"ID", "TOKEN_ID", "TOKEN_BINDING_TYPE", "TOKEN_BINDING_REF", "TOKEN_BINDING_VALUE",
         "TENANT_ID"},
        [&](FillWriter& w) {
          std::int64_t id = 0;
          for (std::int64_t i = 0; i < m_.rows(); ++i) {
            std::int64_t c = i % m_.combos();
            Combo k = m_.combo(c);
            if (k.binding_ref == "NONE") {
              continue;
            }
            w.add({Value(++id), Value(m_.token_id(i)), Value("cookie"), Value(k.binding_ref),
                   Value(fmt::format("binding-{}", c)), Value(k.tenant)});
          }
        });
  }

  std::int64_t codes(const db::TableDef& t) {
    return write_table(
        conn_, t,
        {"CODE_ID", "AUTHORIZATION_CODE", "CONSUMER_KEY_ID", "CALLBACK_URL", "SCOPE", "AUTHZ_USER",
         "TENANT_ID", "USER_DOMAIN", "TIME_CREATED", "VALIDITY_PERIOD", "STATE", "TOKEN_ID",
         "SUBJECT_IDENTIFIER", "PKCE_CODE_CHALLENGE", "PKCE_CODE_CHALLENGE_METHOD",
         "AUTHORIZATION_CODE_HASH", "IDP_ID"},
        [&](FillWriter& w) {
          for (std::int64_t j = 0; j < m_.codes(); ++j) {
            std::int64_t token = (j * 4) % std::max<std::int64_t>(m_.rows(), 1);
            Combo k = m_.combo(token % m_.combos());
            Rng r(m_.seed(), kCode, static_cast<std::uint64_t>(j));
            std::uint64_t p = r.below(100);
            std::string state = p < 70 ? "INACTIVE" : p < 90 ? "EXPIRED" : "ACTIVE";
            std::string code = uuid4(r);
            std::string user = k.user < 0 ? "admin" : m_.user_name(k.user);
            bool pkce = r.chance(30);
            w.add({Value(m_.code_id(j)), Value(code), Value(k.app),
                   Value(fmt::format("https://app{}.example.com/callback", k.app)),
                   Value(FillModel::join(k.scopes)), Value(user), Value(k.tenant),
                   Value(k.user < 0 ? "PRIMARY" : m_.user_domain(k.user)),
                   Value(utc_text(m_.base_time() -
                                  static_cast<std::int64_t>(r.below(std::uint64_t{30} * 86400)))),
                   Value(std::int64_t{300000}), Value(state),
                   state == "INACTIVE" ? Value(m_.token_id(token)) : Value(), Value(user),
                   pkce ? Value(sha256_hex(code).substr(0, 43)) : Value(),
                   pkce ? Value("S256") : Value(), Value(hash_json(code)),
                   Value(m_.idp_of_tenant(k.tenant))});
          }
        });
  }

  std::int64_t code_scopes(const db::TableDef& t) {
    return write_table(conn_, t, {"CODE_ID", "SCOPE", "TENANT_ID"}, [&](FillWriter& w) {
      for (std::int64_t j = 0; j < m_.codes(); ++j) {
        std::int64_t token = (j * 4) % std::max<std::int64_t>(m_.rows(), 1);
        Combo k = m_.combo(token % m_.combos());
        std::string id = m_.code_id(j);
        for (const std::string& s : k.scopes) {
          w.add({Value(id), Value(s), Value(k.tenant)});
        }
      }
    });
  }

  // DPoP-bound codes (7.2+): every fifth code carries a key thumbprint.
  std::int64_t dpop(const db::TableDef& t) {
    return write_table(conn_, t, {"CODE_ID", "DPOP_JKT"}, [&](FillWriter& w) {
      for (std::int64_t j = 0; j < m_.codes(); j += 5) {
        w.add({Value(m_.code_id(j)), Value(sha256_hex(m_.code_id(j)).substr(0, 43))});
      }
    });
  }

  std::int64_t oidc_refs(const db::TableDef& t) {
    return write_table(conn_, t,
                       {"ID", "CONSUMER_KEY_ID", "CODE_ID", "TOKEN_ID", "SESSION_DATA_KEY"},
                       [&](FillWriter& w) {
                         if (m_.codes() == 0) {
                           return;
                         }
                         for (std::int64_t n = 0; n < m_.rows() / 50; ++n) {
                           std::int64_t j = (n * 3) % m_.codes();
                           std::int64_t token = (j * 4) % m_.rows();
                           Combo k = m_.combo(token % m_.combos());
                           Rng r(m_.seed(), kOidc, static_cast<std::uint64_t>(n));
                           w.add({Value(n + 1), Value(k.app), Value(m_.code_id(j)),
                                  Value(m_.token_id(token)), Value(uuid4(r))});
                         }
                       });
  }

  std::int64_t user_data(const db::TableDef& t) {
    return write_table(
        conn_, t, {"TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE"}, [&](FillWriter& w) {
          for (std::int64_t u = 0; u < m_.users(); ++u) {
            Rng r(m_.seed(), kUser, static_cast<std::uint64_t>(u));
            int tenant = kTenants[static_cast<std::size_t>(u % 3)];
            std::string name =
                m_.user_domain(u) == "PRIMARY" ? m_.user_name(u) : "SECONDARY/" + m_.user_name(u);
            std::size_t claims = 2 + static_cast<std::size_t>(u % 3);
            for (std::size_t c = 0; c < claims; ++c) {
              const std::string key(kClaims[(static_cast<std::size_t>(u) + c) % kClaims.size()]);
              std::string value;
              if (key.find("Time") != std::string::npos) {
                value = std::to_string((m_.base_time() - static_cast<std::int64_t>(
                                                             r.below(std::uint64_t{90} * 86400))) *
                                       1000);
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
    return write_table(
        conn_, t,
        {"SESSION_ID", "SESSION_TYPE", "OPERATION", "SESSION_OBJECT", "TIME_CREATED", "TENANT_ID",
         "EXPIRY_TIME"},
        [&](FillWriter& w) {
          for (std::int64_t s = 0; s < count; ++s) {
            Rng r(m_.seed(), stream, static_cast<std::uint64_t>(s));
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
                (m_.base_time() - static_cast<std::int64_t>(r.below(std::uint64_t{14} * 86400))) *
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
    std::vector<std::string> cols = FillModel::token_columns();
    cols.push_back("INVALIDATED_TIME");
    cols.push_back("ID");
    return write_table(conn_, t, cols, [&](FillWriter& w) {
      for (std::int64_t n = 0; n < m_.rows() / 10; ++n) {
        Row row = m_.token_row(n, kAudit);
        row.emplace_back(utc_text(m_.base_time() - static_cast<std::int64_t>(n % 86400)));
        row.emplace_back(n + 1);
        w.add(row);
      }
    });
  }

 private:
  db::Connection& conn_;
  const FillModel& m_;
};

}  // namespace

void load_identity_tables(db::Connection& conn, const FillModel& model, const LiveTables& live,
                          FillResult& result) {
  IdentityTables g(conn, model);
  auto load = [&](const char* table, auto&& body) {
    auto it = live.find(table);
    if (it == live.end()) {
      return;
    }
    std::int64_t n = body(it->second);
    result.rows.emplace_back(it->second.name, n);
    result.total_rows += n;
  };
  load("IDP", [&](const db::TableDef& t) { return g.idps(t); });
  load("IDN_OAUTH_CONSUMER_APPS", [&](const db::TableDef& t) { return g.apps(t); });
  load("IDN_OAUTH2_ACCESS_TOKEN", [&](const db::TableDef& t) { return g.tokens(t); });
  load("IDN_OAUTH2_ACCESS_TOKEN_SCOPE", [&](const db::TableDef& t) { return g.token_scopes(t); });
  load("IDN_OAUTH2_TOKEN_BINDING", [&](const db::TableDef& t) { return g.bindings(t); });
  load("IDN_OAUTH2_AUTHORIZATION_CODE", [&](const db::TableDef& t) { return g.codes(t); });
  load("IDN_OAUTH2_AUTHZ_CODE_SCOPE", [&](const db::TableDef& t) { return g.code_scopes(t); });
  load("IDN_OAUTH2_DPOP_JKT", [&](const db::TableDef& t) { return g.dpop(t); });
  load("IDN_OIDC_REQ_OBJECT_REFERENCE", [&](const db::TableDef& t) { return g.oidc_refs(t); });
  load("IDN_IDENTITY_USER_DATA", [&](const db::TableDef& t) { return g.user_data(t); });
  load("IDN_AUTH_SESSION_STORE",
       [&](const db::TableDef& t) { return g.sessions(t, model.rows() / 10, kSession); });
  load("IDN_AUTH_TEMP_SESSION_STORE",
       [&](const db::TableDef& t) { return g.sessions(t, model.rows() / 20, kTempSession); });
  load("IDN_OAUTH2_ACCESS_TOKEN_AUDIT", [&](const db::TableDef& t) { return g.audit(t); });
}

}  // namespace cutover::schema
