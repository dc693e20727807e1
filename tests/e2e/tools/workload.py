#!/usr/bin/python3
"""An IS-like write load on one database, for the sync tests (independent of cutover).

Several threads, each with its own connection through Python's own drivers (sqlite3, psycopg2,
pymysql), write for N seconds the way WSO2 IS does on the synced tables: token issue (a token
and its scopes in one transaction), refresh/revoke (state change with a new TOKEN_STATE_ID),
token delete (scopes cascade), user-data upserts and key moves. Some transactions sleep 1-3 s
before committing (so shorter, later ones commit first), some are rolled back on purpose.
New rows are copies of existing ones with new keys and unique values, so every NOT NULL column
is filled whatever the product version. Deadlocks, serialisation failures, SQLite busy and lost
connections are retried; the counts are printed at the end as one JSON line.

usage: workload.py URL load [--seconds N] [--threads T] [--rate TPS] [--long-pct P]
                            [--rollback-pct P] [--seed S]
       workload.py URL churn --pairs P --rounds R [--split]
  churn: for P existing ACTIVE tokens, R rounds of revoke-and-reissue for the same client,
  user and scope (the old token REVOKED with a new TOKEN_STATE_ID, a new ACTIVE token with
  TOKEN_STATE_ID 'NONE' and the old one's scopes); --split does the revoke and the reissue in
  two transactions instead of one.
URLs as dbcompare.py reads them.
"""
import argparse
import json
import random
import sys
import threading
import time
import urllib.parse
import uuid

TOKEN = "IDN_OAUTH2_ACCESS_TOKEN"
SCOPE = "IDN_OAUTH2_ACCESS_TOKEN_SCOPE"
UDATA = "IDN_IDENTITY_USER_DATA"
# Columns whose values must be new on a copied token (keys and unique or hashed values).
FRESH = ("TOKEN_ID", "ACCESS_TOKEN", "REFRESH_TOKEN", "ACCESS_TOKEN_HASH", "REFRESH_TOKEN_HASH")


class Db:
    """One connection; `ph` is the driver's placeholder."""

    def __init__(self, url):
        self.url = url
        self.kind = None
        self.conn = None
        self.connect()

    def connect(self):
        url = self.url
        if url.startswith("sqlite:"):
            import sqlite3
            self.kind = "sqlite"
            # isolation_level None: we issue BEGIN IMMEDIATE ourselves, so two writers never
            # both hold a read lock and then deadlock on the upgrade; busy waits up to 60 s.
            self.conn = sqlite3.connect(url[len("sqlite:"):], timeout=60, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 60000")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.ph = "?"
            return
        u = urllib.parse.urlparse(url)
        host = urllib.parse.unquote(u.hostname or "") if u.hostname else ""
        if "%2F" in url.split("@", 1)[1].split("/", 1)[0]:
            host = urllib.parse.unquote(url.split("@", 1)[1].split(":", 1)[0])
        db = u.path.lstrip("/")
        self.ph = "%s"
        if u.scheme.startswith("postgres"):
            import psycopg2
            self.kind = "pg"
            self.conn = psycopg2.connect(host=host, port=u.port, user=u.username, dbname=db,
                                         application_name="cutover-workload")
            return
        import pymysql
        self.kind = "my"
        q = urllib.parse.parse_qs(u.query)
        self.conn = pymysql.connect(unix_socket=q["socket"][0], user=u.username, database=db,
                                    autocommit=False)

    def connection_id(self):
        cur = self.conn.cursor()
        if self.kind == "pg":
            cur.execute("SELECT pg_backend_pid()")
        elif self.kind == "my":
            cur.execute("SELECT CONNECTION_ID()")
        else:
            return 0
        v = cur.fetchone()[0]
        self.conn.rollback()
        return v

    def begin(self):
        if self.kind == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
        # psycopg2 and pymysql (autocommit off) open a transaction with the first statement.

    def commit(self):
        self.conn.commit() if self.kind != "sqlite" else self.conn.execute("COMMIT")

    def rollback(self):
        try:
            if self.kind == "sqlite":
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            else:
                self.conn.rollback()
        except Exception:  # a lost connection has nothing to roll back
            pass

    def q(self, sql, params=()):
        cur = self.conn.cursor()
        cur.execute(sql.replace("?", self.ph), params)
        return cur

    def retryable(self, e):
        """Deadlock, serialisation failure, lock wait, busy or a lost connection."""
        if self.kind == "sqlite":
            return "locked" in str(e) or "busy" in str(e)
        if self.kind == "pg":
            import psycopg2
            return getattr(e, "pgcode", None) in ("40P01", "40001", "55P03", "57P01")
        import pymysql
        if isinstance(e, (pymysql.err.OperationalError, pymysql.err.InterfaceError)):
            code = e.args[0] if e.args else 0
            return code in (1213, 1205)
        return False

    def lost(self, e):
        if self.kind == "pg":
            import psycopg2
            if isinstance(e, (psycopg2.OperationalError, psycopg2.InterfaceError)) and \
                    getattr(e, "pgcode", None) not in ("40P01", "40001", "55P03"):
                return True
        if self.kind == "my":
            import pymysql
            if isinstance(e, pymysql.err.InterfaceError) or (
                    isinstance(e, pymysql.err.OperationalError) and e.args
                    and e.args[0] in (2006, 2013, 1927, 4031)):
                return True
        msg = str(e).lower()
        return any(s in msg for s in ("closed", "terminat", "gone away", "lost connection",
                                      "server closed", "connection was killed", "(0, ''"))


def columns(db, table):
    cur = db.q(f"SELECT * FROM {table} WHERE 1 = 0")
    cols = [d[0] for d in cur.description]
    db.rollback()
    return cols


def new_token(template, cols, **over):
    row = dict(zip(cols, template))
    for c in cols:
        if c.upper() in FRESH and row[c] is not None or c.upper() == "TOKEN_ID":
            row[c] = str(uuid.uuid4())
    for k, v in over.items():
        for c in cols:
            if c.upper() == k:
                row[c] = v
    return row


def insert(db, table, row):
    names = list(row)
    db.q(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
         [row[n] for n in names])


class Load:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.counts = {"commits": 0, "rollbacks": 0, "retries": 0, "reconnects": 0,
                       "long": 0, "errors": 0}
        self.stop_at = time.time() + args.seconds
        db = Db(args.url)
        self.tcols = columns(db, TOKEN)
        self.scols = columns(db, SCOPE)
        self.templates = [list(r) for r in db.q(f"SELECT * FROM {TOKEN}").fetchmany(200)]
        self.scope_templates = [list(r) for r in db.q(f"SELECT * FROM {SCOPE}").fetchmany(50)]
        self.tokens = [r[0] for r in db.q(f"SELECT TOKEN_ID FROM {TOKEN}").fetchall()]
        self.users = [list(r) for r in db.q(
            f"SELECT TENANT_ID, USER_NAME, DATA_KEY FROM {UDATA}").fetchmany(500)]
        db.rollback()
        db.conn.close()  # only the writers stay connected (the crash test spares their ids)
        if not self.templates or not self.scope_templates:
            sys.exit("workload: the database has no tokens or scopes to copy: fill it first")
        self.ids_file = args.ids_file
        self.ids = []
        self.first_error = None

    def write_ids(self):
        with open(self.ids_file + ".tmp", "w") as f:
            f.write("\n".join(str(i) for i in self.ids) + "\n")
        import os
        os.replace(self.ids_file + ".tmp", self.ids_file)

    def count(self, what, n=1):
        with self.lock:
            self.counts[what] += n

    def pick_token(self, rnd):
        with self.lock:
            return rnd.choice(self.tokens) if self.tokens else None

    # --- operations: each runs inside an open transaction; returns a list of effects to apply
    #     to the shared bookkeeping once the transaction committed.
    def issue(self, db, rnd, tag):
        row = new_token(rnd.choice(self.templates), self.tcols, TOKEN_STATE="ACTIVE",
                        TOKEN_STATE_ID="NONE", AUTHZ_USER=f"wl-{tag}")
        insert(db, TOKEN, row)
        tid = [v for c, v in row.items() if c.upper() == "TOKEN_ID"][0]
        for i in range(rnd.randint(1, 3)):
            s = dict(zip(self.scols, rnd.choice(self.scope_templates)))
            for c in s:
                if c.upper() == "TOKEN_ID":
                    s[c] = tid
                elif c.upper() == "TOKEN_SCOPE":
                    s[c] = f"scope-{i}"
            insert(db, SCOPE, s)
        return [("add", tid)]

    def revoke(self, db, rnd, tag):
        tid = self.pick_token(rnd)
        if tid is not None:
            db.q(f"UPDATE {TOKEN} SET TOKEN_STATE = ?, TOKEN_STATE_ID = ? WHERE TOKEN_ID = ?",
                 (rnd.choice(["REVOKED", "EXPIRED", "INACTIVE"]), str(uuid.uuid4()), tid))
        return []

    def delete(self, db, rnd, tag):
        tid = self.pick_token(rnd)
        if tid is None:
            return []
        if rnd.random() < 0.5:  # IS relies on the cascade; sometimes delete the scopes first
            db.q(f"DELETE FROM {SCOPE} WHERE TOKEN_ID = ?", (tid,))
        db.q(f"DELETE FROM {TOKEN} WHERE TOKEN_ID = ?", (tid,))
        return [("drop", tid)]

    def user_data(self, db, rnd, tag):
        r = rnd.random()
        with self.lock:
            u = rnd.choice(self.users) if self.users else None
        if r < 0.4 or u is None:
            key = [-1234, f"wl-{tag}", "http://wso2.org/claims/k"]
            db.q(f"INSERT INTO {UDATA} (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) "
                 f"VALUES (?, ?, ?, ?)", (*key, f"v-{tag}"))
            return [("user", key)]
        if r < 0.75:
            db.q(f"UPDATE {UDATA} SET DATA_VALUE = ? WHERE TENANT_ID = ? AND USER_NAME = ? "
                 f"AND DATA_KEY = ?", (f"upd-{tag}", *u))
            return []
        # A key move: the journal gets both keys.
        moved = [u[0], u[1], f"moved-{tag}"]
        db.q(f"UPDATE {UDATA} SET DATA_KEY = ? WHERE TENANT_ID = ? AND USER_NAME = ? "
             f"AND DATA_KEY = ?", (moved[2], *u))
        return [("unuser", u), ("user", moved)]

    def settle(self, effects):
        with self.lock:
            for what, v in effects:
                if what == "add":
                    self.tokens.append(v)
                elif what == "drop" and v in self.tokens:
                    self.tokens.remove(v)
                elif what == "user":
                    self.users.append(v)
                elif what == "unuser" and v in self.users:
                    self.users.remove(v)

    def worker(self, n):
        rnd = random.Random(self.args.seed * 1000 + n)
        db = Db(self.args.url)
        if self.ids_file:
            with self.lock:
                self.ids.append(db.connection_id())
                if len(self.ids) == self.args.threads:
                    self.write_ids()
        ops = [(self.issue, 4), (self.revoke, 3), (self.delete, 1), (self.user_data, 3)]
        pace = self.args.threads / self.args.rate if self.args.rate else 0
        seq = 0
        while time.time() < self.stop_at:
            started = time.time()
            seq += 1
            tag = f"{self.args.seed}-{n}-{seq}"
            long_tx = rnd.random() * 100 < self.args.long_pct
            roll = rnd.random() * 100 < self.args.rollback_pct
            steps = [rnd.choices([o for o, _ in ops], [w for _, w in ops])[0]
                     for _ in range(rnd.randint(1, 4))]
            for attempt in range(50):
                effects = []
                try:
                    db.begin()
                    for i, op in enumerate(steps):
                        effects += op(db, rnd, f"{tag}-{i}-{attempt}")
                    if long_tx:
                        time.sleep(rnd.uniform(1.0, 3.0))
                    if roll:
                        db.rollback()
                        self.count("rollbacks")
                    else:
                        db.commit()
                        self.count("commits")
                        self.settle(effects)
                    if long_tx:
                        self.count("long")
                    break
                except Exception as e:  # noqa: BLE001 - classified below
                    db.rollback()
                    if not db.retryable(e) and not db.lost(e):
                        # Every written value is unique, so nothing else should fail: say so.
                        self.count("errors")
                        with self.lock:
                            self.first_error = self.first_error or repr(e)
                        break
                    self.count("retries")
                    if db.lost(e):
                        time.sleep(0.2)
                        try:
                            db.connect()
                            self.count("reconnects")
                            if self.ids_file:
                                with self.lock:
                                    self.ids.append(db.connection_id())
                                    self.write_ids()
                        except Exception:  # noqa: BLE001 - try again next attempt
                            time.sleep(0.5)
                    time.sleep(rnd.uniform(0.01, 0.1))
            if pace:
                time.sleep(max(0.0, pace - (time.time() - started)))

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(i,), daemon=True)
                   for i in range(self.args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(json.dumps(self.counts))
        if self.first_error:
            sys.exit(f"workload: {self.counts['errors']} transaction(s) failed, first: "
                     f"{self.first_error}")
        if self.counts["commits"] == 0:
            sys.exit("workload: nothing committed")


def churn(args):
    db = Db(args.url)
    tcols = columns(db, TOKEN)
    scols = columns(db, SCOPE)
    upper = [c.upper() for c in tcols]
    tid_i = upper.index("TOKEN_ID")
    # One ACTIVE token per distinct client/user: each is the head of one churn chain.
    rows = db.q(f"SELECT * FROM {TOKEN} WHERE TOKEN_STATE = 'ACTIVE' ORDER BY TOKEN_ID").fetchall()
    db.rollback()
    heads = [list(r) for r in rows[:args.pairs]]
    if len(heads) < args.pairs:
        sys.exit(f"workload: only {len(heads)} ACTIVE tokens to churn")
    done = 0
    for _ in range(args.rounds):
        for i, old in enumerate(heads):
            old_id = old[tid_i]
            scopes = db.q(f"SELECT * FROM {SCOPE} WHERE TOKEN_ID = ?", (old_id,)).fetchall()
            db.rollback()
            db.begin()
            db.q(f"UPDATE {TOKEN} SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = ? "
                 f"WHERE TOKEN_ID = ?", (str(uuid.uuid4()), old_id))
            if args.split:
                db.commit()
                db.begin()
            new = new_token(old, tcols, TOKEN_STATE="ACTIVE", TOKEN_STATE_ID="NONE")
            insert(db, TOKEN, new)
            new_id = [v for c, v in new.items() if c.upper() == "TOKEN_ID"][0]
            for s in scopes:
                s = dict(zip(scols, s))
                for c in s:
                    if c.upper() == "TOKEN_ID":
                        s[c] = new_id
                insert(db, SCOPE, s)
            db.commit()
            heads[i] = [new[c] for c in tcols]
            done += 1
    print(json.dumps({"reissued": done}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("mode", choices=["load", "churn"])
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--rate", type=float, default=0, help="transactions per second in all (0: "
                   "as fast as they go)")
    p.add_argument("--long-pct", type=float, default=10)
    p.add_argument("--rollback-pct", type=float, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ids-file", help="write the writers' server connection ids here")
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--split", action="store_true")
    args = p.parse_args()
    if args.mode == "churn":
        churn(args)
    else:
        Load(args).run()


main()
