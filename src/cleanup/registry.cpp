#include "cleanup/registry.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "cleanup/registry_backup_file.h"
#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"
#include "schema/catalogue.h"
#include "schema/live_tables.h"

namespace cutover::cleanup {

namespace {

// One kind of registry metadata: association table, value table, the link's value column.
struct Kind {
  const char* links;
  const char* values;
  const char* link_col;
};

constexpr Kind kKinds[] = {
    {"REG_RESOURCE_PROPERTY", "REG_PROPERTY", "REG_PROPERTY_ID"},
    {"REG_RESOURCE_TAG", "REG_TAG", "REG_TAG_ID"},
    {"REG_RESOURCE_COMMENT", "REG_COMMENT", "REG_COMMENT_ID"},
    {"REG_RESOURCE_RATING", "REG_RATING", "REG_RATING_ID"},
};

enum class Step { rewrite, drop, orphans };

// How statements name tables and columns: WSO2's spelling for a printed script (the operator's
// tables were made by WSO2's scripts), the stored names for a live database.
class Names {
 public:
  Names(const db::Dialect& d, const schema::LiveTables* live) : d_(d), live_(live) {}

  const db::Dialect& dialect() const { return d_; }

  std::string table(const char* upper) const {
    return live_ == nullptr ? d_.ident(upper) : d_.stored_ident(live_->at(upper).name);
  }

  std::string col(const char* table, const char* column) const {
    return live_ == nullptr ? d_.ident(column)
                            : d_.stored_ident(live_->at(table).find_column(column)->name);
  }

 private:
  const db::Dialect& d_;
  const schema::LiveTables* live_;
};

// Links whose resource version is current get its path and name: a join where the engine has
// UPDATE ... FROM / JOIN, a correlated form (indexed by REG_RESOURCE's primary key) elsewhere
// (db::Dialect::update_joined). Only links still without a path: a second run changes nothing.
std::string rewrite_sql(const Names& n, const Kind& k) {
  std::string path = n.col(k.links, "REG_PATH_ID");
  std::string ver = n.col(k.links, "REG_VERSION");
  std::string ten = n.col(k.links, "REG_TENANT_ID");
  std::string rver = n.col("REG_RESOURCE", "REG_VERSION");
  std::string rten = n.col("REG_RESOURCE", "REG_TENANT_ID");
  db::JoinedUpdate u;
  u.table = n.table(k.links);
  u.target_alias = "l";
  u.source = n.table("REG_RESOURCE");
  u.source_alias = "r";
  u.set = {{path, n.col("REG_RESOURCE", "REG_PATH_ID")},
           {n.col(k.links, "REG_RESOURCE_NAME"), n.col("REG_RESOURCE", "REG_NAME")}};
  u.join = [=](const std::string& t) {
    return fmt::format("r.{} = {}{} AND r.{} = {}{}", rver, t, ver, rten, t, ten);
  };
  u.where = [=](const std::string& t) { return fmt::format("{}{} IS NULL", t, path); };
  return n.dialect().update_joined(u);
}

// Links left without a path belong to versions that are no longer current.
std::string drop_sql(const Names& n, const Kind& k) {
  return fmt::format("DELETE FROM {} WHERE {} IS NULL", n.table(k.links),
                     n.col(k.links, "REG_PATH_ID"));
}

// Value rows no link refers to: an anti-join on the link's (value id, tenant) foreign key,
// given the prefix that names the value table.
std::function<std::string(const std::string&)> link_match(const Names& n, const Kind& k) {
  std::string col = n.col(k.links, k.link_col);
  std::string id = n.col(k.values, "REG_ID");
  std::string ten = n.col(k.links, "REG_TENANT_ID");
  std::string vten = n.col(k.values, "REG_TENANT_ID");
  return [=](const std::string& v) {
    return fmt::format("l.{} = {}{} AND l.{} = {}{}", col, v, id, ten, v, vten);
  };
}

std::string unlinked(const Names& n, const Kind& k) {
  return fmt::format("NOT EXISTS (SELECT 1 FROM {} l WHERE {})", n.table(k.links),
                     link_match(n, k)(n.table(k.values) + "."));
}

std::string orphans_sql(const Names& n, const Kind& k) {
  db::UnmatchedDelete u;
  u.table = n.table(k.values);
  u.table_alias = "v";
  u.other = n.table(k.links);
  u.other_alias = "l";
  u.on = link_match(n, k);
  u.other_key = n.col(k.links, k.link_col);
  return n.dialect().delete_unmatched(u);
}

struct Statement {
  Step step;
  std::size_t kind;
  std::string sql;
};

// The seed's order: every link table's paths, then the stale links, then the orphan values
// (names are set together with paths: both come from the same current version).
std::vector<Statement> script(const Names& n, const std::vector<std::size_t>& kinds) {
  std::vector<Statement> out;
  for (Step step : {Step::rewrite, Step::drop, Step::orphans}) {
    for (std::size_t k : kinds) {
      const Kind& kind = kKinds[k];
      std::string sql = step == Step::rewrite ? rewrite_sql(n, kind)
                        : step == Step::drop  ? drop_sql(n, kind)
                                              : orphans_sql(n, kind);
      out.push_back({step, k, std::move(sql)});
    }
  }
  return out;
}

std::vector<std::size_t> live_kinds(const schema::LiveTables& live) {
  auto res = live.find("REG_RESOURCE");
  if (res == live.end()) {
    throw Error(ErrorKind::config, "no REG_RESOURCE table in this database",
                "point --db at the database the registry lives in (the shared database)");
  }
  for (const char* c : {"REG_PATH_ID", "REG_NAME", "REG_VERSION", "REG_TENANT_ID"}) {
    if (res->second.find_column(c) == nullptr) {
      throw Error(ErrorKind::config, fmt::format("REG_RESOURCE has no {} column", c),
                  "this is not a WSO2 registry table");
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    auto links = live.find(kKinds[k].links);
    auto values = live.find(kKinds[k].values);
    if (links == live.end() || values == live.end()) {
      continue;
    }
    for (const char* c :
         {"REG_VERSION", "REG_PATH_ID", "REG_RESOURCE_NAME", "REG_TENANT_ID", kKinds[k].link_col}) {
      if (links->second.find_column(c) == nullptr) {
        throw Error(ErrorKind::config, fmt::format("{} has no {} column", kKinds[k].links, c),
                    "this registry's links are not shaped as WSO2's");
      }
    }
    out.push_back(k);
  }
  if (out.empty()) {
    throw Error(ErrorKind::config, "no registry association tables in this database",
                "point --db at the database the registry lives in (the shared database)");
  }
  return out;
}

// Step 3's foreign-key checks: deleting a value row makes the engine look for links that
// still refer to it. WSO2's link tables (up to 6.x) have no index on their value column, and
// only MySQL (InnoDB) and H2 make one for a foreign key, so elsewhere every deleted value scans
// the whole link table: quadratic, 150 s for 90k links on PostgreSQL and hours at 1M (the
// seed's script too). Where it is missing, a temporary index serves the checks and is dropped.
constexpr const char* kTmpIndex[] = {"CUTOVER_TMP_PROPERTY_FK", "CUTOVER_TMP_TAG_FK",
                                     "CUTOVER_TMP_COMMENT_FK", "CUTOVER_TMP_RATING_FK"};

// Whether `t` carries cutover's temporary index of kind k: left by a run killed on an engine
// whose DDL commits at once (Oracle), or by a printed Oracle script that stopped half-way.
bool has_tmp_index(const db::TableDef& t, std::size_t k) {
  return std::any_of(t.indexes.begin(), t.indexes.end(),
                     [&](const db::Index& ix) { return db::same_ident(ix.name, kTmpIndex[k]); });
}

// True when an index of `t` other than cutover's temporary one leads with the link's value
// column, or with it and the tenant in either order (7.0 adds REG_RESC_PROP_BY_PROP_ID_TI on
// REG_TENANT_ID, REG_PROPERTY_ID).
bool value_column_indexed(const db::TableDef& t, std::size_t kind_index) {
  const Kind& k = kKinds[kind_index];
  auto serves = [&](const std::vector<std::string>& cols) {
    if (!cols.empty() && db::same_ident(cols[0], k.link_col)) {
      return true;
    }
    return cols.size() >= 2 && db::same_ident(cols[0], "REG_TENANT_ID") &&
           db::same_ident(cols[1], k.link_col);
  };
  if (serves(t.primary_key)) {
    return true;
  }
  for (const db::Key& key : t.unique_keys) {
    if (serves(key.columns)) {
      return true;
    }
  }
  for (const db::Index& ix : t.indexes) {
    if (serves(ix.columns) && !db::same_ident(ix.name, kTmpIndex[kind_index])) {
      return true;
    }
  }
  return false;
}

std::string create_tmp_index(const Names& n, std::size_t k) {
  const Kind& kind = kKinds[k];
  return fmt::format("CREATE INDEX {} ON {} ({}, {})", n.dialect().ident(kTmpIndex[k]),
                     n.table(kind.links), n.col(kind.links, kind.link_col),
                     n.col(kind.links, "REG_TENANT_ID"));
}

std::string drop_tmp_index(const Names& n, std::size_t k) {
  const db::Dialect& d = n.dialect();
  std::string on = d.name() == "mysql" || d.name() == "mssql"
                       ? fmt::format(" ON {}", n.table(kKinds[k].links))
                       : std::string();
  return fmt::format("DROP INDEX {}{}", d.ident(kTmpIndex[k]), on);
}

std::int64_t count(db::Connection& conn, const std::string& table, const std::string& where) {
  return conn.query_value(fmt::format("SELECT COUNT(*) FROM {} WHERE {}", table, where))
      .value_or(db::Value(0))
      .as_int();
}

}  // namespace

std::string backup_table_name(const std::string& table) {
  return "CUTOVER_BAK_" + table;
}

RegistryResult disable_versioning(db::Connection& conn, const RegistryOptions& o) {
  const db::Dialect& d = conn.dialect();
  schema::LiveTables live = schema::live_catalogued_tables(conn, schema::product("is"));
  std::vector<std::size_t> kinds = live_kinds(live);
  Names n(d, &live);
  RegistryResult result;
  for (std::size_t k : kinds) {
    result.kinds.push_back({live.at(kKinds[k].links).name, live.at(kKinds[k].values).name});
  }

  // A temporary index a killed run left behind (only where DDL commits at once) goes first,
  // also when nothing else is left to do. cutover makes none on MySQL, where InnoDB may have
  // taken such an index for a foreign key and refuses to drop it.
  if (!o.dry_run && d.name() != "mysql") {
    for (std::size_t k : kinds) {
      if (has_tmp_index(live.at(kKinds[k].links), k)) {
        conn.execute(drop_tmp_index(n, k));
      }
    }
  }

  // Nothing to do when every link has its path and every value row a link: a second run.
  std::int64_t pending = 0;
  for (std::size_t k : kinds) {
    pending += count(conn, n.table(kKinds[k].links),
                     fmt::format("{} IS NULL", n.col(kKinds[k].links, "REG_PATH_ID")));
    pending += count(conn, n.table(kKinds[k].values), unlinked(n, kKinds[k]));
  }
  if (pending == 0) {
    return result;
  }

  // A backup file: refused now, before any change, when the name is taken.
  std::optional<RegistryBackupWriter> file;
  if (!o.backup_file.empty() && !o.dry_run) {
    file.emplace(o.backup_file, d.name());
  }
  // Backup tables are made outside the transaction (MySQL commits DDL at once) and filled
  // inside it, so a killed run leaves them as they were and a rerun fills them once.
  bool backup = o.backup && !o.dry_run && !file;
  auto bak = [&](const char* table) { return d.ident(backup_table_name(table)); };
  if (backup) {
    for (std::size_t k : kinds) {
      for (const char* t : {kKinds[k].links, kKinds[k].values}) {
        if (!conn.describe_table(backup_table_name(t))) {
          conn.execute(
              fmt::format("CREATE TABLE {} AS SELECT * FROM {} WHERE 1 = 0", bak(t), n.table(t)));
        }
        result.backup_tables.push_back(backup_table_name(t));
      }
    }
  }

  // Temporary indexes on the links' value columns serve the foreign-key checks of the orphan
  // deletes (without them each deleted value scans its link table: 152 s for 90k links on
  // PostgreSQL). Where DDL is transactional (PostgreSQL, SQLite, SQL Server, DB2) they are
  // made and dropped inside the transaction, so a killed run leaves none. Where DDL commits at
  // once (Oracle through ODBC) they are made before the transaction and dropped after it
  // however it ends, or by the next run when this one is killed; a dry run goes without them
  // there. InnoDB indexes every foreign key itself, so MySQL needs none.
  std::vector<std::size_t> tmp_indexes;
  for (std::size_t k : kinds) {
    // A dry run leaves a killed run's index where it is, and lets it serve.
    const db::TableDef& links = live.at(kKinds[k].links);
    if (!value_column_indexed(links, k) && !(o.dry_run && has_tmp_index(links, k))) {
      tmp_indexes.push_back(k);
    }
  }
  const bool ddl_in_tx = conn.capabilities().transactional_ddl;
  if (!ddl_in_tx && o.dry_run) {
    tmp_indexes.clear();
  }
  auto make_tmp_indexes = [&] {
    for (std::size_t k : tmp_indexes) {
      conn.execute(create_tmp_index(n, k));
    }
  };
  auto drop_tmp_indexes = [&] {
    for (std::size_t k : tmp_indexes) {
      conn.execute(drop_tmp_index(n, k));
    }
  };
  // The cleanup in one transaction; `ddl` makes and drops the temporary indexes inside it.
  auto run_transaction = [&](bool ddl) {
    db::Transaction tx(conn);
    if (backup) {
      for (std::size_t k : kinds) {
        const Kind& kind = kKinds[k];
        conn.execute(fmt::format("INSERT INTO {} SELECT * FROM {} WHERE {} IS NULL",
                                 bak(kind.links), n.table(kind.links),
                                 n.col(kind.links, "REG_PATH_ID")));
      }
    }
    if (file) {
      for (std::size_t k : kinds) {
        const Kind& kind = kKinds[k];
        auto rows = conn.query(fmt::format("SELECT * FROM {} WHERE {} IS NULL", n.table(kind.links),
                                           n.col(kind.links, "REG_PATH_ID")));
        file->add(live.at(kind.links).name, *rows);
      }
    }
    if (ddl) {
      make_tmp_indexes();
    }
    for (const Statement& s : script(n, kinds)) {
      throw_if_cancelled();
      const Kind& kind = kKinds[s.kind];
      RegistryKindCounts& c = result.kinds[static_cast<std::size_t>(
          std::find(kinds.begin(), kinds.end(), s.kind) - kinds.begin())];
      // The values this statement deletes, chosen by the same anti-join, just before it runs.
      if (s.step == Step::orphans && backup) {
        conn.execute(fmt::format("INSERT INTO {} SELECT * FROM {} WHERE {}", bak(kind.values),
                                 n.table(kind.values), unlinked(n, kind)));
      } else if (s.step == Step::orphans && file) {
        auto rows = conn.query(
            fmt::format("SELECT * FROM {} WHERE {}", n.table(kind.values), unlinked(n, kind)));
        file->add(live.at(kind.values).name, *rows);
      }
      std::int64_t rows = conn.execute(s.sql);
      (s.step == Step::rewrite ? c.rewritten : s.step == Step::drop ? c.dropped : c.orphans) = rows;
    }
    if (ddl) {
      drop_tmp_indexes();
    }
    if (o.dry_run) {
      conn.rollback();
      return;
    }
    // On disk before the rows are gone: a failed commit leaves a file that restores nothing
    // new.
    if (file) {
      file->publish();
      result.backup_file_rows = file->rows();
    }
    tx.commit();
    result.changed = true;
  };
  throw_if_cancelled();
  if (ddl_in_tx) {
    run_transaction(true);
    return result;
  }
  make_tmp_indexes();
  try {
    run_transaction(false);
  } catch (...) {
    // The transaction has rolled back; the indexes go too, or, when even that fails (a lost
    // connection), with the next run.
    try {
      drop_tmp_indexes();
    } catch (const Error&) {  // NOLINT(bugprone-empty-catch): the first error is the one to report
    }
    throw;
  }
  drop_tmp_indexes();
  return result;
}

std::vector<std::pair<std::string, std::int64_t>> restore_registry_backup_file(
    db::Connection& conn, const std::string& path) {
  const db::Dialect& d = conn.dialect();
  schema::LiveTables live = schema::live_catalogued_tables(conn, schema::product("is"));
  std::vector<std::size_t> kinds = live_kinds(live);
  Names n(d, &live);
  // Which kind a table of the file is, and whether it is the links or the values table.
  auto kind_of = [&](const std::string& table, bool& links) -> const Kind& {
    for (std::size_t k : kinds) {
      for (bool l : {true, false}) {
        if (db::same_ident(table, l ? kKinds[k].links : kKinds[k].values)) {
          links = l;
          return kKinds[k];
        }
      }
    }
    throw Error(ErrorKind::config,
                fmt::format("{} holds rows of {}, not a registry table of this database",
                            echo(path), echo(table)),
                "restore into the database the backup was taken from");
  };
  auto insert_sql = [&](const char* upper, const std::vector<std::string>& columns) {
    const db::TableDef& t = live.at(upper);
    std::vector<std::string> cols;
    std::vector<std::string> marks;
    for (const std::string& c : columns) {
      const db::Column* col = t.find_column(c);
      if (col == nullptr) {
        throw Error(ErrorKind::config,
                    fmt::format("{}: {} has no column {}", echo(path), t.name, echo(c)),
                    "restore into the database the backup was taken from");
      }
      cols.push_back(d.stored_ident(col->name));
      marks.push_back(d.placeholder(static_cast<int>(marks.size()) + 1));
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({})", n.table(upper), fmt::join(cols, ", "),
                       fmt::join(marks, ", "));
  };
  auto at = [&](const std::vector<std::string>& columns, const db::Row& row, const char* name) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (db::same_ident(columns[i], name)) {
        return row[i];
      }
    }
    throw Error(ErrorKind::config, fmt::format("{}: a table has no {} column", echo(path), name),
                "restore from a file written by disable-versioning --backup-file");
  };
  std::map<std::string, std::int64_t> restored;
  db::Transaction tx(conn);
  // Values first (links refer to them), those not there already; then the rewritten links go
  // and every backed-up link comes back as it was (all deletes before the inserts, so two
  // backed-up links of one value and version cannot delete each other).
  for (int pass = 0; pass < 3; ++pass) {
    read_registry_backup(path, [&](const std::string& table,
                                   const std::vector<std::string>& columns, const db::Row& row) {
      bool links = false;
      const Kind& k = kind_of(table, links);
      if (links != (pass > 0)) {
        return;
      }
      if (pass == 0) {
        std::vector<db::Value> key = {at(columns, row, "REG_ID"),
                                      at(columns, row, "REG_TENANT_ID")};
        bool there =
            conn.query_value(
                    fmt::format("SELECT COUNT(*) FROM {} WHERE {} = {} AND {} = {}",
                                n.table(k.values), n.col(k.values, "REG_ID"), d.placeholder(1),
                                n.col(k.values, "REG_TENANT_ID"), d.placeholder(2)),
                    key)
                .value_or(db::Value(0))
                .as_int() > 0;
        if (!there) {
          restored[live.at(k.values).name] += conn.execute(insert_sql(k.values, columns), row);
        }
      } else if (pass == 1) {
        conn.execute(
            fmt::format("DELETE FROM {} WHERE {} = {} AND {} = {} AND {} = {}", n.table(k.links),
                        n.col(k.links, k.link_col), d.placeholder(1),
                        n.col(k.links, "REG_TENANT_ID"), d.placeholder(2),
                        n.col(k.links, "REG_VERSION"), d.placeholder(3)),
            std::vector<db::Value>{at(columns, row, k.link_col), at(columns, row, "REG_TENANT_ID"),
                                   at(columns, row, "REG_VERSION")});
      } else {
        restored[live.at(k.links).name] += conn.execute(insert_sql(k.links, columns), row);
      }
    });
  }
  tx.commit();
  return {restored.begin(), restored.end()};
}

std::vector<std::pair<std::string, std::int64_t>> restore_registry_backup(db::Connection& conn) {
  const db::Dialect& d = conn.dialect();
  schema::LiveTables live = schema::live_catalogued_tables(conn, schema::product("is"));
  std::vector<std::size_t> kinds = live_kinds(live);
  Names n(d, &live);
  std::vector<std::pair<std::string, std::int64_t>> out;
  std::vector<std::size_t> backed_up;
  for (std::size_t k : kinds) {
    if (conn.describe_table(backup_table_name(kKinds[k].links)) &&
        conn.describe_table(backup_table_name(kKinds[k].values))) {
      backed_up.push_back(k);
    }
  }
  if (backed_up.empty()) {
    throw Error(
        ErrorKind::config, "no CUTOVER_BAK_REG_* backup tables in this database",
        "the backup is made by 'cutover registry disable-versioning' (without --no-backup)");
  }
  auto bak = [&](const char* table) { return d.ident(backup_table_name(table)); };
  db::Transaction tx(conn);
  for (std::size_t k : backed_up) {
    const Kind& kind = kKinds[k];
    // Values first (links refer to them), those not already there.
    std::string v = n.table(kind.values);
    out.emplace_back(live.at(kind.values).name,
                     conn.execute(fmt::format(
                         "INSERT INTO {v} SELECT * FROM {b} b WHERE NOT EXISTS (SELECT 1 FROM {v} "
                         "x WHERE x.{id} = b.{id} AND x.{ten} = b.{ten})",
                         fmt::arg("v", v), fmt::arg("b", bak(kind.values)),
                         fmt::arg("id", n.col(kind.values, "REG_ID")),
                         fmt::arg("ten", n.col(kind.values, "REG_TENANT_ID")))));
    // Links: the rewritten ones go, then every backed-up link comes back as it was.
    std::string a = n.table(kind.links);
    conn.execute(fmt::format(
        "DELETE FROM {a} WHERE EXISTS (SELECT 1 FROM {b} b WHERE b.{col} = {a}.{col} AND b.{ten} "
        "= {a}.{ten} AND b.{ver} = {a}.{ver})",
        fmt::arg("a", a), fmt::arg("b", bak(kind.links)),
        fmt::arg("col", n.col(kind.links, kind.link_col)),
        fmt::arg("ten", n.col(kind.links, "REG_TENANT_ID")),
        fmt::arg("ver", n.col(kind.links, "REG_VERSION"))));
    out.emplace_back(
        live.at(kind.links).name,
        conn.execute(fmt::format("INSERT INTO {} SELECT * FROM {}", a, bak(kind.links))));
    conn.execute(fmt::format("DELETE FROM {}", bak(kind.links)));
    conn.execute(fmt::format("DELETE FROM {}", bak(kind.values)));
  }
  tx.commit();
  return out;
}

std::string disable_versioning_script(const db::Dialect& d) {
  Names n(d, nullptr);
  std::vector<std::size_t> kinds = {0, 1, 2, 3};
  std::string out = fmt::format(
      "-- cutover registry disable-versioning, {} script.\n"
      "-- Run only when registry.xml's staticConfiguration had versioning on, with the server\n"
      "-- stopped, after a backup of the REG_* tables; then set versioningProperties,\n"
      "-- versioningComments, versioningTags and versioningRatings to false.\n"
      "-- Same steps and meaning as WSO2's script (seed 004), as joins and anti-joins.\n",
      d.name());
  const char* titles[] = {
      "-- 1. Links of current resource versions get the resource's path and name.\n",
      "-- 2. Links of older versions (still without a path) are deleted.\n",
      "-- 3. Properties, tags, comments and ratings no link refers to are deleted.\n"};
  // The temporary indexes of step 3's foreign-key checks. Inside the transaction where DDL is
  // transactional, so a script that stops half-way leaves none; Oracle commits at every DDL
  // statement, so there they come before the transaction and go after it. MySQL and H2 index
  // every foreign key themselves.
  bool tmp_indexes = d.name() != "mysql" && d.name() != "h2";
  bool tmp_outside = d.name() == "oracle";
  auto make_indexes = [&] {
    out +=
        "\n-- 0. Temporary indexes on the links' value columns, for the foreign-key checks of\n"
        "--    step 3 (without them each deleted value scans its link table); dropped at the "
        "end.\n";
    if (tmp_outside) {
      out +=
          "--    Oracle commits at each CREATE INDEX, so they are made outside the transaction:\n"
          "--    if the script stops before step 4, drop them before running it again.\n";
    }
    for (std::size_t k : kinds) {
      out += create_tmp_index(n, k) + d.script_statement_end();
    }
  };
  auto drop_indexes = [&] {
    out += "\n-- 4. The temporary indexes go.\n";
    for (std::size_t k : kinds) {
      out += drop_tmp_index(n, k) + d.script_statement_end();
    }
  };
  if (tmp_indexes && tmp_outside) {
    make_indexes();
  }
  // One transaction where the script can say so; Oracle and DB2 open one implicitly.
  if (std::string begin = d.script_begin(); !begin.empty()) {
    out += "\n" + begin + ";\n";
  }
  if (tmp_indexes && !tmp_outside) {
    make_indexes();
  }
  std::optional<Step> last;
  for (const Statement& s : script(n, kinds)) {
    if (last != s.step) {
      out += std::string("\n") + titles[static_cast<int>(s.step)];
      last = s.step;
    }
    out += s.sql + d.script_statement_end();
  }
  if (tmp_indexes && !tmp_outside) {
    drop_indexes();
  }
  out += "\nCOMMIT" + d.script_statement_end();
  if (tmp_indexes && tmp_outside) {
    drop_indexes();
  }
  return out;
}

}  // namespace cutover::cleanup
