// cleanup token selection: which rows of IDN_OAUTH2_ACCESS_TOKEN and
// IDN_OAUTH2_AUTHORIZATION_CODE WSO2's cleanup procedures remove (wso2-migration-tooling.md
// §3.2). One definition, used by `inspect`'s estimate, `cleanup tokens --dry-run` and the
// deletes themselves, so the three can never disagree. Builds SQL text; reads only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/table_def.h"
#include "db/value.h"

namespace cutover::cleanup {

/// Validity periods (ms) outside 0..kNeverExpiresMs mean "never expires" to WSO2 (its
/// procedures skip them); such a token is never removed while ACTIVE.
constexpr std::int64_t kNeverExpiresMs = 99'999'999'999'990;

/// Tokens the cleanup would remove, by state.
struct TokenEstimate {
  std::int64_t total_tokens = 0;
  std::int64_t eligible = 0;
  std::int64_t expired = 0;           ///< TOKEN_STATE = EXPIRED
  std::int64_t inactive = 0;          ///< INACTIVE
  std::int64_t revoked = 0;           ///< REVOKED
  std::int64_t active_but_ended = 0;  ///< ACTIVE whose access and refresh validity both ended
  std::int64_t safe_period_s = 7200;
};

/// A WHERE condition and the parameters it binds, in order.
struct Condition {
  std::string sql;
  std::vector<db::Value> params;
};

/// The moment validity must have ended before: `now_utc` ("YYYY-MM-DD HH:MM:SS", empty: now)
/// minus `safe_period_s`, as "YYYY-MM-DD HH:MM:SS" UTC.
std::string cutoff_utc(const std::string& now_utc, std::int64_t safe_period_s);

/// True when the live token table has the columns the selection reads.
bool token_table_usable(const db::TableDef& tokens);
/// True when the live code table has the columns the selection reads.
bool code_table_usable(const db::TableDef& codes);

/// Condition over `tokens` (live names, unqualified) true for a removable token: state
/// EXPIRED, INACTIVE or REVOKED, or ACTIVE with finite access and refresh validity that both
/// ended before `cutoff`. Placeholders are numbered from `first_placeholder`.
Condition removable_token(const db::Dialect& d, const db::TableDef& tokens,
                          const std::string& cutoff, int first_placeholder = 1);

/// Condition over `codes` true for a removable authorization code: its token is gone
/// (TOKEN_ID NULL or not in `tokens`) and it is INACTIVE, EXPIRED or REVOKED or its finite
/// validity ended before `cutoff`. The token test is a correlated NOT EXISTS (an anti-join).
Condition removable_code(const db::Dialect& d, const db::TableDef& codes,
                         const db::TableDef& tokens, const std::string& cutoff,
                         int first_placeholder = 1);

/// The same once the removable tokens are gone too: codes whose token the cleanup removes count
/// as well (how many codes a run removes, for its counts and progress, without removing).
Condition removable_code_after_tokens(const db::Dialect& d, const db::TableDef& codes,
                                      const db::TableDef& tokens, const std::string& cutoff,
                                      int first_placeholder);

/// Counts the tokens by state and how many of them the cleanup removes at `now_utc`.
TokenEstimate estimate_tokens(db::Connection& conn, const db::TableDef& tokens,
                              const std::string& now_utc, std::int64_t safe_period_s);

}  // namespace cutover::cleanup
