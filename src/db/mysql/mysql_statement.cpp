// prepare() for the MySQL backend: a client-side prepared statement. The SQL is split at its
// placeholders once; each execution writes the parameters in as escaped literals and sends the
// text. Server-side statements (mysql_stmt_*) would return rows in the binary protocol, which
// needs a second value conversion beside the text one every other path uses (timestamps,
// binary-vs-text strings, unsigned integers), for a saving that is small next to the round
// trip each execution costs anyway.
#include <fmt/format.h>

#include "core/error.h"
#include "db/mysql/mysql_internal.h"
#include "db/sql_scan.h"

namespace cutover::db {

namespace {

class MysqlPrepared final : public PreparedStatement {
 public:
  MysqlPrepared(MysqlConnection& conn, MYSQL* handle, std::string_view sql)
      : conn_(conn), handle_(handle), sql_(sql) {
    std::size_t from = 0;
    for (const Placeholder& p : find_placeholders(sql, SqlSyntax::mysql)) {
      pieces_.emplace_back(sql.substr(from, p.offset - from));
      from = p.offset + p.length;
    }
    pieces_.emplace_back(sql.substr(from));
    size_ = sql.size();
  }

  std::int64_t execute(std::span<const Value> params) override {
    return conn_.execute_final(text(params), sql_);
  }

  std::unique_ptr<RowReader> query(std::span<const Value> params) override {
    return conn_.query_final(text(params), sql_);
  }

 private:
  std::string text(std::span<const Value> params) const {
    if (params.size() + 1 != pieces_.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("statement has {} placeholders but {} parameters were given",
                              pieces_.size() - 1, params.size()));
    }
    std::string out;
    out.reserve(size_ + params.size() * 16);
    out += pieces_[0];
    for (std::size_t i = 0; i < params.size(); ++i) {
      mysql_append_literal(handle_, out, params[i]);
      out += pieces_[i + 1];
    }
    return out;
  }

  MysqlConnection& conn_;
  MYSQL* handle_;
  std::string sql_;
  std::vector<std::string> pieces_;  // the text around the placeholders
  std::size_t size_ = 0;
};

}  // namespace

std::unique_ptr<PreparedStatement> MysqlConnection::prepare(std::string_view sql) {
  return std::make_unique<MysqlPrepared>(*this, conn_, sql);
}

}  // namespace cutover::db
