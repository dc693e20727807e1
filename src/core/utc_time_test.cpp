#include "core/utc_time.h"

#include <ctime>

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover {
namespace {

TEST(UtcTime, TextOfKnownMoments) {
  EXPECT_EQ(utc_text(0), "1970-01-01 00:00:00");
  // `date -u -d @1793536496 '+%F %T'`
  EXPECT_EQ(utc_text(1793536496), "2026-11-01 12:34:56");
  EXPECT_EQ(parse_utc("2026-11-01 12:34:56"), 1793536496);
}

TEST(UtcTime, MalformedTextIsAUsageError) {
  for (const char* bad : {"yesterday", "2026-11-01", "2026-11-01 12:34:56Z"}) {
    try {
      parse_utc(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
    }
  }
}

TEST(UtcTime, NowIsShiftedByTheOffset) {
  std::int64_t now = parse_utc(utc_now_text());
  std::int64_t earlier = parse_utc(utc_now_text(-7200));
  EXPECT_NEAR(static_cast<double>(now - earlier), 7200.0, 2.0);
}

}  // namespace
}  // namespace cutover
