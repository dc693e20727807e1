#include "verify/sensitive.h"

#include <gtest/gtest.h>

#include "verify/side.h"

namespace cutover::verify {
namespace {

TEST(Sensitive, TokenSecretPasswordAndHashColumnsAreSecret) {
  for (const char* c : {"ACCESS_TOKEN", "refresh_token", "AUTHORIZATION_CODE", "CONSUMER_SECRET",
                        "ACCESS_TOKEN_HASH", "UM_USER_PASSWORD", "UM_SALT_VALUE",
                        "TOKEN_BINDING_VALUE", "SESSION_OBJECT", "ID_TOKEN"}) {
    EXPECT_TRUE(holds_secret(c)) << c;
  }
  for (const char* c : {"TOKEN_ID", "TOKEN_STATE", "AUTHZ_USER", "TIME_CREATED", "IDP_ID",
                        "TOKEN_SCOPE", "TOKEN_BINDING_REF", "SESSION_ID"}) {
    EXPECT_FALSE(holds_secret(c)) << c;
  }
}

TEST(Sensitive, SecretValuesAreShownAsAShortHashNeverInClear) {
  std::optional<std::string> a = shown_value(db::Value("tok-123"), Kind::text, true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size(), 9U);
  EXPECT_EQ(a->front(), '#');
  EXPECT_EQ(a->find("tok"), std::string::npos);
  EXPECT_EQ(shown_value(db::Value("tok-123"), Kind::text, true), a);
  EXPECT_NE(shown_value(db::Value("tok-124"), Kind::text, true), a);
  EXPECT_FALSE(shown_value(db::Value(), Kind::text, true));
}

TEST(Sensitive, ValuesAreShownAsCanonicalTextEchoedSafely) {
  EXPECT_EQ(shown_value(db::Value("a \x1b[31m"), Kind::text, false), "a \\x1b[31m");
  EXPECT_EQ(shown_value(db::Value("2026-11-30 10:00:00.120000"), Kind::timestamp, false),
            "2026-11-30 10:00:00.12");
  EXPECT_EQ(shown_value(db::Value(""), Kind::text, false), "");
}

// The stream mode's merge order is byte order of UTF-8 for text, numeric for integers.
TEST(StreamOrder, TextKeysCompareAsBytesIntegersAsNumbers) {
  TablePlan p;
  p.key_kinds = {Kind::text};
  auto cmp = [&](const char* a, const char* b) {
    return SideReader::compare_keys(p, {db::Value(a)}, {db::Value(b)});
  };
  EXPECT_LT(cmp("Zeta", "_x"), 0);
  EXPECT_LT(cmp("_x", "alpha"), 0);
  EXPECT_LT(cmp("B1", "a2"), 0);
  EXPECT_LT(cmp("ezra",
                "\xc3\xa9"
                "clair"),
            0);
  EXPECT_LT(cmp("a b", "ab"), 0);
  EXPECT_EQ(cmp("ab", "ab"), 0);
  p.key_kinds = {Kind::integer, Kind::text};
  EXPECT_LT(
      SideReader::compare_keys(p, {db::Value(9), db::Value("b")}, {db::Value(10), db::Value("a")}),
      0);
  EXPECT_GT(SideReader::compare_keys(p, {db::Value(10), db::Value("b")},
                                     {db::Value("10"), db::Value("a")}),
            0);
}

}  // namespace
}  // namespace cutover::verify
