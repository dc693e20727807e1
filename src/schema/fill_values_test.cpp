#include "schema/fill_values.h"

#include <regex>

#include <gtest/gtest.h>

namespace cutover::schema {
namespace {

TEST(FillValues, SameSeedSameValues) {
  Rng a(7, 1, 42);
  Rng b(7, 1, 42);
  Rng c(8, 1, 42);
  std::string ua = uuid4(a);
  EXPECT_EQ(ua, uuid4(b));
  EXPECT_NE(ua, uuid4(c));
}

// The value computed outside cutover, by a Python transcription of splitmix64 (checked against
// the reference outputs for state 1234567: 6457827717110365317, 3203168211198807973) and of
// Rng's seeding: the same seed must give these rows on every platform and in every release.
TEST(FillValues, UuidOfAKnownSeedIsStable) {
  Rng a(7, 1, 42);
  EXPECT_EQ(uuid4(a), "ca73c95c-1118-493b-bb6a-30f7fd0d0764");
}

TEST(FillValues, UuidsAreVersionFourLowerCase) {
  Rng r(1, 2, 3);
  std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(std::regex_match(uuid4(r), shape));
  }
}

TEST(FillValues, DigestsMatchKnownVectors) {
  // RFC 1321 and FIPS 180-2 vectors; "openid profile" from `printf %s 'openid profile' | md5sum`
  // and `| sha256sum` (the TOKEN_SCOPE_HASH of a token with those scopes).
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("openid profile"), "d56d4b28070c47ef8df5ecbf95579c96");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("openid profile"),
            "361b384d4d5840b773db97177861b7203973088b278daf3dd2c78b3e7d8d0e2a");
  EXPECT_EQ(hash_json("abc"),
            "{\"algorithm\":\"SHA-256\",\"hash\":"
            "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
}

TEST(FillValues, ConsumerKeysAre28Characters) {
  Rng r(1, 1, 1);
  std::string k = consumer_key(r);
  EXPECT_EQ(k.size(), 28U);
  EXPECT_EQ(k.find_first_of("+/="), std::string::npos);
}

}  // namespace
}  // namespace cutover::schema
