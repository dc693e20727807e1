#include "capture/capture_dialect.h"

#include <array>
#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "core/error.h"

namespace cutover::capture {

namespace {

constexpr std::size_t kMaxName = 30;

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  return h;
}

}  // namespace

std::string CaptureDialect::object_name(std::string_view table, std::string_view suffix) {
  std::string clean;
  bool changed = false;
  for (char c : table) {
    // Lower case counts as changed: "idn_x" and "IDN_X" are two tables on PostgreSQL, and
    // SQL Server compares trigger names without case, so only the hash keeps them apart.
    bool lower = c >= 'a' && c <= 'z';
    char u = lower ? static_cast<char>(c - 'a' + 'A') : c;
    bool ok = (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_';
    clean += ok ? u : '_';
    changed = changed || !ok || lower;
  }
  std::string name = fmt::format("CO_{}_{}", clean, suffix);
  if (name.size() <= kMaxName && !changed) {
    return name;
  }
  // Shortened or cleaned: the hash of the exact stored name keeps two tables apart whose
  // names agree on the kept prefix or differ only in characters we replaced.
  std::string hash = fmt::format("{:08X}", fnv1a(table));
  std::size_t room = kMaxName - (3 + 1 + hash.size() + 1 + suffix.size());
  return fmt::format("CO_{}_{}_{}", clean.substr(0, room), hash, suffix);
}

std::string CaptureDialect::table_literal(const CapturedTable& t) const {
  return sql_.string_literal(t.name);
}

std::vector<std::string> CaptureDialect::drop_journal() const {
  return {fmt::format("DROP TABLE {}", sql_.ident(kJournal)),
          fmt::format("DROP TABLE {}", sql_.ident(kCaptureMeta))};
}

std::string CaptureDialect::script_terminator(std::string_view /*statement*/) const {
  return ";\n";
}

namespace {

// Column list of the journal rows a trigger writes, with `n` key columns.
std::string journal_columns(const db::Dialect& d, std::size_t n) {
  std::string cols = "TABLE_NAME, OP";
  for (std::size_t i = 1; i <= n; ++i) {
    cols += fmt::format(", K{}", i);
  }
  (void)d;
  return cols + ", TXID, CREATED_MS";
}

// Portable journal: SEQ is added by each dialect in its own way.
std::string journal_body(std::string_view seq_column, std::string_view text_type,
                         std::string_view tail = "") {
  std::string keys;
  for (std::size_t i = 1; i <= kMaxKeyColumns; ++i) {
    keys += fmt::format(", K{} {}", i, text_type);
  }
  return fmt::format(
      "CREATE TABLE {} ({}, TABLE_NAME VARCHAR(255) NOT NULL, OP CHAR(1) NOT NULL{}, TXID BIGINT, "
      "CREATED_MS BIGINT NOT NULL){}",
      kJournal, seq_column, keys, tail);
}

std::string meta_table(std::string_view tail = "") {
  return fmt::format(
      "CREATE TABLE {} (TABLE_NAME VARCHAR(255) NOT NULL, POS INTEGER NOT NULL, VAL VARCHAR(255) "
      "NOT NULL, PRIMARY KEY (TABLE_NAME, POS)){}",
      kCaptureMeta, tail);
}

// ---- SQLite: no session variables, one writer at a time -------------------------------------
class SqliteCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // INTEGER PRIMARY KEY without AUTOINCREMENT: the next value is max(SEQ)+1, so the prune
    // never deletes the newest entry (sync/apply.cpp) and a value is never handed out twice;
    // AUTOINCREMENT would leave sqlite_sequence behind after remove.
    return {journal_body("SEQ INTEGER PRIMARY KEY", "VARCHAR(512)"), meta_table(),
            fmt::format("CREATE TABLE {} (ID INTEGER)", kApplyingMarker)};
  }

  std::vector<std::string> drop_journal() const override {
    std::vector<std::string> out = CaptureDialect::drop_journal();
    out.push_back(fmt::format("DROP TABLE {}", kApplyingMarker));
    return out;
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string cols = journal_columns(d, t.key.size());
    std::string now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    auto values = [&](std::string_view row, std::string_view op) {
      std::string v = fmt::format("{}, '{}'", table_literal(t), op);
      for (const std::string& k : t.key) {
        v += fmt::format(", {}.{}", row, d.stored_ident(k));
      }
      return v + ", NULL, " + now;
    };
    std::string same_key;
    for (const std::string& k : t.key) {
      // Compared as bytes: under a NOCASE column 'alice' -> 'Alice' is a key change too.
      same_key +=
          fmt::format("{}CAST(OLD.{} AS BLOB) IS CAST(NEW.{} AS BLOB)",
                      same_key.empty() ? "" : " AND ", d.stored_ident(k), d.stored_ident(k));
    }
    std::string when = fmt::format("WHEN NOT EXISTS (SELECT 1 FROM {})", kApplyingMarker);
    std::string table = d.stored_ident(t.name);
    return {
        fmt::format("CREATE TRIGGER {} AFTER INSERT ON {} FOR EACH ROW {} BEGIN INSERT INTO {} "
                    "({}) VALUES ({}); END",
                    d.ident(object_name(t.name, "AI")), table, when, kJournal, cols,
                    values("NEW", "I")),
        fmt::format("CREATE TRIGGER {} AFTER UPDATE ON {} FOR EACH ROW {} BEGIN INSERT INTO {} "
                    "({}) VALUES ({}); INSERT INTO {} ({}) SELECT {} WHERE NOT ({}); END",
                    d.ident(object_name(t.name, "AU")), table, when, kJournal, cols,
                    values("NEW", "U"), kJournal, cols, values("OLD", "U"), same_key),
        fmt::format("CREATE TRIGGER {} AFTER DELETE ON {} FOR EACH ROW {} BEGIN INSERT INTO {} "
                    "({}) VALUES ({}); END",
                    d.ident(object_name(t.name, "AD")), table, when, kJournal, cols,
                    values("OLD", "D")),
    };
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    std::vector<std::string> out;
    for (const char* s : {"AI", "AU", "AD"}) {
      out.push_back(fmt::format("DROP TRIGGER IF EXISTS {}", sql().ident(object_name(t.name, s))));
    }
    return out;
  }
};

// ---- PostgreSQL: one PL/pgSQL function and one row trigger per table ------------------------
class PostgresCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // BIGSERIAL: the sequence belongs to the column and goes with the table on remove.
    return {journal_body("SEQ BIGSERIAL PRIMARY KEY", "VARCHAR(512)"), meta_table()};
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string cols = journal_columns(d, t.key.size());
    auto values = [&](std::string_view row) {
      std::string v = fmt::format("{}, substr(TG_OP, 1, 1)", table_literal(t));
      for (const std::string& k : t.key) {
        v += fmt::format(", {}.{}::text", row, d.stored_ident(k));
      }
      return v + ", txid_current(), (extract(epoch from clock_timestamp()) * 1000)::bigint";
    };
    std::string old_key;
    std::string new_key;
    for (const std::string& k : t.key) {
      old_key += fmt::format("{}OLD.{}", old_key.empty() ? "" : ", ", d.stored_ident(k));
      new_key += fmt::format("{}NEW.{}", new_key.empty() ? "" : ", ", d.stored_ident(k));
    }
    std::string body = fmt::format(
        "\nBEGIN\n"
        "  IF current_setting('cutover.applying', true) = 'on' THEN RETURN NULL; END IF;\n"
        "  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ({}) IS DISTINCT FROM ({})) THEN\n"
        "    INSERT INTO {} ({}) VALUES ({});\n"
        "  END IF;\n"
        "  IF TG_OP <> 'DELETE' THEN\n"
        "    INSERT INTO {} ({}) VALUES ({});\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END\n",
        old_key, new_key, kJournal, cols, values("OLD"), kJournal, cols, values("NEW"));
    // A dollar-quote tag that cannot occur in the body, whatever the table is called.
    std::string tag = "$co$";
    for (int i = 0; body.find(tag) != std::string::npos; ++i) {
      tag = fmt::format("$co{}$", i);
    }
    std::string fn = d.ident(object_name(t.name, "FN"));
    // SECURITY DEFINER: the IS's own database user needs no rights on the journal. The
    // search_path is pinned to the journal's schema with pg_temp last: otherwise pg_temp is
    // searched first, and any user who may write a captured table could create a temporary
    // CUTOVER_JOURNAL (or a trigger on one) that runs with the definer's rights.
    std::string schema = t.schema.empty() ? std::string("public") : t.schema;
    return {
        fmt::format("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET "
                    "search_path = {}, pg_temp AS {}{}{}",
                    fn, d.stored_ident(schema), tag, body, tag),
        fmt::format("CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE ON {} FOR EACH ROW "
                    "EXECUTE PROCEDURE {}()",
                    d.ident(object_name(t.name, "TRG")), d.stored_ident(t.name), fn),
    };
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    // CASCADE takes the trigger with the function, also when the table is gone.
    return {fmt::format("DROP FUNCTION IF EXISTS {}() CASCADE",
                        sql().ident(object_name(t.name, "FN")))};
  }
};

// ---- MySQL / MariaDB: three triggers per table, the applier's session variable ----------------
class MysqlCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // utf8mb4_bin: keys of any character set kept exactly, compared byte for byte.
    std::string tail = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    return {journal_body("SEQ BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "VARCHAR(512)", tail),
            meta_table(tail)};
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string cols = journal_columns(d, t.key.size());
    auto insert = [&](std::string_view row, std::string_view op) {
      std::string v = fmt::format("{}, '{}'", table_literal(t), op);
      for (const std::string& k : t.key) {
        v += fmt::format(", {}.{}", row, d.stored_ident(k));
      }
      return fmt::format(
          "INSERT INTO {} ({}) VALUES ({}, NULL, CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED));",
          kJournal, cols, v);
    };
    std::string same_key;
    for (const std::string& k : t.key) {
      // BINARY: WSO2's MySQL tables are case-insensitive and PAD SPACE, and 'alice' ->
      // 'Alice ' moves the key for every engine the rows go to.
      same_key += fmt::format("{}BINARY OLD.{} <=> BINARY NEW.{}", same_key.empty() ? "" : " AND ",
                              d.stored_ident(k), d.stored_ident(k));
    }
    std::string table = d.stored_ident(t.name);
    auto trigger = [&](std::string_view suffix, std::string_view event, const std::string& body) {
      return fmt::format(
          "CREATE TRIGGER {} AFTER {} ON {} FOR EACH ROW BEGIN IF @cutover_applying IS NULL "
          "THEN {} END IF; END",
          d.ident(object_name(t.name, suffix)), event, table, body);
    };
    return {
        trigger("AI", "INSERT", insert("NEW", "I")),
        trigger("AU", "UPDATE",
                insert("NEW", "U") +
                    fmt::format(" IF NOT ({}) THEN {} END IF;", same_key, insert("OLD", "U"))),
        trigger("AD", "DELETE", insert("OLD", "D")),
    };
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    std::vector<std::string> out;
    for (const char* s : {"AI", "AU", "AD"}) {
      out.push_back(fmt::format("DROP TRIGGER IF EXISTS {}", sql().ident(object_name(t.name, s))));
    }
    return out;
  }

  // The mysql client ends a statement at every ";", also inside a trigger's BEGIN ... END, so
  // a printed script switches the delimiter as WSO2's MySQL scripts do.
  std::string script_prologue() const override { return "DELIMITER //\n"; }

  std::string script_terminator(std::string_view /*statement*/) const override { return "\n//\n"; }

  std::string script_epilogue() const override { return "DELIMITER ;\n"; }
};

}  // namespace

// The four generate-only dialects live in capture/capture_dialects_other.cpp.
const CaptureDialect& oracle_capture();
const CaptureDialect& mssql_capture();
const CaptureDialect& db2_capture();
const CaptureDialect& h2_capture();

const CaptureDialect& capture_dialect(std::string_view name) {
  static const SqliteCapture kSqlite(db::dialect_by_name("sqlite"));
  static const PostgresCapture kPostgres(db::dialect_by_name("postgresql"));
  static const MysqlCapture kMysql(db::dialect_by_name("mysql"));
  const db::Dialect& d = db::dialect_by_name(name);  // throws for unknown names
  if (d.name() == "sqlite") {
    return kSqlite;
  }
  if (d.name() == "postgresql") {
    return kPostgres;
  }
  if (d.name() == "mysql") {
    return kMysql;
  }
  if (d.name() == "oracle") {
    return oracle_capture();
  }
  if (d.name() == "mssql") {
    return mssql_capture();
  }
  if (d.name() == "db2") {
    return db2_capture();
  }
  return h2_capture();
}

}  // namespace cutover::capture
