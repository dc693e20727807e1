#include "verify/diff.h"

#include <algorithm>
#include <unordered_map>

#include "core/cancel.h"
#include "core/echo.h"
#include "db/table_def.h"
#include "verify/sensitive.h"

namespace cutover::verify {

namespace {

/// Bisection depth after which a range is compared row by row whatever its size: each level
/// halves the larger side, so 40 levels are never reached with real tables.
constexpr int kMaxDepth = 40;

/// Rows between two progress steps of the stream mode.
constexpr std::int64_t kStreamStep = 10'000;

std::optional<std::string> canonical(const db::Value& v, Kind k) {
  if (v.is_null()) {
    return std::nullopt;
  }
  std::string out;
  append_canonical(v, k, out);
  return out;
}

ChunkSum minus(const ChunkSum& a, const ChunkSum& b) {
  ChunkSum d;
  d.rows = a.rows - b.rows;
  d.sum = a.sum - b.sum;  // unsigned: modulo 2^64, the inverse of ChunkSum::add
  return d;
}

void drill(SideReader& source, SideReader& target, const Range& r, const ChunkSum& s,
           const ChunkSum& t, Recorder& rec, const VerifyOptions& options, int depth) {
  if (s == t) {
    return;
  }
  throw_if_cancelled();
  if (std::max(s.rows, t.rows) <= options.leaf_rows || depth >= kMaxDepth) {
    rec.compare_rows(source.rows(r), target.rows(r));
    return;
  }
  // Split at the middle key of the side with more rows, so that side halves at every level.
  bool by_source = s.rows >= t.rows;
  std::int64_t n = by_source ? s.rows : t.rows;
  std::optional<db::Row> mid = (by_source ? source : target).key_at(r, n / 2 - 1);
  if (!mid) {
    // The rows are not where the count said (cannot happen in one snapshot): compare them.
    rec.compare_rows(source.rows(r), target.rows(r));
    return;
  }
  Range left{r.lo, mid};
  Range right{mid, r.hi};
  bool in_db = false;
  ChunkSum ls = source.sum(left, in_db);
  ChunkSum lt = target.sum(left, in_db);
  // The right half's sums follow from the whole range's: one query per side and level.
  drill(source, target, left, ls, lt, rec, options, depth + 1);
  drill(source, target, right, minus(s, ls), minus(t, lt), rec, options, depth + 1);
}

}  // namespace

void drill_down(SideReader& source, SideReader& target, const Range& r, const ChunkSum& s,
                const ChunkSum& t, Recorder& rec, const VerifyOptions& options) {
  drill(source, target, r, s, t, rec, options, 0);
}

void Recorder::compare_rows(const std::vector<KeyedRow>& source,
                            const std::vector<KeyedRow>& target) {
  std::unordered_map<std::string, const KeyedRow*> left;
  for (const KeyedRow& s : source) {
    left.emplace(s.key_text, &s);
  }
  std::vector<const KeyedRow*> matched;
  for (const KeyedRow& t : target) {
    auto it = left.find(t.key_text);
    if (it == left.end()) {
      extra(t);
      continue;
    }
    if (it->second->row_text != t.row_text) {
      differing(*it->second, t);
    }
    left.erase(it);
  }
  for (const KeyedRow& s : source) {
    if (left.count(s.key_text) > 0) {
      missing(s);
    }
  }
}

RowDiff Recorder::describe_key(DiffKind kind, const db::Row& key) const {
  RowDiff d;
  d.kind = kind;
  for (std::size_t i = 0; i < plan_.key_at.size(); ++i) {
    std::size_t at = plan_.key_at[i];
    d.key.emplace_back(db::to_upper(plan_.compared[at]),
                       shown_value(key[i], plan_.key_kinds[i], plan_.secret[at]));
  }
  return d;
}

void Recorder::missing(const KeyedRow& s) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++out_.missing;
  add(DiffKind::missing, s.key, describe_key(DiffKind::missing, s.key));
}

void Recorder::extra(const KeyedRow& t) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++out_.extra;
  add(DiffKind::extra, t.key, describe_key(DiffKind::extra, t.key));
}

void Recorder::differing(const KeyedRow& s, const KeyedRow& t) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++out_.differing;
  if (out_.rows.size() >= options_.listed_rows) {
    add(DiffKind::differing, s.key, RowDiff{});
    return;
  }
  RowDiff d = describe_key(DiffKind::differing, s.key);
  if (!s.refused.empty()) {
    d.note = echo("the version transform refuses the source row: " + s.refused, 300);
  } else {
    for (std::size_t i = 0; i < plan_.compared.size(); ++i) {
      if (canonical(s.row[i], plan_.kinds[i]) != canonical(t.row[i], plan_.kinds[i])) {
        d.columns.push_back({db::to_upper(plan_.compared[i]),
                             shown_value(s.row[i], plan_.kinds[i], plan_.secret[i]),
                             shown_value(t.row[i], plan_.kinds[i], plan_.secret[i])});
      }
    }
  }
  add(DiffKind::differing, s.key, std::move(d));
}

void Recorder::add(DiffKind kind, const db::Row& key, RowDiff&& shown) {
  if (out_.rows.size() < options_.listed_rows) {
    out_.rows.push_back(std::move(shown));
  }
  if (out_.keys.size() < options_.kept_keys) {
    out_.keys.push_back({kind, key});
  } else {
    out_.keys_complete = false;
  }
}

std::pair<std::int64_t, std::int64_t> merge_streams(
    SideReader& source, SideReader& target, Recorder& rec,
    const std::function<void(std::int64_t, std::int64_t)>& step) {
  source.open_stream();
  KeyedRow s;
  KeyedRow t;
  bool has_s = source.next(s);
  // One reader at a time per connection, and each side has its own: both stay open.
  target.open_stream();
  bool has_t = target.next(t);
  std::int64_t ns = has_s ? 1 : 0;
  std::int64_t nt = has_t ? 1 : 0;
  auto advance_s = [&] {
    has_s = source.next(s);
    ns += has_s ? 1 : 0;
    if (ns % kStreamStep == 0 && step) {
      throw_if_cancelled();
      step(ns, nt);
    }
  };
  auto advance_t = [&] {
    has_t = target.next(t);
    nt += has_t ? 1 : 0;
  };
  while (has_s || has_t) {
    int c = !has_s ? 1 : !has_t ? -1 : SideReader::compare_keys(source.plan(), s.key, t.key);
    if (c < 0) {
      rec.missing(s);
      advance_s();
    } else if (c > 0) {
      rec.extra(t);
      advance_t();
    } else {
      if (s.row_text != t.row_text) {
        rec.differing(s, t);
      }
      advance_s();
      advance_t();
    }
  }
  return {ns, nt};
}

}  // namespace cutover::verify
