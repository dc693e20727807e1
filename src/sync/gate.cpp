#include "sync/gate.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "sync/position.h"
#include "sync/reverse.h"
#include "sync/status.h"

namespace cutover::sync {

namespace {

using Clock = std::chrono::steady_clock;

/// Each re-check waits at least this long for the sync to apply what the journal holds.
constexpr int kRecheckWaitMs = 5'000;

/// One key as text, in key-column order; nullopt is NULL (a unique key may hold one).
using Key = std::vector<std::optional<std::string>>;

/// A key column on both sides, and how the merge orders it.
struct KeyCol {
  std::string source;
  std::string target;
  bool numeric = false;   ///< integer on both sides: numeric order; otherwise byte order
  bool nullable = false;  ///< NULLs sort after every value on both sides (explicit term)
};

bool is_integer(const db::Column& c) {
  return c.type == db::TypeKind::integer || c.type == db::TypeKind::bigint ||
         c.type == db::TypeKind::smallint;
}

/// ORDER BY terms that give byte order on every engine, so the two streams merge: PostgreSQL
/// sorts by the database's collation unless told "C", MariaDB by a case-insensitive one.
std::string order_by(const db::Dialect& d, const std::vector<KeyCol>& cols, bool source) {
  std::string out;
  for (const KeyCol& k : cols) {
    std::string c = d.stored_ident(source ? k.source : k.target);
    std::string sep = out.empty() ? "" : ", ";
    if (k.nullable) {
      out += fmt::format("{}CASE WHEN {} IS NULL THEN 1 ELSE 0 END", sep, c);
      sep = ", ";
    }
    if (k.numeric) {
      out += sep + c;
    } else if (d.name() == "postgresql") {
      out += fmt::format("{}{} COLLATE \"C\"", sep, c);
    } else if (d.name() == "mysql") {
      out += fmt::format("{}CAST({} AS BINARY)", sep, c);
    } else {
      out += fmt::format("{}{} COLLATE BINARY", sep, c);
    }
  }
  return out;
}

std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

/// The merge order, the same as order_by(): per column NULL last, numbers by value, text by
/// bytes (std::string compares as unsigned bytes, which is UTF-8 code point order).
int compare_keys(const std::vector<KeyCol>& cols, const Key& a, const Key& b) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (!a[i] || !b[i]) {
      if (!a[i] && !b[i]) {
        continue;
      }
      return a[i] ? -1 : 1;
    }
    if (cols[i].numeric) {
      std::optional<std::int64_t> x = parse_int(*a[i]);
      std::optional<std::int64_t> y = parse_int(*b[i]);
      if (x && y) {
        if (*x != *y) {
          return *x < *y ? -1 : 1;
        }
        continue;
      }
    }
    int c = a[i]->compare(*b[i]);
    if (c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

std::string describe(const std::vector<KeyCol>& cols, const Key& k) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    out += fmt::format("{}{}={}", i ? ", " : "", cols[i].source, k[i] ? echo(*k[i], 64) : "NULL");
  }
  return out;
}

/// One side's keys of one table, in merge order, read in one consistent snapshot.
class KeyStream {
 public:
  KeyStream(db::Connection& conn, const std::string& table, const std::vector<KeyCol>& cols,
            bool source)
      : cols_(cols) {
    db::TxOptions ro;
    ro.read_only = true;
    ro.consistent_snapshot = true;
    tx_ = std::make_unique<db::Transaction>(conn, ro);
    const db::Dialect& d = conn.dialect();
    std::string select;
    for (const KeyCol& k : cols) {
      select += fmt::format("{}{}", select.empty() ? "" : ", ",
                            d.stored_ident(source ? k.source : k.target));
    }
    reader_ = conn.query(fmt::format("SELECT {} FROM {} ORDER BY {}", select, d.stored_ident(table),
                                     order_by(d, cols, source)));
    advance();
  }

  bool done() const { return done_; }

  const Key& key() const { return key_; }

  std::int64_t rows() const { return rows_; }

  void advance() {
    if (!reader_->next()) {
      done_ = true;
      reader_.reset();
      tx_->commit();
      return;
    }
    Key k;
    for (std::size_t i = 0; i < cols_.size(); ++i) {
      db::Value v = reader_->get(i);
      k.emplace_back(v.is_null() ? std::nullopt : std::optional<std::string>(v.to_text()));
    }
    // The merge is only as right as the two orders agree: a stream out of order would show
    // every later key as missing, so it stops here instead.
    if (rows_ > 0 && compare_keys(cols_, key_, k) > 0) {
      throw Error(ErrorKind::internal,
                  fmt::format("keys of one table came out of byte order ({} after {})",
                              describe(cols_, k), describe(cols_, key_)),
                  "report this: the gate cannot compare this table's keys");
    }
    key_ = std::move(k);
    ++rows_;
  }

 private:
  const std::vector<KeyCol>& cols_;
  std::unique_ptr<db::Transaction> tx_;
  std::unique_ptr<db::RowReader> reader_;
  Key key_;
  std::int64_t rows_ = 0;
  bool done_ = false;
};

/// One table's comparison: the counts, and the differing keys kept for the re-check.
struct Diff {
  TableCheck check;
  std::string target_table;
  std::vector<KeyCol> cols;
  std::vector<Key> missing;  ///< on the source only
  std::vector<Key> extra;    ///< on the target only
  bool overflow = false;     ///< more differences than kept
};

Diff compare_table(db::Connection& source, db::Connection& target, const capture::CapturedTable& ct,
                   const GateOptions& options) {
  Diff diff;
  diff.check.table = ct.name;
  std::optional<db::TableDef> s = source.describe_table(ct.name);
  std::optional<db::TableDef> t = target.describe_table(ct.name);
  if (!s || !t) {
    throw Error(ErrorKind::config,
                fmt::format("the {} has no table {}", s ? "target" : "source", ct.name),
                "the synced tables must exist on both sides; run 'sync copy' first");
  }
  diff.target_table = t->name;
  for (const std::string& k : ct.key) {
    const db::Column* sc = s->find_column(k);
    const db::Column* tc = t->find_column(k);
    if (!sc || !tc) {
      throw Error(ErrorKind::config, fmt::format("the {} table {} has no key column {}",
                                                 sc ? "target" : "source", ct.name, k));
    }
    diff.cols.push_back(
        {sc->name, tc->name, is_integer(*sc) && is_integer(*tc), sc->nullable || tc->nullable});
  }
  // Shape: both sides' keys in the same order, merged like two sorted files.
  KeyStream a(source, s->name, diff.cols, true);
  KeyStream b(target, t->name, diff.cols, false);
  while (!a.done() || !b.done()) {
    int c = a.done() ? 1 : b.done() ? -1 : compare_keys(diff.cols, a.key(), b.key());
    if (c != 0) {
      std::vector<Key>& list = c < 0 ? diff.missing : diff.extra;
      if (list.size() < options.keep_keys) {
        list.push_back(c < 0 ? a.key() : b.key());
      } else {
        diff.overflow = true;
      }
      (c < 0 ? diff.check.missing : diff.check.extra)++;
    }
    if (c <= 0) {
      a.advance();
    }
    if (c >= 0) {
      b.advance();
    }
    if ((a.rows() + b.rows()) % 100'000 == 0) {
      throw_if_cancelled();
    }
  }
  diff.check.compared = true;
  diff.check.source_rows = a.rows();
  diff.check.target_rows = b.rows();
  return diff;
}

bool key_exists(db::Connection& conn, const std::string& table, const std::vector<KeyCol>& cols,
                const Key& k, bool source) {
  const db::Dialect& d = conn.dialect();
  std::string where;
  std::vector<db::Value> params;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    std::string c = d.stored_ident(source ? cols[i].source : cols[i].target);
    if (k[i]) {
      params.emplace_back(*k[i]);
      where += fmt::format("{}{} = {}", i ? " AND " : "", c,
                           d.placeholder(static_cast<int>(params.size())));
    } else {
      where += fmt::format("{}{} IS NULL", i ? " AND " : "", c);
    }
  }
  std::unique_ptr<db::RowReader> r =
      conn.query(fmt::format("SELECT 1 FROM {} WHERE {}", d.stored_ident(table), where), params);
  bool found = r->next();
  while (r->next()) {
  }
  return found;
}

/// The highest journal value on `journal_side` now (0 when empty).
std::int64_t journal_mark(db::Connection& journal_side) {
  db::Value v = journal_side.query_value(fmt::format("SELECT MAX(SEQ) FROM {}", capture::kJournal))
                    .value_or(db::Value());
  return v.is_null() ? 0 : v.as_int();
}

/// Waits until every journal value up to `mark` that was visible is applied: the stored
/// position's high mark reached it (a value still missing below it is an open transaction's,
/// whose rows the source does not show either). False when `until` passed first.
bool wait_applied(db::Connection& position_side, const std::string& journal_id, std::int64_t mark,
                  Clock::time_point until, int poll_ms) {
  while (true) {
    std::optional<Position> p = load_position(position_side, journal_id);
    if (p && p->high >= mark) {
      return true;
    }
    if (Clock::now() >= until) {
      return false;
    }
    throw_if_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

/// The forward (and armed reverse) status until both are caught up or `until` passes;
/// returns the reasons it is not caught up (empty: caught up).
std::vector<std::string> wait_caught_up(const SyncConfig& config, bool reverse_armed,
                                        Clock::time_point until, const GateOptions& options,
                                        GateResult& result) {
  while (true) {
    std::vector<std::string> why;
    SyncStatus st = read_status(config);
    result.backlog = st.backlog;
    result.open_gaps = st.open_gaps;
    result.lag_ms = st.lag_ms;
    result.tables.clear();
    for (const TableStatus& ts : st.tables) {
      TableCheck tc;
      tc.table = ts.table;
      tc.backlog = ts.backlog;
      result.tables.push_back(tc);
    }
    if (st.copy == CopyState::in_progress) {
      why.emplace_back("the copy into the target has not finished: run 'cutover sync copy' again");
    } else if (!st.applied_once) {
      why.emplace_back(
          "the journal was never applied to the target: run 'cutover sync run' (after 'sync "
          "copy' or your own dump)");
    } else if (st.backlog > 0) {
      std::string per;
      for (const TableStatus& ts : st.tables) {
        if (ts.backlog > 0) {
          per += fmt::format("{}{} {}", per.empty() ? "" : ", ", ts.table, ts.backlog);
        }
      }
      why.push_back(fmt::format(
          "backlog: {} journal entries not applied yet, lag {:.1f} s{}{}; is 'cutover sync run' "
          "running?",
          st.backlog, static_cast<double>(st.lag_ms) / 1000.0,
          st.open_gaps > 0 ? fmt::format(", {} open gaps in the journal", st.open_gaps) : "",
          per.empty() ? "" : " (" + per + ")"));
    }
    if (reverse_armed) {
      SyncStatus rs = read_status(reversed(config));
      result.reverse_backlog = rs.backlog;
      if (rs.backlog > 0) {
        why.push_back(
            fmt::format("reverse backlog: {} journal entries of the new database not applied to "
                        "the old one (lag {:.1f} s); is 'cutover sync run --reverse' running?",
                        rs.backlog, static_cast<double>(rs.lag_ms) / 1000.0));
      }
    }
    if (why.empty() || Clock::now() >= until) {
      return why;
    }
    throw_if_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms));
  }
}

std::string examples(const Diff& d, const std::vector<Key>& keys, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < std::min(n, keys.size()); ++i) {
    out += fmt::format("{}{}", out.empty() ? "" : "; ", describe(d.cols, keys[i]));
  }
  return out;
}

}  // namespace

GateResult run_gate(const SyncConfig& config, const GateOptions& options) {
  auto started = Clock::now();
  auto deadline = started + std::chrono::milliseconds(options.timeout_ms);
  GateResult result;
  std::optional<capture::CaptureInfo> forward;
  {
    db::OpenOptions ro;
    ro.read_only = true;
    std::unique_ptr<db::Connection> source = db::open(config.source, ro);
    std::unique_ptr<db::Connection> target = db::open(config.target, ro);
    forward = capture::read_capture(*source);
    if (!forward || !forward->complete) {
      throw Error(ErrorKind::config, "the source has no complete change capture",
                  "run 'cutover sync prepare', 'sync copy' and 'sync run' first");
    }
    if (std::optional<std::string> rev = armed_reverse_journal(*source, *target)) {
      result.armed_before = true;
      result.reverse_armed = true;
      result.reverse_journal_id = *rev;
    }
  }

  // 1. Wait until what the journal(s) hold is applied.
  result.reasons = wait_caught_up(config, result.reverse_armed, deadline, options, result);
  if (!result.reasons.empty()) {
    result.waited_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return result;
  }

  // 2. Both sides' key sets, table by table.
  std::unique_ptr<db::Connection> source = db::open(config.source);
  std::unique_ptr<db::Connection> target = db::open(config.target);
  std::vector<Diff> diffs;
  for (const capture::CapturedTable& ct : forward->tables) {
    diffs.push_back(compare_table(*source, *target, ct, options));
  }

  // 3. A difference may be a change made during the comparison (the old IS still writes):
  //    once the sync applied everything the journal held after it, look at each such key
  //    again on both sides; what still differs is real.
  auto pending = [&] {
    return std::any_of(diffs.begin(), diffs.end(),
                       [](const Diff& d) { return !d.missing.empty() || !d.extra.empty(); });
  };
  bool caught_up = true;
  for (int round = 0; round < options.rechecks && pending(); ++round) {
    auto until = std::max(deadline, Clock::now() + std::chrono::milliseconds(kRecheckWaitMs));
    caught_up =
        wait_applied(*target, forward->journal_id, journal_mark(*source), until, options.poll_ms);
    if (caught_up && result.reverse_armed) {
      caught_up = wait_applied(*source, result.reverse_journal_id, journal_mark(*target), until,
                               options.poll_ms);
    }
    if (!caught_up) {
      break;
    }
    for (Diff& d : diffs) {
      for (std::vector<Key>* list : {&d.missing, &d.extra}) {
        std::int64_t& count = list == &d.missing ? d.check.missing : d.check.extra;
        std::vector<Key> still;
        for (const Key& k : *list) {
          bool on_source = key_exists(*source, d.check.table, d.cols, k, true);
          bool on_target = key_exists(*target, d.target_table, d.cols, k, false);
          if (on_source == on_target) {
            --count;  // equal now: the difference was a change in flight
          } else if (on_source == (list == &d.missing)) {
            still.push_back(k);
          } else {
            // Differs the other way round now (a change in flight again): keep it, counted
            // where it stands after this look.
            (list == &d.missing ? d.check.extra : d.check.missing)++;
            --count;
            (list == &d.missing ? d.extra : d.missing).push_back(k);
          }
        }
        *list = std::move(still);
      }
    }
  }
  result.waited_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();

  // 4. The verdict, table by table.
  result.tables.clear();
  for (Diff& d : diffs) {
    if (d.check.missing > 0 || d.check.extra > 0) {
      std::string what;
      if (d.check.missing > 0) {
        what =
            fmt::format("{} key{} missing on the target ({})", d.check.missing,
                        d.check.missing == 1 ? "" : "s", examples(d, d.missing, options.examples));
      }
      if (d.check.extra > 0) {
        what += fmt::format("{}{} key{} on the target only ({})", what.empty() ? "" : ", ",
                            d.check.extra, d.check.extra == 1 ? "" : "s",
                            examples(d, d.extra, options.examples));
      }
      result.reasons.push_back(
          fmt::format("{}: {}; {} rows on the source, {} on the target{}", d.check.table, what,
                      d.check.source_rows, d.check.target_rows,
                      d.overflow ? " (too many to re-check: not changes in flight)" : ""));
      for (const Key& k : d.missing) {
        if (d.check.missing_examples.size() < options.examples) {
          d.check.missing_examples.push_back(describe(d.cols, k));
        }
      }
      for (const Key& k : d.extra) {
        if (d.check.extra_examples.size() < options.examples) {
          d.check.extra_examples.push_back(describe(d.cols, k));
        }
      }
    }
    result.tables.push_back(d.check);
  }
  if (!caught_up && !result.reasons.empty()) {
    result.reasons.emplace_back(
        "the sync did not catch up in time to re-check these keys: they may be changes in "
        "flight; run the gate again once 'sync status' shows no backlog");
  }
  if (!result.reasons.empty()) {
    return result;
  }

  // 5. Equal: arm the way back before traffic moves.
  source.reset();
  target.reset();
  ArmResult armed = arm_reverse(config);
  result.reverse_armed = true;
  result.reverse_journal_id = armed.journal_id;
  result.ready = true;
  return result;
}

}  // namespace cutover::sync
