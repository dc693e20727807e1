#include "cleanup/sessions.h"

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

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

// Tables WSO2's session cleanup empties of a removed session's id, each when present (its
// procedures guard every one with "if the table exists"). Not catalogued: found by name.
constexpr const char* kMappingTables[] = {"IDN_AUTH_USER_SESSION_MAPPING",
                                          "IDN_AUTH_SESSION_APP_INFO", "IDN_AUTH_SESSION_META_DATA",
                                          "IDN_FED_AUTH_SESSION_MAPPING"};

const db::TableDef* find_table(const schema::LiveTables& live, const char* name) {
  auto it = live.find(name);
  return it == live.end() ? nullptr : &it->second;
}

bool usable(const db::TableDef* t) {
  return t != nullptr && t->find_column("EXPIRY_TIME") != nullptr && !t->primary_key.empty();
}

// EXPIRY_TIME below the cut-off; a NULL expiry (rows written before 5.6 set it) never matches,
// as in WSO2's own rule.
Condition expired(const db::Dialect& d, const db::TableDef& t, std::int64_t cutoff_ns, int p) {
  return {
      fmt::format("{} < {}", d.stored_ident(t.find_column("EXPIRY_TIME")->name), d.placeholder(p)),
      {db::Value(cutoff_ns)}};
}

// WSO2's second phase: rows of a session id and type whose DELETE row (the session was logged
// out or removed) was written before the cut-off, whatever their own expiry. In two passes
// (`which`): first the pair's other rows, then those DELETE rows themselves, so the condition
// a batch selects by never loses the row it looks for while the key cursor walks on.
enum class LoggedOut { all, others, delete_rows };

Condition logged_out(const db::Dialect& d, const db::TableDef& t, std::int64_t cutoff_ns, int p,
                     LoggedOut which = LoggedOut::all) {
  auto col = [&](const char* c) { return d.stored_ident(t.find_column(c)->name); };
  std::string table = d.stored_ident(t.name);
  std::string old_delete = fmt::format("{} = 'DELETE' AND {} < {}", col("OPERATION"),
                                       col("TIME_CREATED"), d.placeholder(p));
  if (which == LoggedOut::delete_rows) {
    return {old_delete, {db::Value(cutoff_ns)}};
  }
  std::string pair = fmt::format(
      "EXISTS (SELECT 1 FROM {t} o WHERE o.{id} = {t}.{id} AND o.{ty} = {t}.{ty} AND o.{op} = "
      "'DELETE' AND o.{tc} < {p})",
      fmt::arg("t", table), fmt::arg("id", col("SESSION_ID")), fmt::arg("ty", col("SESSION_TYPE")),
      fmt::arg("op", col("OPERATION")), fmt::arg("tc", col("TIME_CREATED")),
      fmt::arg("p", d.placeholder(which == LoggedOut::others ? p + 1 : p)));
  if (which == LoggedOut::all) {
    return {pair, {db::Value(cutoff_ns)}};
  }
  return {fmt::format("NOT ({}) AND {}", old_delete, pair),
          {db::Value(cutoff_ns), db::Value(cutoff_ns)}};
}

bool has_operations(const db::TableDef& t) {
  for (const char* c : {"SESSION_ID", "SESSION_TYPE", "OPERATION", "TIME_CREATED"}) {
    if (t.find_column(c) == nullptr) {
      return false;
    }
  }
  return true;
}

std::int64_t count(db::Connection& conn, const db::TableDef& t, const Condition* where) {
  std::string sql = fmt::format("SELECT COUNT(*) FROM {}", conn.dialect().stored_ident(t.name));
  if (where != nullptr) {
    sql += " WHERE " + where->sql;
  }
  return conn.query_value(sql, where != nullptr ? where->params : std::vector<db::Value>{})
      .value_or(db::Value(0))
      .as_int();
}

BatchTarget target(const db::Dialect& d, const db::TableDef& t, std::int64_t cutoff_ns) {
  BatchTarget out;
  out.table = &t;
  for (const std::string& k : t.primary_key) {
    out.key.push_back(d.stored_ident(k));
  }
  out.eligible = [&d, &t, cutoff_ns](int p) { return expired(d, t, cutoff_ns, p); };
  return out;
}

}  // namespace

SessionCleanupResult cleanup_sessions(db::Connection& conn, const SessionCleanupOptions& o,
                                      const Progress& progress) {
  Clock::time_point started = Clock::now();
  const db::Dialect& d = conn.dialect();
  schema::LiveTables live = schema::live_catalogued_tables(conn, schema::product("is"));
  const db::TableDef* store = find_table(live, "IDN_AUTH_SESSION_STORE");
  if (!usable(store)) {
    throw Error(ErrorKind::config, "no usable IDN_AUTH_SESSION_STORE table in this database",
                "point --db at the identity database (the one holding the session store)");
  }
  const db::TableDef* temp = find_table(live, "IDN_AUTH_TEMP_SESSION_STORE");
  if (!usable(temp)) {
    temp = nullptr;
  }
  SessionCleanupResult result;
  // One moment for the whole run: a rerun after a kill judges again from its own now.
  std::string now = o.now_utc.empty() ? utc_now_text() : o.now_utc;
  result.cutoff_ns = (parse_utc(now) - o.safe_period_s) * kNanosPerSecond;
  result.logged_out_cutoff_ns = (parse_utc(now) - o.logged_out_period_s) * kNanosPerSecond;

  BatchTarget sessions = target(d, *store, result.cutoff_ns);
  // The key part that is SESSION_ID: mapping rows follow it.
  std::size_t id_part = 0;
  for (std::size_t i = 0; i < store->primary_key.size(); ++i) {
    if (db::same_ident(store->primary_key[i], "SESSION_ID")) {
      id_part = i;
    }
  }
  std::vector<db::TableDef> mappings;
  for (const char* name : kMappingTables) {
    std::optional<db::TableDef> t = conn.describe_table(name);
    const db::Column* c = t ? t->find_column("SESSION_ID") : nullptr;
    if (c != nullptr) {
      sessions.children.push_back({t->name, c->name, id_part, true});
      result.mapping_tables.push_back(t->name);
    }
  }

  Condition e = expired(d, *store, result.cutoff_ns, 1);
  result.sessions = count(conn, *store, nullptr);
  result.sessions_eligible = count(conn, *store, &e);
  bool phase2 = has_operations(*store);
  if (phase2) {
    // Not counted twice: rows the first phase takes are left out here.
    Condition lo = logged_out(d, *store, result.logged_out_cutoff_ns, 1);
    Condition both{fmt::format("{} AND NOT ({} IS NOT NULL AND {})", lo.sql,
                               d.stored_ident(store->find_column("EXPIRY_TIME")->name),
                               expired(d, *store, result.cutoff_ns, 2).sql),
                   {db::Value(result.logged_out_cutoff_ns), db::Value(result.cutoff_ns)}};
    result.logged_out_eligible = count(conn, *store, &both);
  }
  if (temp != nullptr) {
    Condition te = expired(d, *temp, result.cutoff_ns, 1);
    result.temp = count(conn, *temp, nullptr);
    result.temp_eligible = count(conn, *temp, &te);
  }
  if (o.dry_run) {
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
  }

  BatchOptions batch{o.batch, o.pause_ms, o.max_transaction_ms};
  BatchStats stats;
  BatchDeleter deleter(
      conn, batch, stats, progress,
      result.sessions_eligible + result.logged_out_eligible + result.temp_eligible);
  deleter.run(sessions);
  if (phase2) {
    std::int64_t cutoff = result.logged_out_cutoff_ns;
    for (LoggedOut which : {LoggedOut::others, LoggedOut::delete_rows}) {
      BatchTarget out = sessions;
      out.eligible = [&d, store, cutoff, which](int p) {
        return logged_out(d, *store, cutoff, p, which);
      };
      deleter.run(out);
    }
  }
  if (temp != nullptr) {
    deleter.run(target(d, *temp, result.cutoff_ns));
  }
  result.removed = std::move(stats.removed);
  result.batches = stats.batches;
  result.longest_batch_s = stats.longest_batch_s;
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace cutover::cleanup
