#!/usr/bin/python3
"""Independent oracle for `cutover cleanup tokens` (reads and writes through Python's own
drivers, never through cutover).

usage: token_oracle.py URL edges NOW
         rewrites the first tokens (in TOKEN_ID order) into every state and validity edge
         around the cutoff NOW - 2 h: just ended, ended exactly at the cutoff, still within the
         safe period, refresh still valid, never-expiring (-1, past WSO2's sentinel, Long.MAX),
         zero validity, no refresh time, EXPIRED / REVOKED / INACTIVE with future validity.
       token_oracle.py URL snapshot FILE
         saves every token's key, state and validity.
       token_oracle.py URL check FILE NOW SAFE_SECONDS [--audit] [--concurrent]
         from the snapshot, decides in Python which tokens WSO2's rule removes, and checks
         that exactly those are gone (with --concurrent, where writers delete tokens too: that
         every eligible one is gone), that no scope row lost its token, and with --audit that
         the audit table holds each removed token exactly once. Prints problems, exits 1.
"""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dbcompare import connect  # noqa: E402

NEVER = 99999999999990
LONG_MAX = 9223372036854775807
T = "IDN_OAUTH2_ACCESS_TOKEN"


def ts(v):
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        return v.replace(tzinfo=None, microsecond=0)
    return datetime.datetime.strptime(str(v)[:19], "%Y-%m-%d %H:%M:%S")


def text(d):
    return d.strftime("%Y-%m-%d %H:%M:%S")


def q(kind, conn, sql, params=()):
    cur = conn.cursor()
    cur.execute(sql if kind == "sqlite" else sql.replace("?", "%s"), params)
    return cur


def edges(kind, conn, now):
    cutoff = ts(now) - datetime.timedelta(hours=2)
    s = datetime.timedelta(seconds=1)
    h = datetime.timedelta(hours=1)
    old = cutoff - datetime.timedelta(days=30)
    # (state, time created, validity ms, refresh created, refresh validity ms)
    cases = [
        ("ACTIVE", cutoff - h - s, 3600000, cutoff - 24 * h - s, 86400000),  # just ended: goes
        ("ACTIVE", cutoff - h + s, 3600000, old, 3600000),  # access within safe period: stays
        ("ACTIVE", old, 3600000, cutoff - h + s, 3600000),  # refresh still valid: stays
        ("ACTIVE", cutoff - h, 3600000, cutoff - h, 3600000),  # ends at the cutoff: stays
        ("ACTIVE", old, -1, old, -1),  # never expires: stays
        ("ACTIVE", old, NEVER + 1, old, 3600000),  # past the sentinel: stays
        ("ACTIVE", old, LONG_MAX, old, LONG_MAX),  # Long.MAX: stays
        ("ACTIVE", datetime.datetime(2000, 1, 1), NEVER, old, 3600000),  # finite, far: stays
        ("ACTIVE", old, 0, old, 0),  # zero validity: goes
        ("ACTIVE", old, 3600000, None, 3600000),  # no refresh time: stays
        ("EXPIRED", ts(now), NEVER, ts(now), NEVER),  # state decides: goes
        ("REVOKED", ts(now), 3600000, ts(now), 3600000),
        ("INACTIVE", ts(now), 3600000, ts(now), 3600000),
        ("ACTIVE", ts(now), 3600000, ts(now), 86400000),  # fresh: stays
    ]
    ids = [r[0] for r in q(kind, conn, f"SELECT TOKEN_ID FROM {T} ORDER BY TOKEN_ID").fetchmany(len(cases))]
    for tid, (state, tc, vp, rtc, rvp) in zip(ids, cases):
        q(kind, conn, f"UPDATE {T} SET TOKEN_STATE = ?, TOKEN_STATE_ID = ?, TIME_CREATED = ?, "
          "VALIDITY_PERIOD = ?, REFRESH_TOKEN_TIME_CREATED = ?, REFRESH_TOKEN_VALIDITY_PERIOD = ? "
          "WHERE TOKEN_ID = ?", (state, tid, text(tc), vp, text(rtc) if rtc else None, rvp, tid))
    conn.commit()


def snapshot(kind, conn, path):
    rows = q(kind, conn, f"SELECT TOKEN_ID, TOKEN_STATE, TIME_CREATED, VALIDITY_PERIOD, "
             f"REFRESH_TOKEN_TIME_CREATED, REFRESH_TOKEN_VALIDITY_PERIOD FROM {T}").fetchall()
    out = [[r[0], r[1], text(ts(r[2])) if r[2] else None, int(r[3]),
            text(ts(r[4])) if r[4] else None, int(r[5]) if r[5] is not None else None]
           for r in rows]
    audit = [r[0] for r in q(kind, conn, "SELECT TOKEN_ID FROM "
                             "IDN_OAUTH2_ACCESS_TOKEN_AUDIT").fetchall()]
    with open(path, "w") as f:
        json.dump({"tokens": out, "audit": audit}, f)


def removable(row, cutoff):
    _, state, tc, vp, rtc, rvp = row
    if state in ("EXPIRED", "INACTIVE", "REVOKED"):
        return True
    if state != "ACTIVE" or tc is None or rtc is None or vp is None or rvp is None:
        return False
    if not (0 <= vp <= NEVER and 0 <= rvp <= NEVER):
        return False
    end = ts(tc) + datetime.timedelta(milliseconds=vp)
    rend = ts(rtc) + datetime.timedelta(milliseconds=rvp)
    return end < cutoff and rend < cutoff


def check(kind, conn, path, now, safe, audit, concurrent):
    cutoff = ts(now) - datetime.timedelta(seconds=int(safe))
    with open(path) as f:
        snap = json.load(f)
    before = snap["tokens"]
    live = {r[0] for r in q(kind, conn, f"SELECT TOKEN_ID FROM {T}").fetchall()}
    problems = []
    gone = set()
    for row in before:
        want_gone = removable(row, cutoff)
        if want_gone and row[0] in live:
            problems.append(f"eligible token kept: {row}")
        if not want_gone and row[0] not in live and not concurrent:
            problems.append(f"valid token removed: {row}")
        if row[0] not in live:
            gone.add(row[0])
    orphans = q(kind, conn, f"SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE s WHERE NOT "
                f"EXISTS (SELECT 1 FROM {T} t WHERE t.TOKEN_ID = s.TOKEN_ID)").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} scope rows without their token")
    if audit:
        # What the cleanup added: the audit table may hold rows from before (the server's own).
        rows = [r[0] for r in q(kind, conn, "SELECT TOKEN_ID FROM "
                                "IDN_OAUTH2_ACCESS_TOKEN_AUDIT").fetchall()]
        for old in snap["audit"]:
            rows.remove(old)
        if len(rows) != len(set(rows)):
            problems.append(f"audit holds duplicates: {len(rows)} rows, {len(set(rows))} tokens")
        if set(rows) != gone:
            problems.append(f"audit holds {len(set(rows))} tokens, {len(gone)} were removed; "
                            f"missing {sorted(gone - set(rows))[:5]}, extra "
                            f"{sorted(set(rows) - gone)[:5]}")
    for p in problems[:20]:
        print(p)
    print(json.dumps({"before": len(before), "removed": len(gone), "problems": len(problems)}))
    return 1 if problems else 0


def main():
    url, mode = sys.argv[1], sys.argv[2]
    kind, conn = connect(url)
    if mode == "edges":
        edges(kind, conn, sys.argv[3])
        return 0
    if mode == "snapshot":
        snapshot(kind, conn, sys.argv[3])
        return 0
    return check(kind, conn, sys.argv[3], sys.argv[4], sys.argv[5], "--audit" in sys.argv,
                 "--concurrent" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
