#include "cleanup/tokens.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/utc_time.h"
#include "db/dialect.h"
#include "db/retry.h"
#include "schema/catalogue.h"
#include "schema/live_tables.h"

namespace cutover::cleanup {

namespace {

using Clock = std::chrono::steady_clock;

// Rows that go with a parent row: (table, column naming the parent's key), live names.
struct Child {
  std::string table;
  std::string column;
};

// One table the cleanup empties of eligible rows, batch by batch in key order.
struct Target {
  const db::TableDef* table = nullptr;
  std::string key;  // live name of the single-column primary key
  Condition first;  // eligibility, placeholders from $1 (first batch)
  Condition next;   // eligibility, placeholders from $2 (after the key cursor)
  std::vector<Child> children;
  // INSERT INTO audit (...) SELECT ... FROM table WHERE key IN: the text before "IN (".
  std::string audit_prefix;
  std::vector<db::Value> audit_params;
};

const db::TableDef* find_table(const schema::LiveTables& live, const char* name) {
  auto it = live.find(name);
  return it == live.end() ? nullptr : &it->second;
}

// Children among the live tables, for those that hold the column.
std::vector<Child> children_of(const schema::LiveTables& live,
                               std::initializer_list<const char*> tables, const char* column) {
  std::vector<Child> out;
  for (const char* name : tables) {
    const db::TableDef* t = find_table(live, name);
    if (t != nullptr && t->find_column(column) != nullptr) {
      out.push_back({t->name, t->find_column(column)->name});
    }
  }
  return out;
}

// The audit copy: every token column the audit table also has, and INVALIDATED_TIME (the
// moment the token left the live table) when only the audit table has it.
void plan_audit(const db::Dialect& d, const db::TableDef& tokens, const db::TableDef& audit,
                const std::string& now, Target& t) {
  std::vector<std::string> into;
  std::vector<std::string> from;
  for (const db::Column& c : audit.columns) {
    const db::Column* src = tokens.find_column(c.name);
    if (src != nullptr && !c.generated) {
      into.push_back(d.stored_ident(c.name));
      from.push_back(d.stored_ident(src->name));
    } else if (db::same_ident(c.name, "INVALIDATED_TIME")) {
      into.push_back(d.stored_ident(c.name));
      from.push_back(d.placeholder(1));
      t.audit_params.emplace_back(now);
    }
  }
  t.audit_prefix =
      fmt::format("INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} IN ", d.stored_ident(audit.name),
                  fmt::join(into, ", "), fmt::join(from, ", "), d.stored_ident(tokens.name), t.key);
}

// " IN (?, ?, ...)" for keys [from, to), placeholders numbered after `skip` others.
std::string in_list(const db::Dialect& d, std::size_t n, int skip) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) {
    out += (i == 0 ? "" : ", ") + d.placeholder(static_cast<int>(i) + 1 + skip);
  }
  return out + ")";
}

class Runner {
 public:
  Runner(db::Connection& conn, const TokenCleanupOptions& o, TokenCleanupResult& result,
         const Progress& progress, std::int64_t total)
      : conn_(conn), o_(o), result_(result), progress_(progress), total_(total) {}

  void run(const Target& t) {
    std::optional<db::Value> cursor;
    while (true) {
      throw_if_cancelled();
      Clock::time_point started = Clock::now();
      std::vector<db::Value> keys;
      std::vector<std::int64_t> counts;
      // A batch is one transaction; a deadlock with a writer rolls it back and it runs again.
      db::with_retry([&] {
        keys.clear();
        counts.assign(t.children.size() + 2, 0);
        db::Transaction tx(conn_, tx_options_);
        keys = select_batch(t, cursor);
        for (std::size_t from = 0; from < keys.size(); from += chunk_) {
          std::size_t n = std::min(chunk_, keys.size() - from);
          std::span<const db::Value> part(keys.data() + from, n);
          if (!t.audit_prefix.empty()) {
            std::vector<db::Value> params = t.audit_params;
            params.insert(params.end(), part.begin(), part.end());
            counts.back() +=
                conn_.execute(t.audit_prefix + in_list(conn_.dialect(), n,
                                                       static_cast<int>(t.audit_params.size())),
                              params);
          }
          // Children first: not every engine cascades (SQLite without foreign keys, SQL Server's
          // missing cascade paths), and an explicit delete counts them.
          for (std::size_t c = 0; c < t.children.size(); ++c) {
            counts[c + 1] += conn_.execute(
                fmt::format("DELETE FROM {} WHERE {} IN {}", ident(t.children[c].table),
                            ident(t.children[c].column), in_list(conn_.dialect(), n, 0)),
                part);
          }
          counts[0] +=
              conn_.execute(fmt::format("DELETE FROM {} WHERE {} IN {}", ident(t.table->name),
                                        t.key, in_list(conn_.dialect(), n, 0)),
                            part);
        }
        tx.commit();
      });
      if (keys.empty()) {
        return;
      }
      double secs = std::chrono::duration<double>(Clock::now() - started).count();
      result_.longest_batch_s = std::max(result_.longest_batch_s, secs);
      ++result_.batches;
      add(t.table->name, counts[0]);
      for (std::size_t c = 0; c < t.children.size(); ++c) {
        add(t.children[c].table, counts[c + 1]);
      }
      result_.audited += counts.back();
      done_ += counts[0];
      if (progress_) {
        progress_(done_, total_);
      }
      if (static_cast<int>(keys.size()) < o_.batch) {
        return;
      }
      cursor = keys.back();
      if (o_.pause_ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(o_.pause_ms));
      }
    }
  }

 private:
  std::string ident(const std::string& stored) const {
    return conn_.dialect().stored_ident(stored);
  }

  // The next keys in order, locked against concurrent change until the batch commits. SQLite
  // needs no row lock: its write transaction already excludes every other writer.
  std::vector<db::Value> select_batch(const Target& t, const std::optional<db::Value>& cursor) {
    const db::Dialect& d = conn_.dialect();
    const Condition& cond = cursor ? t.next : t.first;
    std::string sql = fmt::format(
        "SELECT {key} FROM {table} WHERE {after}{cond} ORDER BY {key} LIMIT {n}{lock}",
        fmt::arg("key", t.key), fmt::arg("table", ident(t.table->name)),
        fmt::arg("after", cursor ? fmt::format("{} > {} AND ", t.key, d.placeholder(1)) : ""),
        fmt::arg("cond", cond.sql), fmt::arg("n", o_.batch),
        fmt::arg("lock", d.name() == "sqlite" ? "" : " FOR UPDATE"));
    std::vector<db::Value> params;
    if (cursor) {
      params.push_back(*cursor);
    }
    params.insert(params.end(), cond.params.begin(), cond.params.end());
    std::vector<db::Value> keys;
    auto r = conn_.query(sql, params);
    while (r->next()) {
      keys.push_back(r->get(0));
    }
    return keys;
  }

  void add(const std::string& table, std::int64_t n) {
    for (RemovedRows& r : result_.removed) {
      if (r.table == table) {
        r.rows += n;
        return;
      }
    }
    result_.removed.push_back({table, n});
  }

  db::Connection& conn_;
  const TokenCleanupOptions& o_;
  TokenCleanupResult& result_;
  const Progress& progress_;
  std::int64_t total_ = 0;
  std::int64_t done_ = 0;
  std::size_t chunk_ = 500;
  // Read committed: InnoDB then locks only the rows a batch takes, not the gaps between them
  // where a server inserts new tokens.
  db::TxOptions tx_options_ = [] {
    db::TxOptions t;
    t.isolation = db::Isolation::read_committed;
    return t;
  }();
};

}  // namespace

TokenCleanupResult cleanup_tokens(db::Connection& conn, const TokenCleanupOptions& o,
                                  const Progress& progress) {
  Clock::time_point started = Clock::now();
  const db::Dialect& d = conn.dialect();
  schema::LiveTables live = schema::live_catalogued_tables(conn, schema::product("is"));
  const db::TableDef* tokens = find_table(live, "IDN_OAUTH2_ACCESS_TOKEN");
  if (tokens == nullptr || !token_table_usable(*tokens)) {
    throw Error(ErrorKind::config, "no usable IDN_OAUTH2_ACCESS_TOKEN table in this database",
                "point --db at the identity database (the one holding the OAuth tables)");
  }
  const db::TableDef* audit = find_table(live, "IDN_OAUTH2_ACCESS_TOKEN_AUDIT");
  if (o.audit && audit == nullptr) {
    throw Error(ErrorKind::config, "--audit needs IDN_OAUTH2_ACCESS_TOKEN_AUDIT, which is missing",
                "create it with the product's own script, or run without --audit");
  }
  // One moment for the whole run: a rerun after a kill judges again from its own now.
  std::string now = o.now_utc.empty() ? utc_now_text() : o.now_utc;
  std::string cutoff = cutoff_utc(now, o.safe_period_s);

  TokenCleanupResult result;
  result.estimate = estimate_tokens(conn, *tokens, now, o.safe_period_s);

  // Tokens: scope, binding and request-object rows go with them.
  Target tok;
  tok.table = tokens;
  tok.key = d.stored_ident(tokens->find_column("TOKEN_ID")->name);
  tok.first = removable_token(d, *tokens, cutoff, 1);
  tok.next = removable_token(d, *tokens, cutoff, 2);
  tok.children = children_of(live,
                             {"IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "IDN_OAUTH2_TOKEN_BINDING",
                              "IDN_OIDC_REQ_OBJECT_REFERENCE"},
                             "TOKEN_ID");
  if (o.audit) {
    plan_audit(d, *tokens, *audit, now, tok);
  }

  // Authorization codes whose token is gone: their scope, DPoP and request-object rows too.
  std::optional<Target> code;
  const db::TableDef* codes = find_table(live, "IDN_OAUTH2_AUTHORIZATION_CODE");
  if (codes != nullptr && code_table_usable(*codes)) {
    code.emplace();
    code->table = codes;
    code->key = d.stored_ident(codes->find_column("CODE_ID")->name);
    code->first = removable_code(d, *codes, *tokens, cutoff, 1);
    code->next = removable_code(d, *codes, *tokens, cutoff, 2);
    code->children = children_of(
        live,
        {"IDN_OAUTH2_AUTHZ_CODE_SCOPE", "IDN_OAUTH2_DPOP_JKT", "IDN_OIDC_REQ_OBJECT_REFERENCE"},
        "CODE_ID");
    // Counted before the tokens go: more become eligible as their tokens are removed.
    result.codes_eligible =
        conn.query_value(fmt::format("SELECT COUNT(*) FROM {} WHERE {}",
                                     d.stored_ident(codes->name), code->first.sql),
                         code->first.params)
            .value_or(db::Value(0))
            .as_int();
  }
  if (o.dry_run) {
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
  }

  Runner runner(conn, o, result, progress, result.estimate.eligible);
  runner.run(tok);
  if (code) {
    runner.run(*code);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace cutover::cleanup
