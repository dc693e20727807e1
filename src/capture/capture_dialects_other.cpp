// Capture DDL for the engines we generate SQL for but cannot run here: Oracle, SQL Server,
// DB2, H2. Golden-tested (tests/golden/<dialect>/capture_*.sql).
#include <fmt/format.h>

#include "capture/capture_dialect.h"
#include "core/error.h"

namespace cutover::capture {

namespace {

// Issue 13: filled in by this session before it is resolved.
class PendingCapture : public CaptureDialect {
 public:
  using CaptureDialect::CaptureDialect;

  std::vector<std::string> create_journal() const override { throw pending(); }

  std::vector<std::string> create_triggers(const CapturedTable& /*t*/) const override {
    throw pending();
  }

  std::vector<std::string> drop_triggers(const CapturedTable& /*t*/) const override {
    throw pending();
  }

 private:
  Error pending() const {
    return Error(ErrorKind::unsupported,
                 fmt::format("capture DDL for {} is not written yet", sql().name()));
  }
};

}  // namespace

const CaptureDialect& oracle_capture() {
  static const PendingCapture c(db::dialect_by_name("oracle"));
  return c;
}

const CaptureDialect& mssql_capture() {
  static const PendingCapture c(db::dialect_by_name("mssql"));
  return c;
}

const CaptureDialect& db2_capture() {
  static const PendingCapture c(db::dialect_by_name("db2"));
  return c;
}

const CaptureDialect& h2_capture() {
  static const PendingCapture c(db::dialect_by_name("h2"));
  return c;
}

}  // namespace cutover::capture
