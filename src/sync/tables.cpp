#include "sync/tables.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/echo.h"
#include "core/error.h"
#include "schema/catalogue.h"

namespace cutover::sync {

std::vector<SyncTable> resolve_tables(db::Connection& source, const SyncConfig& config) {
  const schema::Product& product = schema::product(config.product);
  std::vector<std::string> wanted = config.tables;
  if (wanted.empty()) {
    wanted = default_tables(config.product, config.from_version, config.to_version);
  }
  std::vector<SyncTable> out;
  // The catalogue's order puts referenced tables first; keep it whatever order was asked.
  for (const schema::TableSpec& spec : product.specs()) {
    auto it = std::find_if(wanted.begin(), wanted.end(),
                           [&](const std::string& w) { return db::same_ident(w, spec.name); });
    if (it == wanted.end()) {
      continue;
    }
    std::optional<db::TableDef> def = source.describe_table(spec.name);
    if (!def) {
      throw Error(ErrorKind::config, fmt::format("the source has no table {}", spec.name),
                  "check --tables and --from against the source's product version");
    }
    SyncTable t{spec.name, *def, def->primary_key};
    if (t.key.empty() && !def->unique_keys.empty()) {
      t.key = def->unique_keys.front().columns;
    }
    if (t.key.empty()) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} has neither a primary key nor a unique key", spec.name),
                  "rows cannot be matched between source and target without one");
    }
    out.push_back(std::move(t));
    wanted.erase(it);
  }
  // Every table a synced table references is captured too (IDN_OAUTH_CONSUMER_APPS, IDP):
  // an application registered during the sync must reach the target before its tokens, and
  // a parent deleted on MySQL removes its children by cascade without firing their triggers,
  // so the parent's entry is what carries the delete (DESIGN §3.1).
  std::vector<SyncTable> parents;
  std::vector<db::TableDef> todo;
  todo.reserve(out.size());
  for (const SyncTable& t : out) {
    todo.push_back(t.def);
  }
  auto known = [&](const std::string& name) {
    auto same = [&](const SyncTable& t) { return db::same_ident(t.def.name, name); };
    return std::any_of(out.begin(), out.end(), same) ||
           std::any_of(parents.begin(), parents.end(), same);
  };
  while (!todo.empty()) {
    db::TableDef def = std::move(todo.back());
    todo.pop_back();
    for (const db::ForeignKey& fk : def.foreign_keys) {
      if (known(fk.ref_table)) {
        continue;
      }
      std::optional<db::TableDef> ref = source.describe_table(fk.ref_table);
      if (!ref) {
        continue;  // a dangling reference: the copy reports it
      }
      SyncTable t{db::to_upper(ref->name), *ref, ref->primary_key};
      if (t.key.empty() && !ref->unique_keys.empty()) {
        t.key = ref->unique_keys.front().columns;
      }
      if (t.key.empty()) {
        continue;  // cannot be matched by key; the copy still copies it
      }
      todo.push_back(*ref);
      parents.push_back(std::move(t));
    }
  }
  // Referenced tables first (the deepest found last).
  out.insert(out.begin(), parents.rbegin(), parents.rend());
  if (!wanted.empty()) {
    throw Error(ErrorKind::config, fmt::format("unknown table {}", echo(wanted.front(), 64)),
                fmt::format("tables cutover knows for {}: see 'cutover inspect' or the catalogue "
                            "(docs/catalogue.md)",
                            product.title()));
  }
  return out;
}

std::vector<capture::CapturedTable> captured_tables(const std::vector<SyncTable>& tables) {
  std::vector<capture::CapturedTable> out;
  out.reserve(tables.size());
  for (const SyncTable& t : tables) {
    out.push_back({t.def.name, t.key, {}});
  }
  return out;
}

}  // namespace cutover::sync
