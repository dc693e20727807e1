#include "sync/position.h"

#include <charconv>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/error.h"
#include "db/dialect.h"

namespace cutover::sync {

namespace {

// GAPS column: entries joined by ';', each "seq:first_seen_ms:xmax", or "from-to:first:xmax"
// for a run of consecutive values found together (a rolled-back multi-row statement, an
// auto-increment step above 1). docs/formats.md.
std::string encode_gaps(const std::vector<Gap>& gaps) {
  std::string out;
  for (std::size_t i = 0; i < gaps.size();) {
    std::size_t j = i;
    while (j + 1 < gaps.size() && gaps[j + 1].seq == gaps[j].seq + 1 &&
           gaps[j + 1].first_seen_ms == gaps[i].first_seen_ms && gaps[j + 1].xmax == gaps[i].xmax) {
      ++j;
    }
    std::string seq =
        j == i ? std::to_string(gaps[i].seq) : fmt::format("{}-{}", gaps[i].seq, gaps[j].seq);
    out +=
        fmt::format("{}{}:{}:{}", out.empty() ? "" : ";", seq, gaps[i].first_seen_ms, gaps[i].xmax);
    i = j + 1;
  }
  return out;
}

// The longest run one GAPS entry may claim: far above any rolled-back statement's journal
// entries, and a bound on memory for a row edited by hand.
constexpr std::int64_t kMaxGapRun = 10'000'000;
// The GAPS column's size on every engine (VARCHAR(4000)).
constexpr std::size_t kGapsChars = 4000;

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
    std::string_view seq = item.substr(0, a);
    std::size_t dash = seq.find('-', 1);  // not the sign of a negative number
    std::int64_t from = parse_int(seq.substr(0, dash));
    std::int64_t to = dash == std::string_view::npos ? from : parse_int(seq.substr(dash + 1));
    std::int64_t first = parse_int(item.substr(a + 1, b - a - 1));
    std::int64_t xmax = parse_int(item.substr(b + 1));
    if (to < from || to - from > kMaxGapRun) {
      parse_int("range " + std::string(seq));  // throws the config error
    }
    for (std::int64_t v = from; v <= to; ++v) {
      out.push_back({v, first, xmax});
    }
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

void fit_gaps(Position& position) {
  // More separate gaps than the column holds (a burst of rollbacks while writers stay open):
  // keep the oldest ones and lower `high` to just below the first gap dropped, so the values
  // above it are read again later. Re-applying them is harmless (reconciliation).
  while (encode_gaps(position.gaps).size() > kGapsChars) {
    std::size_t keep = position.gaps.size() / 2;
    position.high = position.gaps[keep].seq - 1;
    position.gaps.resize(keep);
  }
}

void store_position(db::Connection& target, const Position& position,
                    const std::optional<Position>& expected) {
  std::string gaps = encode_gaps(position.gaps);
  if (gaps.size() > kGapsChars) {
    throw Error(ErrorKind::internal, "journal gaps not fitted before storing (fit_gaps)");
  }
  const db::Dialect& d = target.dialect();
  std::vector<db::Value> vals = {db::Value(position.high), db::Value(gaps),
                                 db::Value(position.journal_id)};
  std::string where = fmt::format("JOURNAL_ID = {}", d.placeholder(3));
  if (expected) {
    // Compare and set: only over the position this applier read. Another applier on the same
    // target moved it otherwise, and writing over its work could put older rows back.
    vals.emplace_back(expected->high);
    vals.emplace_back(encode_gaps(expected->gaps));
    where += fmt::format(" AND HIGH = {} AND GAPS = {}", d.placeholder(4), d.placeholder(5));
  }
  std::int64_t n =
      target.execute(fmt::format("UPDATE {} SET HIGH = {}, GAPS = {} WHERE {}", kProgressTable,
                                 d.placeholder(1), d.placeholder(2), where),
                     vals);
  if (n > 0) {
    return;
  }
  if (expected && load_position(target, position.journal_id)) {
    throw Error(ErrorKind::config,
                "another 'sync run' moved this target's position while this one applied",
                "run one 'sync run' per target; stop the other and start again");
  }
  std::vector<db::Value> row = {db::Value(position.journal_id), db::Value(position.high),
                                db::Value(gaps)};
  target.execute(fmt::format("INSERT INTO {} (JOURNAL_ID, HIGH, GAPS, APPLIED_ROWS, "
                             "LAST_ENTRY_MS, UPDATED_MS, RATE_RPS) VALUES ({}, {}, {}, 0, 0, 0, 0)",
                             kProgressTable, d.placeholder(1), d.placeholder(2), d.placeholder(3)),
                 row);
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
