// PostgreSQL backend on libpq. One PGconn per connection; not thread-safe. Bulk loads go
// through COPY FROM STDIN; large results stream in single-row mode.
#pragma once

#include <memory>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::db {

std::unique_ptr<Connection> open_postgres(const ConnectionSpec& spec, const OpenOptions& options);

}  // namespace cutover::db
