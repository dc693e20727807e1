// sync copy (DESIGN §3.4). The procedure, as copy() runs it:
//  1. open both databases; resolve the tables (synced ones plus what they reference, or all);
//  2. check every target table before writing anything: missing ones are created later, ones
//     of another shape stop the copy (unless told), ones holding rows stop it (copy fills
//     empty tables);
//  3. one consistent snapshot on the source; the journal position inside it; chunk boundaries
//     sampled in it; position and plan committed to the target's checkpoint table;
//  4. create the missing tables (keys only where the engine builds indexes faster afterwards);
//  5. N workers load chunks (key ranges), each chunk and its checkpoint row in one target
//     transaction; secondary indexes of a loaded table are built while others still load;
//  6. foreign keys, sequences;
//  7. the first snapshot's position stored for `sync run` and the copy marked complete, in one
//     target transaction.
//
// Why a copy made of several snapshots is still exact. Every row change after the recorded
// position P is in the journal (capture was installed before the copy), and `sync run`
// reconciles each journaled key with the source's current row (DESIGN §3.2: upsert what exists,
// delete what does not), which is idempotent. A chunk read in any snapshot S taken after P
// holds each row as it was at S; a row that changed between P and S changed through a
// journaled statement, so the replay from P rewrites it to its current state whatever S showed.
// So it does not matter whether the chunks were read in one snapshot (PostgreSQL's exported
// snapshot), in one snapshot per worker or chunk (MariaDB, SQLite, which cannot share one), or
// in a snapshot of a later run after a kill: a row whose key moved from chunk A's range to
// chunk B's between their snapshots is in the target twice or not at all, and both keys are
// journaled (an UPDATE of the key journals the old and the new key), so the replay deletes
// the old key and writes the new one. The position kept is always the FIRST snapshot's (stored
// in the checkpoint at the start, handed to the apply only at the end): later snapshots are
// only ever newer, so replaying from P covers them.
//
// What mixed snapshots can break during the load is a constraint checked across rows read at
// different instants: a child row whose parent was inserted after the parent's chunk was read,
// or two rows that held one secondary unique value at two different instants (CON_APP_KEY
// churn). Hence foreign keys are added after the data (MariaDB with foreign_key_checks = 0,
// PostgreSQL first validated and, only when a child row lacks its parent, NOT VALID: the replay
// brings the parent), and SQLite targets load with foreign_keys off. Existing target tables
// with enforced foreign keys are loaded parents first.
#include "sync/copy.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/capture.h"
#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/transform.h"
#include "sync/job_lock.h"
#include "sync/position.h"
#include "sync/tables.h"

namespace cutover::sync {

namespace {

using db::Connection;
using db::Dialect;
using db::TableDef;
using Json = nlohmann::json;

constexpr std::string_view kHeaderItem = "";  // ITEM of the copy's own row
constexpr int kTableRow = -1;                 // CHUNK_NO of a table's row
constexpr std::chrono::milliseconds kProgressEvery{500};

// ---------------------------------------------------------------------------------------------
// Names and types across engines

// Our own objects are never copied: the journal, the capture metadata, the applier's marker,
// the progress and checkpoint tables, and any later CUTOVER_ table.
bool is_ours(std::string_view table) {
  return db::to_upper(table).rfind("CUTOVER_", 0) == 0;
}

bool folds_to_lower(const Dialect& d) {
  return d.name() == "postgresql";
}

// The name as WSO2's scripts write it. PostgreSQL stores bare names folded to lower case;
// written upper case again, they come out as WSO2 writes them on every other engine and
// fold back to the same name on PostgreSQL.
std::string written(const Dialect& source, const std::string& stored) {
  if (folds_to_lower(source) && db::to_lower(stored) == stored && source.ident(stored) == stored) {
    return db::to_upper(stored);
  }
  return stored;
}

std::vector<std::string> written(const Dialect& source, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& n : names) {
    out.push_back(written(source, n));
  }
  return out;
}

// A type the neutral kinds do not cover, spelt for the target. Same engine: as it is.
std::string map_other_type(const db::Column& c, const Dialect& from, const Dialect& to,
                           const std::string& table) {
  if (from.name() == to.name()) {
    return c.native_type;
  }
  std::string t = db::to_lower(c.native_type);
  std::string args;
  if (std::size_t open = t.find('('); open != std::string::npos) {
    args = t.substr(open);
    t = t.substr(0, open);
  }
  while (!t.empty() && t.back() == ' ') {
    t.pop_back();
  }
  bool mysql = to.name() == "mysql";
  bool pg = to.name() == "postgresql";
  if (t == "text" || t == "longtext" || t == "mediumtext" || t == "tinytext" || t == "clob") {
    return mysql ? "LONGTEXT" : "TEXT";
  }
  if (t == "double" || t == "double precision" || t == "float8" || t == "real" || t == "float" ||
      t == "float4") {
    return mysql ? "DOUBLE" : (pg ? "DOUBLE PRECISION" : "REAL");
  }
  if (t == "numeric" || t == "decimal") {
    return (mysql ? "DECIMAL" : "NUMERIC") + args;
  }
  if (t == "date") {
    return "DATE";
  }
  throw Error(ErrorKind::unsupported,
              fmt::format("column {}.{} has type {} that cutover cannot map from {} to {}",
                          echo(table), echo(c.name), echo(c.native_type), from.name(), to.name()),
              "create that table in the target yourself (empty), then run copy again");
}

// The source's live definition as the target should create it.
TableDef definition_for_target(const TableDef& src, const Dialect& from, const Dialect& to) {
  TableDef t = src;
  t.name = written(from, src.name);
  for (db::Column& c : t.columns) {
    c.name = written(from, c.name);
    if (c.type == db::TypeKind::other) {
      c.native_type = map_other_type(c, from, to, t.name);
    }
    // A default the engine printed as an expression is only meaningful to that engine.
    if (c.default_value.kind == db::DefaultValue::Kind::other && from.name() != to.name()) {
      c.default_value = {};
    }
    c.sequence = from.name() == to.name() ? c.sequence : std::string();
  }
  t.primary_key = written(from, t.primary_key);
  for (db::Key& k : t.unique_keys) {
    k.name = written(from, k.name);
    k.columns = written(from, k.columns);
  }
  for (db::ForeignKey& fk : t.foreign_keys) {
    fk.name = written(from, fk.name);
    fk.columns = written(from, fk.columns);
    fk.ref_table = written(from, fk.ref_table);
    fk.ref_columns = written(from, fk.ref_columns);
  }
  for (db::Index& ix : t.indexes) {
    ix.name = written(from, ix.name);
    ix.columns = written(from, ix.columns);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Key ranges

bool integer_kind(db::TypeKind k) {
  return k == db::TypeKind::integer || k == db::TypeKind::bigint || k == db::TypeKind::smallint;
}

// A key value written into SQL: COPY (SELECT ...) takes no parameters, so chunk bounds are
// literals. Integers are checked to be digits; everything else is a quoted string literal.
std::string key_literal(const Dialect& d, const db::Column& c, const std::string& text) {
  if (integer_kind(c.type)) {
    std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
    if (text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos) {
      return text;
    }
    throw Error(ErrorKind::internal,
                fmt::format("key value '{}' of {} is not an integer", echo(text), echo(c.name)));
  }
  return d.string_literal(text);
}

using Bound = std::optional<std::vector<std::string>>;  // key values as text; none = open

std::string range_condition(const Dialect& d, const TableDef& def,
                            const std::vector<std::string>& key, const Bound& lo, const Bound& hi) {
  auto tuple = [&](const std::vector<std::string>& values) {
    std::string cols;
    std::string vals;
    for (std::size_t i = 0; i < key.size(); ++i) {
      cols += (i ? ", " : "") + d.stored_ident(key[i]);
      vals += (i ? ", " : "") + key_literal(d, *def.find_column(key[i]), values.at(i));
    }
    return key.size() == 1 ? std::pair{cols, vals} : std::pair{"(" + cols + ")", "(" + vals + ")"};
  };
  std::string out;
  if (lo) {
    auto [c, v] = tuple(*lo);
    out = fmt::format("{} >= {}", c, v);
  }
  if (hi) {
    auto [c, v] = tuple(*hi);
    out += fmt::format("{}{} < {}", out.empty() ? "" : " AND ", c, v);
  }
  return out;
}

std::string select_sql(const Dialect& d, const std::string& table,
                       const std::vector<std::string>& columns, const std::string& where) {
  std::string cols;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    cols += (i ? ", " : "") + d.stored_ident(columns[i]);
  }
  std::string sql = fmt::format("SELECT {} FROM {}", cols, d.stored_ident(table));
  return where.empty() ? sql : sql + " WHERE " + where;
}

// ---------------------------------------------------------------------------------------------
// The checkpoint table

TableDef copy_table_def(const Dialect& d) {
  auto col = [](std::string name, db::TypeKind kind, int length, bool nullable) {
    db::Column c;
    c.name = std::move(name);
    c.type = kind;
    c.length = length;
    c.nullable = nullable;
    return c;
  };
  db::Column detail = col("DETAIL", db::TypeKind::other, 0, true);
  detail.native_type = d.name() == "mysql" ? "LONGTEXT" : "TEXT";
  TableDef t;
  t.name = kCopyTable;
  t.columns = {col("ITEM", db::TypeKind::varchar, 255, false),
               col("CHUNK_NO", db::TypeKind::integer, 0, false),
               col("STATE", db::TypeKind::varchar, 16, false),
               col("ROWS_EXPECTED", db::TypeKind::bigint, 0, true),
               col("ROWS_DONE", db::TypeKind::bigint, 0, true),
               detail};
  t.primary_key = {"ITEM", "CHUNK_NO"};
  return t;
}

void ensure_copy_table(Connection& target) {
  if (target.describe_table(kCopyTable)) {
    return;
  }
  for (const std::string& s : target.dialect().create_table(copy_table_def(target.dialect()))) {
    target.execute(s);
  }
}

Json position_json(const Position& p) {
  Json gaps = Json::array();
  for (const Gap& g : p.gaps) {
    gaps.push_back({{"seq", g.seq}, {"first_seen_ms", g.first_seen_ms}, {"xmax", g.xmax}});
  }
  return {{"journal_id", p.journal_id}, {"high", p.high}, {"gaps", gaps}};
}

Position position_from_json(const Json& j) {
  Position p;
  p.journal_id = j.at("journal_id").get<std::string>();
  p.high = j.at("high").get<std::int64_t>();
  for (const Json& g : j.at("gaps")) {
    p.gaps.push_back(Gap{g.at("seq").get<std::int64_t>(), g.at("first_seen_ms").get<std::int64_t>(),
                         g.at("xmax").get<std::int64_t>()});
  }
  return p;
}

Json bound_json(const Bound& b) {
  return b ? Json(*b) : Json(nullptr);
}

Bound bound_from_json(const Json& j) {
  if (j.is_null()) {
    return std::nullopt;
  }
  return j.get<std::vector<std::string>>();
}

struct Checkpoint {
  std::string state;  // "in_progress" or "complete"
  Json detail;        // {"position": ..., "tables": [...]}
};

std::string checkpoint_sql(const Dialect& d, std::string_view tail) {
  return fmt::format("SELECT ITEM, CHUNK_NO, STATE, ROWS_EXPECTED, ROWS_DONE, DETAIL FROM {}{}",
                     d.ident(kCopyTable), tail);
}

std::optional<Checkpoint> read_header(Connection& target) {
  if (!target.describe_table(kCopyTable)) {
    return std::nullopt;
  }
  const Dialect& d = target.dialect();
  auto r = target.query(
      checkpoint_sql(
          d, fmt::format(" WHERE ITEM = {} AND CHUNK_NO = {}", d.placeholder(1), d.placeholder(2))),
      std::vector<db::Value>{db::Value(std::string(kHeaderItem)), db::Value(kTableRow)});
  std::optional<Checkpoint> out;
  while (r->next()) {
    out = Checkpoint{r->get(2).to_text(), Json::parse(r->get(5).to_text())};
  }
  return out;
}

void insert_checkpoint_row(Connection& target, const std::string& item, int chunk,
                           const std::string& state, std::int64_t expected, const Json& detail) {
  const Dialect& d = target.dialect();
  std::string sql = fmt::format(
      "INSERT INTO {} (ITEM, CHUNK_NO, STATE, ROWS_EXPECTED, ROWS_DONE, DETAIL) VALUES ({}, {}, "
      "{}, {}, 0, {})",
      d.ident(kCopyTable), d.placeholder(1), d.placeholder(2), d.placeholder(3), d.placeholder(4),
      d.placeholder(5));
  target.execute(sql, std::vector<db::Value>{db::Value(item), db::Value(chunk), db::Value(state),
                                             db::Value(expected), db::Value(detail.dump())});
}

void set_checkpoint_state(Connection& target, const std::string& item, int chunk,
                          const std::string& state, std::int64_t rows_done) {
  const Dialect& d = target.dialect();
  std::string sql = fmt::format(
      "UPDATE {} SET STATE = {}, ROWS_DONE = {} WHERE ITEM = {} AND CHUNK_NO = {}",
      d.ident(kCopyTable), d.placeholder(1), d.placeholder(2), d.placeholder(3), d.placeholder(4));
  target.execute(sql, std::vector<db::Value>{db::Value(state), db::Value(rows_done),
                                             db::Value(item), db::Value(chunk)});
}

// ---------------------------------------------------------------------------------------------
// The plan

struct Chunk {
  int no = 0;
  Bound lo;
  Bound hi;
  std::int64_t expected = 0;
  bool done = false;
  std::int64_t rows = 0;
};

struct TablePlan {
  std::string name;  // source stored name (the checkpoint's ITEM)
  TableDef source;
  std::vector<std::string> key;  // source stored names
  std::vector<std::string> source_columns;
  std::vector<std::string> target_columns;  // same order, target stored names
  std::string target_name;
  TableDef target;  // live, once it exists
  bool created = false;
  bool deferred_post_data = false;  // indexes and foreign keys still to build
  bool deferred_keys = false;       // primary and unique keys too (PostgreSQL)
  int index_jobs = 0;               // jobs that build those indexes (one per index, or 1)
  bool ordered = false;             // load after the tables it references
  bool raw = false;                 // PostgreSQL to PostgreSQL, same types: binary COPY
  /// The version transform bound to both live tables; none when the versions are equal.
  std::optional<schema::TableTransform> xform;
  std::vector<std::string> references;  // source names of copied tables it references
  std::vector<Chunk> chunks;
  CopyTableResult result;
};

// Tables in dependency order (referenced first); a cycle is broken where it closes.
std::vector<TablePlan> order_tables(std::map<std::string, TablePlan> by_upper) {
  std::vector<TablePlan> out;
  std::set<std::string> done;
  std::set<std::string> visiting;
  std::function<void(const std::string&)> visit = [&](const std::string& upper) {
    if (done.count(upper) || visiting.count(upper) || !by_upper.count(upper)) {
      return;
    }
    visiting.insert(upper);
    for (const std::string& ref : by_upper[upper].references) {
      visit(db::to_upper(ref));
    }
    visiting.erase(upper);
    done.insert(upper);
    out.push_back(std::move(by_upper[upper]));
  };
  std::vector<std::string> names;
  names.reserve(by_upper.size());
  for (const auto& [upper, plan] : by_upper) {
    names.push_back(upper);
  }
  for (const std::string& n : names) {
    visit(n);
  }
  return out;
}

std::vector<std::string> row_key(const TableDef& def) {
  if (!def.primary_key.empty()) {
    return def.primary_key;
  }
  for (const db::Key& k : def.unique_keys) {
    return k.columns;
  }
  return {};
}

// The tables to copy: the synced ones and, transitively, every table they reference by
// foreign key; or every table of the source but ours.
std::vector<TablePlan> resolve_copy_tables(Connection& source, const SyncConfig& config,
                                           const CopyOptions& options) {
  std::deque<std::string> todo;
  if (options.all_tables) {
    for (const std::string& t : source.list_tables()) {
      if (!is_ours(t)) {
        todo.push_back(t);
      }
    }
  } else {
    for (const SyncTable& t : resolve_tables(source, config)) {
      todo.push_back(t.def.name);
    }
  }
  std::map<std::string, TablePlan> by_upper;
  while (!todo.empty()) {
    std::string name = todo.front();
    todo.pop_front();
    if (by_upper.count(db::to_upper(name)) || is_ours(name)) {
      continue;
    }
    std::optional<TableDef> def = source.describe_table(name);
    if (!def) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} is referenced by a foreign key but missing in the source",
                              echo(name)),
                  "check the source database");
    }
    TablePlan p;
    p.name = def->name;
    p.source = *def;
    p.key = row_key(*def);
    for (const db::ForeignKey& fk : def->foreign_keys) {
      if (!db::same_ident(fk.ref_table, def->name)) {
        p.references.push_back(fk.ref_table);
      }
      todo.push_back(fk.ref_table);
    }
    by_upper[db::to_upper(p.name)] = std::move(p);
  }
  // SQLite omits the referenced columns of a key that references the primary key.
  for (auto& [upper, p] : by_upper) {
    for (db::ForeignKey& fk : p.source.foreign_keys) {
      if (fk.ref_columns.empty() || fk.ref_columns.front().empty()) {
        auto it = by_upper.find(db::to_upper(fk.ref_table));
        fk.ref_columns =
            it != by_upper.end() ? it->second.source.primary_key : p.source.primary_key;
      }
    }
  }
  return order_tables(std::move(by_upper));
}

std::int64_t count_rows(Connection& conn, const std::string& table) {
  return conn
      .query_value(fmt::format("SELECT COUNT(*) FROM {}", conn.dialect().stored_ident(table)))
      .value_or(db::Value(0))
      .as_int();
}

// Chunk bounds: one pass over the key in key order, keeping every step-th key. Text keys
// split as well as numbers: the bounds come from the engine's own ordering, and the range
// conditions compare with that same ordering.
std::vector<Chunk> plan_chunks(Connection& source, const TablePlan& t, std::int64_t rows,
                               std::int64_t chunk_rows) {
  bool splittable = !t.key.empty() && std::all_of(t.key.begin(), t.key.end(), [&](auto& k) {
    const db::Column* c = t.source.find_column(k);
    return c != nullptr && c->type != db::TypeKind::blob && c->type != db::TypeKind::longblob;
  });
  std::int64_t n = chunk_rows > 0 ? (rows + chunk_rows - 1) / chunk_rows : 1;
  if (!splittable || n <= 1) {
    return {Chunk{0, std::nullopt, std::nullopt, rows}};
  }
  std::int64_t step = (rows + n - 1) / n;
  const Dialect& d = source.dialect();
  std::string keys;
  for (std::size_t i = 0; i < t.key.size(); ++i) {
    keys += (i ? ", " : "") + d.stored_ident(t.key[i]);
  }
  auto r = source.query(
      fmt::format("SELECT {} FROM {} ORDER BY {}", keys, d.stored_ident(t.name), keys));
  std::vector<Chunk> out;
  Bound lo;
  std::int64_t seen = 0;
  while (r->next()) {
    if (seen > 0 && seen % step == 0) {
      std::vector<std::string> bound;
      for (std::size_t i = 0; i < t.key.size(); ++i) {
        bound.push_back(r->get(i).to_text());
      }
      out.push_back(Chunk{static_cast<int>(out.size()), lo, bound, step});
      lo = bound;
    }
    ++seen;
  }
  std::int64_t rest = seen - step * static_cast<std::int64_t>(out.size());
  out.push_back(Chunk{static_cast<int>(out.size()), lo, std::nullopt, rest});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Target checks, before anything is written

// Matches the target's columns to the source's; returns the mismatch text, empty when none.
std::string match_columns(TablePlan& t, const TableDef& target, bool allow_mismatch) {
  std::vector<std::string> source_only;
  std::vector<std::string> target_only;
  t.source_columns.clear();
  t.target_columns.clear();
  for (const db::Column& c : t.source.columns) {
    if (const db::Column* tc = target.find_column(c.name)) {
      t.source_columns.push_back(c.name);
      t.target_columns.push_back(tc->name);
    } else {
      source_only.push_back(c.name);
    }
  }
  for (const db::Column& c : target.columns) {
    if (!t.source.find_column(c.name)) {
      target_only.push_back(c.name);
    }
  }
  for (const std::string& c : source_only) {
    t.result.skipped_columns.push_back(fmt::format("{}.{} (source only)", t.name, c));
  }
  for (const std::string& c : target_only) {
    t.result.skipped_columns.push_back(fmt::format("{}.{} (target only)", t.name, c));
  }
  if ((source_only.empty() && target_only.empty()) || allow_mismatch) {
    return {};
  }
  std::string out = echo(t.name);
  if (!source_only.empty()) {
    out += " source only: " + echo(fmt::format("{}", fmt::join(source_only, ", ")));
  }
  if (!target_only.empty()) {
    out += std::string(source_only.empty() ? "" : ";") +
           " target only: " + echo(fmt::format("{}", fmt::join(target_only, ", ")));
  }
  return out;
}

bool same_types(const TablePlan& t) {
  for (std::size_t i = 0; i < t.source_columns.size(); ++i) {
    const db::Column* s = t.source.find_column(t.source_columns[i]);
    const db::Column* d = t.target.find_column(t.target_columns[i]);
    if (s == nullptr || d == nullptr ||
        db::to_lower(s->native_type) != db::to_lower(d->native_type)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// DDL after the data

bool single_writer(const Connection& target) {
  // SQLite has one writer per database: parallel loaders would only queue on its lock.
  return target.dialect().name() == "sqlite";
}

// Engines where secondary indexes and foreign keys are cheaper to build after the data and
// can be added to a live table: PostgreSQL and MariaDB. SQLite cannot add a foreign key to an
// existing table, so its tables are created complete.
bool defers_post_data(const Connection& target) {
  return !single_writer(target);
}

// PostgreSQL builds several indexes of one table at once (CREATE INDEX takes a SHARE lock, which
// does not conflict with itself), so each deferred index is a job of its own and the workers
// share them: the largest table's indexes no longer run one after another. MariaDB's ADD INDEX
// holds a metadata lock that a second ALTER of the table would wait for: one job per table.
bool parallel_index_builds(const Connection& target) {
  return target.dialect().name() == "postgresql";
}

bool has_index(const TableDef& live, const std::string& name) {
  auto same = [&](const std::string& n) { return db::same_ident(n, name); };
  return std::any_of(live.indexes.begin(), live.indexes.end(),
                     [&](const db::Index& i) { return same(i.name); }) ||
         std::any_of(live.unique_keys.begin(), live.unique_keys.end(),
                     [&](const db::Key& k) { return same(k.name); });
}

bool has_foreign_key(const TableDef& live, const db::ForeignKey& fk) {
  return std::any_of(live.foreign_keys.begin(), live.foreign_keys.end(), [&](const auto& f) {
    return (!fk.name.empty() && db::same_ident(f.name, fk.name)) ||
           (db::same_ident(f.ref_table, fk.ref_table) && f.columns.size() == fk.columns.size() &&
            std::equal(f.columns.begin(), f.columns.end(), fk.columns.begin(),
                       [](auto& a, auto& b) { return db::same_ident(a, b); }));
  });
}

// PostgreSQL also builds the primary and unique keys after the data, as unique indexes made in
// parallel with the others and attached as constraints at the end (ADD CONSTRAINT ... USING
// INDEX): a key maintained row by row during the load costs more than one sorted build (the
// token table's text key and ten-column CON_APP_KEY). The rows come from one exported snapshot
// of a source that enforces the same keys, so they hold (a copy resumed after a kill reads in a
// later snapshot: a unique value that moved between two rows in between fails the key's build
// at the end, as it failed the load before). MariaDB keeps its keys: InnoDB
// clusters rows by the primary key, and a rebuild would copy the table.
bool defers_keys(const Connection& target) {
  return target.dialect().name() == "postgresql";
}

// The CREATE TABLE of a table whose indexes and foreign keys (and with `keys`, primary and
// unique keys) come after the data, and the statements that add them.
TableDef without_post_data(TableDef def, bool keys) {
  def.indexes.clear();
  def.foreign_keys.clear();
  if (keys) {
    def.primary_key.clear();
    def.unique_keys.clear();
  }
  return def;
}

// What is built after the data, one job each where the engine builds in parallel: the
// primary key, the unique keys (both as unique indexes, when deferred) and the indexes.
struct PostDataIndex {
  db::Index index;
  enum class Attach { none, primary, unique } attach = Attach::none;
};

std::vector<PostDataIndex> post_data_indexes(const TableDef& wanted, bool keys) {
  std::vector<PostDataIndex> out;
  if (keys && !wanted.primary_key.empty()) {
    out.push_back({db::Index{wanted.name + "_PKEY", wanted.primary_key, true},
                   PostDataIndex::Attach::primary});
  }
  if (keys) {
    for (std::size_t i = 0; i < wanted.unique_keys.size(); ++i) {
      const db::Key& k = wanted.unique_keys[i];
      std::string name = k.name.empty() ? fmt::format("{}_KEY{}", wanted.name, i + 1) : k.name;
      out.push_back({db::Index{name, k.columns, true}, PostDataIndex::Attach::unique});
    }
  }
  for (const db::Index& ix : wanted.indexes) {
    out.push_back({ix, PostDataIndex::Attach::none});
  }
  return out;
}

std::vector<std::string> index_statements(const Dialect& d, const TableDef& wanted) {
  TableDef only = wanted;
  only.foreign_keys.clear();
  std::vector<std::string> all = d.create_table(only);
  // create_table gives [sequences..., CREATE TABLE, indexes...]: keep the indexes.
  std::vector<std::string> out;
  std::size_t n = wanted.indexes.size();
  out.assign(all.end() - static_cast<std::ptrdiff_t>(n), all.end());
  return out;
}

std::string add_foreign_key_sql(const Dialect& d, const TableDef& t, const db::ForeignKey& fk,
                                bool not_valid) {
  auto join = [&](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
      out += (out.empty() ? "" : ", ") + d.ident(n);
    }
    return out;
  };
  std::string sql =
      fmt::format("ALTER TABLE {} ADD {}FOREIGN KEY ({}) REFERENCES {} ({})", d.ident(t.name),
                  fk.name.empty() ? "" : "CONSTRAINT " + d.ident(fk.name) + " ", join(fk.columns),
                  d.ident(fk.ref_table), join(fk.ref_columns));
  if (fk.on_delete_cascade) {
    sql += " ON DELETE CASCADE";
  }
  if (not_valid) {
    sql += " NOT VALID";
  }
  return sql;
}

// ---------------------------------------------------------------------------------------------
// Work: chunks and index builds, handed to N workers

struct Job {
  TablePlan* table = nullptr;
  Chunk* chunk = nullptr;  // null: build indexes
  int index = -1;          // with no chunk: this index of the table (-1: all of them)
};

class Work {
 public:
  Work(std::vector<TablePlan>& tables, std::int64_t max_chunks) : max_chunks_(max_chunks) {
    for (TablePlan& t : tables) {
      State& s = state_[&t];
      for (Chunk& c : t.chunks) {
        if (!c.done) {
          s.pending.push_back(&c);
        }
      }
      s.left = static_cast<int>(s.pending.size());
      s.index_total = t.deferred_post_data ? t.index_jobs : 0;
      order_.push_back(&t);
    }
  }

  // The next job that may run now; waits while running jobs may unlock one; nullopt when
  // everything is done, or after a failure.
  std::optional<Job> take() {
    std::unique_lock lock(mutex_);
    while (true) {
      if (failure_ || cancel_requested()) {
        return std::nullopt;
      }
      for (TablePlan* t : order_) {
        State& s = state_[t];
        bool chunks_allowed = max_chunks_ == 0 || taken_ < max_chunks_;
        if (!s.pending.empty() && chunks_allowed && references_loaded(*t)) {
          Chunk* c = s.pending.front();
          s.pending.pop_front();
          ++taken_;
          ++running_;
          return Job{t, c};
        }
        if (s.left == 0 && s.index_next < s.index_total) {
          int i = s.index_next++;
          ++running_;
          return Job{t, nullptr, s.index_total == 1 ? -1 : i};
        }
      }
      if (running_ == 0) {
        return std::nullopt;
      }
      changed_.wait(lock);
    }
  }

  void finish(const Job& job) {
    std::lock_guard lock(mutex_);
    --running_;
    if (job.chunk != nullptr) {
      --state_[job.table].left;
    } else {
      ++state_[job.table].index_done;
    }
    changed_.notify_all();
  }

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    --running_;
    if (!failure_) {
      failure_ = std::move(e);
    }
    changed_.notify_all();
  }

  std::exception_ptr failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

  bool all_loaded() {
    std::lock_guard lock(mutex_);
    return std::all_of(state_.begin(), state_.end(), [](const auto& kv) {
      return kv.second.left == 0 && kv.second.index_done == kv.second.index_total;
    });
  }

 private:
  struct State {
    std::deque<Chunk*> pending;
    int left = 0;
    int index_total = 0;  // index jobs of the table
    int index_next = 0;   // the next one to hand out
    int index_done = 0;
  };

  bool references_loaded(const TablePlan& t) {
    if (!t.ordered) {
      return true;
    }
    for (const auto& entry : state_) {
      const auto& other = entry.first;
      const auto& s = entry.second;
      bool referenced = std::any_of(t.references.begin(), t.references.end(),
                                    [&](const auto& r) { return db::same_ident(r, other->name); });
      if (referenced && s.left > 0) {
        return false;
      }
    }
    return true;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<const TablePlan*, State> state_;
  std::vector<TablePlan*> order_;
  std::int64_t max_chunks_;
  std::int64_t taken_ = 0;
  int running_ = 0;
  std::exception_ptr failure_;
};

// Rows done per table, shared between the workers and the progress reporter.
class Progress {
 public:
  Progress(const std::vector<TablePlan>& tables,
           const std::function<void(const CopyProgress&)>& report)
      : report_(report) {
    for (const TablePlan& t : tables) {
      Entry& e = entries_[t.name];
      for (const Chunk& c : t.chunks) {
        e.total += c.expected;
        e.done += c.done ? c.rows : 0;
      }
    }
  }

  void add(const std::string& table, std::int64_t rows) {
    std::lock_guard lock(mutex_);
    entries_[table].done += rows;
  }

  // Reports every table whose count moved since the last report (all with `everything`);
  // `initial` marks the reports made before the workers start (CopyProgress::initial).
  void report(bool everything, bool initial = false) {
    if (!report_) {
      return;
    }
    std::vector<CopyProgress> out;
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, e] : entries_) {
        if (everything || e.done != e.reported) {
          e.reported = e.done;
          out.push_back(CopyProgress{name, e.done, std::max(e.total, e.done), initial});
        }
      }
    }
    for (const CopyProgress& p : out) {
      report_(p);
    }
  }

 private:
  struct Entry {
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::int64_t reported = -1;
  };

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  const std::function<void(const CopyProgress&)>& report_;
};

// A RowSource that counts what passes through it.
class CountingSource final : public db::RowSource {
 public:
  CountingSource(db::RowSource& inner, Progress& progress, std::string table)
      : inner_(inner), progress_(progress), table_(std::move(table)) {}

  bool next(db::Row& row) override {
    if (!inner_.next(row)) {
      flush();
      return false;
    }
    ++rows_;
    if (++unreported_ == kReportEvery) {
      flush();
    }
    return true;
  }

  std::int64_t rows() const { return rows_; }

 private:
  static constexpr std::int64_t kReportEvery = 1000;

  void flush() {
    progress_.add(table_, unreported_);
    unreported_ = 0;
  }

  db::RowSource& inner_;
  Progress& progress_;
  std::string table_;
  std::int64_t rows_ = 0;
  std::int64_t unreported_ = 0;
};

// Rows of one version made rows of another (schema::Transform): one row in, one row out,
// through a reused buffer, so the values are the only allocations.
class TransformingSource final : public db::RowSource {
 public:
  TransformingSource(db::RowSource& inner, const schema::TableTransform& xform,
                     schema::LocalIdps* idps)
      : inner_(inner), xform_(xform), idps_(idps) {}

  bool next(db::Row& row) override {
    if (!inner_.next(in_)) {
      return false;
    }
    xform_.apply(in_, row, idps_);
    return true;
  }

 private:
  db::RowSource& inner_;
  const schema::TableTransform& xform_;
  schema::LocalIdps* idps_;
  db::Row in_;
};

// A streaming query seen as a RowSource.
class QuerySource final : public db::RowSource {
 public:
  explicit QuerySource(std::unique_ptr<db::RowReader> reader) : reader_(std::move(reader)) {}

  bool next(db::Row& row) override {
    if (!reader_->next()) {
      return false;
    }
    row = reader_->row();
    return true;
  }

 private:
  std::unique_ptr<db::RowReader> reader_;
};

struct Shared {
  const SyncConfig& config;
  db::TxOptions snapshot;  // how a worker reads the source
  Progress& progress;
};

void run_statements(Connection& conn, const std::vector<std::string>& statements) {
  for (const std::string& s : statements) {
    conn.execute(s);
  }
}

// Session settings of a connection that loads the target: the applier's marker so a capture
// installed on the target (reverse sync) does not journal the copy, and foreign key checks off
// where the engine lets a session do it (see the file comment).
void prepare_target_session(Connection& target) {
  run_statements(target, capture::applier_session_setup(target));
  if (target.dialect().name() == "mysql") {
    target.execute("SET SESSION foreign_key_checks = 0");
  } else if (target.dialect().name() == "sqlite") {
    target.execute("PRAGMA foreign_keys = OFF");
  }
}

class Worker {
 public:
  // `source` already inside the snapshot when `in_snapshot` (the main connection); otherwise
  // the worker opens its own connections and takes a snapshot per chunk.
  Worker(Shared& shared, Connection* source, Connection* target, bool in_snapshot)
      : shared_(shared), source_(source), target_(target), in_snapshot_(in_snapshot) {}

  void run(Work& work) {
    while (std::optional<Job> job = work.take()) {
      try {
        connect();
        if (job->chunk != nullptr) {
          load(*job->table, *job->chunk);
        } else {
          build_indexes(*job->table, job->index);
        }
        work.finish(*job);
      } catch (...) {
        work.fail(std::current_exception());
        return;
      }
    }
  }

 private:
  void connect() {
    if (source_ == nullptr) {
      own_source_ = db::open(shared_.config.source);
      source_ = own_source_.get();
    }
    if (target_ == nullptr) {
      own_target_ = db::open(shared_.config.target);
      target_ = own_target_.get();
      prepare_target_session(*target_);
    }
  }

  void load(TablePlan& t, Chunk& c) {
    std::optional<db::Transaction> read;
    if (!in_snapshot_) {
      read.emplace(*source_, shared_.snapshot);
    }
    db::Transaction write(*target_);
    run_statements(*target_, capture::applier_transaction_begin(*target_));
    std::string where = range_condition(source_->dialect(), t.source, t.key, c.lo, c.hi);
    std::int64_t rows = 0;
    if (t.raw) {
      // PostgreSQL to PostgreSQL with the same column types: binary COPY passed through
      // undecoded (copy_table_raw's path, with the chunk's range).
      const Dialect& sd = source_->dialect();
      const Dialect& td = target_->dialect();
      auto data = source_->copy_out_raw(fmt::format(
          "COPY ({}) TO STDOUT (FORMAT binary)", select_sql(sd, t.name, t.source_columns, where)));
      std::string cols;
      for (std::size_t i = 0; i < t.target_columns.size(); ++i) {
        cols += (i ? ", " : "") + td.stored_ident(t.target_columns[i]);
      }
      rows = target_->copy_in_raw(fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)",
                                              td.stored_ident(t.target_name), cols),
                                  *data);
      shared_.progress.add(t.name, rows);
    } else {
      // The tenants' LOCAL identity providers are read before the stream starts: neither
      // connection can answer a query while it streams.
      std::optional<schema::LocalIdps> idps;
      if (t.xform && t.xform->needs_local_idps()) {
        idps.emplace(target_, source_, false);
      }
      std::unique_ptr<db::RowSource> in;
      if (where.empty()) {
        in = source_->bulk_read(t.name, t.source_columns);
      } else {
        in = std::make_unique<QuerySource>(
            source_->query(select_sql(source_->dialect(), t.name, t.source_columns, where)));
      }
      std::optional<TransformingSource> transformed;
      if (t.xform) {
        transformed.emplace(*in, *t.xform, idps ? &*idps : nullptr);
      }
      CountingSource counted(transformed ? static_cast<db::RowSource&>(*transformed) : *in,
                             shared_.progress, t.name);
      target_->bulk_insert(t.target_name, t.target_columns, counted);
      rows = counted.rows();
    }
    set_checkpoint_state(*target_, t.name, c.no, "done", rows);
    run_statements(*target_, capture::applier_transaction_end(*target_));
    write.commit();
    c.done = true;
    c.rows = rows;
  }

  // Index `only` of the table's wanted indexes, or all with -1; those a killed run already
  // built are skipped.
  void build_indexes(TablePlan& t, int only) {
    TableDef wanted = definition_for_target(t.source, source_->dialect(), target_->dialect());
    std::optional<TableDef> live = target_->describe_table(t.target_name);
    std::vector<PostDataIndex> all = post_data_indexes(wanted, t.deferred_keys);
    TableDef missing = wanted;
    missing.indexes.clear();
    for (std::size_t i = 0; i < all.size(); ++i) {
      const db::Index& ix = all[i].index;
      bool chosen = only < 0 || static_cast<std::size_t>(only) == i;
      bool attached_pk =
          all[i].attach == PostDataIndex::Attach::primary && live && !live->primary_key.empty();
      if (chosen && !attached_pk && (!live || !has_index(*live, ix.name))) {
        missing.indexes.push_back(ix);
      }
    }
    run_statements(*target_, index_statements(target_->dialect(), missing));
  }

  Shared& shared_;
  Connection* source_;
  Connection* target_;
  bool in_snapshot_;
  std::unique_ptr<Connection> own_source_;
  std::unique_ptr<Connection> own_target_;
};

// ---------------------------------------------------------------------------------------------

void refuse(const std::vector<std::string>& problems, std::string_view what, std::string hint) {
  if (problems.empty()) {
    return;
  }
  throw Error(ErrorKind::config, fmt::format("{}: {}", what, fmt::join(problems, "; ")),
              std::move(hint));
}

// Step 2: every target table checked before anything is written. Resumed tables may hold the
// rows of their committed chunks.
void check_targets(Connection& target, std::vector<TablePlan>& tables, const CopyOptions& options,
                   bool resuming, const schema::Transform& xform) {
  std::vector<std::string> mismatched;
  std::vector<std::string> filled;
  std::vector<std::string> absent;
  for (TablePlan& t : tables) {
    std::optional<TableDef> live = target.describe_table(t.name);
    if (!live && !xform.identity()) {
      absent.push_back(echo(t.name));
      continue;
    }
    if (!live) {
      t.target_name.clear();
      t.source_columns.clear();
      t.target_columns.clear();
      for (const db::Column& c : t.source.columns) {
        t.source_columns.push_back(c.name);
      }
      continue;
    }
    t.target_name = live->name;
    t.target = *live;
    if (!xform.identity()) {
      // Another version: the declared transform decides every column (bound before any write;
      // a column it cannot produce throws here).
      t.xform = xform.bind(t.source, *live, t.key);
      t.source_columns = t.xform->source_columns();
      t.target_columns = t.xform->target_columns();
      for (const std::string& c : t.xform->unmatched()) {
        t.result.skipped_columns.push_back(fmt::format("{}.{}", t.name, c));
      }
      if (!t.xform->unmatched().empty() && !options.allow_column_mismatch) {
        mismatched.push_back(
            echo(fmt::format("{} {}", t.name, fmt::join(t.xform->unmatched(), ", "))));
      }
    } else if (std::string m = match_columns(t, *live, options.allow_column_mismatch); !m.empty()) {
      mismatched.push_back(m);
    }
    if (!resuming) {
      if (std::int64_t n = count_rows(target, live->name); n > 0) {
        filled.push_back(fmt::format("target table {} already has {} rows", echo(live->name), n));
      }
    }
  }
  refuse(
      absent,
      fmt::format("the target lacks tables a copy from {} to {} writes", xform.from(), xform.to()),
      fmt::format("create the target schema first: 'cutover schema create --version {}'",
                  xform.to()));
  refuse(mismatched, "the target has tables of another shape (columns on one side only)",
         "copy into an empty database or one with the source's tables; --allow-column-mismatch "
         "copies the common columns");
  refuse(filled, "copy fills empty tables",
         "empty them, or use sync run after your own dump and restore");
}

// Step 4: a missing table is created from the source's definition; where indexes and foreign
// keys are cheaper afterwards, only with its keys for now.
void create_missing(Connection& source, Connection& target, TablePlan& t) {
  TableDef wanted = definition_for_target(t.source, source.dialect(), target.dialect());
  if (!t.target_name.empty()) {
    return;
  }
  if (std::optional<TableDef> live = target.describe_table(wanted.name)) {
    t.target_name = live->name;  // created by the run a kill interrupted
  } else {
    TableDef create =
        defers_post_data(target) ? without_post_data(wanted, defers_keys(target)) : wanted;
    run_statements(target, target.dialect().create_table(create));
    t.target_name = target.describe_table(wanted.name).value().name;
  }
  t.target = target.describe_table(t.target_name).value();
  match_columns(t, t.target, true);
  t.created = true;
  t.result.created = true;
}

// Step 6: foreign keys of created tables, sequences past the loaded values.
void finish_schema(Connection& source, Connection& target, std::vector<TablePlan>& tables) {
  // The keys built as unique indexes become constraints (a catalogue change: no scan), every
  // table's before any foreign key refers to them.
  const Dialect& d = target.dialect();
  for (TablePlan& t : tables) {
    if (!t.deferred_keys) {
      continue;
    }
    TableDef wanted = definition_for_target(t.source, source.dialect(), target.dialect());
    TableDef live = target.describe_table(t.target_name).value();
    for (const PostDataIndex& p : post_data_indexes(wanted, true)) {
      bool primary = p.attach == PostDataIndex::Attach::primary;
      if (p.attach == PostDataIndex::Attach::none || (primary && !live.primary_key.empty()) ||
          (!primary &&
           std::any_of(live.unique_keys.begin(), live.unique_keys.end(),
                       [&](const db::Key& k) { return db::same_ident(k.name, p.index.name); }))) {
        continue;
      }
      target.execute(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}",
                                 d.stored_ident(t.target_name), d.ident(p.index.name),
                                 primary ? "PRIMARY KEY" : "UNIQUE", d.ident(p.index.name)));
    }
  }
  for (TablePlan& t : tables) {
    if (!t.deferred_post_data) {
      continue;
    }
    TableDef wanted = definition_for_target(t.source, source.dialect(), target.dialect());
    TableDef live = target.describe_table(t.target_name).value();
    for (const db::ForeignKey& fk : wanted.foreign_keys) {
      if (has_foreign_key(live, fk)) {
        continue;
      }
      try {
        target.execute(add_foreign_key_sql(target.dialect(), wanted, fk, false));
      } catch (const Error& e) {
        // PostgreSQL: a child row read in a later snapshot than its parent's chunk (see the
        // file comment). The key is enforced from now on; the replay brings the parent.
        if (e.kind() != ErrorKind::constraint || !target.capabilities().transactional_ddl) {
          throw;
        }
        target.execute(add_foreign_key_sql(target.dialect(), wanted, fk, true));
      }
    }
  }
  for (TablePlan& t : tables) {
    TableDef live = target.describe_table(t.target_name).value();
    for (const db::Column& c : live.columns) {
      if (std::string s = target.dialect().sequence_resync(live.name, c); !s.empty()) {
        target.query_value(s);
      }
    }
  }
}

Json plan_json(const std::vector<TablePlan>& tables) {
  Json out = Json::array();
  for (const TablePlan& t : tables) {
    out.push_back(t.name);
  }
  return out;
}

// Loads the chunk plan a previous run stored; tables must be the same.
void load_plan(Connection& target, std::vector<TablePlan>& tables, const Json& header) {
  std::set<std::string> stored;
  for (const Json& n : header.at("tables")) {
    stored.insert(db::to_upper(n.get<std::string>()));
  }
  std::set<std::string> now;
  for (const TablePlan& t : tables) {
    now.insert(db::to_upper(t.name));
  }
  if (stored != now) {
    throw Error(ErrorKind::config,
                "the copy in progress in the target was started for other tables",
                "run copy with the same tables (and --all-tables or not) as the first time");
  }
  std::map<std::string, TablePlan*> by_upper;
  for (TablePlan& t : tables) {
    by_upper[db::to_upper(t.name)] = &t;
  }
  auto r = target.query(checkpoint_sql(target.dialect(), " ORDER BY ITEM, CHUNK_NO"));
  while (r->next()) {
    std::string item = r->get(0).to_text();
    auto chunk = static_cast<int>(r->get(1).as_int());
    auto it = by_upper.find(db::to_upper(item));
    if (it == by_upper.end()) {
      continue;
    }
    TablePlan& t = *it->second;
    Json detail = Json::parse(r->get(5).to_text());
    if (chunk == kTableRow) {
      t.created = detail.value("created", false);
      t.result.created = t.created;
      continue;
    }
    Chunk c;
    c.no = chunk;
    c.lo = bound_from_json(detail.at("lo"));
    c.hi = bound_from_json(detail.at("hi"));
    c.expected = r->get(3).is_null() ? 0 : r->get(3).as_int();
    c.done = r->get(2).to_text() == "done";
    c.rows = r->get(4).is_null() ? 0 : r->get(4).as_int();
    t.chunks.push_back(c);
  }
}

}  // namespace

CopyResult copy(const SyncConfig& config, const CopyOptions& options,
                const std::function<void(const CopyProgress&)>& on_progress) {
  auto started = std::chrono::steady_clock::now();
  CopyResult result;
  std::unique_ptr<Connection> source = db::open(config.source);
  // Before the target is opened (and a SQLite target file made): without a capture there is
  // no journal position to record, and a copy without one cannot be continued by run.
  std::optional<capture::CaptureInfo> capture = capture::read_capture(*source);
  if (!capture || !capture->complete) {
    throw Error(ErrorKind::config, "the source has no complete change capture",
                "run 'cutover sync prepare' on the source first");
  }
  // The version transform (identity for one version); an undeclared pair fails here.
  const schema::Product& product = schema::product(config.product);
  std::string from = config.from_version;
  std::string to = config.to_version.empty() ? from : config.to_version;
  schema::Transform xform =
      from.empty() ? schema::Transform::make(product, product.versions()[0], product.versions()[0])
                   : schema::Transform::make(product, from, to);
  // An empty target may be a SQLite file that does not exist yet: the copy makes it. Into
  // another version, the target's schema must exist already.
  JobLock lock(config.target, "copy");
  db::OpenOptions create;
  create.create = xform.identity();
  std::unique_ptr<Connection> target = db::open(config.target, create);

  // 1. The tables, and what a previous run left.
  std::vector<TablePlan> tables = resolve_copy_tables(*source, config, options);
  if (!xform.identity()) {
    std::vector<std::string> names;
    names.reserve(tables.size());
    for (const TablePlan& t : tables) {
      names.push_back(t.name);
    }
    schema::check_schema_version(*source, product, from, names, "source");
    schema::check_schema_version(*target, product, to, names, "target");
  }
  std::optional<Checkpoint> header = read_header(*target);
  if (header && header->state == "complete") {
    throw Error(ErrorKind::config, "the target already holds a complete copy",
                "continue with sync run; to copy again, start from an empty target database");
  }
  bool resuming = header.has_value();
  result.resumed = resuming;

  // 2. Every target table checked before anything is written.
  check_targets(*target, tables, options, resuming, xform);
  ensure_copy_table(*target);
  ensure_progress_table(*target);

  // 3. One snapshot; the position inside it; chunk bounds sampled in it.
  bool shared = source->capabilities().shared_snapshot;
  db::TxOptions snapshot;
  snapshot.read_only = true;
  snapshot.consistent_snapshot = true;
  db::Transaction first(*source, snapshot);
  Position position = snapshot_position(*source);
  if (resuming) {
    Position stored = position_from_json(header->detail.at("position"));
    if (stored.journal_id != position.journal_id) {
      throw Error(ErrorKind::config,
                  "the copy in progress in the target belongs to another capture of the source",
                  "the capture was removed and prepared again: start over with an empty target");
    }
    position = stored;  // the FIRST snapshot's position (see the file comment)
    load_plan(*target, tables, header->detail);
  } else {
    for (TablePlan& t : tables) {
      t.chunks = plan_chunks(*source, t, count_rows(*source, t.name), options.chunk_rows);
    }
    db::Transaction plan(*target);
    Json detail = {{"position", position_json(position)}, {"tables", plan_json(tables)}};
    insert_checkpoint_row(*target, std::string(kHeaderItem), kTableRow, "in_progress", 0, detail);
    for (const TablePlan& t : tables) {
      std::int64_t total = 0;
      for (const Chunk& c : t.chunks) {
        total += c.expected;
        insert_checkpoint_row(*target, t.name, c.no, "todo", c.expected,
                              {{"lo", bound_json(c.lo)}, {"hi", bound_json(c.hi)}});
      }
      insert_checkpoint_row(*target, t.name, kTableRow, "loading", total,
                            {{"created", t.target_name.empty()}});
    }
    plan.commit();
  }

  // 4. Missing tables created; how each one loads.
  for (TablePlan& t : tables) {
    bool existed = !t.target_name.empty() && !t.created;
    create_missing(*source, *target, t);
    t.deferred_post_data = t.created && defers_post_data(*target);
    t.deferred_keys = t.deferred_post_data && defers_keys(*target);
    if (t.deferred_post_data) {
      std::size_t n =
          post_data_indexes(definition_for_target(t.source, source->dialect(), target->dialect()),
                            t.deferred_keys)
              .size();
      t.index_jobs =
          parallel_index_builds(*target) ? static_cast<int>(std::max<std::size_t>(n, 1)) : 1;
    }
    // PostgreSQL enforces the foreign keys of a table that existed: parents load first.
    t.ordered =
        existed && !t.target.foreign_keys.empty() && target->dialect().name() == "postgresql";
    // A transformed row must be decoded: binary COPY passes rows through only unchanged.
    t.raw = !t.xform && source->capabilities().copy_out && target->capabilities().copy_out &&
            same_types(t);
  }

  // 5. The data, by N workers. PostgreSQL: every worker reads the first snapshot. Elsewhere
  // each chunk is read in a snapshot of its own, taken after the recorded position.
  int jobs = std::max(1, single_writer(*target) ? 1 : config.jobs);
  if (shared) {
    snapshot = db::TxOptions{};
    snapshot.read_only = true;
    snapshot.snapshot_id = source->export_snapshot();
  }
  Progress progress(tables, on_progress);
  progress.report(true, true);
  Shared context{config, snapshot, progress};
  Work work(tables, options.max_chunks);
  prepare_target_session(*target);
  {
    std::vector<std::thread> threads;
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 1; i < jobs; ++i) {
      workers.push_back(std::make_unique<Worker>(context, nullptr, nullptr, false));
    }
    threads.reserve(workers.size());
    for (auto& w : workers) {
      threads.emplace_back([&work, w = w.get()] { w->run(work); });
    }
    std::atomic<bool> loading{true};
    std::thread reporter([&] {
      while (loading) {
        std::this_thread::sleep_for(kProgressEvery);
        progress.report(false);
      }
    });
    // The main connection reads in the first snapshot itself, so one job is one snapshot.
    Worker main(context, source.get(), target.get(), true);
    main.run(work);
    for (std::thread& t : threads) {
      t.join();
    }
    loading = false;
    reporter.join();
  }
  first.commit();
  if (std::exception_ptr e = work.failure()) {
    std::rethrow_exception(e);
  }
  throw_if_cancelled();
  progress.report(true);

  for (TablePlan& t : tables) {
    t.result.table = t.name;
    for (const Chunk& c : t.chunks) {
      t.result.rows += c.rows;
    }
    result.rows += t.result.rows;
    result.tables.push_back(t.result);
  }
  if (!work.all_loaded()) {
    result.complete = false;  // max_chunks reached: run again to continue
  } else {
    // 6. Foreign keys and sequences; 7. the position for sync run, in one transaction with
    // the copy marked complete.
    finish_schema(*source, *target, tables);
    db::Transaction done(*target);
    store_position(*target, position);
    set_checkpoint_state(*target, std::string(kHeaderItem), kTableRow, "complete", result.rows);
    done.commit();
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

CopyState copy_state(db::Connection& target, const std::string& journal_id) {
  std::optional<Checkpoint> header = read_header(target);
  if (!header) {
    return CopyState::none;
  }
  const Json& position = header->detail.at("position");
  if (position.value("journal_id", std::string()) != journal_id) {
    return CopyState::none;
  }
  return header->state == "complete" ? CopyState::complete : CopyState::in_progress;
}

std::vector<std::string> copied_tables(db::Connection& target, const std::string& journal_id) {
  std::vector<std::string> out;
  if (copy_state(target, journal_id) == CopyState::none) {
    return out;
  }
  // A table is in when every one of its chunks is done.
  std::map<std::string, bool> all_done;
  auto r = target.query(checkpoint_sql(target.dialect(), " WHERE CHUNK_NO >= 0"));
  while (r->next()) {
    std::string item = r->get(0).to_text();
    if (item == kHeaderItem) {
      continue;
    }
    auto [it, fresh] = all_done.emplace(item, true);
    it->second = it->second && r->get(2).to_text() == "done";
  }
  for (const auto& [table, done] : all_done) {
    if (done) {
      out.push_back(table);
    }
  }
  return out;
}

}  // namespace cutover::sync
