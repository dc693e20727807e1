// Parameter binding and result reading for the ODBC backend: everything done through one
// statement handle once the SQL text is final.
#include <algorithm>
#include <array>
#include <type_traits>

#include <fmt/format.h>

#include "core/error.h"
#include "db/odbc/odbc_internal.h"
#include "db/value_format.h"

namespace cutover::db {

namespace {

// Long values are read in pieces of this many bytes (SQLGetData).
constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
// Above these sizes a parameter is bound as the LONG variant of its type.
constexpr std::size_t kLongTextUnits = 4000;
constexpr std::size_t kLongBinaryBytes = 8000;

}  // namespace

void odbc_bind_params(const OdbcStatement& st, std::span<const Value> params,
                      const std::vector<std::size_t>& order,
                      std::vector<OdbcParamBuffer>& buffers) {
  static unsigned char empty_bytes = 0;
  buffers.assign(order.size(), OdbcParamBuffer{});
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Value& v = params[order[k]];
    OdbcParamBuffer& b = buffers[k];
    auto marker = static_cast<SQLUSMALLINT>(k + 1);
    SQLRETURN rc = SQL_SUCCESS;
    if (v.is_null()) {
      b.ind = SQL_NULL_DATA;
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 1, 0,
                            nullptr, 0, &b.ind);
    } else if (v.is_int()) {
      b.i = v.as_int();
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                            &b.i, 0, &b.ind);
    } else if (v.is_double()) {
      b.d = v.as_double();
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 15, 0,
                            &b.d, 0, &b.ind);
    } else if (v.is_text()) {
      b.text = odbc_widen(v.as_text());
      std::size_t units = b.text.size() - 1;
      b.ind = static_cast<SQLLEN>(units * sizeof(SQLWCHAR));
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_WCHAR,
                            units > kLongTextUnits ? SQL_WLONGVARCHAR : SQL_WVARCHAR,
                            std::max<SQLULEN>(units, 1), 0, b.text.data(), b.ind, &b.ind);
    } else {
      const Bytes& bytes = v.as_bytes();
      b.ind = static_cast<SQLLEN>(bytes.size());
      void* data = bytes.empty() ? &empty_bytes : const_cast<std::uint8_t*>(bytes.data());
      rc = SQLBindParameter(st.get(), marker, SQL_PARAM_INPUT, SQL_C_BINARY,
                            bytes.size() > kLongBinaryBytes ? SQL_LONGVARBINARY : SQL_VARBINARY,
                            std::max<SQLULEN>(bytes.size(), 1), 0, data, b.ind, &b.ind);
    }
    st.check(rc, fmt::format("binding parameter {}", order[k] + 1));
  }
}

namespace {

// Buffers for SQLGetData, allocated on first use once per result rather than once per value.
struct Scratch {
  std::vector<SQLWCHAR> wide;
  Bytes binary;
};

// Reads a value of any length with SQLGetData in chunks through `buf`; false when it is NULL.
// `T` is the unit: SQLWCHAR for text (each chunk ends in a NUL unit), std::uint8_t for binary.
template <typename T>
bool read_long(const OdbcStatement& st, SQLUSMALLINT col, SQLSMALLINT ctype, std::vector<T>& buf,
               std::vector<T>& out) {
  constexpr std::size_t kTerm = std::is_same_v<T, SQLWCHAR> ? 1 : 0;
  if (buf.empty()) {
    buf.resize(kChunkBytes / sizeof(T));
  }
  for (;;) {
    SQLLEN ind = 0;
    SQLRETURN rc = SQLGetData(st.get(), col, ctype, buf.data(),
                              static_cast<SQLLEN>(buf.size() * sizeof(T)), &ind);
    if (rc == SQL_NO_DATA) {
      return true;
    }
    st.check(rc, "reading a column");
    if (ind == SQL_NULL_DATA) {
      return false;
    }
    std::size_t room = buf.size() - kTerm;
    std::size_t got = ind == SQL_NO_TOTAL ? room + 1 : static_cast<std::size_t>(ind) / sizeof(T);
    out.insert(out.end(), buf.begin(),
               buf.begin() + static_cast<std::ptrdiff_t>(std::min(got, room)));
    if (rc == SQL_SUCCESS || got <= room) {
      return true;
    }
  }
}

Value fetch_column(const OdbcStatement& st, SQLUSMALLINT col, SQLSMALLINT type, bool bit_is_bool,
                   Scratch& scratch) {
  SQLLEN ind = 0;
  if (type == SQL_BIT && bit_is_bool) {
    SQLBIGINT v = 0;
    st.check(SQLGetData(st.get(), col, SQL_C_SBIGINT, &v, 0, &ind), "reading a column");
    return ind == SQL_NULL_DATA ? Value() : bool_value(v != 0);
  }
  switch (type) {
    case SQL_BIT:
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT: {
      SQLBIGINT v = 0;
      st.check(SQLGetData(st.get(), col, SQL_C_SBIGINT, &v, 0, &ind), "reading a column");
      return ind == SQL_NULL_DATA ? Value() : Value(static_cast<std::int64_t>(v));
    }
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE: {
      double v = 0;
      st.check(SQLGetData(st.get(), col, SQL_C_DOUBLE, &v, 0, &ind), "reading a column");
      return ind == SQL_NULL_DATA ? Value() : Value(v);
    }
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: {
      Bytes bytes;
      return read_long(st, col, SQL_C_BINARY, scratch.binary, bytes) ? Value(std::move(bytes))
                                                                     : Value();
    }
    default: {
      // Text, DECIMAL/NUMERIC (exact as text), dates and times in the driver's canonical form.
      WideText text;
      if (!read_long(st, col, SQL_C_WCHAR, scratch.wide, text)) {
        return Value();
      }
      std::string s = odbc_narrow(text.data(), text.size());
      bool timestamp = type == SQL_TYPE_TIMESTAMP || type == SQL_TIMESTAMP;
      return Value(timestamp ? canonical_timestamp(s) : std::move(s));
    }
  }
}

// Reads each row whole on next(): drivers only promise SQLGetData in column order, once per
// column, while get() may be called in any order.
class OdbcRowReader final : public RowReader {
 public:
  OdbcRowReader(std::unique_ptr<OdbcStatement> st, bool bit_is_bool)
      : OdbcRowReader(std::move(st), nullptr, bit_is_bool) {}

  /// Reads through a statement someone else owns (a PreparedStatement), closing its cursor at
  /// the end so the statement can run again.
  OdbcRowReader(OdbcStatement& st, bool bit_is_bool) : OdbcRowReader(nullptr, &st, bit_is_bool) {}

  OdbcRowReader(const OdbcRowReader&) = delete;
  OdbcRowReader& operator=(const OdbcRowReader&) = delete;
  OdbcRowReader(OdbcRowReader&&) = delete;
  OdbcRowReader& operator=(OdbcRowReader&&) = delete;

  ~OdbcRowReader() override {
    if (!owned_) {
      SQLFreeStmt(st_->get(), SQL_CLOSE);
    }
  }

 private:
  OdbcRowReader(std::unique_ptr<OdbcStatement> owned, OdbcStatement* borrowed, bool bit_is_bool)
      : owned_(std::move(owned)),
        st_(borrowed != nullptr ? borrowed : owned_.get()),
        bit_is_bool_(bit_is_bool) {
    SQLSMALLINT n = 0;
    st_->check(SQLNumResultCols(st_->get(), &n), "describing the result");
    for (SQLSMALLINT i = 1; i <= n; ++i) {
      std::array<SQLWCHAR, 512> name{};
      SQLSMALLINT name_len = 0;
      SQLSMALLINT type = 0;
      SQLULEN size = 0;
      SQLSMALLINT digits = 0;
      SQLSMALLINT nullable = 0;
      st_->check(SQLDescribeColW(st_->get(), static_cast<SQLUSMALLINT>(i), name.data(),
                                 static_cast<SQLSMALLINT>(name.size()), &name_len, &type, &size,
                                 &digits, &nullable),
                 "describing the result");
      names_.push_back(odbc_narrow(name.data(), std::min<std::size_t>(name_len, name.size() - 1)));
      types_.push_back(type);
    }
  }

 public:
  bool next() override {
    if (done_ || types_.empty()) {
      return false;
    }
    SQLRETURN rc = SQLFetch(st_->get());
    if (rc == SQL_NO_DATA) {
      done_ = true;
      row_.clear();
      return false;
    }
    st_->check(rc, "fetching a row");
    row_.clear();
    for (std::size_t i = 0; i < types_.size(); ++i) {
      row_.push_back(
          fetch_column(*st_, static_cast<SQLUSMALLINT>(i + 1), types_[i], bit_is_bool_, scratch_));
    }
    return true;
  }

  std::size_t column_count() const override { return types_.size(); }

  std::string column_name(std::size_t i) const override { return names_.at(i); }

  Value get(std::size_t i) const override {
    if (i >= row_.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("column {} requested from a row of {} values", i, row_.size()));
    }
    return row_[i];
  }

 private:
  std::unique_ptr<OdbcStatement> owned_;
  OdbcStatement* st_;
  bool bit_is_bool_;
  std::vector<std::string> names_;
  std::vector<SQLSMALLINT> types_;
  Scratch scratch_;
  Row row_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<RowReader> odbc_row_reader(std::unique_ptr<OdbcStatement> st, bool bit_is_bool) {
  return std::make_unique<OdbcRowReader>(std::move(st), bit_is_bool);
}

namespace {

// Parameters are bound afresh for each execution: their buffers change with the values.
class OdbcPrepared final : public PreparedStatement {
 public:
  OdbcPrepared(std::unique_ptr<OdbcStatement> st, std::optional<std::vector<std::size_t>> order,
               std::string shown, bool bit_is_bool)
      : st_(std::move(st)),
        order_(std::move(order)),
        shown_(std::move(shown)),
        bit_is_bool_(bit_is_bool) {}

  std::int64_t execute(std::span<const Value> params) override {
    run(params);
    SQLLEN n = 0;
    st_->check(SQLRowCount(st_->get(), &n), "counting rows");
    SQLFreeStmt(st_->get(), SQL_CLOSE);
    return n > 0 ? n : 0;
  }

  std::unique_ptr<RowReader> query(std::span<const Value> params) override {
    run(params);
    return std::make_unique<OdbcRowReader>(*st_, bit_is_bool_);
  }

 private:
  void run(std::span<const Value> params) {
    SQLFreeStmt(st_->get(), SQL_CLOSE);  // a cursor left open by an abandoned execution
    SQLFreeStmt(st_->get(), SQL_RESET_PARAMS);
    std::vector<std::size_t> identity;
    if (!order_) {
      for (std::size_t i = 0; i < params.size(); ++i) {
        identity.push_back(i);
      }
    } else {
      for (std::size_t n : *order_) {
        if (n >= params.size()) {
          throw Error(ErrorKind::internal,
                      fmt::format("statement uses ${} but {} parameters were given: {}", n + 1,
                                  params.size(), shown_));
        }
      }
    }
    odbc_bind_params(*st_, params, order_ ? *order_ : identity, buffers_);
    SQLRETURN rc = SQLExecute(st_->get());
    if (rc != SQL_NO_DATA) {  // a searched UPDATE or DELETE that touched no row
      st_->check(rc, fmt::format("running {}", shown_));
    }
  }

  std::unique_ptr<OdbcStatement> st_;
  std::optional<std::vector<std::size_t>> order_;
  std::string shown_;
  std::vector<OdbcParamBuffer> buffers_;
  bool bit_is_bool_;
};

}  // namespace

std::unique_ptr<PreparedStatement> odbc_prepared(std::unique_ptr<OdbcStatement> st,
                                                 std::optional<std::vector<std::size_t>> order,
                                                 std::string shown, bool bit_is_bool) {
  return std::make_unique<OdbcPrepared>(std::move(st), std::move(order), std::move(shown),
                                        bit_is_bool);
}

}  // namespace cutover::db
