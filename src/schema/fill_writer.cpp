#include "schema/fill_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/cancel.h"
#include "core/error.h"

namespace cutover::schema {

namespace {

constexpr std::size_t kFlushRows = 5000;

// Hands the buffered rows to bulk_insert, moving each out as it goes.
class BufferSource final : public db::RowSource {
 public:
  explicit BufferSource(std::vector<db::Row>& rows) : rows_(rows) {}

  bool next(db::Row& row) override {
    if (at_ >= rows_.size()) {
      return false;
    }
    row = std::move(rows_[at_++]);
    return true;
  }

 private:
  std::vector<db::Row>& rows_;
  std::size_t at_ = 0;
};

}  // namespace

FillWriter::FillWriter(db::Connection& conn, const db::TableDef& live,
                       std::vector<std::string> produced)
    : conn_(conn), table_(live.name) {
  for (const db::Column& c : live.columns) {
    auto it = std::find_if(produced.begin(), produced.end(),
                           [&](const std::string& p) { return db::same_ident(p, c.name); });
    if (it != produced.end()) {
      columns_.push_back(c.name);
      pick_.push_back(static_cast<std::size_t>(it - produced.begin()));
    } else if (!c.nullable && c.default_value.kind == db::DefaultValue::Kind::none &&
               !c.generated) {
      throw Error(ErrorKind::config,
                  fmt::format("cannot fill {}: column {} is NOT NULL without a default and is not "
                              "part of the catalogued schema",
                              live.name, c.name),
                  "fill loads schemas as WSO2 defines them; give the column a default or fill a "
                  "database created by 'cutover schema create'");
    }
  }
}

void FillWriter::add(const db::Row& generated) {
  db::Row r;
  r.reserve(pick_.size());
  for (std::size_t i : pick_) {
    r.push_back(generated[i]);
  }
  buffer_.push_back(std::move(r));
  if (buffer_.size() >= kFlushRows) {
    flush();
  }
}

std::int64_t FillWriter::finish() {
  flush();
  return written_;
}

void FillWriter::flush() {
  throw_if_cancelled();
  if (buffer_.empty()) {
    return;
  }
  BufferSource src(buffer_);
  written_ += conn_.bulk_insert(table_, columns_, src);
  buffer_.clear();
}

std::int64_t write_table(db::Connection& conn, const db::TableDef& live,
                         std::vector<std::string> produced,
                         const std::function<void(FillWriter&)>& body) {
  FillWriter w(conn, live, std::move(produced));
  body(w);
  return w.finish();
}

}  // namespace cutover::schema
