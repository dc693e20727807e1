// COPY in and out for the PostgreSQL backend. The binary decoder covers the types cutover's
// schemas use; any other column is cast to text in the COPY query, so it arrives exactly as the
// text protocol would print it (see postgres_connection.cpp, cell()).
#include "db/postgres/postgres_copy.h"

#include <array>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/dialects/all.h"
#include "db/postgres/postgres_errors.h"
#include "db/postgres/postgres_types.h"

namespace cutover::db {

namespace {

// Binary COPY header: signature, flags, header extension length.
constexpr std::string_view kSignature{"PGCOPY\n\377\r\n\0", 11};
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;
constexpr std::int64_t kDaysFrom1970To2000 = 10957;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool decoded(Oid type) {
  switch (type) {
    case pg_oid::kBool:
    case pg_oid::kBytea:
    case pg_oid::kName:
    case pg_oid::kInt8:
    case pg_oid::kInt2:
    case pg_oid::kInt4:
    case pg_oid::kText:
    case pg_oid::kOid:
    case pg_oid::kFloat8:
    case pg_oid::kBpchar:
    case pg_oid::kVarchar:
    case pg_oid::kTimestamp:
      return true;
    default:
      return false;
  }
}

std::uint64_t big_endian(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

// Microseconds since 2000-01-01 as PostgreSQL prints a timestamp with DateStyle ISO:
// "YYYY-MM-DD HH:MM:SS[.ffffff]", trailing zeros of the fraction dropped, " BC" before year 1.
std::string timestamp_text(std::int64_t us) {
  if (us == std::numeric_limits<std::int64_t>::max()) {
    return "infinity";
  }
  if (us == std::numeric_limits<std::int64_t>::min()) {
    return "-infinity";
  }
  std::int64_t days = us / kMicrosPerDay;
  std::int64_t rest = us % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant, civil_from_days).
  std::int64_t z = days + kDaysFrom1970To2000 + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  bool bc = year <= 0;
  if (bc) {
    year = 1 - year;
  }
  std::int64_t secs = rest / 1'000'000;
  std::int64_t frac = rest % 1'000'000;
  // Written digit by digit: this runs twice per token row, and fmt::format cost more than the
  // rest of the row's decoding.
  std::string out;
  out.reserve(32);
  auto put = [&out](std::int64_t v, int width) {
    std::array<char, 20> digits{};
    int n = 0;
    do {
      digits[static_cast<std::size_t>(n++)] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 || n < width);
    while (n > 0) {
      out += digits[static_cast<std::size_t>(--n)];
    }
  };
  put(year, 4);
  out += '-';
  put(month, 2);
  out += '-';
  put(day, 2);
  out += ' ';
  put(secs / 3600, 2);
  out += ':';
  put(secs / 60 % 60, 2);
  out += ':';
  put(secs % 60, 2);
  if (frac != 0) {
    out += '.';
    put(frac, 6);
    out.erase(out.find_last_not_of('0') + 1);
  }
  if (bc) {
    out += " BC";
  }
  return out;
}

Value decode(Oid type, const char* p, std::size_t n) {
  switch (type) {
    case pg_oid::kBool:
      return Value(std::string(n == 1 && p[0] != 0 ? "true" : "false"));
    case pg_oid::kBytea:
      return Value(Bytes(p, p + n));
    case pg_oid::kInt2:
      return Value(static_cast<std::int64_t>(static_cast<std::int16_t>(big_endian(p, 2))));
    case pg_oid::kInt4:
      return Value(static_cast<std::int64_t>(static_cast<std::int32_t>(big_endian(p, 4))));
    case pg_oid::kOid:
      return Value(static_cast<std::int64_t>(static_cast<std::uint32_t>(big_endian(p, 4))));
    case pg_oid::kInt8:
      return Value(static_cast<std::int64_t>(big_endian(p, 8)));
    case pg_oid::kFloat8: {
      std::uint64_t bits = big_endian(p, 8);
      double d = 0;
      std::memcpy(&d, &bits, sizeof d);
      return Value(d);
    }
    case pg_oid::kTimestamp:
      return Value(timestamp_text(static_cast<std::int64_t>(big_endian(p, 8))));
    default:
      return Value(std::string(p, n));  // text, varchar, bpchar, name, and the ::text casts
  }
}

class CopyOut final : public ChunkSource {
 public:
  CopyOut(PGconn* conn, const PostgresSession* session, std::string_view sql)
      : conn_(conn), session_(session) {
    std::string q(sql);
    Result r(PQexec(conn_, q.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) {
      throw postgres_error(conn_, r.get(), "starting COPY TO STDOUT", session_);
    }
  }

  CopyOut(const CopyOut&) = delete;
  CopyOut& operator=(const CopyOut&) = delete;
  CopyOut(CopyOut&&) = delete;
  CopyOut& operator=(CopyOut&&) = delete;

  // Reads what is left so the connection can run the next statement; never throws.
  ~CopyOut() override {
    release();
    if (done_) {
      return;
    }
    char* buf = nullptr;
    while (PQgetCopyData(conn_, &buf, 0) > 0) {
      PQfreemem(buf);
    }
    while (PGresult* r = PQgetResult(conn_)) {
      PQclear(r);
    }
  }

  bool next(std::string_view& chunk) override {
    release();
    if (done_) {
      return false;
    }
    int n = PQgetCopyData(conn_, &buf_, 0);
    if (n > 0) {
      chunk = std::string_view(buf_, static_cast<std::size_t>(n));
      return true;
    }
    done_ = true;
    // -1: the COPY is over and its result follows; -2: the connection failed.
    Result end(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) {
      PQclear(extra);
    }
    if (n == -2 || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
      throw postgres_error(conn_, end.get(), "reading COPY data", session_);
    }
    return false;
  }

 private:
  void release() {
    if (buf_ != nullptr) {
      PQfreemem(buf_);
      buf_ = nullptr;
    }
  }

  PGconn* conn_;
  const PostgresSession* session_;
  char* buf_ = nullptr;
  bool done_ = false;
};

// Decodes the binary COPY format (header, then per tuple an int16 field count and per field an
// int32 length, -1 for NULL, and the bytes; a count of -1 ends it) from a raw stream whose
// message boundaries it does not rely on.
class BinaryRowSource final : public RowSource {
 public:
  BinaryRowSource(PGconn* conn, const PostgresSession* session, std::string_view sql,
                  std::vector<Oid> types)
      : types_(std::move(types)), in_(conn, session, sql) {}

  bool next(Row& row) override {
    if (!header_read_) {
      read_header();
    }
    if (ended_ || !fill(2)) {
      return end_of_data();
    }
    auto fields = static_cast<std::int16_t>(big_endian(take(2), 2));
    if (fields == -1) {
      ended_ = true;
      return end_of_data();
    }
    if (static_cast<std::size_t>(fields) != types_.size()) {
      throw malformed(fmt::format("a row of {} fields for {} columns", fields, types_.size()));
    }
    row.resize(types_.size());
    for (std::size_t i = 0; i < types_.size(); ++i) {
      require(4);
      auto len = static_cast<std::int32_t>(big_endian(take(4), 4));
      if (len < 0) {
        row[i] = Value();
        continue;
      }
      require(static_cast<std::size_t>(len));
      row[i] =
          decode(types_[i], take(static_cast<std::size_t>(len)), static_cast<std::size_t>(len));
    }
    return true;
  }

 private:
  void read_header() {
    header_read_ = true;
    require(kSignature.size() + 8);
    if (std::string_view(take(kSignature.size()), kSignature.size()) != kSignature) {
      throw malformed("no binary COPY signature");
    }
    take(4);  // flags: no bit cutover needs (OIDs are never requested)
    auto ext = static_cast<std::size_t>(big_endian(take(4), 4));
    require(ext);
    take(ext);
  }

  // Reads chunks until `n` bytes lie unread in the buffer; false when the stream ends first.
  bool fill(std::size_t n) {
    while (buf_.size() - pos_ < n) {
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      std::string_view chunk;
      if (!in_.next(chunk)) {
        return false;
      }
      buf_.append(chunk);
    }
    return true;
  }

  void require(std::size_t n) {
    if (!fill(n)) {
      throw malformed("the stream ended inside a row");
    }
  }

  const char* take(std::size_t n) {
    const char* p = buf_.data() + pos_;
    pos_ += n;
    return p;
  }

  // After the trailer the COPY result still has to be read, which may report an error.
  bool end_of_data() {
    std::string_view chunk;
    while (in_.next(chunk)) {
    }
    return false;
  }

  static Error malformed(const std::string& what) {
    return Error(ErrorKind::internal, "unexpected binary COPY data from PostgreSQL: " + what);
  }

  std::vector<Oid> types_;
  CopyOut in_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool header_read_ = false;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<ChunkSource> postgres_copy_out(PGconn* conn, const PostgresSession* session,
                                               std::string_view sql) {
  return std::make_unique<CopyOut>(conn, session, sql);
}

std::int64_t postgres_copy_in(PGconn* conn, const PostgresSession* session, std::string_view sql,
                              ChunkSource& data) {
  std::string q(sql);
  Result start(PQexec(conn, q.c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
    throw postgres_error(conn, start.get(), "starting COPY FROM STDIN", session);
  }
  bool sent = true;
  try {
    std::string_view chunk;
    while (sent && data.next(chunk)) {
      sent = PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) == 1;
    }
  } catch (...) {
    // The source failed: abort the COPY so nothing is loaded and the connection stays usable.
    PQputCopyEnd(conn, "the source of the COPY failed");
    while (PGresult* r = PQgetResult(conn)) {
      PQclear(r);
    }
    throw;
  }
  PQputCopyEnd(conn, sent ? nullptr : "sending COPY data failed");
  Result end(PQgetResult(conn));
  while (PGresult* extra = PQgetResult(conn)) {
    PQclear(extra);
  }
  if (!sent || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
    throw postgres_error(conn, end.get(), "loading COPY data", session);
  }
  const char* n = PQcmdTuples(end.get());
  return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

std::unique_ptr<RowSource> postgres_bulk_read(PGconn* conn, const PostgresSession* session,
                                              std::string_view table,
                                              const std::vector<std::string>& columns,
                                              const std::vector<std::string>& order_by) {
  const Dialect& d = postgres_dialect();
  std::string cols;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    cols += (i ? ", " : "") + d.stored_ident(columns[i]);
  }
  std::string from = d.stored_ident(table);
  // The column types decide the decoding; an empty result still describes them.
  std::string probe = fmt::format("SELECT {} FROM {} LIMIT 0", cols, from);
  Result shape(PQexec(conn, probe.c_str()));
  if (PQresultStatus(shape.get()) != PGRES_TUPLES_OK) {
    throw postgres_error(conn, shape.get(), fmt::format("reading the columns of {}", table),
                         session);
  }
  std::vector<Oid> types;
  std::string select;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    Oid t = PQftype(shape.get(), static_cast<int>(i));
    std::string col = d.stored_ident(columns[i]);
    select += (i ? ", " : "") + (decoded(t) ? col : col + "::text");
    types.push_back(decoded(t) ? t : pg_oid::kText);
  }
  std::string sql = fmt::format("COPY (SELECT {} FROM {}", select, from);
  if (!order_by.empty()) {
    sql += " ORDER BY ";
    for (std::size_t i = 0; i < order_by.size(); ++i) {
      sql += (i ? ", " : "") + d.stored_ident(order_by[i]);
    }
  }
  sql += ") TO STDOUT (FORMAT binary)";
  return std::make_unique<BinaryRowSource>(conn, session, sql, std::move(types));
}

}  // namespace cutover::db
