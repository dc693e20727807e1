#include "cleanup/tokens.h"

#include <chrono>

#include <fmt/format.h>

#include "core/error.h"
#include "core/utc_time.h"
#include "db/dialect.h"
#include "schema/catalogue.h"
#include "schema/live_tables.h"

namespace cutover::cleanup {

namespace {

using Clock = std::chrono::steady_clock;

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
      out.push_back({t->name, t->find_column(column)->name, 0, false});
    }
  }
  return out;
}

// True when some key or index of `t` starts with `column`.
bool indexed(const db::TableDef& t, const std::string& column) {
  auto leads = [&](const std::vector<std::string>& cols) {
    return !cols.empty() && db::same_ident(cols.front(), column);
  };
  if (leads(t.primary_key)) {
    return true;
  }
  for (const db::Key& k : t.unique_keys) {
    if (leads(k.columns)) {
      return true;
    }
  }
  for (const db::Index& ix : t.indexes) {
    if (leads(ix.columns)) {
      return true;
    }
  }
  return false;
}

// Children whose foreign key on their column has no index to find a parent's rows by.
void note_unindexed(const schema::LiveTables& live, const std::vector<Child>& children,
                    std::vector<std::string>& out) {
  for (const Child& c : children) {
    const db::TableDef* t = find_table(live, db::to_upper(c.table).c_str());
    if (t == nullptr || indexed(*t, c.column)) {
      continue;
    }
    for (const db::ForeignKey& fk : t->foreign_keys) {
      if (fk.columns.size() == 1 && db::same_ident(fk.columns.front(), c.column)) {
        out.push_back(db::to_upper(t->name) + "." + db::to_upper(c.column));
        break;
      }
    }
  }
}

// The audit copy: every token column the audit table also has, and INVALIDATED_TIME (the
// moment the token left the live table) when only the audit table has it.
void plan_audit(const db::Dialect& d, const db::TableDef& tokens, const db::TableDef& audit,
                const std::string& now, BatchTarget& t) {
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
  t.audit_prefix = fmt::format("INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} IN ",
                               d.stored_ident(audit.name), fmt::join(into, ", "),
                               fmt::join(from, ", "), d.stored_ident(tokens.name), t.key[0]);
}

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
  BatchTarget tok;
  tok.table = tokens;
  tok.key = {d.stored_ident(tokens->find_column("TOKEN_ID")->name)};
  tok.eligible = [&d, tokens, cutoff](int p) { return removable_token(d, *tokens, cutoff, p); };
  tok.children = children_of(live,
                             {"IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "IDN_OAUTH2_TOKEN_BINDING",
                              "IDN_OIDC_REQ_OBJECT_REFERENCE"},
                             "TOKEN_ID");
  if (o.audit) {
    plan_audit(d, *tokens, *audit, now, tok);
  }

  // Authorization codes whose token is gone: their scope, DPoP and request-object rows too.
  std::optional<BatchTarget> code;
  const db::TableDef* codes = find_table(live, "IDN_OAUTH2_AUTHORIZATION_CODE");
  if (codes != nullptr && code_table_usable(*codes)) {
    code.emplace();
    code->table = codes;
    code->key = {d.stored_ident(codes->find_column("CODE_ID")->name)};
    code->eligible = [&d, codes, tokens, cutoff](int p) {
      return removable_code(d, *codes, *tokens, cutoff, p);
    };
    code->children = children_of(
        live,
        {"IDN_OAUTH2_AUTHZ_CODE_SCOPE", "IDN_OAUTH2_DPOP_JKT", "IDN_OIDC_REQ_OBJECT_REFERENCE"},
        "CODE_ID");
    // Those eligible now and those whose token this run removes: what the run removes.
    Condition after = removable_code_after_tokens(d, *codes, *tokens, cutoff, 1);
    result.codes_eligible = conn.query_value(fmt::format("SELECT COUNT(*) FROM {} WHERE {}",
                                                         d.stored_ident(codes->name), after.sql),
                                             after.params)
                                .value_or(db::Value(0))
                                .as_int();
  }
  note_unindexed(live, tok.children, result.unindexed_foreign_keys);
  if (code) {
    note_unindexed(live, code->children, result.unindexed_foreign_keys);
  }
  if (o.dry_run) {
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
  }

  BatchOptions batch{o.batch, o.pause_ms, o.max_transaction_ms};
  BatchStats stats;
  BatchDeleter deleter(conn, batch, stats, progress,
                       result.estimate.eligible + result.codes_eligible);
  deleter.run(tok);
  if (code) {
    deleter.run(*code);
  }
  result.removed = std::move(stats.removed);
  result.audited = stats.audited;
  result.batches = stats.batches;
  result.longest_batch_s = stats.longest_batch_s;
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace cutover::cleanup
