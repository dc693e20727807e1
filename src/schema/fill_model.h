// schema fill model: what `schema fill` generates, planned from --rows and --seed. Every entity
// (app, user, client/user/scope combination, token, code) is a pure function of its index, so
// related tables regenerate the same ids without holding them in memory. Immutable after
// construction; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/value.h"
#include "schema/fill.h"

namespace cutover::schema {

// RNG streams: one per kind of value, so each value is recomputable from its entity's index.
using Stream = std::uint64_t;
inline constexpr Stream kTokenId = 1;
inline constexpr Stream kToken = 2;
inline constexpr Stream kApp = 4;
inline constexpr Stream kCode = 5;
inline constexpr Stream kCodeId = 6;
inline constexpr Stream kUser = 7;
inline constexpr Stream kSession = 8;
inline constexpr Stream kTempSession = 9;
inline constexpr Stream kAudit = 10;
inline constexpr Stream kOidc = 11;
inline constexpr Stream kRegistry = 12;
inline constexpr Stream kIdp = 13;

// constexpr arrays: no static initialisation that could throw before main().
inline constexpr std::array<int, 3> kTenants = {-1234, 1, 2};

/// A combination of client, user and scopes: the part of CON_APP_KEY that repeats.
struct Combo {
  std::int64_t app = 0;
  std::int64_t user = 0;  ///< -1 for application tokens (client_credentials)
  int tenant = 0;
  std::vector<std::string> scopes;
  std::string binding_ref;
};

/// The sizes of one fill and the entities as functions of their index.
class FillModel {
 public:
  /// `versioned_registry`: the schema is IS 5.8 or older, whose registry links name versions.
  FillModel(const FillOptions& options, bool versioned_registry);

  std::uint64_t seed() const { return seed_; }

  std::int64_t base_time() const { return base_; }  ///< newest TIME_CREATED, epoch seconds

  bool versioned_registry() const { return versioned_registry_; }

  std::int64_t rows() const { return rows_; }  ///< access tokens

  std::int64_t users() const { return users_; }

  std::int64_t apps() const { return apps_; }

  std::int64_t combos() const { return combos_; }

  std::int64_t codes() const { return codes_; }

  int tenant_of_app(std::int64_t app) const;
  std::int64_t idp_of_tenant(int tenant) const;
  std::string user_name(std::int64_t u) const;
  std::string user_domain(std::int64_t u) const;
  std::string token_id(std::int64_t i) const;
  std::string code_id(std::int64_t j) const;
  Combo combo(std::int64_t c) const;

  /// The token table's columns, in the order token_row() produces them.
  static std::vector<std::string> token_columns();
  /// Token i of `stream` (kToken for the token table, kAudit for its audit copies).
  db::Row token_row(std::int64_t i, Stream stream) const;

  /// Scopes joined by spaces, as WSO2 stores a scope list.
  static std::string join(const std::vector<std::string>& scopes);

 private:
  std::uint64_t seed_ = 0;
  bool versioned_registry_ = false;
  std::int64_t base_ = 0;
  std::int64_t rows_ = 0;
  std::int64_t apps_ = 0;
  std::int64_t users_ = 0;
  std::int64_t combos_ = 0;
  std::int64_t codes_ = 0;
};

}  // namespace cutover::schema
