// Type OIDs from PostgreSQL's pg_type.h that the backend's decoders branch on (text results in
// postgres_connection.cpp, binary COPY in postgres_copy.cpp). Stable across server versions.
#pragma once

#include <libpq-fe.h>

namespace cutover::db::pg_oid {

constexpr Oid kBool = 16;
constexpr Oid kBytea = 17;
constexpr Oid kName = 19;
constexpr Oid kInt8 = 20;
constexpr Oid kInt2 = 21;
constexpr Oid kInt4 = 23;
constexpr Oid kText = 25;
constexpr Oid kOid = 26;
constexpr Oid kFloat4 = 700;
constexpr Oid kFloat8 = 701;
constexpr Oid kBpchar = 1042;
constexpr Oid kVarchar = 1043;
constexpr Oid kTimestamp = 1114;
constexpr Oid kTimestamptz = 1184;

}  // namespace cutover::db::pg_oid
