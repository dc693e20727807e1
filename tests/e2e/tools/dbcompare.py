#!/usr/bin/python3
"""Independent check that two databases hold the same rows, for the sync tests.

Reads each table through Python's own drivers (sqlite3, psycopg2, pymysql), never through
cutover, normalises values the same way for every engine (integers, text, timestamps to
microseconds, binary as hex) and compares the rows as multisets over the columns both sides
have. Prints each difference and exits 1 when there is one.

usage: dbcompare.py URL_A URL_B TABLE[,TABLE...]
URLs as the e2e tests write them: sqlite:PATH, postgresql://USER@%2Fsocket%2Fdir:PORT/DB,
mysql://USER@localhost/DB?socket=PATH.
"""
import datetime
import decimal
import re
import sys
import urllib.parse

TS = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$")


def connect(url):
    if url.startswith("sqlite:"):
        import sqlite3
        return "sqlite", sqlite3.connect(url[len("sqlite:"):])
    u = urllib.parse.urlparse(url)
    host = urllib.parse.unquote(u.hostname or "") if u.hostname else ""
    if "%2F" in url.split("@", 1)[1].split("/", 1)[0]:
        host = urllib.parse.unquote(url.split("@", 1)[1].split(":", 1)[0])
    db = u.path.lstrip("/")
    if u.scheme.startswith("postgres"):
        import psycopg2
        conn = psycopg2.connect(host=host, port=u.port, user=u.username, dbname=db)
        conn.cursor().execute("SET TIME ZONE 'UTC'")
        return "pg", conn
    import pymysql
    q = urllib.parse.parse_qs(u.query)
    conn = pymysql.connect(unix_socket=q["socket"][0], user=u.username, database=db)
    # TIMESTAMP columns are shown in the session's zone: compare in UTC on every engine.
    conn.cursor().execute("SET time_zone = '+00:00'")
    return "my", conn


def columns(kind, conn, table):
    cur = conn.cursor()
    if kind == "sqlite":
        cur.execute(f'PRAGMA table_info("{table}")')
        return [r[1] for r in cur.fetchall()]
    if kind == "pg":
        cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = current_schema() AND lower(table_name) = lower(%s)", (table,))
    else:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = database() AND lower(table_name) = lower(%s)", (table,))
    return [r[0] for r in cur.fetchall()]


def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (int, decimal.Decimal)):
        return str(int(v)) if v == int(v) else str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "x" + bytes(v).hex()
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    s = str(v)
    m = TS.match(s)
    if m:
        return f"{m.group(1)} {m.group(2)}.{(m.group(3) or '').ljust(6, '0')[:6]}"
    return s


def rows(kind, conn, table, cols):
    q = '"' if kind != "my" else "`"
    name = table.lower() if kind == "pg" else table
    cur = conn.cursor()
    sel = ", ".join(f"{q}{c}{q}" for c in cols)
    cur.execute(f"SELECT {sel} FROM {q}{name}{q}")
    return sorted((tuple(norm(v) for v in r) for r in cur.fetchall()),
                  key=lambda t: tuple("" if x is None else x for x in t))


def main():
    a_kind, a = connect(sys.argv[1])
    b_kind, b = connect(sys.argv[2])
    bad = 0
    for table in sys.argv[3].split(","):
        ca = {c.lower(): c for c in columns(a_kind, a, table)}
        cb = {c.lower(): c for c in columns(b_kind, b, table)}
        common = sorted(set(ca) & set(cb))
        if not ca and not cb:
            continue  # the version has no such table
        if not common:
            print(f"{table}: missing on one side")
            bad += 1
            continue
        ra = rows(a_kind, a, table, [ca[c] for c in common])
        rb = rows(b_kind, b, table, [cb[c] for c in common])
        if ra != rb:
            sa, sb = set(ra), set(rb)
            print(f"{table}: {len(ra)} rows vs {len(rb)} rows; only in first: "
                  f"{sorted(sa - sb)[:3]}; only in second: {sorted(sb - sa)[:3]}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
