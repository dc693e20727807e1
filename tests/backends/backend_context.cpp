#include "backend_context.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.h"
#include "db/registry.h"

namespace cutover::test {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path +
                             ": the server fixture did not start (see its test output)");
  }
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t eq = line.find('=');
    if (eq == std::string::npos || line[0] == '#') {
      continue;
    }
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    out[line.substr(0, eq)] = value;
  }
  return out;
}

namespace {

std::map<std::string, std::string> server_env(const std::string& file) {
  const char* state = std::getenv("CUTOVER_TEST_STATE");
  return read_env_file(std::string(state != nullptr ? state : "") + "/" + file);
}

db::ConnectionSpec admin_spec(const db::ConnectionSpec& s) {
  db::ConnectionSpec admin = s;
  admin.database = s.scheme == "postgresql" ? "postgres" : "mysql";
  return admin;
}

}  // namespace

db::ConnectionSpec fresh_database(const std::string& engine, const std::string& prefix) {
  static int counter = 0;
  std::string name = fmt::format("{}{}_{}", prefix, ::getpid(), ++counter);
  db::ConnectionSpec s;
  if (engine == "sqlite") {
    s.scheme = "sqlite";
    s.path = (std::filesystem::temp_directory_path() / (name + ".db")).string();
    std::filesystem::remove(s.path);
    db::OpenOptions o;
    o.create = true;
    db::open(s, o);  // an empty file, as an operator's new database
    return s;
  }
  if (engine == "postgresql") {
    auto env = server_env("pg.env");
    s.scheme = "postgresql";
    s.user = "postgres";
    s.host = env["PG_HOST"];
    s.port = std::stoi(env["PG_PORT"]);
  } else {
    auto env = server_env("mariadb.env");
    s.scheme = "mysql";
    s.user = env.count("MY_SOCKET_USER") ? env["MY_SOCKET_USER"] : "root";
    s.host = "localhost";
    s.params["socket"] = env["MY_SOCKET"];
  }
  db::open(admin_spec(s))->execute("CREATE DATABASE " + name);
  s.database = name;
  return s;
}

void drop_fresh_database(const db::ConnectionSpec& spec) {
  if (spec.scheme == "sqlite") {
    std::filesystem::remove(spec.path);
    return;
  }
  db::open(admin_spec(spec))->execute("DROP DATABASE " + spec.database);
}

BackendContext& BackendContext::get() {
  static BackendContext ctx = [] {
    BackendContext c;
    const char* b = std::getenv("CUTOVER_BACKEND");
    c.name_ = b != nullptr ? b : "sqlite";
    const char* s = std::getenv("CUTOVER_TEST_STATE");
    c.state_ = s != nullptr ? s : "";
    if (c.name_ != "sqlite") {
      if (c.state_.empty()) {
        throw std::runtime_error("CUTOVER_TEST_STATE is not set for backend " + c.name_);
      }
      bool pg = c.name_.find("postgresql") != std::string::npos;
      c.env_ = read_env_file(c.state_ + (pg ? "/pg.env" : "/mariadb.env"));
      if (c.name_.rfind("odbc", 0) == 0) {
        for (const auto& [k, v] : read_env_file(c.state_ + "/odbc.env")) {
          c.env_[k] = v;
        }
        setenv("ODBCSYSINI", c.env_["ODBCSYSINI"].c_str(), 1);
      }
    }
    return c;
  }();
  return ctx;
}

namespace {

db::ConnectionSpec pg_admin(std::map<std::string, std::string>& env, const std::string& dbname) {
  db::ConnectionSpec s;
  s.scheme = "postgresql";
  s.user = "postgres";
  s.host = env["PG_HOST"];
  s.port = std::stoi(env["PG_PORT"]);
  s.database = dbname;
  return s;
}

db::ConnectionSpec my_admin(std::map<std::string, std::string>& env, const std::string& dbname) {
  db::ConnectionSpec s;
  s.scheme = "mysql";
  s.user = env.count("MY_SOCKET_USER") ? env["MY_SOCKET_USER"] : "root";
  s.host = "localhost";
  s.params["socket"] = env["MY_SOCKET"];
  s.database = dbname;
  return s;
}

}  // namespace

db::ConnectionSpec BackendContext::create_database() {
  std::string db = fmt::format("co_t{}_{}", ::getpid(), ++counter_);
  if (name_ == "sqlite") {
    std::string path = (std::filesystem::temp_directory_path() / (db + ".db")).string();
    std::filesystem::remove(path);
    db::ConnectionSpec s;
    s.scheme = "sqlite";
    s.path = path;
    return s;
  }
  bool pg = name_.find("postgresql") != std::string::npos;
  {
    std::unique_ptr<db::Connection> admin =
        db::open(pg ? pg_admin(env_, "postgres") : my_admin(env_, "mysql"));
    // The ODBC runs log in as the password user over TCP: it must own the database, since
    // PostgreSQL 15 no longer lets other users create tables in the public schema.
    bool odbc = name_.rfind("odbc", 0) == 0;
    admin->execute(pg && odbc ? fmt::format("CREATE DATABASE {} OWNER {}", db, env_["PG_TCP_USER"])
                              : fmt::format("CREATE DATABASE {}", db));
    if (!pg) {
      admin->execute(fmt::format("GRANT ALL ON {}.* TO 'cutover_pw'@'127.0.0.1'", db));
    }
  }
  if (name_ == "postgresql") {
    return pg_admin(env_, db);
  }
  if (name_ == "mysql") {
    return my_admin(env_, db);
  }
  db::ConnectionSpec s;
  s.scheme = "odbc";
  s.password = Secret(pg ? env_["PG_TCP_PASSWORD"] : env_["MY_TCP_PASSWORD"]);
  if (pg) {
    s.odbc = fmt::format("Driver={{{}}};Servername=127.0.0.1;Port={};Database={};Username={}",
                         env_["ODBC_PG_DRIVER"], env_["PG_PORT"], db, env_["PG_TCP_USER"]);
  } else {
    s.odbc = fmt::format("Driver={{{}}};Server=127.0.0.1;Port={};Database={};User={}",
                         env_["ODBC_MY_DRIVER"], env_["MY_PORT"], db, env_["MY_TCP_USER"]);
  }
  s.database = db;
  return s;
}

void BackendContext::drop_database(const db::ConnectionSpec& spec) {
  try {
    if (name_ == "sqlite") {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(spec.path + suffix);
      }
      return;
    }
    bool pg = name_.find("postgresql") != std::string::npos;
    std::unique_ptr<db::Connection> admin =
        db::open(pg ? pg_admin(env_, "postgres") : my_admin(env_, "mysql"));
    admin->execute(
        fmt::format("DROP DATABASE IF EXISTS {}{}", spec.database, pg ? " WITH (FORCE)" : ""));
  } catch (const std::exception&) {
    // The server is thrown away after the run anyway.
  }
}

std::unique_ptr<db::Connection> BackendContext::open(const db::ConnectionSpec& spec) {
  db::OpenOptions o;
  o.create = true;
  return db::open(spec, o);
}

}  // namespace cutover::test
