// Rows per second of the bulk read paths, run by bench/bulk_read.sh against servers it starts.
//   bulk_read_bench read URL TABLE        full-table read through query() and bulk_read()
//   bulk_read_bench copy FROM TO TABLE    FROM -> TO through bulk_read + bulk_insert and, when
//                                         both speak COPY, the raw pass-through (TO's table is
//                                         emptied before each run)
// Prints one line per path: label, rows, seconds, rows/s.
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "db/connection.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "db/url.h"

namespace {

using cutover::db::Connection;

std::unique_ptr<Connection> open_url(const char* url) {
  return cutover::db::open(cutover::db::parse_url(url, cutover::db::UrlOrigin::argv));
}

template <typename Run>
void measure(const std::string& label, Run run) {
  auto start = std::chrono::steady_clock::now();
  std::int64_t rows = run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:<40} {:>9} rows {:>8.2f} s {:>10.0f} rows/s\n", label, rows, secs,
             static_cast<double>(rows) / secs);
  std::fflush(stdout);
}

std::vector<std::string> columns_of(Connection& c, const std::string& table, std::string& stored) {
  std::optional<cutover::db::TableDef> t = c.describe_table(table);
  if (!t) {
    throw cutover::Error(cutover::ErrorKind::usage, "no table " + table);
  }
  stored = t->name;
  std::vector<std::string> cols;
  for (const cutover::db::Column& col : t->columns) {
    cols.push_back(col.name);
  }
  return cols;
}

void read(const char* url, const std::string& table) {
  std::unique_ptr<Connection> c = open_url(url);
  std::string stored;
  std::vector<std::string> cols = columns_of(*c, table, stored);
  const cutover::db::Dialect& d = c->dialect();
  std::string list;
  for (const std::string& col : cols) {
    list += (list.empty() ? "" : ", ") + d.stored_ident(col);
  }
  std::string name = c->backend();
  // Warm-up, not timed: the first full scan would otherwise pay for the cold page cache.
  c->query_value("SELECT COUNT(*) FROM " + d.stored_ident(stored));
  measure(name + " query()", [&] {
    std::int64_t n = 0;
    auto r = c->query(fmt::format("SELECT {} FROM {}", list, d.stored_ident(stored)));
    cutover::db::Row row;
    while (r->next()) {
      row = r->row();
      ++n;
    }
    return n;
  });
  measure(name + (c->capabilities().copy_out ? " bulk_read (binary COPY)" : " bulk_read"), [&] {
    std::int64_t n = 0;
    auto rows = c->bulk_read(stored, cols);
    cutover::db::Row row;
    while (rows->next(row)) {
      ++n;
    }
    return n;
  });
  if (c->capabilities().copy_out) {
    measure(name + " copy_out_raw (binary, undecoded)", [&] {
      auto data = c->copy_out_raw(fmt::format("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT binary)",
                                              list, d.stored_ident(stored)));
      std::int64_t messages = 0;
      std::string_view chunk;
      while (data->next(chunk)) {
        ++messages;  // one data message per row, plus the trailer
      }
      return messages - 1;
    });
  }
}

void copy(const char* from_url, const char* to_url, const std::string& table) {
  std::unique_ptr<Connection> from = open_url(from_url);
  std::unique_ptr<Connection> to = open_url(to_url);
  std::string stored;
  std::vector<std::string> cols = columns_of(*from, table, stored);
  std::string target = to->dialect().stored_ident(stored);
  std::string route = from->backend() + " -> " + to->backend();
  // Each run starts on an empty table without dead rows (SQLite has no TRUNCATE).
  std::string empty = (to->backend() == "sqlite" ? "DELETE FROM " : "TRUNCATE TABLE ") + target;
  to->execute(empty);
  measure(route + " bulk_read + bulk_insert", [&] {
    auto rows = from->bulk_read(stored, cols);
    cutover::db::Transaction tx(*to);
    std::int64_t n = to->bulk_insert(stored, cols, *rows);
    tx.commit();
    return n;
  });
  if (from->capabilities().copy_out && to->capabilities().copy_out) {
    to->execute(empty);
    measure(route + " raw COPY pass-through", [&] {
      cutover::db::Transaction tx(*to);
      std::int64_t n = cutover::db::copy_table_raw(*from, *to, stored, cols);
      tx.commit();
      return n;
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "read" && argc == 4) {
      read(argv[2], argv[3]);
    } else if (mode == "copy" && argc == 5) {
      copy(argv[2], argv[3], argv[4]);
    } else {
      std::fprintf(stderr, "usage: bulk_read_bench read URL TABLE | copy FROM TO TABLE\n");
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bulk_read_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
