// Printed capture scripts (`cutover sync prepare --print-sql DIALECT`, and the removal): the
// statements a CaptureDialect produces, each closed by the dialect's script terminator, for a
// DBA to run with the engine's own client.
#include <fmt/format.h>

#include "capture/capture.h"
#include "capture/capture_dialect.h"
#include "core/error.h"

namespace cutover::capture {

namespace {

// A table the journal cannot hold (no key, or more key columns than K1..K4) stops the script
// before anything is printed.
void check_tables(const std::vector<CapturedTable>& tables) {
  for (const CapturedTable& t : tables) {
    if (t.key.empty() || t.key.size() > kMaxKeyColumns) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} has {} key columns; capture journals 1 to {}", t.name,
                              t.key.size(), kMaxKeyColumns),
                  "sync a table with a primary key or unique key of at most 4 columns");
    }
  }
}

void append(std::string& out, const CaptureDialect& c, const std::vector<std::string>& sqls) {
  for (const std::string& s : sqls) {
    out += s + c.script_terminator(s);
  }
}

// One metadata row as an INSERT (one row per statement: Oracle has no multi-row VALUES).
std::string meta_row(const CaptureDialect& c, std::string_view table, int pos,
                     std::string_view val) {
  const db::Dialect& d = c.sql();
  return fmt::format("INSERT INTO {} (TABLE_NAME, POS, VAL) VALUES ({}, {}, {})", kCaptureMeta,
                     d.string_literal(table), pos, d.string_literal(val));
}

// The UPDATE that turns a metadata state row (POS `pos`) to ready.
std::string mark_ready(const CaptureDialect& c, std::string_view table, int pos = 0) {
  const db::Dialect& d = c.sql();
  return fmt::format("UPDATE {} SET VAL = {} WHERE TABLE_NAME = {} AND POS = {}", kCaptureMeta,
                     d.string_literal(kStateReady), d.string_literal(table), pos);
}

}  // namespace

// Table names stay out of the "--" headers: a client that misreads a quote in a comment would
// run the script differently from what the DBA reviewed.
std::string install_script(std::string_view dialect, const std::vector<CapturedTable>& tables,
                           std::string_view journal_id) {
  const CaptureDialect& c = capture_dialect(dialect);
  check_tables(tables);
  std::string out = fmt::format(
      "-- cutover change capture for {}: journal {}, metadata {} and row triggers on {} tables\n"
      "-- run as a user allowed to create tables and triggers on those tables\n",
      c.sql().name(), kJournal, kCaptureMeta, tables.size());
  out += c.script_prologue();
  // The metadata install() writes, in the same order: the journal "installing" until every
  // table has its triggers, so a script stopped half-way reads as incomplete and the next
  // `cutover sync prepare` finishes it instead of trusting it.
  append(out, c, c.create_journal());
  append(out, c,
         {meta_row(c, kMetaGlobal, 0, journal_id),
          meta_row(c, kMetaGlobal, 1, std::to_string(kJournalFormat)),
          meta_row(c, kMetaGlobal, 2, kStateInstalling)});
  // Each table is listed before its triggers go in (so remove finds a half-installed one) and
  // marked ready after.
  for (const CapturedTable& t : tables) {
    std::vector<std::string> rows = {meta_row(c, t.name, 0, kStateInstalling)};
    for (std::size_t i = 0; i < t.key.size(); ++i) {
      rows.push_back(meta_row(c, t.name, static_cast<int>(i + 1), t.key[i]));
    }
    append(out, c, rows);
    append(out, c, c.create_triggers(t));
    append(out, c, {mark_ready(c, t.name)});
  }
  append(out, c, {mark_ready(c, kMetaGlobal, 2)});
  return out + c.script_epilogue();
}

std::string remove_script(std::string_view dialect, const std::vector<CapturedTable>& tables) {
  const CaptureDialect& c = capture_dialect(dialect);
  std::string out = fmt::format(
      "-- cutover change capture removal for {}: the triggers on {} tables, then journal {} "
      "and metadata {}\n"
      "-- run as a user allowed to drop those triggers and tables\n",
      c.sql().name(), tables.size(), kJournal, kCaptureMeta);
  out += c.script_prologue();
  for (const CapturedTable& t : tables) {
    append(out, c, c.drop_triggers(t));
  }
  append(out, c, c.drop_journal());
  return out + c.script_epilogue();
}

}  // namespace cutover::capture
