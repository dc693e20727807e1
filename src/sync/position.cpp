#include "sync/position.h"

#include <charconv>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/error.h"
#include "db/dialect.h"

namespace cutover::sync {

namespace {

// GAPS column: "seq:first_seen_ms:xmax" entries joined by ';'. Bounded by the number of
// transactions open at once plus recent rollbacks; docs/formats.md.
std::string encode_gaps(const std::vector<Gap>& gaps) {
  std::string out;
  for (const Gap& g : gaps) {
    out += fmt::format("{}{}:{}:{}", out.empty() ? "" : ";", g.seq, g.first_seen_ms, g.xmax);
  }
  return out;
}

std::int64_t parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw Error(ErrorKind::config, fmt::format("malformed {} row: '{}'", kProgressTable, s),
                "the target's progress table was edited by hand; run 'sync copy' again");
  }
  return v;
}

std::vector<Gap> decode_gaps(std::string_view s) {
  std::vector<Gap> out;
  while (!s.empty()) {
    std::size_t end = s.find(';');
    std::string_view item = s.substr(0, end);
    std::size_t a = item.find(':');
    std::size_t b = item.find(':', a == std::string_view::npos ? a : a + 1);
    if (a == std::string_view::npos || b == std::string_view::npos) {
      parse_int(item);  // throws the config error
    }
    out.push_back({parse_int(item.substr(0, a)), parse_int(item.substr(a + 1, b - a - 1)),
                   parse_int(item.substr(b + 1))});
    s = end == std::string_view::npos ? std::string_view() : s.substr(end + 1);
  }
  return out;
}

}  // namespace

std::int64_t source_now_ms(db::Connection& source) {
  std::string d = source.dialect().name();
  std::string sql;
  if (d == "postgresql") {
    sql = "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint";
  } else if (d == "mysql") {
    sql = "SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)";
  } else {
    sql = "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }
  return source.query_value(sql).value_or(0).as_int();
}

Position snapshot_position(db::Connection& source) {
  std::optional<capture::CaptureInfo> info = capture::read_capture(source);
  if (!info || !info->complete) {
    throw Error(ErrorKind::config, "the source has no complete change capture",
                "run 'cutover sync prepare' on the source first");
  }
  Position p;
  p.journal_id = info->journal_id;
  // Every value visible in this snapshot is in the copy; the values below the highest one
  // that are not visible belong to transactions still open (or rolled back): they are gaps,
  // applied when they appear. Journal values start at 1 and are only pruned by run, which
  // needs a stored position first, so a copy sees the journal from its beginning.
  std::int64_t now = source_now_ms(source);
  // PostgreSQL: no bound yet (0). The snapshot's xmax is one past the latest COMPLETED xid,
  // and a writer still open may hold a larger one; the apply bounds these gaps by the next
  // xid, read after this snapshot, before it judges them.
  std::int64_t xmax = 0;
  // Values up to the pruned mark are gone for good; the journal starts at 1 on every engine.
  std::int64_t expect = capture::pruned_through(source) + 1;
  p.high = expect - 1;
  std::unique_ptr<db::RowReader> r = source.query(
      fmt::format("SELECT SEQ FROM {} WHERE SEQ >= {} ORDER BY SEQ", capture::kJournal, expect));
  while (r->next()) {
    std::int64_t seq = r->get(0).as_int();
    for (; expect < seq; ++expect) {
      p.gaps.push_back({expect, now, xmax});
    }
    expect = seq + 1;
    p.high = seq;
  }
  return p;
}

void ensure_progress_table(db::Connection& target) {
  if (!target.describe_table(kProgressTablesTable)) {
    target.execute(fmt::format(
        "CREATE TABLE {} (JOURNAL_ID VARCHAR(64) NOT NULL, TABLE_NAME VARCHAR(255) NOT NULL, "
        "APPLIED_ROWS BIGINT NOT NULL, RATE_RPS BIGINT NOT NULL, UPDATED_MS BIGINT NOT NULL, "
        "PRIMARY KEY (JOURNAL_ID, TABLE_NAME))",
        kProgressTablesTable));
  }
  if (target.describe_table(kProgressTable)) {
    return;
  }
  target.execute(fmt::format(
      "CREATE TABLE {} (JOURNAL_ID VARCHAR(64) NOT NULL PRIMARY KEY, HIGH BIGINT NOT NULL, GAPS "
      "VARCHAR(4000) NOT NULL, APPLIED_ROWS BIGINT NOT NULL, LAST_ENTRY_MS BIGINT NOT NULL, "
      "UPDATED_MS BIGINT NOT NULL, RATE_RPS BIGINT NOT NULL)",
      kProgressTable));
}

std::optional<Position> load_position(db::Connection& target, const std::string& journal_id) {
  if (!target.describe_table(kProgressTable)) {
    return std::nullopt;
  }
  const db::Dialect& d = target.dialect();
  std::unique_ptr<db::RowReader> r =
      target.query(fmt::format("SELECT HIGH, GAPS FROM {} WHERE JOURNAL_ID = {}", kProgressTable,
                               d.placeholder(1)),
                   std::vector<db::Value>{db::Value(journal_id)});
  if (!r->next()) {
    return std::nullopt;
  }
  Position p;
  p.journal_id = journal_id;
  p.high = r->get(0).as_int();
  p.gaps = decode_gaps(r->get(1).is_null() ? "" : r->get(1).to_text());
  return p;
}

void store_position(db::Connection& target, const Position& position) {
  std::string gaps = encode_gaps(position.gaps);
  if (gaps.size() > 4000) {
    // More gaps than a progress row holds: keep the oldest ones only; the newer are re-read
    // because `high` is lowered to just below the first dropped gap.
    throw Error(ErrorKind::internal, "too many open journal gaps to store");
  }
  const db::Dialect& d = target.dialect();
  std::vector<db::Value> key = {db::Value(position.journal_id)};
  std::vector<db::Value> vals = {db::Value(position.high), db::Value(gaps),
                                 db::Value(position.journal_id)};
  std::int64_t n = target.execute(
      fmt::format("UPDATE {} SET HIGH = {}, GAPS = {} WHERE JOURNAL_ID = {}", kProgressTable,
                  d.placeholder(1), d.placeholder(2), d.placeholder(3)),
      vals);
  if (n == 0) {
    std::vector<db::Value> row = {db::Value(position.journal_id), db::Value(position.high),
                                  db::Value(gaps)};
    target.execute(
        fmt::format("INSERT INTO {} (JOURNAL_ID, HIGH, GAPS, APPLIED_ROWS, "
                    "LAST_ENTRY_MS, UPDATED_MS, RATE_RPS) VALUES ({}, {}, {}, 0, 0, 0, 0)",
                    kProgressTable, d.placeholder(1), d.placeholder(2), d.placeholder(3)),
        row);
  }
}

void add_table_progress(db::Connection& target, const std::string& journal_id,
                        const std::string& table, std::int64_t rows, std::int64_t rate,
                        std::int64_t now_ms) {
  const db::Dialect& d = target.dialect();
  std::vector<db::Value> upd = {db::Value(rows), db::Value(rate), db::Value(now_ms),
                                db::Value(journal_id), db::Value(table)};
  std::int64_t n = target.execute(
      fmt::format("UPDATE {} SET APPLIED_ROWS = APPLIED_ROWS + {}, RATE_RPS = {}, UPDATED_MS = {} "
                  "WHERE JOURNAL_ID = {} AND TABLE_NAME = {}",
                  kProgressTablesTable, d.placeholder(1), d.placeholder(2), d.placeholder(3),
                  d.placeholder(4), d.placeholder(5)),
      upd);
  if (n == 0) {
    std::vector<db::Value> ins = {db::Value(journal_id), db::Value(table), db::Value(rows),
                                  db::Value(rate), db::Value(now_ms)};
    target.execute(fmt::format("INSERT INTO {} (JOURNAL_ID, TABLE_NAME, APPLIED_ROWS, RATE_RPS, "
                               "UPDATED_MS) VALUES ({}, {}, {}, {}, {})",
                               kProgressTablesTable, d.placeholder(1), d.placeholder(2),
                               d.placeholder(3), d.placeholder(4), d.placeholder(5)),
                   ins);
  }
}

std::vector<std::string> remove_sync_tables(db::Connection& conn) {
  std::vector<std::string> dropped;
  for (const std::string& t : conn.list_tables()) {
    std::string u = db::to_upper(t);
    if (u.rfind(kProgressTable, 0) == 0 || u.rfind("CUTOVER_COPY", 0) == 0) {
      conn.execute(fmt::format("DROP TABLE {}", conn.dialect().stored_ident(t)));
      dropped.push_back(u);
    }
  }
  return dropped;
}

}  // namespace cutover::sync
