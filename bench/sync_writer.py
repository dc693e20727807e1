#!/usr/bin/python3
"""A rate-limited IS-like writer for the sync benchmarks: issue a token, add its scope, revoke
it, each statement in its own transaction (autocommit, as the IS writes), at a steady total
rate over several processes. Records every write's start time and latency, so a benchmark can
ask what the writers waited for during a window (sync prepare) and whether the rate was held.

Usage: sync_writer.py pg DSN | my SOCKET USER DB, then
       --rate N (writes/s, all processes) --seconds S --procs P --tag T --out FILE
FILE gets one line per write: "START_EPOCH_S LATENCY_MS". A summary goes to stdout.
Needs Debian's python3 (psycopg2, pymysql).
"""
import argparse
import multiprocessing
import os
import sys
import time

INSERT_TOKEN = (
    "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, ACCESS_TOKEN, REFRESH_TOKEN, CONSUMER_KEY_ID,"
    " AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, GRANT_TYPE, VALIDITY_PERIOD,"
    " REFRESH_TOKEN_VALIDITY_PERIOD, TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID,"
    " SUBJECT_IDENTIFIER, ACCESS_TOKEN_HASH, REFRESH_TOKEN_HASH)"
    " VALUES (%s, %s, %s, %s, %s, -1234, 'PRIMARY', 'APPLICATION_USER', 'authorization_code',"
    " 3600000, 86400000, 'bench', 'ACTIVE', 'NONE', %s, %s, %s)")
INSERT_SCOPE = ("INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID)"
                " VALUES (%s, 'openid', -1234)")
REVOKE = ("UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID"
          " WHERE TOKEN_ID = %s")


def connect(args):
    if args.engine == "pg":
        import psycopg2
        conn = psycopg2.connect(args.target[0])
        conn.autocommit = True
    else:
        import pymysql
        conn = pymysql.connect(unix_socket=args.target[0], user=args.target[1],
                               database=args.target[2], autocommit=True)
    return conn


def worker(args, index, app_id, out_path):
    conn = connect(args)
    cur = conn.cursor()
    rate = args.rate / args.procs
    start = time.time()
    end = start + args.seconds
    lines = []
    i = 0
    while True:
        due = start + i / rate
        now = time.time()
        if due > end:
            break
        if due > now:
            time.sleep(due - now)
        key = f"{args.tag}-{index}-{i // 3}"
        step = i % 3
        if step == 0:
            sql, params = INSERT_TOKEN, (key, "a" + key, "r" + key, app_id, "u" + key, "u" + key,
                                         "h" + key, "g" + key)
        elif step == 1:
            sql, params = INSERT_SCOPE, (key,)
        else:
            sql, params = REVOKE, (key,)
        t0 = time.time()
        p0 = time.perf_counter()
        cur.execute(sql, params)
        lines.append(f"{t0:.6f} {(time.perf_counter() - p0) * 1000:.3f}\n")
        i += 1
    conn.close()
    with open(out_path, "w") as f:
        f.writelines(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["pg", "my"])
    ap.add_argument("target", nargs="+")
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--tag", default="w")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    conn = connect(args)
    cur = conn.cursor()
    cur.execute("SELECT MIN(ID) FROM IDN_OAUTH_CONSUMER_APPS")
    app_id = cur.fetchone()[0]
    conn.close()
    parts = [f"{args.out}.{i}" for i in range(args.procs)]
    procs = [multiprocessing.Process(target=worker, args=(args, i, app_id, parts[i]))
             for i in range(args.procs)]
    t0 = time.time()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"sync_writer: a writer process failed (exit {p.exitcode})")
    elapsed = time.time() - t0
    rows = []
    with open(args.out, "w") as out:
        for part in parts:
            with open(part) as f:
                for line in f:
                    out.write(line)
                    rows.append(float(line.split()[1]))
            os.remove(part)
    rows.sort()
    print(f"{len(rows)} writes in {elapsed:.1f} s ({len(rows) / elapsed:.0f}/s), latency ms:"
          f" p50 {rows[len(rows) // 2]:.2f} p99 {rows[int(len(rows) * 0.99)]:.2f}"
          f" max {rows[-1]:.2f}")


if __name__ == "__main__":
    main()
