// db::open: the static table of compiled-in backends, keyed by URL scheme. The only place
// that names concrete backends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::db {

/// Opens a connection for the spec. Throws cutover::Error (connection, auth, config) with a
/// hint; never includes the password in a message.
std::unique_ptr<Connection> open(const ConnectionSpec& spec, const OpenOptions& options = {});

/// Backends compiled into this binary ("sqlite", "postgresql", "mysql", "odbc").
std::vector<std::string> compiled_backends();

}  // namespace cutover::db
