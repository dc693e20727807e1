// SQLite backend: the embedded default and the reference backend a new one copies.
// A connection owns one sqlite3 handle; not thread-safe (one thread per connection).
#pragma once

#include <memory>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::db {

/// Opens spec.path. Without options.create a missing file is an error (inspect, verify).
std::unique_ptr<Connection> open_sqlite(const ConnectionSpec& spec, const OpenOptions& options);

}  // namespace cutover::db
