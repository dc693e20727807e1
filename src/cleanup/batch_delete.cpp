#include "cleanup/batch_delete.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/cancel.h"
#include "db/dialect.h"
#include "db/retry.h"

namespace cutover::cleanup {

namespace {

using Clock = std::chrono::steady_clock;

// Keys per statement: few enough placeholders for every engine's limit, many enough that a
// batch is a handful of statements.
constexpr std::size_t kPlaceholdersPerStatement = 500;

// "(?, ?, ...)" for n values, placeholders numbered after `skip` others.
std::string in_list(const db::Dialect& d, std::size_t n, int skip) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) {
    out += (i == 0 ? "" : ", ") + d.placeholder(static_cast<int>(i) + 1 + skip);
  }
  return out + ")";
}

// The rows whose key is one of n keys: "k IN (...)" for one column, otherwise
// "(k1 = ? AND k2 = ?) OR ..." (SQLite accepts a row-value IN only over a subquery).
std::string key_match(const db::Dialect& d, const std::vector<std::string>& key, std::size_t n) {
  if (key.size() == 1) {
    return fmt::format("{} IN {}", key[0], in_list(d, n, 0));
  }
  std::vector<std::string> rows;
  int p = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> parts;
    parts.reserve(key.size());
    for (const std::string& k : key) {
      parts.push_back(fmt::format("{} = {}", k, d.placeholder(++p)));
    }
    rows.push_back(fmt::format("({})", fmt::join(parts, " AND ")));
  }
  return fmt::format("({})", fmt::join(rows, " OR "));
}

// Keys after the cursor in index order: "k > ?" or, for a composite key, the leading column's
// range (which every engine can seek on) and the lexicographic test. Returns its parameter
// count through `params`.
std::string after_cursor(const db::Dialect& d, const std::vector<std::string>& key,
                         const std::vector<db::Value>& cursor, std::vector<db::Value>& params) {
  int p = 0;
  if (key.size() == 1) {
    params.push_back(cursor[0]);
    return fmt::format("{} > {}", key[0], d.placeholder(++p));
  }
  std::string out = fmt::format("{} >= {} AND (", key[0], d.placeholder(++p));
  params.push_back(cursor[0]);
  for (std::size_t i = 0; i < key.size(); ++i) {
    out += i == 0 ? "(" : " OR (";
    for (std::size_t j = 0; j < i; ++j) {
      out += fmt::format("{} = {} AND ", key[j], d.placeholder(++p));
      params.push_back(cursor[j]);
    }
    out += fmt::format("{} > {})", key[i], d.placeholder(++p));
    params.push_back(cursor[i]);
  }
  return out + ")";
}

}  // namespace

BatchDeleter::BatchDeleter(db::Connection& conn, const BatchOptions& options, BatchStats& stats,
                           const Progress& progress, std::int64_t total)
    : conn_(conn), o_(options), stats_(stats), progress_(progress), total_(total) {}

namespace {

// The first batch of a time-bounded run: small enough to stay inside any sane budget, so the
// size is learnt from a short transaction, not from a long one.
constexpr int kFirstTimedBatch = 500;

}  // namespace

void BatchDeleter::run(const BatchTarget& t) {
  const db::Dialect& d = conn_.dialect();
  auto ident = [&](const std::string& stored) { return d.stored_ident(stored); };
  const std::size_t chunk = std::max<std::size_t>(1, kPlaceholdersPerStatement / t.key.size());
  // Read committed: InnoDB then locks only the rows a batch takes, not the gaps between them
  // where a server inserts new rows.
  db::TxOptions tx_options;
  tx_options.isolation = db::Isolation::read_committed;
  std::optional<std::vector<db::Value>> cursor;
  // Each table learns its own size: one may be slow per row where another is not.
  int rows = o_.max_transaction_ms > 0 ? std::min(o_.batch, kFirstTimedBatch) : o_.batch;
  while (true) {
    throw_if_cancelled();
    Clock::time_point started = Clock::now();
    const int asked = rows;
    std::vector<std::vector<db::Value>> keys;
    std::vector<std::int64_t> counts;
    // A batch is one transaction; a deadlock with a writer rolls it back and it runs again.
    db::with_retry([&] {
      // Only the attempt that commits is timed: a lock wait or a deadlock retried is not a
      // cost of the rows, and must not shrink the batch.
      started = Clock::now();
      counts.assign(t.children.size() + 2, 0);
      db::Transaction tx(conn_, tx_options);
      keys = select_batch(t, cursor, asked);
      for (std::size_t from = 0; from < keys.size(); from += chunk) {
        std::size_t n = std::min(chunk, keys.size() - from);
        std::vector<db::Value> flat;
        for (std::size_t i = from; i < from + n; ++i) {
          flat.insert(flat.end(), keys[i].begin(), keys[i].end());
        }
        auto part_values = [&](std::size_t part) {
          std::vector<db::Value> out;
          for (std::size_t i = from; i < from + n; ++i) {
            out.push_back(keys[i][part]);
          }
          return out;
        };
        if (!t.audit_prefix.empty()) {
          std::vector<db::Value> params = t.audit_params;
          params.insert(params.end(), flat.begin(), flat.end());
          counts.back() += conn_.execute(
              t.audit_prefix + in_list(d, n, static_cast<int>(t.audit_params.size())), params);
        }
        // Children first where they can: not every engine cascades (SQLite without foreign
        // keys, SQL Server's missing cascade paths), and an explicit delete counts them.
        auto delete_children = [&](bool last) {
          for (std::size_t c = 0; c < t.children.size(); ++c) {
            const Child& ch = t.children[c];
            if (ch.only_when_last != last) {
              continue;
            }
            std::string sql = fmt::format("DELETE FROM {} WHERE {} IN {}", ident(ch.table),
                                          ident(ch.column), in_list(d, n, 0));
            if (last) {
              sql += fmt::format(" AND NOT EXISTS (SELECT 1 FROM {} p WHERE p.{} = {}.{})",
                                 ident(t.table->name), t.key[ch.key_part], ident(ch.table),
                                 ident(ch.column));
            }
            counts[c + 1] += conn_.execute(sql, part_values(ch.key_part));
          }
        };
        delete_children(false);
        counts[0] += conn_.execute(
            fmt::format("DELETE FROM {} WHERE {}", ident(t.table->name), key_match(d, t.key, n)),
            flat);
        delete_children(true);
      }
      tx.commit();
    });
    if (keys.empty()) {
      return;
    }
    double secs = std::chrono::duration<double>(Clock::now() - started).count();
    stats_.longest_batch_s = std::max(stats_.longest_batch_s, secs);
    const int taken = static_cast<int>(keys.size());
    if (o_.max_transaction_ms > 0 && taken == asked && secs > 0) {
      // Towards the budget: shrink at once to what fits, grow at most twofold.
      double fit = static_cast<double>(taken) * o_.max_transaction_ms / 1000.0 / secs;
      rows = static_cast<int>(
          std::clamp(fit, 1.0, std::min(2.0 * taken, static_cast<double>(o_.batch))));
    }
    ++stats_.batches;
    add(t.table->name, counts[0]);
    for (std::size_t c = 0; c < t.children.size(); ++c) {
      add(t.children[c].table, counts[c + 1]);
    }
    stats_.audited += counts.back();
    done_ += counts[0];
    // Rows that became eligible meanwhile (a server revoking tokens) raise the total, so the
    // progress never passes 100 %.
    total_ = std::max(total_, done_);
    if (progress_) {
      progress_(done_, total_);
    }
    if (taken < asked) {
      return;
    }
    cursor = keys.back();
    if (o_.pause_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o_.pause_ms));
    }
  }
}

// The next keys in order, locked against concurrent change until the batch commits. SQLite
// needs no row lock: its write transaction already excludes every other writer.
std::vector<std::vector<db::Value>> BatchDeleter::select_batch(
    const BatchTarget& t, const std::optional<std::vector<db::Value>>& cursor, int n) {
  const db::Dialect& d = conn_.dialect();
  std::vector<db::Value> params;
  std::string after;
  if (cursor) {
    after = after_cursor(d, t.key, *cursor, params) + " AND ";
  }
  Condition cond = t.eligible(static_cast<int>(params.size()) + 1);
  params.insert(params.end(), cond.params.begin(), cond.params.end());
  std::string keys = fmt::format("{}", fmt::join(t.key, ", "));
  std::string sql = fmt::format(
      "SELECT {keys} FROM {table} WHERE {after}({cond}) ORDER BY {keys} LIMIT {n}{lock}",
      fmt::arg("keys", keys), fmt::arg("table", d.stored_ident(t.table->name)),
      fmt::arg("after", after), fmt::arg("cond", cond.sql), fmt::arg("n", n),
      fmt::arg("lock", d.row_lock_suffix()));
  std::vector<std::vector<db::Value>> out;
  auto r = conn_.query(sql, params);
  while (r->next()) {
    std::vector<db::Value> row;
    for (std::size_t i = 0; i < t.key.size(); ++i) {
      row.push_back(r->get(i));
    }
    out.push_back(std::move(row));
  }
  return out;
}

void BatchDeleter::add(const std::string& table, std::int64_t n) {
  for (RemovedRows& r : stats_.removed) {
    if (r.table == table) {
      r.rows += n;
      return;
    }
  }
  stats_.removed.push_back({table, n});
}

}  // namespace cutover::cleanup
