#include "schema/transform.h"

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "schema/embedded.h"
#include "schema/fingerprint.h"
#include "schema/live_tables.h"

namespace cutover::schema {

namespace {

// ---------------------------------------------------------------------------------------------
// transforms.toml

enum class Rule { default_value, value, local_idp, generated, unavailable };

struct Declared {
  std::string table;   // upper case
  std::string column;  // upper case
  Rule rule = Rule::default_value;
  db::Value value;  // value; local_idp: the federated fallback
  bool when_null = false;
  std::string why;
};

struct Step {
  int from = 0;
  int to = 0;
  std::vector<Declared> columns;
};

[[noreturn]] void bad_data(std::string_view file, std::string_view what) {
  throw Error(ErrorKind::internal, fmt::format("catalogue file {}: {}", file, what),
              "the catalogue is compiled into cutover; this is a bug in its data files");
}

db::Value toml_value(const toml::node* n) {
  if (n == nullptr) {
    return {};
  }
  if (std::optional<std::int64_t> i = n->value<std::int64_t>(); i && n->is_integer()) {
    return {*i};
  }
  if (std::optional<std::string> s = n->value<std::string>()) {
    return {*s};
  }
  return {};
}

std::vector<Step> parse_steps(const Product& product, std::string_view path,
                              std::string_view text) {
  std::vector<Step> out;
  try {
    toml::table root = toml::parse(text, path);
    const toml::array* steps = root["steps"].as_array();
    if (steps == nullptr) {
      bad_data(path, "missing [[steps]]");
    }
    for (const toml::node& sn : *steps) {
      const toml::table* st = sn.as_table();
      if (st == nullptr) {
        bad_data(path, "a step must be a table");
      }
      Step s;
      std::optional<int> from = product.find_version((*st)["from"].value_or(std::string()));
      std::optional<int> to = product.find_version((*st)["to"].value_or(std::string()));
      if (!from || !to || *to != *from + 1) {
        bad_data(path, "a step goes from a version to the next one");
      }
      s.from = *from;
      s.to = *to;
      if (const toml::array* cols = (*st)["columns"].as_array()) {
        for (const toml::node& cn : *cols) {
          const toml::table* c = cn.as_table();
          if (c == nullptr) {
            bad_data(path, "columns hold tables");
          }
          Declared d;
          d.table = db::to_upper((*c)["table"].value_or(std::string()));
          d.column = db::to_upper((*c)["column"].value_or(std::string()));
          std::string rule = (*c)["rule"].value_or(std::string());
          static const std::map<std::string, Rule> kRules = {{"default", Rule::default_value},
                                                             {"value", Rule::value},
                                                             {"local_idp", Rule::local_idp},
                                                             {"generated", Rule::generated},
                                                             {"unavailable", Rule::unavailable}};
          auto it = kRules.find(rule);
          if (d.table.empty() || d.column.empty() || it == kRules.end()) {
            bad_data(path, fmt::format("bad column entry in step {}", product.versions()[s.to]));
          }
          d.rule = it->second;
          d.value = toml_value(c->get(d.rule == Rule::local_idp ? "federated" : "value"));
          d.when_null = (*c)["when"].value_or(std::string()) == "null";
          d.why = (*c)["why"].value_or(std::string());
          s.columns.push_back(std::move(d));
        }
      }
      out.push_back(std::move(s));
    }
  } catch (const toml::parse_error& e) {
    bad_data(path, fmt::format("{} (line {})", e.description(), e.source().begin.line));
  }
  return out;
}

const std::vector<Step>& steps_of(const Product& product) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<Step>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(product.id());
  if (it != cache.end()) {
    return it->second;
  }
  std::string path = product.id() + "/transforms.toml";
  std::vector<Step> steps;
  for (const EmbeddedFile& f : embedded_files()) {
    if (f.path == path) {
      steps = parse_steps(product, f.path, f.text);
    }
  }
  return cache.emplace(product.id(), std::move(steps)).first->second;
}

const Step* find_step(const std::vector<Step>& steps, int from) {
  for (const Step& s : steps) {
    if (s.from == from) {
      return &s;
    }
  }
  return nullptr;
}

const Declared* find_declared(const Step& s, const std::string& table, const std::string& column,
                              bool when_null) {
  for (const Declared& d : s.columns) {
    if (d.table == table && d.column == column && d.when_null == when_null) {
      return &d;
    }
  }
  return nullptr;
}

std::vector<std::string> column_names(const Product& p, const std::string& table, int version) {
  std::vector<std::string> out;
  if (std::optional<db::TableDef> t = p.table_at(table, version, "")) {
    for (const db::Column& c : t->columns) {
      out.push_back(db::to_upper(c.name));
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

[[noreturn]] void cannot_bind(const std::string& table, const std::string& from,
                              const std::string& to, const std::string& column,
                              const std::string& why) {
  throw Error(ErrorKind::config,
              fmt::format("cannot transform {} from {} to {}: column {}: {}", echo(table), from, to,
                          echo(column), why),
              "create the target schema of the version given with --to, or sync without this "
              "table (--tables)");
}

std::size_t utf8_chars(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  }
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// LocalIdps

LocalIdps::LocalIdps(db::Connection* target, db::Connection* source, bool reload_on_miss)
    : target_(target), source_(source), reload_on_miss_(reload_on_miss) {
  load();
}

void LocalIdps::load() {
  ids_.clear();
  // The source first, so the target's own ids win where both have the tenant.
  for (db::Connection* conn : {source_, target_}) {
    if (conn == nullptr) {
      continue;
    }
    std::optional<db::TableDef> idp = conn->describe_table("IDP");
    if (!idp) {
      continue;
    }
    const db::Column* tenant = idp->find_column("TENANT_ID");
    const db::Column* id = idp->find_column("ID");
    const db::Column* name = idp->find_column("NAME");
    if (tenant == nullptr || id == nullptr || name == nullptr) {
      continue;
    }
    const db::Dialect& d = conn->dialect();
    auto r = conn->query(fmt::format("SELECT {}, {} FROM {} WHERE {} = 'LOCAL'",
                                     d.stored_ident(tenant->name), d.stored_ident(id->name),
                                     d.stored_ident(idp->name), d.stored_ident(name->name)));
    while (r->next()) {
      if (!r->get(0).is_null() && !r->get(1).is_null()) {
        ids_[r->get(0).as_int()] = r->get(1).as_int();
      }
    }
  }
}

std::optional<std::int64_t> LocalIdps::find(std::int64_t tenant) {
  auto it = ids_.find(tenant);
  if (it == ids_.end() && reload_on_miss_) {
    load();
    it = ids_.find(tenant);
  }
  if (it == ids_.end()) {
    return std::nullopt;
  }
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// Transform: the chain

Transform Transform::make(const Product& product, std::string_view from, std::string_view to) {
  Transform t;
  t.product_ = &product;
  t.from_ = product.version_index(from);
  t.to_ = product.version_index(to);
  t.from_name_ = std::string(from);
  t.to_name_ = std::string(to);
  if (t.identity()) {
    return t;
  }
  const std::vector<Step>& steps = steps_of(product);
  int lo = std::min(t.from_, t.to_);
  int hi = std::max(t.from_, t.to_);
  for (int v = lo; v < hi; ++v) {
    if (find_step(steps, v) == nullptr) {
      throw Error(ErrorKind::config,
                  fmt::format("no declared transform from {} {} to {}", product.title(),
                              product.versions()[v], product.versions()[v + 1]),
                  "the catalogue's transforms.toml lacks that step; sync between versions it "
                  "declares");
    }
  }
  bool upgrade = t.to_ > t.from_;
  for (const TableSpec& spec : product.specs()) {
    if (!spec.range.contains(t.from_)) {
      continue;
    }
    std::string table = db::to_upper(spec.name);
    TablePlan plan;
    std::vector<std::string> now = column_names(product, spec.name, t.from_);
    for (const std::string& c : now) {
      plan.columns.emplace_back(c, ColumnPlan{});
    }
    // Walk the steps one version at a time, keeping what each target column becomes.
    for (int v = t.from_; v != t.to_; v += upgrade ? 1 : -1) {
      int next = upgrade ? v + 1 : v - 1;
      const Step* step = find_step(steps, std::min(v, next));
      std::vector<std::string> after = column_names(product, spec.name, next);
      for (auto it = plan.columns.begin(); it != plan.columns.end();) {
        if (!contains(after, it->first)) {
          plan.dropped.push_back(it->first);
          it = plan.columns.erase(it);
        } else {
          ++it;
        }
      }
      for (const std::string& c : after) {
        auto have = std::find_if(plan.columns.begin(), plan.columns.end(),
                                 [&](const auto& p) { return p.first == c; });
        if (have != plan.columns.end()) {
          // A column the step makes NOT NULL: its NULLs get the declared value.
          const Declared* d = upgrade ? find_declared(*step, table, c, true) : nullptr;
          if (d != nullptr && d->rule == Rule::local_idp &&
              have->second.kind == ColumnPlan::Kind::from_source) {
            have->second.null_to_local_idp = true;
            have->second.null_federated = d->value;
          }
          continue;
        }
        ColumnPlan cp;
        // Rollback: a column the newer version dropped gets the older one's default.
        cp.kind = ColumnPlan::Kind::default_value;
        if (upgrade) {
          const Declared* d = find_declared(*step, table, c, false);
          if (d == nullptr) {
            cp.kind = ColumnPlan::Kind::unavailable;
            cp.why = fmt::format("{}.{} is new in {} and transforms.toml declares no value for it",
                                 spec.name, c, product.versions()[next]);
          } else {
            static const std::map<Rule, ColumnPlan::Kind> kKinds = {
                {Rule::default_value, ColumnPlan::Kind::default_value},
                {Rule::value, ColumnPlan::Kind::value},
                {Rule::local_idp, ColumnPlan::Kind::local_idp},
                {Rule::generated, ColumnPlan::Kind::generated},
                {Rule::unavailable, ColumnPlan::Kind::unavailable}};
            cp.kind = kKinds.at(d->rule);
            cp.value = d->value;
            cp.why = d->why;
          }
        }
        plan.columns.emplace_back(c, std::move(cp));
      }
    }
    t.tables_.emplace(table, std::move(plan));
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Transform: binding one table to the live tables

TableTransform Transform::bind(const db::TableDef& source, const db::TableDef& target,
                               const std::vector<std::string>& key) const {
  TableTransform out;
  out.table_ = target.name;
  out.key_size_ = key.size();
  const TablePlan* plan = nullptr;
  if (!identity()) {
    auto it = tables_.find(db::to_upper(target.name));
    plan = it == tables_.end() ? nullptr : &it->second;
  }
  auto cannot = [&](const std::string& column, const std::string& why) {
    cannot_bind(target.name, from_name_, to_name_, column, why);
  };
  // Source columns: the key first, then each one as a move needs it.
  constexpr std::size_t kUnused = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> source_index(source.columns.size(), kUnused);
  auto use = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < source.columns.size(); ++i) {
      if (db::same_ident(source.columns[i].name, name)) {
        if (source_index[i] == kUnused) {
          source_index[i] = out.source_columns_.size();
          out.source_columns_.push_back(source.columns[i].name);
        }
        return source_index[i];
      }
    }
    cannot_bind(target.name, from_name_, to_name_, name, "the source table has no such column");
  };
  for (const std::string& k : key) {
    use(k);
  }
  auto omissible = [](const db::Column& c) {
    return c.nullable || c.generated || c.default_value.kind != db::DefaultValue::Kind::none;
  };
  for (const db::Column& tc : target.columns) {
    const ColumnPlan* cp = nullptr;
    if (plan != nullptr) {
      for (const auto& [name, p] : plan->columns) {
        if (db::same_ident(name, tc.name)) {
          cp = &p;
        }
      }
    }
    const db::Column* sc = source.find_column(tc.name);
    ColumnPlan by_name;
    if (cp == nullptr) {
      if (sc == nullptr) {
        // A live column the catalogue does not know for this version, on the target only.
        if (!omissible(tc)) {
          cannot(tc.name, "NOT NULL without default on the target, and nothing produces it");
        }
        out.unmatched_.push_back(fmt::format("{} (target only)", tc.name));
        continue;
      }
      cp = &by_name;
    }
    std::size_t to = out.target_columns_.size();
    switch (cp->kind) {
      case ColumnPlan::Kind::generated:
        continue;
      case ColumnPlan::Kind::default_value:
        if (!omissible(tc)) {
          cannot(tc.name, "NOT NULL without a default on the target and no declared value");
        }
        continue;
      case ColumnPlan::Kind::unavailable:
        cannot_bind(target.name, from_name_, to_name_, tc.name, cp->why);
      case ColumnPlan::Kind::value:
        out.target_columns_.push_back(tc.name);
        out.constants_.push_back({to, cp->value});
        continue;
      case ColumnPlan::Kind::local_idp: {
        TableTransform::Computed c;
        c.to = to;
        c.existing = sc != nullptr ? static_cast<int>(use(sc->name)) : -1;
        c.tenant = use("TENANT_ID");
        c.domain = use("USER_DOMAIN");
        c.federated = cp->value;
        c.not_null = !tc.nullable;
        out.target_columns_.push_back(tc.name);
        out.computed_.push_back(c);
        continue;
      }
      case ColumnPlan::Kind::from_source:
        break;
    }
    if (sc == nullptr) {
      // The catalogue has it in both versions but the live source does not: the target's
      // default, where it has one.
      if (!omissible(tc)) {
        cannot(tc.name, "the source lacks it and the target requires a value");
      }
      out.unmatched_.push_back(fmt::format("{} (target only)", tc.name));
      continue;
    }
    if (cp->null_to_local_idp) {
      TableTransform::Computed c;
      c.to = to;
      c.existing = static_cast<int>(use(sc->name));
      c.only_when_null = true;
      c.tenant = use("TENANT_ID");
      c.domain = use("USER_DOMAIN");
      c.federated = cp->null_federated;
      c.not_null = !tc.nullable;
      out.target_columns_.push_back(tc.name);
      out.computed_.push_back(c);
      continue;
    }
    TableTransform::Move m;
    m.to = to;
    m.from = use(sc->name);
    if (!identity()) {
      m.check.not_null = !tc.nullable && sc->nullable && !tc.generated;
      bool text_target = tc.type == db::TypeKind::varchar || tc.type == db::TypeKind::fixed_char;
      bool fits = (sc->type == db::TypeKind::varchar || sc->type == db::TypeKind::fixed_char) &&
                  sc->length > 0 && sc->length <= tc.length;
      if (text_target && tc.length > 0 && !fits) {
        m.check.max_chars = tc.length;
      }
      if (tc.type == db::TypeKind::integer && sc->type != db::TypeKind::integer &&
          sc->type != db::TypeKind::smallint) {
        m.check.min_int = std::numeric_limits<std::int32_t>::min();
        m.check.max_int = std::numeric_limits<std::int32_t>::max();
      } else if (tc.type == db::TypeKind::smallint && sc->type != db::TypeKind::smallint) {
        m.check.min_int = std::numeric_limits<std::int16_t>::min();
        m.check.max_int = std::numeric_limits<std::int16_t>::max();
      }
    }
    out.target_columns_.push_back(tc.name);
    out.moves_.push_back(m);
  }
  // Key columns move first, so an error later in the row can still name the row's key.
  std::stable_sort(out.moves_.begin(), out.moves_.end(),
                   [](const auto& a, const auto& b) { return a.from < b.from; });
  // Live source columns nothing reads: dropped by a declared step, or unaccounted for.
  for (const db::Column& c : source.columns) {
    bool used = std::any_of(out.source_columns_.begin(), out.source_columns_.end(),
                            [&](const std::string& s) { return db::same_ident(s, c.name); });
    bool dropped = plan != nullptr && contains(plan->dropped, db::to_upper(c.name));
    if (!used && !dropped && target.find_column(c.name) == nullptr) {
      out.unmatched_.push_back(fmt::format("{} (source only)", c.name));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TableTransform: one row

void TableTransform::row_error(const db::Row& in, const db::Row& out, bool moved,
                               const std::string& column, const std::string& what) const {
  // Before the moves the key is in `in`; after them, where the key columns went in `out`.
  std::string key;
  for (std::size_t i = 0; i < key_size_; ++i) {
    const db::Value* v = i < in.size() ? &in[i] : nullptr;
    if (moved) {
      for (const Move& m : moves_) {
        if (m.from == i) {
          v = &out[m.to];
        }
      }
    }
    key += fmt::format("{}{}={}", i ? ", " : "", source_columns_[i],
                       v == nullptr || v->is_null() ? "NULL" : echo(v->to_text()));
  }
  throw Error(ErrorKind::constraint,
              fmt::format("{} ({}): column {}: {}", table_, key, column, what),
              "the target version cannot hold this row as it is: change it in the source, or "
              "sync without this table");
}

void TableTransform::check(const db::Row& in, const db::Row& out, const Move& m) const {
  const db::Value& v = out[m.to];
  const Check& c = m.check;
  const std::string& column = target_columns_[m.to];
  if (v.is_null()) {
    if (c.not_null) {
      row_error(in, out, true, column, "NULL where the target requires a value");
    }
    return;
  }
  if (c.max_chars > 0 && v.is_text() &&
      utf8_chars(v.as_text()) > static_cast<std::size_t>(c.max_chars)) {
    row_error(in, out, true, column,
              fmt::format("{} characters do not fit the target's {}", utf8_chars(v.as_text()),
                          c.max_chars));
  }
  if (c.min_int < c.max_int && v.is_int() && (v.as_int() < c.min_int || v.as_int() > c.max_int)) {
    row_error(in, out, true, column,
              fmt::format("{} is out of the target type's range", v.as_int()));
  }
}

void TableTransform::apply(db::Row& in, db::Row& out, LocalIdps* idps) const {
  out.resize(target_columns_.size());
  // Computed values first: they read TENANT_ID and USER_DOMAIN before the moves take them.
  for (const Computed& c : computed_) {
    const db::Value* own = c.existing >= 0 ? &in[static_cast<std::size_t>(c.existing)] : nullptr;
    bool has_own = own != nullptr && !own->is_null();
    const db::Value& domain = in[c.domain];
    if (c.only_when_null && has_own) {
      out[c.to] = *own;
    } else if (domain.is_text() && domain.as_text() == "FEDERATED") {
      out[c.to] = has_own ? *own : c.federated;
    } else {
      const db::Value& tenant = in[c.tenant];
      std::optional<std::int64_t> id;
      if (!tenant.is_null() && idps != nullptr) {
        id = idps->find(tenant.as_int());
      }
      if (!id) {
        row_error(in, out, false, target_columns_[c.to],
                  fmt::format("tenant {} has no LOCAL identity provider in the target's or the "
                              "source's IDP table",
                              tenant.is_null() ? std::string("NULL") : tenant.to_text()));
      }
      out[c.to] = *id;
    }
    if (c.not_null && out[c.to].is_null()) {
      row_error(in, out, false, target_columns_[c.to], "NULL where the target requires a value");
    }
  }
  for (const Constant& c : constants_) {
    out[c.to] = c.value;
  }
  for (const Move& m : moves_) {
    out[m.to] = std::move(in[m.from]);
    if (m.check.not_null || m.check.max_chars > 0 || m.check.min_int < m.check.max_int) {
      check(in, out, m);
    }
  }
}

// ---------------------------------------------------------------------------------------------

void check_schema_version(db::Connection& conn, const Product& product, std::string_view version,
                          const std::vector<std::string>& tables, std::string_view side) {
  int v = product.version_index(version);
  std::string dialect = conn.dialect().name();
  std::vector<std::string> problems;
  for (const std::string& name : tables) {
    const TableSpec* spec = nullptr;
    for (const TableSpec& s : product.specs()) {
      if (db::same_ident(s.name, name)) {
        spec = &s;
      }
    }
    if (spec == nullptr) {
      continue;
    }
    std::optional<db::TableDef> want = product.table_at(spec->name, v, dialect);
    std::optional<db::TableDef> live = conn.describe_table(spec->name);
    if (!want) {
      if (live) {
        problems.push_back(fmt::format("has {}, which {} does not", spec->name, version));
      }
      continue;
    }
    if (!live) {
      problems.push_back(fmt::format("lacks {}", spec->name));
      continue;
    }
    std::set<std::string> known;
    for (const TableSpec::ColumnEntry& c : spec->columns) {
      known.insert(db::to_upper(c.column.name));
    }
    std::vector<std::string> missing;
    std::vector<std::string> extra;
    for (const db::Column& c : want->columns) {
      if (live->find_column(c.name) == nullptr) {
        missing.push_back(c.name);
      }
    }
    for (const db::Column& c : live->columns) {
      if (known.count(db::to_upper(c.name)) != 0 && want->find_column(c.name) == nullptr) {
        extra.push_back(db::to_upper(c.name));
      }
    }
    if (!missing.empty() || !extra.empty()) {
      std::string p = spec->name;
      if (!missing.empty()) {
        p += fmt::format(" lacks {}", fmt::join(missing, ", "));
      }
      if (!extra.empty()) {
        p += fmt::format("{} has {}", missing.empty() ? "" : ",", fmt::join(extra, ", "));
      }
      problems.push_back(p);
    }
  }
  if (problems.empty()) {
    return;
  }
  VersionMatch m = match_version(product, live_catalogued_tables(conn, product), dialect);
  // Detection scores every catalogued table, so a database holding only some of them may
  // look most like the very version it fails: then the parenthesis would say nothing.
  bool same = std::find(m.versions.begin(), m.versions.end(), version) != m.versions.end();
  std::string looks =
      m.versions.empty() || same ? std::string() : fmt::format(" (it looks like {})", m.label());
  throw Error(ErrorKind::config,
              fmt::format("the {} schema is not {} {}{}: {}", side, product.title(), version, looks,
                          fmt::join(problems, "; ")),
              fmt::format("name the {}'s version with {}, or create its schema with 'cutover "
                          "schema create --version {}'",
                          side, side == "source" ? "--from" : "--to", version));
}

}  // namespace cutover::schema
