#!/usr/bin/env python3
"""Checks `cutover verify --json` (stdin) against the exact differences expected.

Arguments: TABLE:KIND:KEY[:COLUMN] ... Each must be reported once: a row of that kind in that
table with KEY among its key values (and, for differing rows, COLUMN the only differing column,
or COLUMN+COLUMN... exactly the differing columns); every other table must be equal and no other difference reported.
Columns that hold secrets must show '#' and 8 hex digits on both sides, never the value.
Options among them: mode=TABLE=MODE (the table was checked in that mode), indb=TABLE (the
engine computed some of its chunk sums), chunks=N (more than N chunks in all).
Exit 0 when all holds, 1 with the reasons otherwise.
"""
import json
import re
import sys

SECRET = re.compile(r"^#[0-9a-f]{8}$")
SECRET_COLUMNS = {"ACCESS_TOKEN", "REFRESH_TOKEN", "SESSION_OBJECT", "AUTHORIZATION_CODE"}


def main():
    j = json.load(sys.stdin)
    problems = []
    wanted = {}
    modes, indb, min_chunks = {}, [], None
    for arg in sys.argv[1:]:
        if arg.startswith("mode="):
            table, mode = arg[5:].split("=")
            modes[table] = mode
            continue
        if arg.startswith("indb="):
            indb.append(arg[5:])
            continue
        if arg.startswith("chunks="):
            min_chunks = int(arg[7:])
            continue
        parts = arg.split(":")
        table, kind, key = parts[0], parts[1], parts[2]
        column = parts[3] if len(parts) > 3 else None
        wanted.setdefault(table, []).append((kind, key, column))
    tables = {t["table"]: t for t in j["tables"]}
    if not tables:
        problems.append("no tables verified")
    for name, t in tables.items():
        want = wanted.get(name, [])
        if t["source_rows"] <= 0 and name == "IDN_OAUTH2_ACCESS_TOKEN":
            problems.append(f"{name}: no rows compared")
        total = t["missing"] + t["extra"] + t["differing"]
        if total != len(want):
            problems.append(f"{name}: {total} differences reported, {len(want)} expected: "
                            f"{json.dumps(t['rows'])[:2000]}")
        if t["equal"] != (not want):
            problems.append(f"{name}: equal is {t['equal']}")
        for kind, key, column in want:
            hits = [r for r in t["rows"] if r["kind"] == kind and key in r["key"].values()]
            if len(hits) != 1:
                problems.append(f"{name}: {kind} {key}: reported {len(hits)} times: "
                                f"{json.dumps(t['rows'])[:2000]}")
                continue
            cols = [c["column"].upper() for c in hits[0]["columns"]]
            if column and sorted(cols) != sorted(column.split("+")):
                problems.append(f"{name}: {kind} {key}: differing columns {cols}, expected "
                                f"{column.split('+')}")
            for c in hits[0]["columns"]:
                if c["column"].upper() in SECRET_COLUMNS:
                    for side in ("source", "target"):
                        if c[side] is not None and not SECRET.match(c[side]):
                            problems.append(f"{name}: {key}: {c['column']} shown in clear")
    for name, mode in modes.items():
        if name not in tables or tables[name]["mode"] != mode:
            problems.append(f"{name}: not checked in mode {mode}")
    for name in indb:
        if name not in tables or tables[name]["in_database_sums"] <= 0:
            problems.append(f"{name}: no chunk sum computed by the engine")
    if min_chunks is not None and sum(t["chunks"] for t in tables.values()) <= min_chunks:
        problems.append(f"not more than {min_chunks} chunks in all")
    for name in wanted:
        if name not in tables:
            problems.append(f"{name}: not verified")
    if j["equal"] != (not wanted):
        problems.append(f"equal is {j['equal']}")
    if problems:
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
