#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/utc_time.h"
#include "schema/fill_values.h"
#include "schema/fill_writer.h"

// The registry tables of the shared database: paths, resources and their history, content,
// properties, tags, comments and ratings. Small next to the token tables, so built in memory
// and written in foreign-key order.
namespace cutover::schema {

using db::Row;
using db::Value;

void load_registry_tables(db::Connection& conn, const FillModel& model, const LiveTables& live,
                          FillResult& result) {
  if (live.count("REG_PATH") == 0) {
    return;
  }
  std::map<std::string, std::vector<Row>> rows;
  std::int64_t path_id = 0;
  std::int64_t version = 0;
  std::int64_t content_id = 0;
  std::int64_t value_id = 0;
  std::map<std::string, std::int64_t> link_ids;
  Rng r(model.seed(), kRegistry, 0);
  std::int64_t collections = std::max<std::int64_t>(2, model.rows() / 500);
  auto time = [&]() {
    return Value(utc_text(model.base_time() -
                          static_cast<std::int64_t>(r.below(std::uint64_t{365} * 86400))));
  };
  auto link = [&](const std::string& table, std::int64_t value, std::int64_t ver, std::int64_t path,
                  const Value& name, int tenant) {
    // Versioning on (IS <= 5.8): links name the resource version; off: path and name.
    // Columns: value id, REG_VERSION, REG_PATH_ID, REG_RESOURCE_NAME, REG_TENANT_ID, ID.
    Row row{Value(value), Value(), Value(), Value(), Value(tenant), Value(++link_ids[table])};
    if (model.versioned_registry()) {
      row[1] = Value(ver);
    } else {
      row[2] = Value(path);
      row[3] = name;
    }
    rows[table].push_back(std::move(row));
  };
  for (int tenant : kTenants) {
    std::vector<std::pair<std::string, std::int64_t>> paths;  // value, id
    auto add_path = [&](const std::string& value, std::int64_t parent) {
      std::int64_t id = ++path_id;
      rows["REG_PATH"].push_back(
          {Value(id), Value(value), parent == 0 ? Value() : Value(parent), Value(tenant)});
      // The collection itself is a REG_RESOURCE row with a NULL name.
      rows["REG_RESOURCE"].push_back({Value(id), Value(), Value(++version), Value(),
                                      Value("wso2.system.user"), time(), Value("wso2.system.user"),
                                      time(), Value(), Value(), Value(tenant), Value(uuid4(r))});
      paths.emplace_back(value, id);
      return id;
    };
    std::int64_t root = add_path("/", 0);
    std::int64_t sys = add_path("/_system", root);
    std::int64_t config = add_path("/_system/config", sys);
    std::int64_t gov = add_path("/_system/governance", sys);
    add_path("/_system/local", sys);
    std::int64_t base = add_path("/_system/config/cutover", config);
    add_path("/_system/governance/cutover", gov);
    for (std::int64_t k = 0; k < collections; ++k) {
      std::int64_t coll = add_path(fmt::format("/_system/config/cutover/c{}", k), base);
      for (int j = 0; j < 3; ++j) {
        Value name(fmt::format("res{}.xml", j));
        int history = model.versioned_registry() ? static_cast<int>((k + j) % 3) : 0;
        // Older versions first: they move to the history tables with their own content.
        for (int h = 0; h <= history; ++h) {
          bool current = h == history;
          std::int64_t cid = ++content_id;
          std::int64_t ver = ++version;
          std::string xml = fmt::format("<config><key>{}</key><v>{}</v></config>", uuid4(r), h);
          db::Bytes bytes(xml.begin(), xml.end());
          Row res = {Value(coll),         name,       Value(ver),     Value("application/xml"),
                     Value("admin"),      time(),     Value("admin"), time(),
                     Value("a resource"), Value(cid), Value(tenant),  Value(uuid4(r))};
          if (current) {
            rows["REG_CONTENT"].push_back({Value(cid), Value(std::move(bytes)), Value(tenant)});
            rows["REG_RESOURCE"].push_back(std::move(res));
          } else {
            rows["REG_CONTENT_HISTORY"].push_back(
                {Value(cid), Value(std::move(bytes)), Value(0), Value(tenant)});
            res.emplace_back(0);  // REG_DELETED
            rows["REG_RESOURCE_HISTORY"].push_back(std::move(res));
          }
          for (int p = 0; p < 2; ++p) {
            std::int64_t id = ++value_id;
            rows["REG_PROPERTY"].push_back({Value(id), Value(fmt::format("prop{}", p)),
                                            Value(fmt::format("value-{}-{}", h, p)),
                                            Value(tenant)});
            if (current || model.versioned_registry()) {
              link("REG_RESOURCE_PROPERTY", id, ver, coll, name, tenant);
            }
          }
          if (!current) {
            continue;
          }
          if (j == 0) {
            std::int64_t id = ++value_id;
            rows["REG_TAG"].push_back(
                {Value(id), Value("cutover"), Value("admin"), time(), Value(tenant)});
            link("REG_RESOURCE_TAG", id, ver, coll, name, tenant);
          } else if (j == 1) {
            std::int64_t id = ++value_id;
            rows["REG_COMMENT"].push_back({Value(id), Value("reviewed before migration"),
                                           Value("admin"), time(), Value(tenant)});
            link("REG_RESOURCE_COMMENT", id, ver, coll, name, tenant);
          } else {
            std::int64_t id = ++value_id;
            rows["REG_RATING"].push_back({Value(id),
                                          Value(static_cast<std::int64_t>(1 + r.below(5))),
                                          Value("admin"), time(), Value(tenant)});
            link("REG_RESOURCE_RATING", id, ver, coll, name, tenant);
          }
        }
      }
    }
  }
  const std::vector<std::string> resource_cols = {
      "REG_PATH_ID",     "REG_NAME",         "REG_VERSION",      "REG_MEDIA_TYPE",
      "REG_CREATOR",     "REG_CREATED_TIME", "REG_LAST_UPDATOR", "REG_LAST_UPDATED_TIME",
      "REG_DESCRIPTION", "REG_CONTENT_ID",   "REG_TENANT_ID",    "REG_UUID"};
  std::vector<std::string> history_cols = resource_cols;
  history_cols.push_back("REG_DELETED");
  auto link_cols = [](const char* value_col) {
    return std::vector<std::string>{value_col,           "REG_VERSION",   "REG_PATH_ID",
                                    "REG_RESOURCE_NAME", "REG_TENANT_ID", "ID"};
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> order = {
      {"REG_PATH", {"REG_PATH_ID", "REG_PATH_VALUE", "REG_PATH_PARENT_ID", "REG_TENANT_ID"}},
      {"REG_CONTENT", {"REG_CONTENT_ID", "REG_CONTENT_DATA", "REG_TENANT_ID"}},
      {"REG_CONTENT_HISTORY",
       {"REG_CONTENT_ID", "REG_CONTENT_DATA", "REG_DELETED", "REG_TENANT_ID"}},
      {"REG_RESOURCE", resource_cols},
      {"REG_RESOURCE_HISTORY", history_cols},
      {"REG_PROPERTY", {"REG_ID", "REG_NAME", "REG_VALUE", "REG_TENANT_ID"}},
      {"REG_RESOURCE_PROPERTY", link_cols("REG_PROPERTY_ID")},
      {"REG_TAG", {"REG_ID", "REG_TAG_NAME", "REG_USER_ID", "REG_TAGGED_TIME", "REG_TENANT_ID"}},
      {"REG_RESOURCE_TAG", link_cols("REG_TAG_ID")},
      {"REG_COMMENT",
       {"REG_ID", "REG_COMMENT_TEXT", "REG_USER_ID", "REG_COMMENTED_TIME", "REG_TENANT_ID"}},
      {"REG_RESOURCE_COMMENT", link_cols("REG_COMMENT_ID")},
      {"REG_RATING", {"REG_ID", "REG_RATING", "REG_USER_ID", "REG_RATED_TIME", "REG_TENANT_ID"}},
      {"REG_RESOURCE_RATING", link_cols("REG_RATING_ID")},
  };
  for (const auto& [table, cols] : order) {
    auto it = live.find(table);
    if (it == live.end()) {
      continue;
    }
    const std::vector<Row>& table_rows = rows[table];  // lambdas cannot capture bindings
    std::int64_t n = write_table(conn, it->second, cols, [&](FillWriter& w) {
      for (const Row& row : table_rows) {
        w.add(row);
      }
    });
    result.rows.emplace_back(it->second.name, n);
    result.total_rows += n;
  }
}

}  // namespace cutover::schema
