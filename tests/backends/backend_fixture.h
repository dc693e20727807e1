// The conformance fixture: every TEST_F(Backend, ...) in tests/backends/*_test.cpp runs once per
// backend (CUTOVER_BACKEND), each case against a fresh, empty database made by BackendContext.
// tests/CMakeLists.txt registers one CTest line per case and backend by scanning those files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "backend_context.h"
#include "db/connection.h"
#include "db/dialect.h"

namespace cutover::test {

using db::Value;

class Backend : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = BackendContext::get().create_database();
    conn_ = BackendContext::get().open(spec_);
  }

  void TearDown() override {
    conn_.reset();
    BackendContext::get().drop_database(spec_);
  }

  const db::Dialect& d() const { return conn_->dialect(); }

  std::string ph(int n) const { return d().placeholder(n); }

  // A table with one column of each neutral type, created through the dialect.
  void create_sample() {
    db::TableDef t;
    t.name = "SAMPLE";
    t.columns = {
        db::Column{"ID", db::TypeKind::integer, 0, "", false, {}, false, ""},
        db::Column{"BIG", db::TypeKind::bigint, 0, "", true, {}, false, ""},
        db::Column{"NAME",
                   db::TypeKind::varchar,
                   100,
                   "",
                   true,
                   {db::DefaultValue::Kind::string, "ACTIVE"},
                   false,
                   ""},
        db::Column{"FLAG", db::TypeKind::fixed_char, 1, "", true, {}, false, ""},
        db::Column{"AT", db::TypeKind::timestamp, 0, "", true, {}, false, ""},
        db::Column{"DATA", db::TypeKind::blob, 0, "", true, {}, false, ""},
    };
    t.primary_key = {"ID"};
    for (const std::string& s : d().create_table(t)) {
      conn_->execute(s);
    }
  }

  std::int64_t count(const std::string& table) {
    return conn_->query_value("SELECT COUNT(*) FROM " + d().ident(table))->as_int();
  }

  // Stored names of a table and its columns, as bulk_insert takes them.
  std::pair<std::string, std::vector<std::string>> stored(const std::string& table) {
    std::optional<db::TableDef> t = conn_->describe_table(table);
    std::vector<std::string> cols;
    for (const db::Column& c : t.value().columns) {
      cols.push_back(c.name);
    }
    return {t->name, cols};
  }

  db::ConnectionSpec spec_;
  std::unique_ptr<db::Connection> conn_;
};

}  // namespace cutover::test
