// The COPY paths of the PostgreSQL backend, used by postgres_connection.cpp: raw COPY streams
// in and out (data passed on undecoded) and bulk_read through COPY ... TO STDOUT in binary
// format, decoded into the same Values the text protocol gives. Same threading as the
// connection: one PGconn, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"

struct pg_conn;

namespace cutover::db {
struct PostgresSession;
}

namespace cutover::db {

/// Starts `sql` (a COPY ... TO STDOUT) and hands back its data messages as they come.
std::unique_ptr<ChunkSource> postgres_copy_out(pg_conn* conn, const PostgresSession* session,
                                               std::string_view sql);

/// Starts `sql` (a COPY ... FROM STDIN), sends everything `data` gives; returns rows loaded.
std::int64_t postgres_copy_in(pg_conn* conn, const PostgresSession* session, std::string_view sql,
                              ChunkSource& data);

/// Rows of `table` through binary COPY; types it does not decode travel as their text form.
std::unique_ptr<RowSource> postgres_bulk_read(pg_conn* conn, const PostgresSession* session,
                                              std::string_view table,
                                              const std::vector<std::string>& columns,
                                              const std::vector<std::string>& order_by);

}  // namespace cutover::db
