// Cases about the session cutover sets up, whatever the server is configured with. The test
// servers run in a time zone other than UTC (tests/servers/*_start.sh), as many production
// servers do; cutover's timestamps are UTC wall-clock text on every backend.
#include <chrono>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace cutover::test {
namespace {

// Seconds since the epoch of "YYYY-MM-DD HH:MM:SS[.fff]" read as UTC; -1 when malformed.
std::int64_t utc_seconds(const std::string& text) {
  std::tm tm{};
  if (text.size() < 19 || ::strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm) == nullptr) {
    return -1;
  }
  return static_cast<std::int64_t>(::timegm(&tm));
}

TEST_F(Backend, ServerCurrentTimestampReadsAsUtcWallClock) {
  db::TableDef t;
  t.name = "STAMPED";
  t.columns = {
      db::Column{"ID", db::TypeKind::integer, 0, "", false, {}, false, ""},
      db::Column{"AT",
                 db::TypeKind::timestamp,
                 0,
                 "",
                 false,
                 {db::DefaultValue::Kind::current_timestamp, "CURRENT_TIMESTAMP"},
                 false,
                 ""},
  };
  t.primary_key = {"ID"};
  for (const std::string& s : d().create_table(t)) {
    conn_->execute(s);
  }
  conn_->execute("INSERT INTO STAMPED (ID) VALUES (1)");
  std::string at = conn_->query_value("SELECT AT FROM STAMPED")->to_text();
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::int64_t stamped = utc_seconds(at);
  ASSERT_NE(stamped, -1) << at;
  // The servers run at +05:30: a session in the server's zone would be 5.5 hours off.
  EXPECT_LT(std::llabs(now - stamped), 300) << conn_->backend() << " stamped " << at;
}

}  // namespace
}  // namespace cutover::test
