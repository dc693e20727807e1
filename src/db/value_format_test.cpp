#include "db/value_format.h"

#include <gtest/gtest.h>

namespace cutover::db {
namespace {

TEST(CanonicalTimestamp, TrimsTrailingZerosOfTheFraction) {
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05.500000"), "2026-01-02 03:04:05.5");
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05.123456"), "2026-01-02 03:04:05.123456");
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05.000000"), "2026-01-02 03:04:05");
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05"), "2026-01-02 03:04:05");
}

TEST(CanonicalTimestamp, DropsTheUtcOffset) {
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05.250+00"), "2026-01-02 03:04:05.25");
  EXPECT_EQ(canonical_timestamp("2026-01-02 03:04:05+00:00"), "2026-01-02 03:04:05");
}

TEST(CanonicalTimestamp, LeavesOtherTextAlone) {
  EXPECT_EQ(canonical_timestamp("1.50 EUR"), "1.50 EUR");
}

}  // namespace
}  // namespace cutover::db
