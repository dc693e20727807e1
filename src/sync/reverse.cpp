#include "sync/reverse.h"

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/error.h"
#include "db/registry.h"
#include "sync/position.h"
#include "sync/tables.h"

namespace cutover::sync {

std::optional<std::string> armed_reverse_journal(db::Connection& old_db, db::Connection& new_db) {
  std::optional<capture::CaptureInfo> fwd = capture::read_capture(old_db);
  std::optional<capture::CaptureInfo> rev = capture::read_capture(new_db);
  if (!rev || !rev->complete || (fwd && fwd->journal_id == rev->journal_id)) {
    return std::nullopt;
  }
  if (!load_position(old_db, rev->journal_id)) {
    return std::nullopt;
  }
  return rev->journal_id;
}

ArmResult arm_reverse(const SyncConfig& config) {
  capture::InstallOptions io;
  db::OpenOptions o;
  // The new IS may already write: each trigger waits for its table briefly and retries, as
  // prepare does on the old database.
  o.lock_timeout_ms = io.lock_timeout_ms;
  std::unique_ptr<db::Connection> old_db = db::open(config.source);
  std::unique_ptr<db::Connection> new_db = db::open(config.target, o);
  std::optional<capture::CaptureInfo> fwd = capture::read_capture(*old_db);
  if (!fwd || !fwd->complete) {
    throw Error(ErrorKind::config, "the old database has no complete change capture",
                "run 'cutover sync prepare' on the source first");
  }
  std::optional<capture::CaptureInfo> rev = capture::read_capture(*new_db);
  if (rev && rev->journal_id == fwd->journal_id) {
    capture::remove(*new_db);  // a dumped copy of the forward capture, not ours to keep
    rev.reset();
  }
  ArmResult result;
  if (rev && rev->complete) {
    result.journal_id = rev->journal_id;
    for (const capture::CapturedTable& t : rev->tables) {
      result.tables.push_back(t.name);
    }
    if (load_position(*old_db, rev->journal_id)) {
      result.already = true;
      return result;
    }
  } else {
    // The tables the forward capture lists (parents included), resolved on the new database;
    // install() also finishes an installation a crash interrupted.
    SyncConfig rc = reversed(config);
    rc.tables.clear();
    for (const capture::CapturedTable& t : fwd->tables) {
      rc.tables.push_back(t.name);
    }
    capture::CaptureInfo info =
        capture::install(*new_db, captured_tables(resolve_tables(*new_db, rc)), io);
    result.journal_id = info.journal_id;
    for (const capture::CapturedTable& t : info.tables) {
      result.tables.push_back(t.name);
    }
  }
  // The journal starts at 1 on every engine: position 0 applies it from its beginning, and the
  // capture went in after both sides were found equal.
  ensure_progress_table(*old_db);
  db::Transaction tx(*old_db);
  store_position(*old_db, Position{result.journal_id, 0, {}});
  tx.commit();
  return result;
}

}  // namespace cutover::sync
