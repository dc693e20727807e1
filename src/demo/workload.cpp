#include "demo/workload.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/utc_time.h"
#include "db/connection.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/fill_values.h"

namespace cutover::demo {

namespace {

using Clock = std::chrono::steady_clock;
using db::Value;

constexpr const char* kToken = "IDN_OAUTH2_ACCESS_TOKEN";
constexpr const char* kScope = "IDN_OAUTH2_ACCESS_TOKEN_SCOPE";
constexpr const char* kCode = "IDN_OAUTH2_AUTHORIZATION_CODE";
constexpr const char* kCodeScope = "IDN_OAUTH2_AUTHZ_CODE_SCOPE";
constexpr const char* kUserData = "IDN_IDENTITY_USER_DATA";
// The columns of CON_APP_KEY that stay the same for every token of one grant (the rest,
// state, state id, binding and organisation, are what the workload changes or sets).
constexpr std::array<const char*, 7> kGrantColumns = {
    "CONSUMER_KEY_ID", "AUTHZ_USER",       "TENANT_ID", "USER_DOMAIN",
    "USER_TYPE",       "TOKEN_SCOPE_HASH", "IDP_ID"};
constexpr const char* kLastLogon = "http://wso2.org/claims/identity/lastLogonTime";
constexpr const char* kFailedLogins = "http://wso2.org/claims/identity/failedLoginAttempts";
// Lock waits and a busy SQLite are retried this often before the thread gives up.
constexpr int kAttempts = 50;

std::vector<std::string> version_columns(const schema::Product& product, const char* table,
                                         int version, db::Connection& conn) {
  std::optional<db::TableDef> t = product.table_at(table, version, conn.dialect().name());
  if (!t) {
    return {};
  }
  std::optional<db::TableDef> live = conn.describe_table(table);
  std::vector<std::string> out;
  for (const db::Column& c : t->columns) {
    if (!live || !live->find_column(c.name)) {
      throw Error(ErrorKind::config,
                  fmt::format("the workload's database lacks {}.{} of {} {}", table, c.name,
                              product.title(), product.versions()[version]),
                  "run the workload on a schema of that version (schema create --version)");
    }
    out.push_back(c.name);
  }
  return out;
}

std::size_t index_of(const std::vector<std::string>& cols, std::string_view name) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (db::same_ident(cols[i], name)) {
      return i;
    }
  }
  return cols.size();
}

std::string insert_sql(const db::Dialect& d, const char* table,
                       const std::vector<std::string>& cols) {
  std::string names;
  std::string marks;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    names += (i ? ", " : "") + d.ident(cols[i]);
    marks += (i ? ", " : "") + d.placeholder(static_cast<int>(i + 1));
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", d.ident(table), names, marks);
}

/// One thread's connection and statements.
class Session {
 public:
  Session(const WorkloadOptions& o, const std::vector<std::string>& token_cols,
          const std::vector<std::string>& code_cols, bool code_scopes)
      : options_(o), token_cols_(token_cols), code_cols_(code_cols), code_scopes_(code_scopes) {}

  db::Connection& conn() {
    if (!conn_) {
      conn_ = db::open(options_.database);
    }
    return *conn_;
  }

  void drop() { conn_.reset(); }

  std::int64_t exec(std::string_view sql, std::vector<Value> params) {
    return conn().execute(sql, params);
  }

  const db::Dialect& d() { return conn().dialect(); }

  const WorkloadOptions& options_;
  const std::vector<std::string>& token_cols_;
  const std::vector<std::string>& code_cols_;
  bool code_scopes_;

 private:
  std::unique_ptr<db::Connection> conn_;
};

/// A new token row for grant `g`: fresh ids and secrets, ACTIVE, this version's new columns
/// at what the product writes for a token without binding or organisation.
db::Row new_token(const std::vector<std::string>& cols, const Workload::Grant& g, schema::Rng& rng,
                  const std::string& grant_type) {
  db::Row row = g.token;
  std::string now = utc_now_text();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string& c = cols[i];
    if (c == "TOKEN_ID" || c == "ACCESS_TOKEN" || c == "REFRESH_TOKEN") {
      row[i] = schema::uuid4(rng);
    } else if (c == "GRANT_TYPE") {
      row[i] = grant_type;
    } else if (c == "TIME_CREATED" || c == "REFRESH_TOKEN_TIME_CREATED") {
      row[i] = now;
    } else if (c == "VALIDITY_PERIOD") {
      row[i] = std::int64_t{3600000};
    } else if (c == "REFRESH_TOKEN_VALIDITY_PERIOD") {
      row[i] = std::int64_t{86400000};
    } else if (c == "TOKEN_STATE") {
      row[i] = "ACTIVE";
    } else if (c == "TOKEN_STATE_ID" || c == "TOKEN_BINDING_REF" ||
               c == "AUTHORIZED_ORGANIZATION") {
      row[i] = "NONE";
    }
  }
  // The hashes are of the values just drawn.
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i] == "ACCESS_TOKEN_HASH") {
      row[i] = schema::hash_json(row[index_of(cols, "ACCESS_TOKEN")].as_text());
    } else if (cols[i] == "REFRESH_TOKEN_HASH") {
      row[i] = schema::hash_json(row[index_of(cols, "REFRESH_TOKEN")].as_text());
    }
  }
  return row;
}

}  // namespace

Workload::Workload(WorkloadOptions options) : options_(std::move(options)) {
  options_.threads = std::max(options_.threads, 1);
  const schema::Product& product = schema::product(options_.product);
  int version = product.version_index(options_.version);
  std::unique_ptr<db::Connection> conn = db::open(options_.database);
  const db::Dialect& d = conn->dialect();
  token_columns_ = version_columns(product, kToken, version, *conn);
  code_columns_ = version_columns(product, kCode, version, *conn);
  code_scope_table_ = !version_columns(product, kCodeScope, version, *conn).empty();
  if (token_columns_.empty() || code_columns_.empty()) {
    throw Error(
        ErrorKind::config,
        fmt::format("{} {} has no {} or {}", product.title(), options_.version, kToken, kCode),
        "the workload simulates OAuth2 traffic: use an IS version that has both");
  }

  // Grants: ACTIVE tokens whose client, user and scope have exactly one ACTIVE token, so
  // revoking that one frees CON_APP_KEY for the next.
  std::string cols;
  for (const std::string& c : token_columns_) {
    cols += (cols.empty() ? "" : ", ") + d.ident(c);
  }
  std::map<std::string, std::pair<int, db::Row>> by_grant;
  std::vector<std::string> order;
  {
    std::unique_ptr<db::RowReader> r = conn->query(fmt::format(
        "SELECT {} FROM {} WHERE {} = 'ACTIVE'", cols, d.ident(kToken), d.ident("TOKEN_STATE")));
    while (r->next()) {
      db::Row row = r->row();
      std::string key;
      for (const char* g : kGrantColumns) {
        std::size_t i = index_of(token_columns_, g);
        key += (i < row.size() && !row[i].is_null() ? row[i].to_text() : "~") + "\x1f";
      }
      auto [it, fresh] = by_grant.try_emplace(key, 0, row);
      it->second.first++;
      if (fresh) {
        order.push_back(key);
      }
    }
  }
  grants_.resize(static_cast<std::size_t>(options_.threads));
  users_.resize(static_cast<std::size_t>(options_.threads));
  std::unique_ptr<db::PreparedStatement> scopes =
      conn->prepare(fmt::format("SELECT {} FROM {} WHERE {} = {}", d.ident("TOKEN_SCOPE"),
                                d.ident(kScope), d.ident("TOKEN_ID"), d.placeholder(1)));
  std::size_t tid = index_of(token_columns_, "TOKEN_ID");
  int taken = 0;
  for (const std::string& key : order) {
    if (taken >= options_.grants) {
      break;
    }
    auto& [count, row] = by_grant.at(key);
    if (count != 1) {
      continue;
    }
    Grant g;
    g.token = row;
    g.active = row[tid].as_text();
    std::vector<Value> p = {Value(g.active)};
    std::unique_ptr<db::RowReader> r = scopes->query(p);
    while (r->next()) {
      g.scopes.push_back(r->get(0).to_text());
    }
    r.reset();
    grants_[static_cast<std::size_t>(taken % options_.threads)].push_back(std::move(g));
    ++taken;
  }
  if (taken == 0) {
    throw Error(ErrorKind::config,
                fmt::format("no ACTIVE access tokens in {}", options_.database.redacted()),
                "fill the database first ('cutover schema fill')");
  }
  // Users with identity claims, each owned by one thread (the claim upsert is update-or-insert).
  {
    std::unique_ptr<db::RowReader> r =
        conn->query(fmt::format("SELECT DISTINCT {}, {} FROM {}", d.ident("TENANT_ID"),
                                d.ident("USER_NAME"), d.ident(kUserData)));
    int n = 0;
    while (r->next() && n < options_.grants) {
      users_[static_cast<std::size_t>(n % options_.threads)].push_back(
          User{r->get(0), r->get(1).to_text(), 0});
      ++n;
    }
  }
}

Workload::~Workload() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
}

void Workload::start() {
  for (int n = 0; n < options_.threads; ++n) {
    threads_.emplace_back([this, n] { worker(n); });
  }
}

void Workload::stop() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (error_) {
    std::rethrow_exception(std::exchange(error_, nullptr));
  }
}

WorkloadCounts Workload::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void Workload::worker(int n) {
  std::vector<Grant>& grants = grants_[static_cast<std::size_t>(n)];
  std::vector<User>& users = users_[static_cast<std::size_t>(n)];
  if (grants.empty()) {
    return;
  }
  Session s(options_, token_columns_, code_columns_, code_scope_table_);
  schema::Rng rng(options_.seed, 0x776f726b, static_cast<std::uint64_t>(n));
  const std::vector<std::string>& tc = token_columns_;
  std::size_t tid = index_of(tc, "TOKEN_ID");
  std::size_t tenant = index_of(tc, "TENANT_ID");
  auto pace = options_.rate > 0 ? std::chrono::duration<double>(options_.threads / options_.rate)
                                : std::chrono::duration<double>(0);

  // Marks the grant's ACTIVE token with `state` and a fresh TOKEN_STATE_ID (CON_APP_KEY then
  // holds it apart from the next ACTIVE one), as the product does before it issues anew.
  auto retire = [&](const Grant& g, const char* state) {
    if (g.active.empty()) {
      return;
    }
    const db::Dialect& d = s.d();
    s.exec(fmt::format("UPDATE {} SET {} = {}, {} = {} WHERE {} = {}", d.ident(kToken),
                       d.ident("TOKEN_STATE"), d.placeholder(1), d.ident("TOKEN_STATE_ID"),
                       d.placeholder(2), d.ident("TOKEN_ID"), d.placeholder(3)),
           {Value(state), Value(schema::uuid4(rng)), Value(g.active)});
  };
  // Inserts a new ACTIVE token with the grant's scopes; returns its id.
  auto issue = [&](const Grant& g, const std::string& grant_type) {
    db::Row row = new_token(tc, g, rng, grant_type);
    s.exec(insert_sql(s.d(), kToken, tc), row);
    std::string id = row[tid].as_text();
    for (const std::string& scope : g.scopes) {
      s.exec(insert_sql(s.d(), kScope, {"TOKEN_ID", "TOKEN_SCOPE", "TENANT_ID"}),
             {Value(id), Value(scope), row[tenant]});
    }
    return id;
  };

  // One operation: runs `body` in a transaction, retried on lock waits; `settle` updates the
  // thread's own bookkeeping once the transaction committed.
  auto transaction = [&](const std::function<void()>& body, const std::function<void()>& settle,
                         std::int64_t WorkloadCounts::*what) {
    for (int attempt = 1;; ++attempt) {
      try {
        db::Transaction tx(s.conn());
        body();
        tx.commit();
        settle();
        std::lock_guard<std::mutex> lock(mu_);
        if (what) {
          counts_.*what += 1;
        }
        counts_.transactions++;
        return;
      } catch (const Error& e) {
        bool again = e.retryable() || e.kind() == ErrorKind::connection;
        if (!again || attempt >= kAttempts || stop_ || cancel_requested()) {
          throw;
        }
        if (e.poisons_connection()) {
          s.drop();
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          counts_.retries++;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng.below(40)));
      }
    }
  };

  try {
    std::size_t next_user = 0;
    while (!stop_ && !cancel_requested()) {
      auto started = Clock::now();
      Grant& g = grants[rng.below(grants.size())];
      std::uint64_t pick = rng.below(100);
      if (pick < 30) {
        // password / client_credentials: the old ACTIVE token lapses, a new one is issued.
        std::string id;
        transaction(
            [&] {
              retire(g, "EXPIRED");
              id = issue(g, rng.chance(50) ? "password" : "client_credentials");
            },
            [&] { g.active = id; }, &WorkloadCounts::issued);
      } else if (pick < 55 && !g.active.empty()) {
        std::string id;
        transaction(
            [&] {
              retire(g, "INACTIVE");
              id = issue(g, "refresh_token");
            },
            [&] { g.active = id; }, &WorkloadCounts::refreshed);
      } else if (pick < 65 && !g.active.empty()) {
        transaction([&] { retire(g, "REVOKED"); }, [&] { g.active.clear(); },
                    &WorkloadCounts::revoked);
      } else if (pick < 80) {
        // authorization_code: the code is stored at /authorize, then exchanged at /token
        // (code INACTIVE with the token's id, the token issued) in a second transaction.
        db::Row code(code_columns_.size());
        std::string code_id = schema::uuid4(rng);
        std::string code_text = schema::uuid4(rng);
        std::string joined;
        for (const std::string& sc : g.scopes) {
          joined += (joined.empty() ? "" : " ") + sc;
        }
        std::vector<std::string> cols;
        db::Row vals;
        for (const std::string& c : code_columns_) {
          std::optional<Value> v;
          if (c == "CODE_ID") {
            v = code_id;
          } else if (c == "AUTHORIZATION_CODE") {
            v = code_text;
          } else if (c == "CALLBACK_URL") {
            v = fmt::format("https://app{}.example.com/callback",
                            g.token[index_of(tc, "CONSUMER_KEY_ID")].to_text());
          } else if (c == "SCOPE") {
            v = joined;
          } else if (c == "TIME_CREATED") {
            v = utc_now_text();
          } else if (c == "VALIDITY_PERIOD") {
            v = std::int64_t{300000};
          } else if (c == "STATE") {
            v = "ACTIVE";
          } else if (c == "AUTHORIZATION_CODE_HASH") {
            v = schema::hash_json(code_text);
          } else if (c == "SUBJECT_IDENTIFIER") {
            v = g.token[index_of(tc, "SUBJECT_IDENTIFIER")];
          } else if (std::size_t i = index_of(tc, c); i < tc.size()) {
            v = g.token[i];  // CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, IDP_ID
          }
          if (v) {
            cols.push_back(c);
            vals.push_back(std::move(*v));
          }
        }
        transaction(
            [&] {
              s.exec(insert_sql(s.d(), kCode, cols), vals);
              if (s.code_scopes_) {
                for (const std::string& sc : g.scopes) {
                  s.exec(insert_sql(s.d(), kCodeScope, {"CODE_ID", "SCOPE", "TENANT_ID"}),
                         {Value(code_id), Value(sc), g.token[tenant]});
                }
              }
            },
            [] {}, nullptr);
        std::string id;
        transaction(
            [&] {
              retire(g, "EXPIRED");
              id = issue(g, "authorization_code");
              const db::Dialect& d = s.d();
              s.exec(fmt::format("UPDATE {} SET {} = 'INACTIVE', {} = {} WHERE {} = {}",
                                 d.ident(kCode), d.ident("STATE"), d.ident("TOKEN_ID"),
                                 d.placeholder(1), d.ident("CODE_ID"), d.placeholder(2)),
                     {Value(id), Value(code_id)});
            },
            [&] { g.active = id; }, &WorkloadCounts::codes);
      } else if (!users.empty()) {
        // A login: last logon time, and now and then a failed attempt counted.
        User& u = users[next_user++ % users.size()];
        bool failed = rng.chance(20);
        std::int64_t logins = u.logins;
        transaction(
            [&] {
              const db::Dialect& d = s.d();
              std::vector<std::pair<const char*, std::string>> claims = {
                  {kLastLogon,
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count())},
                  {kFailedLogins, std::to_string(failed ? logins + 1 : 0)}};
              for (const auto& [key, value] : claims) {
                std::int64_t matched = s.exec(
                    fmt::format("UPDATE {} SET {} = {} WHERE {} = {} AND {} = {} AND {} = {}",
                                d.ident(kUserData), d.ident("DATA_VALUE"), d.placeholder(1),
                                d.ident("TENANT_ID"), d.placeholder(2), d.ident("USER_NAME"),
                                d.placeholder(3), d.ident("DATA_KEY"), d.placeholder(4)),
                    {Value(value), u.tenant, Value(u.name), Value(key)});
                if (matched == 0) {
                  s.exec(insert_sql(d, kUserData,
                                    {"TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE"}),
                         {u.tenant, Value(u.name), Value(key), Value(value)});
                }
              }
            },
            [&] { u.logins = failed ? logins + 1 : 0; }, &WorkloadCounts::user_updates);
      }
      // Pacing: sleep the rest of this thread's share of a second, in short steps so stop()
      // and Ctrl-C are seen at once.
      auto until = started + std::chrono::duration_cast<Clock::duration>(pace);
      while (Clock::now() < until && !stop_ && !cancel_requested()) {
        std::this_thread::sleep_for(
            std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
      }
    }
  } catch (...) {
    // A transaction cut short by stop() or Ctrl-C was rolled back: that is the stop, not a
    // failure of the workload.
    if (stop_ || cancel_requested()) {
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) {
      error_ = std::current_exception();
    }
    failed_ = true;
  }
}

}  // namespace cutover::demo
