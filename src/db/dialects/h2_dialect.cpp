// H2 (generate only; WSO2's default embedded database): identity columns, MERGE ... KEY
// upserts, row-value keyset paging, DATEADD for timestamp arithmetic.
#include <fmt/format.h>

#include "db/dialect.h"
#include "db/dialects/all.h"

namespace cutover::db {

namespace {

class H2Dialect final : public Dialect {
 public:
  std::string name() const override { return "h2"; }

  std::string stored_ident(std::string_view stored) const override {
    return upper_folding_stored_ident(*this, stored);
  }

  std::string upsert(std::string_view table, const std::vector<std::string>& columns,
                     const std::vector<std::string>& key) const override {
    std::string values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      values += (i ? ", " : "") + placeholder(static_cast<int>(i) + 1);
    }
    return fmt::format("MERGE INTO {} ({}) KEY ({}) VALUES ({})", stored_ident(table),
                       join_stored(columns), join_stored(key), values);
  }

  std::string keyset_page(std::string_view table, const std::vector<std::string>& columns,
                          const std::vector<std::string>& key, int limit,
                          bool first) const override {
    return row_value_keyset_page(*this, table, columns, key, limit, first);
  }

  std::string timestamp_plus_ms(std::string_view ts, std::string_view ms) const override {
    return fmt::format("DATEADD('MILLISECOND', {}, {})", ms, ts);
  }
};

}  // namespace

const Dialect& h2_dialect() {
  static const H2Dialect kDialect;
  return kDialect;
}

}  // namespace cutover::db
