#!/usr/bin/env python3
"""Session rows at the expiry edge for cleanup_sessions.sh, and what must be left of them.

session_rows.py NOW SAFE_SECONDS OUT_SQL OUT_EXPECTED: writes INSERT statements (portable SQL)
for IDN_AUTH_SESSION_STORE, IDN_AUTH_TEMP_SESSION_STORE and two session mapping tables, and
the rows WSO2's rule keeps, one "table|key" line each, sorted. The rule, stated here on its own:
a store row goes when EXPIRY_TIME (ns) < (NOW - SAFE) * 1e9; a NULL expiry stays; a row of
IDN_AUTH_SESSION_STORE also goes when its session id and type have a DELETE row whose
TIME_CREATED (ns) < (NOW - 12 h) * 1e9; a mapping row goes when its session id lost a store
row in the run and has none left.
"""
import calendar
import random
import sys
import time

now, safe, out_sql, out_expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cutoff = (calendar.timegm(time.strptime(now, "%Y-%m-%d %H:%M:%S")) - safe) * 10**9
rng = random.Random(16)
# Offsets from the cut-off: the edge (one ns either side, exactly on it), far away, none.
offsets = [-1, 0, 1, -(10**12), 10**12, -(14 * 86400 * 10**9), None]
types = ["AppAuthFrameworkSessionContextCache", "AuthenticationContextCache", "OIDCSessionDataCache"]
sql, keep = [], []
lost, left = set(), set()


def expiry(off):
    return "NULL" if off is None else str(cutoff + off)


for table, sessions in (("IDN_AUTH_SESSION_STORE", 60), ("IDN_AUTH_TEMP_SESSION_STORE", 25)):
    for s in range(sessions):
        sid = f"{table[9:13].lower()}-{s:04d}"
        # Several rows per id (types, times, both operations) so the key cursor walks composite
        # keys sharing a SESSION_ID.
        for r in range(rng.randint(1, 6)):
            typ, op = rng.choice(types), rng.choice(["STORE", "DELETE"])
            created = cutoff - 10**13 + r * 1000 + s
            off = rng.choice(offsets)
            sql.append(f"INSERT INTO {table} (SESSION_ID, SESSION_TYPE, OPERATION, TIME_CREATED, "
                       f"TENANT_ID, EXPIRY_TIME) VALUES ('{sid}', '{typ}', '{op}', {created}, -1, "
                       f"{expiry(off)})")
            gone = off is not None and cutoff + off < cutoff
            if table == "IDN_AUTH_SESSION_STORE":
                (lost if gone else left).add(sid)
            if not gone:
                keep.append(f"{table}|{sid}|{typ}|{op}|{created}")

# WSO2's second phase: every store row of a session (id and type) with a DELETE row written
# more than 12 h before NOW goes, whatever its expiry; the same id's other types stay. DELETE
# rows one ns either side of that cut-off, on it, and far from it; ids with and without a row
# of another type (whose mappings must then stay, or go).
op_cutoff = (calendar.timegm(time.strptime(now, "%Y-%m-%d %H:%M:%S")) - 12 * 3600) * 10**9
future = cutoff + 10**15
for s in range(30):
    sid = f"lout-{s:04d}"
    typ, other = types[s % 3], types[(s + 1) % 3]
    deleted = op_cutoff + [-1, 0, 1, -(10**12), 10**12][s % 5]
    gone_pair = deleted < op_cutoff
    rows = [(typ, "DELETE", deleted), (typ, "STORE", deleted - 1000), (typ, "STORE", deleted + 10**9)]
    if s % 4 != 0:
        rows.append((other, "STORE", deleted - 500))
    for typ_, op, created in rows:
        sql.append(f"INSERT INTO IDN_AUTH_SESSION_STORE (SESSION_ID, SESSION_TYPE, OPERATION, "
                   f"TIME_CREATED, TENANT_ID, EXPIRY_TIME) VALUES ('{sid}', '{typ_}', '{op}', "
                   f"{created}, -1, {future})")
        gone = gone_pair and typ_ == typ
        (lost if gone else left).add(sid)
        if not gone:
            keep.append(f"IDN_AUTH_SESSION_STORE|{sid}|{typ_}|{op}|{created}")

# Mappings for every store session id, and for one id the store never had (not this run's).
store_ids = sorted(lost | left) + ["stor-orphan"]
for i, sid in enumerate(store_ids):
    sql.append(f"INSERT INTO IDN_AUTH_USER_SESSION_MAPPING (ID, USER_ID, SESSION_ID) VALUES "
               f"({i + 1}, 'user-{i % 7}', '{sid}')")
    sql.append(f"INSERT INTO IDN_AUTH_SESSION_APP_INFO (SESSION_ID, SUBJECT, APP_ID, "
               f"INBOUND_AUTH_TYPE) VALUES ('{sid}', 'admin', {i % 3}, 'oauth2')")
    if sid in left or sid not in lost:
        keep.append(f"IDN_AUTH_USER_SESSION_MAPPING|{sid}")
        keep.append(f"IDN_AUTH_SESSION_APP_INFO|{sid}")
with open(out_sql, "w") as f:
    f.write(";\n".join(sql) + ";\n")
with open(out_expected, "w") as f:
    f.write("\n".join(sorted(keep)) + "\n")
