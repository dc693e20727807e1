#include "cleanup/registry_backup_file.h"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cutover::cleanup {

namespace {

constexpr const char* kFormat = "cutover-registry-backup";
constexpr int kVersion = 1;

char hex_digit(unsigned v) {
  return "0123456789abcdef"[v & 0xFU];
}

nlohmann::json to_json(const db::Value& v) {
  if (v.is_null()) {
    return nullptr;
  }
  if (v.is_int()) {
    return v.as_int();
  }
  if (v.is_double()) {
    return v.as_double();
  }
  if (v.is_bytes()) {
    std::string hex;
    for (std::uint8_t b : v.as_bytes()) {
      hex += hex_digit(b >> 4U);
      hex += hex_digit(b);
    }
    return {{"hex", hex}};
  }
  return v.as_text();
}

[[noreturn]] void bad(const std::string& path, std::size_t line, const std::string& what) {
  throw Error(ErrorKind::config,
              fmt::format("{} line {} is not a registry backup line: {}", path, line, what),
              "pass a file written by 'cutover registry disable-versioning --backup-file'");
}

db::Value from_json(const nlohmann::json& j, const std::string& path, std::size_t line) {
  if (j.is_null()) {
    return {};
  }
  if (j.is_number_integer()) {
    return j.get<std::int64_t>();
  }
  if (j.is_number()) {
    return j.get<double>();
  }
  if (j.is_string()) {
    return j.get<std::string>();
  }
  if (j.is_object() && j.contains("hex") && j["hex"].is_string()) {
    const std::string& hex = j["hex"].get_ref<const std::string&>();
    db::Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
  }
  bad(path, line, "a value is neither null, a number, a string nor {\"hex\": ...}");
}

}  // namespace

RegistryBackupWriter::RegistryBackupWriter(const std::string& path, const std::string& dialect)
    : file_(path) {
  nlohmann::json head = {{"format", kFormat}, {"version", kVersion}, {"dialect", dialect}};
  file_.write(head.dump() + "\n");
}

std::int64_t RegistryBackupWriter::add(const std::string& table, db::RowReader& rows) {
  nlohmann::json columns = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.column_count(); ++i) {
    columns.push_back(rows.column_name(i));
  }
  nlohmann::json head = {{"table", table}, {"columns", columns}};
  std::string out = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::int64_t n = 0;
  while (rows.next()) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t i = 0; i < rows.column_count(); ++i) {
      row.push_back(to_json(rows.get(i)));
    }
    // Invalid UTF-8 in a value cannot be JSON text, and a replacement character would not
    // restore the same bytes: the run stops rather than keep a backup that restores wrongly.
    try {
      out += row.dump() + "\n";
    } catch (const nlohmann::json::type_error&) {
      throw Error(
          ErrorKind::unsupported,
          fmt::format("a value in {} is not valid UTF-8, which a JSON backup cannot hold", table),
          "back up into tables instead (run without --backup-file)");
    }
    ++n;
    if (out.size() > (1U << 20)) {
      file_.write(out);
      out.clear();
    }
  }
  file_.write(out);
  rows_ += n;
  return n;
}

void RegistryBackupWriter::publish() {
  file_.write(nlohmann::json({{"end", true}, {"rows", rows_}}).dump() + "\n");
  file_.publish();
}

void read_registry_backup(
    const std::string& path,
    const std::function<void(const std::string&, const std::vector<std::string>&, const db::Row&)>&
        on_row) {
  // Twice: first the whole file is checked (header, every line, the end line's count), so a
  // truncated or foreign file is refused before anything is restored.
  for (bool deliver : {false, true}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw Error(ErrorKind::io, fmt::format("cannot read {}", path), "check the path");
    }
    std::string text;
    std::size_t line = 0;
    std::string table;
    std::vector<std::string> columns;
    std::int64_t rows = 0;
    bool ended = false;
    while (std::getline(in, text)) {
      ++line;
      nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded() || ended) {
        bad(path, line, ended ? "text after the end line" : "not JSON");
      }
      if (line == 1) {
        if (!j.is_object() || j.value("format", "") != kFormat ||
            j.value("version", 0) != kVersion) {
          bad(path, line,
              fmt::format("no \"format\": \"{}\", \"version\": {} header", kFormat, kVersion));
        }
      } else if (j.is_object() && j.contains("table")) {
        if (!j["table"].is_string() || !j["columns"].is_array()) {
          bad(path, line, "a table line needs a name and columns");
        }
        table = j["table"].get<std::string>();
        columns.clear();
        for (const nlohmann::json& c : j["columns"]) {
          if (!c.is_string()) {
            bad(path, line, "a column name is not a string");
          }
          columns.push_back(c.get<std::string>());
        }
      } else if (j.is_object() && j.contains("end")) {
        if (!j["rows"].is_number_integer() || j["rows"].get<std::int64_t>() != rows) {
          bad(path, line, fmt::format("the end line does not count the {} rows before it", rows));
        }
        ended = true;
      } else if (j.is_array()) {
        if (table.empty() || j.size() != columns.size()) {
          bad(path, line, "a row without a table line, or with the wrong number of values");
        }
        db::Row row;
        for (const nlohmann::json& v : j) {
          row.push_back(from_json(v, path, line));
        }
        ++rows;
        if (deliver) {
          on_row(table, columns, row);
        }
      } else {
        bad(path, line, "neither a table line, a row nor the end line");
      }
    }
    if (!ended) {
      throw Error(ErrorKind::config, fmt::format("{} has no end line: it is incomplete", path),
                  "the file was cut short or is not the one the run wrote");
    }
  }
}

}  // namespace cutover::cleanup
