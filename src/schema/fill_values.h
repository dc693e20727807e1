// Deterministic value generators for `schema fill`: a small counter-based RNG (the same output
// on every platform, unlike std distributions) and the value shapes WSO2 writes (UUIDs, md5 /
// SHA-256 hex, hash JSON, consumer keys). Pure functions; thread-safe. Timestamps come from
// core/utc_time.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cutover::schema {

/// splitmix64 over (seed, stream, index): every entity's values are a pure function of its
/// index, so related tables regenerate the same ids without holding them in memory.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);
  std::uint64_t next();

  /// Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }

  /// True with probability percent/100.
  bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

 private:
  std::uint64_t state_;
};

/// Lower-case 36-character UUID version 4.
std::string uuid4(Rng& rng);
/// Lower-case hex digests.
std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
/// The JSON WSO2's HashingPersistenceProcessor stores: {"algorithm":"SHA-256","hash":"..."}.
std::string hash_json(std::string_view token);
/// 28 characters in the alphabet of WSO2's generated client ids and secrets.
std::string consumer_key(Rng& rng);

}  // namespace cutover::schema
