// MySQL / MariaDB backend on libmariadb (Connector/C). A connection owns one MYSQL handle and
// is not thread-safe (one thread per connection). Parameters are interpolated client-side with
// the server's escaping rules; results stream (mysql_use_result), so one reader at a time.
#pragma once

#include <memory>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::db {

/// Connects over TCP (spec.host, spec.port) or a unix socket (host starting with '/', or the
/// `socket` URL parameter). The session speaks utf8mb4, runs in UTC and in strict mode.
std::unique_ptr<Connection> open_mysql(const ConnectionSpec& spec, const OpenOptions& options);

}  // namespace cutover::db
