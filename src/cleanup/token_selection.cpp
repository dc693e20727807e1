#include "cleanup/token_selection.h"

#include <fmt/format.h>

#include "core/utc_time.h"
#include "db/dialect.h"

namespace cutover::cleanup {

namespace {

// Live column name, quoted where the engine needs it to find exactly that column.
std::string col(const db::Dialect& d, const db::TableDef& t, const char* name) {
  return d.stored_ident(t.find_column(name)->name);
}

bool has_columns(const db::TableDef& t, std::initializer_list<const char*> names) {
  for (const char* c : names) {
    if (t.find_column(c) == nullptr) {
      return false;
    }
  }
  return true;
}

// "Validity ended before the cutoff" for one (created, period) pair; finite periods only.
// The CASE keeps the engine from computing an end for absurd periods at all (Long.MAX ms
// overflows PostgreSQL's interval and MySQL's TIMESTAMPADD): AND does not fix an order.
std::string ended(const db::Dialect& d, const std::string& created, const std::string& period,
                  const std::string& placeholder) {
  return fmt::format("CASE WHEN {p} BETWEEN 0 AND {max} THEN {end} END < {ph}",
                     fmt::arg("p", period), fmt::arg("max", kNeverExpiresMs),
                     fmt::arg("end", d.timestamp_plus_ms(created, period)),
                     fmt::arg("ph", placeholder));
}

// ACTIVE tokens whose access and refresh validity both ended: two cutoff parameters.
std::string active_ended(const db::Dialect& d, const db::TableDef& t, int first) {
  return fmt::format("{state} = 'ACTIVE' AND {access} AND {refresh}",
                     fmt::arg("state", col(d, t, "TOKEN_STATE")),
                     fmt::arg("access", ended(d, col(d, t, "TIME_CREATED"),
                                              col(d, t, "VALIDITY_PERIOD"), d.placeholder(first))),
                     fmt::arg("refresh", ended(d, col(d, t, "REFRESH_TOKEN_TIME_CREATED"),
                                               col(d, t, "REFRESH_TOKEN_VALIDITY_PERIOD"),
                                               d.placeholder(first + 1))));
}

}  // namespace

std::string cutoff_utc(const std::string& now_utc, std::int64_t safe_period_s) {
  std::string now = now_utc.empty() ? utc_now_text() : now_utc;
  return utc_text(parse_utc(now) - safe_period_s);
}

bool token_table_usable(const db::TableDef& tokens) {
  return has_columns(tokens, {"TOKEN_ID", "TOKEN_STATE", "TIME_CREATED", "VALIDITY_PERIOD",
                              "REFRESH_TOKEN_TIME_CREATED", "REFRESH_TOKEN_VALIDITY_PERIOD"});
}

bool code_table_usable(const db::TableDef& codes) {
  return has_columns(codes, {"CODE_ID", "TOKEN_ID", "STATE", "TIME_CREATED", "VALIDITY_PERIOD"});
}

Condition removable_token(const db::Dialect& d, const db::TableDef& tokens,
                          const std::string& cutoff, int first_placeholder) {
  Condition c;
  c.sql = fmt::format("({state} IN ('EXPIRED', 'INACTIVE', 'REVOKED') OR ({active}))",
                      fmt::arg("state", col(d, tokens, "TOKEN_STATE")),
                      fmt::arg("active", active_ended(d, tokens, first_placeholder)));
  c.params = {db::Value(cutoff), db::Value(cutoff)};
  return c;
}

Condition removable_code(const db::Dialect& d, const db::TableDef& codes,
                         const db::TableDef& tokens, const std::string& cutoff,
                         int first_placeholder) {
  // The code table is named in full inside the subquery: the DELETE that uses this condition
  // cannot give its target an alias on every engine.
  std::string code_table = d.stored_ident(codes.name);
  Condition c;
  c.sql = fmt::format(
      "(({state} IN ('INACTIVE', 'EXPIRED', 'REVOKED') OR ({ended})) AND ({code}.{tid} IS NULL "
      "OR NOT EXISTS (SELECT 1 FROM {tokens} t WHERE t.{ttid} = {code}.{tid})))",
      fmt::arg("state", col(d, codes, "STATE")),
      fmt::arg("ended", ended(d, col(d, codes, "TIME_CREATED"), col(d, codes, "VALIDITY_PERIOD"),
                              d.placeholder(first_placeholder))),
      fmt::arg("code", code_table), fmt::arg("tid", col(d, codes, "TOKEN_ID")),
      fmt::arg("tokens", d.stored_ident(tokens.name)),
      fmt::arg("ttid", col(d, tokens, "TOKEN_ID")));
  c.params = {db::Value(cutoff)};
  return c;
}

Condition removable_code_after_tokens(const db::Dialect& d, const db::TableDef& codes,
                                      const db::TableDef& tokens, const std::string& cutoff,
                                      int first_placeholder) {
  // Unqualified names in the subquery resolve to the token table first (every column
  // removable_token reads is one of its own). CASE, not NOT (...): a token whose condition is
  // NULL is not removed, so it stays.
  std::string code_table = d.stored_ident(codes.name);
  Condition staying = removable_token(d, tokens, cutoff, first_placeholder + 1);
  Condition c;
  c.sql = fmt::format(
      "(({state} IN ('INACTIVE', 'EXPIRED', 'REVOKED') OR ({ended})) AND ({code}.{tid} IS NULL "
      "OR NOT EXISTS (SELECT 1 FROM {tokens} t WHERE t.{ttid} = {code}.{tid} AND CASE WHEN "
      "{removable} THEN 1 ELSE 0 END = 0)))",
      fmt::arg("state", col(d, codes, "STATE")),
      fmt::arg("ended", ended(d, col(d, codes, "TIME_CREATED"), col(d, codes, "VALIDITY_PERIOD"),
                              d.placeholder(first_placeholder))),
      fmt::arg("code", code_table), fmt::arg("tid", col(d, codes, "TOKEN_ID")),
      fmt::arg("tokens", d.stored_ident(tokens.name)), fmt::arg("ttid", col(d, tokens, "TOKEN_ID")),
      fmt::arg("removable", staying.sql));
  c.params = {db::Value(cutoff)};
  c.params.insert(c.params.end(), staying.params.begin(), staying.params.end());
  return c;
}

TokenEstimate estimate_tokens(db::Connection& conn, const db::TableDef& tokens,
                              const std::string& now_utc, std::int64_t safe_period_s) {
  const db::Dialect& d = conn.dialect();
  TokenEstimate est;
  est.safe_period_s = safe_period_s;
  std::string cutoff = cutoff_utc(now_utc, safe_period_s);
  std::string state = col(d, tokens, "TOKEN_STATE");
  std::string sql = fmt::format(
      "SELECT {state}, COUNT(*), SUM(CASE WHEN {active} THEN 1 ELSE 0 END) FROM {table} "
      "GROUP BY {state}",
      fmt::arg("state", state), fmt::arg("active", active_ended(d, tokens, 1)),
      fmt::arg("table", d.stored_ident(tokens.name)));
  std::vector<db::Value> params{db::Value(cutoff), db::Value(cutoff)};
  auto r = conn.query(sql, params);
  while (r->next()) {
    std::string s = r->get(0).is_null() ? "" : r->get(0).to_text();
    std::int64_t count = r->get(1).as_int();
    std::int64_t ended_count = r->get(2).is_null() ? 0 : r->get(2).as_int();
    est.total_tokens += count;
    if (s == "EXPIRED") {
      est.expired += count;
    } else if (s == "INACTIVE") {
      est.inactive += count;
    } else if (s == "REVOKED") {
      est.revoked += count;
    } else if (s == "ACTIVE") {
      est.active_but_ended += ended_count;
    }
  }
  est.eligible = est.expired + est.inactive + est.revoked + est.active_but_ended;
  return est;
}

}  // namespace cutover::cleanup
