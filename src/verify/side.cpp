#include "verify/side.h"

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"

namespace cutover::verify {

namespace {

/// The canonical text a key column is ordered by in the stream mode: the stored bytes for
/// text (the canonical text of text is its bytes), lower-case hex for binary (same order as
/// the bytes), the canonical form for timestamps (engines return different fraction widths).
std::string order_text(const db::Value& v, Kind k) {
  std::string out;
  append_canonical(v, k, out);
  return out;
}

}  // namespace

SideReader::SideReader(db::Connection& conn, const TablePlan& plan, bool source,
                       schema::LocalIdps* idps)
    : conn_(conn),
      plan_(plan),
      source_(source),
      idps_(idps),
      table_(source ? plan.source_table : plan.target_table),
      key_(source ? plan.source_key : plan.target_key),
      columns_(source ? plan.source_read : plan.compared) {}

std::string SideReader::key_list() const {
  const db::Dialect& d = conn_.dialect();
  std::string out;
  for (const std::string& k : key_) {
    out += (out.empty() ? "" : ", ") + d.stored_ident(k);
  }
  return out;
}

std::string SideReader::select_list() const {
  const db::Dialect& d = conn_.dialect();
  std::string out;
  for (const std::string& c : columns_) {
    out += (out.empty() ? "" : ", ") + d.stored_ident(c);
  }
  return out;
}

// (k1 > ?) OR (k1 = ? AND k2 > ?) ... for the lower bound, and the same with < and a final
// <= for the upper one: row-value comparison spelt out, which every engine reads the same way
// and PostgreSQL and MariaDB still answer from the key's index.
std::string SideReader::where(const Range& r, std::vector<db::Value>& params) const {
  const db::Dialect& d = conn_.dialect();
  auto bound = [&](const db::Row& values, bool lower) {
    std::string out;
    for (std::size_t i = 0; i < key_.size(); ++i) {
      std::string term;
      for (std::size_t j = 0; j < i; ++j) {
        params.push_back(values[j]);
        term += fmt::format("{} = {} AND ", d.stored_ident(key_[j]),
                            d.placeholder(static_cast<int>(params.size())));
      }
      params.push_back(values[i]);
      const char* op = lower ? ">" : (i + 1 == key_.size() ? "<=" : "<");
      term += fmt::format("{} {} {}", d.stored_ident(key_[i]), op,
                          d.placeholder(static_cast<int>(params.size())));
      out += fmt::format("{}({})", i ? " OR " : "", term);
    }
    return key_.size() > 1 ? "(" + out + ")" : out;
  };
  std::string out;
  if (r.lo) {
    out = bound(*r.lo, true);
  }
  if (r.hi) {
    out += (out.empty() ? "" : " AND ") + bound(*r.hi, false);
  }
  return out.empty() ? out : " WHERE " + out;
}

void SideReader::keyed(db::Row& raw, KeyedRow& out) {
  out.refused.clear();
  out.key.clear();
  if (source_) {
    // The source reads its key first, whatever the transform does with the rest.
    out.key.assign(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(key_.size()));
  } else {
    for (std::size_t at : plan_.key_at) {
      out.key.push_back(raw[at]);
    }
  }
  out.key_text = encode_row(out.key, plan_.key_kinds);
  if (source_ && plan_.xform) {
    try {
      plan_.xform->apply(raw, out.row, idps_);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::constraint) {
        throw;
      }
      // A row the target cannot hold: it differs from whatever the target has under its key.
      out.refused = e.what();
      out.row.clear();
      out.row_text = "\\R" + out.key_text;  // \R never starts a canonical row text
      return;
    }
  } else {
    out.row = std::move(raw);
  }
  out.row_text = encode_row(out.row, plan_.kinds);
}

ChunkSum SideReader::sum(const Range& r, bool& in_database) {
  std::vector<db::Value> params;
  std::string where_sql = where(r, params);
  const std::optional<std::string>& agg = source_ ? plan_.source_sql : plan_.target_sql;
  const db::Dialect& d = conn_.dialect();
  if (agg) {
    in_database = true;
    std::unique_ptr<db::RowReader> rd = conn_.query(
        fmt::format("SELECT {} FROM {}{}", *agg, d.stored_ident(table_), where_sql), params);
    if (!rd->next()) {
      return {};
    }
    return parse_chunk_aggregate(rd->get(0), rd->get(1));
  }
  in_database = false;
  // No ORDER BY: the sum does not depend on the order, and the engine need not sort.
  std::unique_ptr<db::RowReader> rd = conn_.query(
      fmt::format("SELECT {} FROM {}{}", select_list(), d.stored_ident(table_), where_sql), params);
  ChunkSum s;
  KeyedRow k;
  while (rd->next()) {
    db::Row raw = rd->row();
    keyed(raw, k);
    s.add(row_hash(k.row_text));
  }
  return s;
}

std::vector<KeyedRow> SideReader::rows(const Range& r) {
  std::vector<db::Value> params;
  std::string where_sql = where(r, params);
  const db::Dialect& d = conn_.dialect();
  std::unique_ptr<db::RowReader> rd =
      conn_.query(fmt::format("SELECT {} FROM {}{} ORDER BY {}", select_list(),
                              d.stored_ident(table_), where_sql, key_list()),
                  params);
  std::vector<KeyedRow> out;
  while (rd->next()) {
    db::Row raw = rd->row();
    out.emplace_back();
    keyed(raw, out.back());
  }
  return out;
}

std::optional<db::Row> SideReader::key_at(const Range& r, std::int64_t offset) {
  std::vector<db::Value> params;
  std::string where_sql = where(r, params);
  const db::Dialect& d = conn_.dialect();
  std::unique_ptr<db::RowReader> rd =
      conn_.query(fmt::format("SELECT {0} FROM {1}{2} ORDER BY {0} LIMIT 1 OFFSET {3}", key_list(),
                              d.stored_ident(table_), where_sql, offset),
                  params);
  if (!rd->next()) {
    return std::nullopt;
  }
  return rd->row();
}

std::int64_t SideReader::count() {
  std::optional<db::Value> v = conn_.query_value(
      fmt::format("SELECT COUNT(*) FROM {}", conn_.dialect().stored_ident(table_)));
  return v ? v->as_int() : 0;
}

void SideReader::open_stream() {
  // Byte order of UTF-8 on every engine: PostgreSQL sorts text by the database's collation
  // unless told "C" (bytes, and the database is UTF-8); MariaDB by the column's collation, so
  // the value is converted to utf8mb4 (WSO2's tables are latin1, whose bytes are not UTF-8's)
  // and compared as bytes (its _bin collations pad with spaces: 'a\t' < 'a '); SQLite by
  // BINARY (memcmp) unless the column declares another. compare_keys() is the same
  // order in C++; next() checks that the rows really come in it.
  const db::Dialect& d = conn_.dialect();
  std::string order;
  for (std::size_t i = 0; i < key_.size(); ++i) {
    std::string c = d.stored_ident(key_[i]);
    std::string sep = order.empty() ? "" : ", ";
    if (plan_.nullable_key) {
      order += fmt::format("{}CASE WHEN {} IS NULL THEN 0 ELSE 1 END", sep, c);
      sep = ", ";
    }
    Kind k = plan_.key_kinds[i];
    if (k != Kind::text && k != Kind::padded) {
      order += sep + c;
    } else if (d.name() == "postgresql") {
      order += fmt::format("{}{} COLLATE \"C\"", sep, c);
    } else if (d.name() == "mysql") {
      order += fmt::format("{}CAST(CONVERT({} USING utf8mb4) AS BINARY)", sep, c);
    } else {
      order += fmt::format("{}{} COLLATE BINARY", sep, c);
    }
  }
  stream_ = conn_.query(
      fmt::format("SELECT {} FROM {} ORDER BY {}", select_list(), d.stored_ident(table_), order));
}

bool SideReader::next(KeyedRow& out) {
  if (!stream_->next()) {
    stream_.reset();
    return false;
  }
  db::Row raw = stream_->row();
  db::Row last = std::move(out.key);
  keyed(raw, out);
  // The merge is only as right as the two orders agree: a side out of order would show every
  // later key as missing, so it stops here instead.
  if (!last.empty() && compare_keys(plan_, last, out.key) > 0) {
    throw Error(ErrorKind::internal,
                fmt::format("keys of {} came out of byte order on the {}", plan_.name,
                            source_ ? "source" : "target"),
                "report this: verify cannot merge this table's keys");
  }
  return true;
}

int SideReader::compare_keys(const TablePlan& plan, const db::Row& a, const db::Row& b) {
  for (std::size_t i = 0; i < plan.key_kinds.size(); ++i) {
    if (a[i].is_null() || b[i].is_null()) {
      if (a[i].is_null() && b[i].is_null()) {
        continue;
      }
      return a[i].is_null() ? -1 : 1;
    }
    Kind k = plan.key_kinds[i];
    if (k == Kind::integer) {
      std::int64_t x = a[i].as_int();
      std::int64_t y = b[i].as_int();
      if (x != y) {
        return x < y ? -1 : 1;
      }
      continue;
    }
    // std::string compares as unsigned bytes: UTF-8 code point order, the engines' byte order.
    int c = order_text(a[i], k).compare(order_text(b[i], k));
    if (c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

}  // namespace cutover::verify
