#include "cli/render_inspect.h"

#include <string_view>

#include <fmt/format.h>

#include "cli/common.h"
#include "core/echo.h"

namespace cutover::cli {

namespace {

std::string yes_no(const std::optional<bool>& b) {
  return b ? (*b ? "on" : "off") : "not set";
}

std::string match_text(const schema::VersionMatch& m, const std::string& title) {
  std::string out = fmt::format("{} {}", title, m.label());
  if (m.column_differences == 0) {
    out += " (columns match exactly";
  } else {
    out += fmt::format(" (closest; {} column difference{}", m.column_differences,
                       m.column_differences == 1 ? "" : "s");
  }
  if (m.versions.size() > 1 && m.narrowed.size() < m.versions.size() && !m.narrowed.empty()) {
    out += fmt::format("; keys and indexes point to {}", fmt::join(m.narrowed, ", "));
  }
  return out + ")";
}

// Names in a report come from databases and files an attacker may control: each line goes
// through echo(), so terminal escapes are shown escaped and a huge value cannot flood the
// screen.
constexpr std::size_t kReportLineLimit = 1000;

std::string printable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    out += echo(text.substr(0, nl), kReportLineLimit);
    if (nl == std::string_view::npos) {
      break;
    }
    out += '\n';
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string inspect_text_raw(const std::optional<plan::InspectReport>& db,
                             const std::optional<plan::HomeReport>& home) {
  std::string out;
  if (db) {
    const plan::InspectReport& r = *db;
    out += fmt::format("database   {}\n", r.target);
    out += fmt::format("engine     {} ({} backend, {} dialect)\n", r.server_version, r.backend,
                       r.dialect);
    out += fmt::format("product    {}\n", match_text(r.match, r.product_title));
    for (const auto& [name, m] : r.by_database) {
      out += fmt::format("  {:<8} {} tables: {}\n", name, m.tables_found,
                         match_text(m, r.product_title));
    }
    out += fmt::format("tables     {} catalogued tables present\n", r.match.tables_found);
    for (const schema::TableDiff& d : r.match.differences) {
      if (d.missing) {
        out += fmt::format("  differs  {}: table missing\n", d.table);
      } else if (d.unexpected) {
        out += fmt::format("  differs  {}: table not in {}\n", d.table, r.match.label());
      } else {
        if (!d.missing_columns.empty()) {
          out += fmt::format("  differs  {}: missing {}\n", d.table,
                             fmt::join(d.missing_columns, ", "));
        }
        if (!d.extra_columns.empty()) {
          out += fmt::format("  differs  {}: has {} (not in this version)\n", d.table,
                             fmt::join(d.extra_columns, ", "));
        }
      }
    }
    if (!r.match.unknown_columns.empty()) {
      out += fmt::format("unknown    columns in no catalogued version: {}\n",
                         fmt::join(r.match.unknown_columns, ", "));
    }
    out += fmt::format("\n  {:<34} {:>14} {:>12}\n", "table", "rows", "size");
    for (const plan::TableStats& t : r.tables) {
      out += fmt::format("  {:<34} {:>14} {:>12}\n", t.name, group_digits(t.rows),
                         t.bytes ? (t.bytes_estimated ? "~" : "") + human_bytes(*t.bytes) : "n/a");
    }
    if (r.cleanup) {
      const plan::CleanupEstimate& c = *r.cleanup;
      out += fmt::format(
          "\ncleanup    {} of {} tokens eligible: {} expired, {} inactive, {} revoked, {} active "
          "but ended more than {} h ago\n",
          group_digits(c.eligible), group_digits(c.total_tokens), group_digits(c.expired),
          group_digits(c.inactive), group_digits(c.revoked), group_digits(c.active_but_ended),
          c.safe_period_s / 3600);
    }
  }
  if (home) {
    const plan::HomeReport& h = *home;
    out += fmt::format("{}home       {}\n", db ? "\n" : "", h.home);
    out += fmt::format("config     {}\n", h.config_source.empty() ? "none found" : h.config_source);
    for (const wso2conf::Datasource& d : h.databases) {
      out += fmt::format("  database {} ({}): {}\n", d.id, d.engine, d.jdbc_url);
      if (d.cutover_url) {
        out += fmt::format("           cutover URL {} (user {})\n", *d.cutover_url,
                           d.user.empty() ? "?" : d.user);
      }
      if (!d.note.empty()) {
        out += fmt::format("           {}\n", d.note);
      }
    }
    if (h.registry) {
      const wso2conf::RegistryVersioning& v = *h.registry;
      out += fmt::format(
          "registry   versioning {} (properties {}, comments {}, tags {}, ratings {}) from {}\n",
          v.any_on() ? "ON: run the registry versioning cleanup before migrating" : "off",
          yes_no(v.properties), yes_no(v.comments), yes_no(v.tags), yes_no(v.ratings), v.source);
    } else {
      out += "registry   versioning flags not found (IS 5.9+ default: off)\n";
    }
    out += fmt::format("components {} custom jar{}\n", h.components.size(),
                       h.components.size() == 1 ? "" : "s");
    for (const plan::Component& c : h.components) {
      if (!c.problem.empty()) {
        out += fmt::format("  {}: {}\n", c.file, c.problem);
      } else {
        out += fmt::format("  {}: {} {} ({} imported packages)\n", c.file,
                           c.symbolic_name.empty() ? "(not an OSGi bundle)" : c.symbolic_name,
                           c.version, c.imports.size());
      }
    }
    for (const std::string& w : h.warnings) {
      out += fmt::format("warning    {}\n", w);
    }
  }
  return out;
}

}  // namespace

std::string inspect_text(const std::optional<plan::InspectReport>& db,
                         const std::optional<plan::HomeReport>& home) {
  return printable(inspect_text_raw(db, home));
}

nlohmann::json inspect_json(const std::optional<plan::InspectReport>& db,
                            const std::optional<plan::HomeReport>& home) {
  nlohmann::json j = nlohmann::json::object();
  if (db) {
    const plan::InspectReport& r = *db;
    nlohmann::json diffs = nlohmann::json::array();
    for (const schema::TableDiff& d : r.match.differences) {
      diffs.push_back({{"table", d.table},
                       {"missing_table", d.missing},
                       {"unexpected_table", d.unexpected},
                       {"missing_columns", d.missing_columns},
                       {"extra_columns", d.extra_columns}});
    }
    nlohmann::json tables = nlohmann::json::array();
    for (const plan::TableStats& t : r.tables) {
      tables.push_back({{"name", t.name},
                        {"rows", t.rows},
                        {"bytes", t.bytes ? nlohmann::json(*t.bytes) : nlohmann::json()},
                        {"bytes_estimated", t.bytes_estimated}});
    }
    j["database"] = {{"target", r.target},
                     {"backend", r.backend},
                     {"dialect", r.dialect},
                     {"server_version", r.server_version}};
    j["product"] = {{"title", r.product_title},
                    {"version", r.match.label()},
                    {"versions", r.match.versions},
                    {"narrowed", r.match.narrowed},
                    {"exact", r.match.column_differences == 0},
                    {"column_differences", r.match.column_differences},
                    {"differences", diffs},
                    {"unknown_columns", r.match.unknown_columns},
                    {"tables_found", r.match.tables_found}};
    nlohmann::json by_db = nlohmann::json::object();
    for (const auto& [name, m] : r.by_database) {
      by_db[name] = {{"version", m.label()},
                     {"versions", m.versions},
                     {"narrowed", m.narrowed},
                     {"exact", m.column_differences == 0},
                     {"column_differences", m.column_differences},
                     {"tables_found", m.tables_found}};
    }
    j["product"]["by_database"] = by_db;
    j["tables"] = tables;
    if (r.cleanup) {
      const plan::CleanupEstimate& c = *r.cleanup;
      j["cleanup"] = {{"total_tokens", c.total_tokens},
                      {"eligible", c.eligible},
                      {"expired", c.expired},
                      {"inactive", c.inactive},
                      {"revoked", c.revoked},
                      {"active_but_ended", c.active_but_ended},
                      {"safe_period_hours", c.safe_period_s / 3600}};
    }
  }
  if (home) {
    const plan::HomeReport& h = *home;
    nlohmann::json dbs = nlohmann::json::array();
    for (const wso2conf::Datasource& d : h.databases) {
      dbs.push_back(
          {{"id", d.id},
           {"jdbc_url", d.jdbc_url},
           {"engine", d.engine},
           {"user", d.user},
           {"password_set", d.password_set},
           {"cutover_url", d.cutover_url ? nlohmann::json(*d.cutover_url) : nlohmann::json()},
           {"note", d.note}});
    }
    nlohmann::json comps = nlohmann::json::array();
    for (const plan::Component& c : h.components) {
      comps.push_back({{"file", c.file},
                       {"location", c.location},
                       {"symbolic_name", c.symbolic_name},
                       {"version", c.version},
                       {"imports", c.imports},
                       {"problem", c.problem}});
    }
    auto opt = [](const std::optional<bool>& b) {
      return b ? nlohmann::json(*b) : nlohmann::json();
    };
    nlohmann::json reg;
    if (h.registry) {
      reg = {{"source", h.registry->source},          {"properties", opt(h.registry->properties)},
             {"comments", opt(h.registry->comments)}, {"tags", opt(h.registry->tags)},
             {"ratings", opt(h.registry->ratings)},   {"any_on", h.registry->any_on()}};
    }
    j["home"] = {{"path", h.home},      {"config_source", h.config_source},
                 {"databases", dbs},    {"registry_versioning", reg},
                 {"components", comps}, {"warnings", h.warnings}};
  }
  return j;
}

}  // namespace cutover::cli
