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

TEST(FillValues, UuidsAreVersionFourLowerCase) {
  Rng r(1, 2, 3);
  std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(std::regex_match(uuid4(r), shape));
  }
}

TEST(FillValues, DigestsMatchKnownVectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("openid profile"), md5_hex("openid profile"));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
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
