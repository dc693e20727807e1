// Capture DDL for the engines we generate SQL for but cannot run here: Oracle, SQL Server,
// DB2, H2. Same journal and semantics as the runnable three (capture_dialect.cpp): one row per
// changed row, an UPDATE that moves the key journals the old key too, the applier's session
// flag skips journaling. Golden-tested (tests/golden/<dialect>/capture_*.sql).
#include <fmt/format.h>

#include "capture/capture_dialect.h"
#include "core/error.h"

namespace cutover::capture {

namespace {

// Column types of the journal and metadata tables in one dialect.
struct JournalTypes {
  std::string_view seq;     // SEQ column definition
  std::string_view name;    // TABLE_NAME, VAL
  std::string_view key;     // K1..K4
  std::string_view bigint;  // TXID, CREATED_MS
};

std::vector<std::string> journal_tables(const db::Dialect& d, const JournalTypes& t) {
  std::string keys;
  for (std::size_t i = 1; i <= kMaxKeyColumns; ++i) {
    keys += fmt::format(", {} {}", d.ident(fmt::format("K{}", i)), t.key);
  }
  return {
      fmt::format("CREATE TABLE {} ({} {}, {} {} NOT NULL, {} CHAR(1) NOT NULL{}, {} {}, {} {} "
                  "NOT NULL)",
                  d.ident(kJournal), d.ident("SEQ"), t.seq, d.ident("TABLE_NAME"), t.name,
                  d.ident("OP"), keys, d.ident("TXID"), t.bigint, d.ident("CREATED_MS"), t.bigint),
      fmt::format("CREATE TABLE {} ({} {} NOT NULL, {} INTEGER NOT NULL, {} {} NOT NULL, PRIMARY "
                  "KEY ({}, {}))",
                  d.ident(kCaptureMeta), d.ident("TABLE_NAME"), t.name, d.ident("POS"),
                  d.ident("VAL"), t.name, d.ident("TABLE_NAME"), d.ident("POS")),
  };
}

// "TABLE_NAME, OP, K1, ..., Kn" plus `tail` (the columns each dialect fills itself).
std::string journal_columns(const db::Dialect& d, std::size_t n, std::string_view tail) {
  std::string cols = d.ident("TABLE_NAME") + ", " + d.ident("OP");
  for (std::size_t i = 1; i <= n; ++i) {
    cols += ", " + d.ident(fmt::format("K{}", i));
  }
  return cols + std::string(tail);
}

// ", <row>.<k1>, <row>.<k2>" over the key columns, each wrapped by `wrap` ("{}" keeps it).
std::string key_values(const db::Dialect& d, const CapturedTable& t, std::string_view row,
                       std::string_view wrap = "{}") {
  std::string out;
  for (const std::string& k : t.key) {
    out += ", " + fmt::format(fmt::runtime(wrap), fmt::format("{}.{}", row, d.stored_ident(k)));
  }
  return out;
}

// ---- Oracle: one PL/SQL row trigger per table, SEQ from a sequence ---------------------------
class OracleCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // A sequence, not an identity column: identity needs 12c, a sequence works on every
    // release WSO2's Oracle scripts (sequences too) run on; the trigger takes NEXTVAL itself, so no
    // second trigger fills SEQ. ORDER: on RAC each instance caches its own range without it, and a
    // value handed out far ahead of the others would look like a gap that never fills (DESIGN §3.3)
    // until it suddenly does.
    std::vector<std::string> out = {
        fmt::format("CREATE SEQUENCE {} START WITH 1 INCREMENT BY 1 CACHE 100 ORDER", seq())};
    for (std::string& s : journal_tables(sql(), {"NUMBER(19) NOT NULL PRIMARY KEY", "VARCHAR2(255)",
                                                 "VARCHAR2(512)", "NUMBER(19)"})) {
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<std::string> drop_journal() const override {
    // PURGE: a dropped table would otherwise stay behind in the recycle bin as BIN$... objects.
    return {fmt::format("DROP TABLE {} PURGE", sql().ident(kJournal)),
            fmt::format("DROP TABLE {} PURGE", sql().ident(kCaptureMeta)),
            fmt::format("DROP SEQUENCE {}", seq())};
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string same_key;
    for (const std::string& k : t.key) {
      std::string c = d.stored_ident(k);
      same_key += fmt::format("{}(:OLD.{} = :NEW.{} OR (:OLD.{} IS NULL AND :NEW.{} IS NULL))",
                              same_key.empty() ? "" : " AND ", c, c, c, c);
    }
    // TXID stays NULL: DBMS_TRANSACTION.LOCAL_TRANSACTION_ID is text ("usn.slot.seq") and the
    // numeric XID needs V$TRANSACTION, which the IS's user cannot read.
    std::string cols = journal_columns(d, t.key.size(), ", " + d.ident("CREATED_MS"));
    auto insert = [&](std::string_view row) {
      return fmt::format("INSERT INTO {} ({}, {}) VALUES ({}.NEXTVAL, {}, v_op{}, v_ms);",
                         d.ident(kJournal), d.ident("SEQ"), cols, seq(), table_literal(t),
                         key_values(d, t, row));
    };
    // v_ prefixes: inside SQL a column name wins over a PL/SQL variable of the same name.
    return {fmt::format(
        "CREATE OR REPLACE TRIGGER {}\n"
        "AFTER INSERT OR UPDATE OR DELETE ON {}\n"
        "FOR EACH ROW\n"
        "DECLARE\n"
        "  v_op CHAR(1);\n"
        "  v_since INTERVAL DAY(9) TO SECOND(9);\n"
        "  v_ms NUMBER(19);\n"
        "BEGIN\n"
        "  IF NVL(SYS_CONTEXT('CLIENTCONTEXT', 'CUTOVER_APPLYING'), 'off') <> 'on' THEN\n"
        "    v_since := SYS_EXTRACT_UTC(SYSTIMESTAMP) - TIMESTAMP '1970-01-01 00:00:00';\n"
        "    v_ms := ((EXTRACT(DAY FROM v_since) * 24 + EXTRACT(HOUR FROM v_since)) * 60\n"
        "             + EXTRACT(MINUTE FROM v_since)) * 60000\n"
        "            + FLOOR(EXTRACT(SECOND FROM v_since) * 1000);\n"
        "    v_op := CASE WHEN INSERTING THEN 'I' WHEN UPDATING THEN 'U' ELSE 'D' END;\n"
        "    IF DELETING OR (UPDATING AND NOT ({})) THEN\n"
        "      {}\n"
        "    END IF;\n"
        "    IF NOT DELETING THEN\n"
        "      {}\n"
        "    END IF;\n"
        "  END IF;\n"
        "END;",
        d.ident(object_name(t.name, "TRG")), d.stored_ident(t.name), same_key, insert(":OLD"),
        insert(":NEW"))};
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    // Oracle has no DROP TRIGGER IF EXISTS: ORA-04080 (no such trigger) counts as done.
    std::string drop = fmt::format("DROP TRIGGER {}", sql().ident(object_name(t.name, "TRG")));
    return {
        fmt::format("BEGIN\n"
                    "  EXECUTE IMMEDIATE {};\n"
                    "EXCEPTION\n"
                    "  WHEN OTHERS THEN\n"
                    "    IF SQLCODE <> -4080 THEN RAISE; END IF;\n"
                    "END;",
                    sql().string_literal(drop))};
  }

  // SQL*Plus and WSO2's Oracle scripts end every statement with a "/" line; a PL/SQL block
  // cannot end with ";" alone.
  std::string script_terminator(std::string_view /*statement*/) const override { return "\n/\n"; }

  // SQL*Plus does not commit DML by itself: without this the final "ready" marks wait for the
  // session's end (and are lost if the DBA's client exits with ROLLBACK).
  std::string script_epilogue() const override { return "COMMIT\n/\n"; }

 private:
  std::string seq() const { return sql().ident("CO_JOURNAL_SEQ"); }
};

// ---- SQL Server: statement triggers over the inserted/deleted pseudo-tables ------------------
// Needs SQL Server 2016 or later (SESSION_CONTEXT, CURRENT_TRANSACTION_ID, DATEDIFF_BIG,
// DROP ... IF EXISTS). The applier sets the flag with
// EXEC sp_set_session_context N'cutover_applying', N'on'.
class MssqlCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // NVARCHAR keys: an NVARCHAR key column keeps every character.
    return journal_tables(sql(), {"BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY", "NVARCHAR(255)",
                                  "NVARCHAR(512)", "BIGINT"});
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string cols = journal_columns(
        d, t.key.size(), fmt::format(", {}, {}", d.ident("TXID"), d.ident("CREATED_MS")));
    auto insert = [&](std::string_view op, std::string_view rows, std::string_view alias,
                      std::string_view indent) {
      return fmt::format(
          "{0}INSERT INTO {1} ({2})\n{0}  SELECT {3}, '{4}'{5}, @tx, @ms FROM {6} AS {7};\n",
          indent, d.ident(kJournal), cols, table_literal(t), op, key_values(d, t, alias), rows,
          alias);
    };
    // UPDATE() is true when the column is in the SET list. The old and new rows of a
    // multi-row UPDATE cannot be paired once the key changed, so then every old key is
    // journaled too (harmless where it did not change: the apply reads the current row).
    std::string key_set;
    for (const std::string& k : t.key) {
      key_set += fmt::format("{}UPDATE({})", key_set.empty() ? "" : " OR ", d.stored_ident(k));
    }
    // NOCOUNT: the trigger's own row counts would reach the IS's JDBC driver as extra results.
    // The journal's IDENTITY changes @@IDENTITY but not SCOPE_IDENTITY(), which JDBC's
    // generated keys read.
    auto trigger = [&](std::string_view suffix, std::string_view event, const std::string& body) {
      return fmt::format(
          "CREATE TRIGGER {} ON {} AFTER {} AS\n"
          "BEGIN\n"
          "  SET NOCOUNT ON;\n"
          "  IF CAST(SESSION_CONTEXT(N'cutover_applying') AS NVARCHAR(8)) = N'on' RETURN;\n"
          "  DECLARE @tx BIGINT = CURRENT_TRANSACTION_ID();\n"
          "  DECLARE @ms BIGINT = DATEDIFF_BIG(MILLISECOND, '19700101', SYSUTCDATETIME());\n"
          "{}"
          "END",
          d.ident(object_name(t.name, suffix)), d.stored_ident(t.name), event, body);
    };
    return {
        trigger("AI", "INSERT", insert("I", "inserted", "i", "  ")),
        trigger("AU", "UPDATE",
                fmt::format("  IF {}\n{}{}", key_set, insert("U", "deleted", "d", "    "),
                            insert("U", "inserted", "i", "  "))),
        trigger("AD", "DELETE", insert("D", "deleted", "d", "  ")),
    };
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    std::vector<std::string> out;
    for (const char* s : {"AI", "AU", "AD"}) {
      out.push_back(fmt::format("DROP TRIGGER IF EXISTS {}", sql().ident(object_name(t.name, s))));
    }
    return out;
  }

  // CREATE TRIGGER must be the first statement of a batch: sqlcmd and SSMS batches end at GO.
  std::string script_terminator(std::string_view /*statement*/) const override { return "\nGO\n"; }
};

// ---- DB2: three row triggers per table, the applier's flag in a global variable --------------
// The applier sets it with SET CUTOVER_APPLYING = 'on' (and needs WRITE on the variable).
class Db2Capture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    // ORDER: under pureScale each member caches its own range otherwise (see Oracle above).
    std::vector<std::string> out = journal_tables(
        sql(), {"BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1 "
                "CACHE 100 ORDER) PRIMARY KEY",
                "VARCHAR(255)", "VARCHAR(512)", "BIGINT"});
    // A global variable holds one value per session, NULL until the applier sets it.
    out.push_back(fmt::format("CREATE VARIABLE {} VARCHAR(3) DEFAULT NULL", flag()));
    return out;
  }

  std::vector<std::string> drop_journal() const override {
    std::vector<std::string> out = CaptureDialect::drop_journal();
    out.push_back(fmt::format("DROP VARIABLE {}", flag()));
    return out;
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string cols = journal_columns(d, t.key.size(), ", " + d.ident("CREATED_MS"));
    auto insert = [&](std::string_view row, std::string_view op) {
      return fmt::format("INSERT INTO {} ({}) VALUES ({}, '{}'{}, V_MS);", d.ident(kJournal), cols,
                         table_literal(t), op, key_values(d, t, row, "CAST({} AS VARCHAR(512))"));
    };
    std::string same_key;
    for (const std::string& k : t.key) {
      same_key += fmt::format("{}O.{} IS NOT DISTINCT FROM N.{}", same_key.empty() ? "" : " AND ",
                              d.stored_ident(k), d.stored_ident(k));
    }
    std::string table = d.stored_ident(t.name);
    auto trigger = [&](std::string_view suffix, std::string_view event,
                       std::string_view referencing, const std::string& body) {
      return fmt::format(
          "CREATE TRIGGER {} AFTER {} ON {}\n"
          "REFERENCING {}\n"
          "FOR EACH ROW\n"
          "WHEN (COALESCE({}, '') <> 'on')\n"
          "BEGIN ATOMIC\n"
          "  DECLARE V_UTC TIMESTAMP;\n"
          "  DECLARE V_MS BIGINT;\n"
          "  SET V_UTC = CURRENT TIMESTAMP - CURRENT TIMEZONE;\n"
          "  SET V_MS = (BIGINT(DAYS(V_UTC) - DAYS('1970-01-01')) * 86400 + "
          "MIDNIGHT_SECONDS(V_UTC))\n"
          "      * 1000 + BIGINT(MICROSECOND(V_UTC) * 0.001);\n"
          "{}"
          "END",
          d.ident(object_name(t.name, suffix)), event, table, referencing, flag(), body);
    };
    return {
        trigger("AI", "INSERT", "NEW AS N", "  " + insert("N", "I") + "\n"),
        trigger("AU", "UPDATE", "NEW AS N OLD AS O",
                fmt::format("  IF NOT ({}) THEN\n    {}\n  END IF;\n  {}\n", same_key,
                            insert("O", "U"), insert("N", "U"))),
        trigger("AD", "DELETE", "OLD AS O", "  " + insert("O", "D") + "\n"),
    };
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    // No DROP TRIGGER IF EXISTS before 11.5: SQLSTATE 42704 (undefined name) counts as done.
    std::string body;
    for (const char* s : {"AI", "AU", "AD"}) {
      body += fmt::format("  EXECUTE IMMEDIATE {};\n",
                          sql().string_literal(
                              fmt::format("DROP TRIGGER {}", sql().ident(object_name(t.name, s)))));
    }
    return {
        fmt::format("BEGIN\n"
                    "  DECLARE CONTINUE HANDLER FOR SQLSTATE '42704' BEGIN END;\n"
                    "{}"
                    "END",
                    body)};
  }

  // Trigger bodies hold ";": run with `db2 -td/ -f`, as WSO2's DB2 scripts are (which is also
  // why the triggers multiply by 0.001 instead of dividing).
  std::string script_terminator(std::string_view /*statement*/) const override { return "\n/\n"; }

  // `db2 +c` (autocommit off, as some DBAs run scripts) would otherwise leave the metadata rows
  // uncommitted; with autocommit on the COMMIT is a no-op.
  std::string script_epilogue() const override { return "COMMIT\n/\n"; }

 private:
  std::string flag() const { return sql().ident(kApplyingMarker); }
};

// ---- H2: a Java trigger compiled by H2 from source (needs a JDK where the IS runs) -----------
// The applier sets the flag with SET @cutover_applying = 'on' (a session variable).

// A Java string literal for `s` that contains no "$" (the SQL wraps the source in $$ ... $$)
// and no backslash-u sequence (Java would decode it before parsing): octal escapes instead.
std::string java_literal(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '$' || c < 0x20 || c == 0x7f) {
      out += fmt::format("\\{:03o}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

class H2Capture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override {
    return journal_tables(sql(), {"BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "VARCHAR(255)",
                                  "VARCHAR(512)", "BIGINT"});
  }

  std::vector<std::string> create_triggers(const CapturedTable& t) const override {
    const db::Dialect& d = sql();
    std::string keys;
    std::string marks;
    for (const std::string& k : t.key) {
      keys += (keys.empty() ? "" : ", ") + java_literal(k);
      marks += ", ?";
    }
    std::string insert =
        fmt::format("INSERT INTO {} ({}) VALUES (?, ?{}, ?)", d.ident(kJournal),
                    journal_columns(d, t.key.size(), ", " + d.ident("CREATED_MS")), marks);
    // H2 compiles the source as the imports before @CODE plus a class around the method after
    // it, calls the method once, and hands each row to fire() in the table's column order;
    // init() finds where the key columns are. TABLE_NAME is the name H2 passes to init().
    std::string source = fmt::format(
        R"(import java.sql.*;
import java.util.Objects;
@CODE
org.h2.api.Trigger create() {{
    return new org.h2.api.Trigger() {{
        private final String[] keys = {{{}}};
        private final int[] at = new int[keys.length];
        private String table;

        public void init(Connection conn, String schema, String trigger, String table,
                boolean before, int type) throws SQLException {{
            this.table = table;
            try (PreparedStatement ps = conn.prepareStatement("SELECT ORDINAL_POSITION"
                    + " FROM INFORMATION_SCHEMA.COLUMNS"
                    + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {{
                for (int i = 0; i < keys.length; i++) {{
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, keys[i]);
                    try (ResultSet rs = ps.executeQuery()) {{
                        if (!rs.next()) {{
                            throw new SQLException("cutover capture: no column " + keys[i]
                                    + " in " + table + "; run cutover sync remove and prepare");
                        }}
                        at[i] = rs.getInt(1) - 1;
                    }}
                }}
            }}
        }}

        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {{
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @cutover_applying")) {{
                if (rs.next() && "on".equals(rs.getString(1))) {{
                    return;
                }}
            }}
            if (oldRow != null && (newRow == null || !sameKey(oldRow, newRow))) {{
                journal(conn, newRow == null ? "D" : "U", oldRow);
            }}
            if (newRow != null) {{
                journal(conn, oldRow == null ? "I" : "U", newRow);
            }}
        }}

        private boolean sameKey(Object[] a, Object[] b) {{
            for (int i : at) {{
                if (!Objects.deepEquals(a[i], b[i])) {{
                    return false;
                }}
            }}
            return true;
        }}

        private void journal(Connection conn, String op, Object[] row) throws SQLException {{
            try (PreparedStatement ps = conn.prepareStatement({})) {{
                ps.setString(1, table);
                ps.setString(2, op);
                for (int i = 0; i < at.length; i++) {{
                    ps.setObject(3 + i, row[at[i]]);
                }}
                ps.setLong(3 + at.length, System.currentTimeMillis());
                ps.executeUpdate();
            }}
        }}

        public void close() {{
        }}

        public void remove() {{
        }}
    }};
}})",
        keys, java_literal(insert));
    // java_literal leaves no "$" in the source, so "$$" cannot occur inside it.
    return {
        fmt::format("CREATE TRIGGER {} AFTER INSERT, UPDATE, DELETE ON {} FOR EACH ROW AS "
                    "$$\n{}\n$$",
                    d.ident(object_name(t.name, "TRG")), d.stored_ident(t.name), source)};
  }

  std::vector<std::string> drop_triggers(const CapturedTable& t) const override {
    return {fmt::format("DROP TRIGGER IF EXISTS {}", sql().ident(object_name(t.name, "TRG")))};
  }
};

}  // namespace

const CaptureDialect& oracle_capture() {
  static const OracleCapture kCapture(db::dialect_by_name("oracle"));
  return kCapture;
}

const CaptureDialect& mssql_capture() {
  static const MssqlCapture kCapture(db::dialect_by_name("mssql"));
  return kCapture;
}

const CaptureDialect& db2_capture() {
  static const Db2Capture kCapture(db::dialect_by_name("db2"));
  return kCapture;
}

const CaptureDialect& h2_capture() {
  static const H2Capture kCapture(db::dialect_by_name("h2"));
  return kCapture;
}

}  // namespace cutover::capture
