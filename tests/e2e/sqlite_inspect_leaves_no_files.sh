#!/usr/bin/env bash
# needs: sqlite
# inspect only reads: on a WAL-mode SQLite database it leaves the directory exactly as it found
# it, with no -wal/-shm files left behind; while another process holds the database open (its
# -wal and -shm present) inspect keeps them, and that process still reads and writes.
. "$(dirname "$0")/lib.sh"

dir="$WORK/db"
mkdir "$dir"
db="$dir/is.db"
run 0 schema create "sqlite:$db" --version 7.0.0
run 0 schema fill "sqlite:$db" --rows 50
[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = "wal" ] || fail "the database is not in WAL mode"

listing() { (cd "$dir" && ls -A | sort); }
before=$(listing)
expect_not_in "$before" "-wal" "no -wal before inspect"
run 0 inspect "sqlite:$db"
[ "$(listing)" = "$before" ] || fail "inspect changed the directory: '$before' became '$(listing)'"
run 0 inspect "sqlite:$db" --json
[ "$(listing)" = "$before" ] || fail "inspect --json changed the directory: '$(listing)'"

# A second process holds the database open across the inspect, as a running server would.
python3 - "$db" "$WORK/holder.ok" <<'PY' &
import os, sqlite3, sys, time
db, ok = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db, isolation_level=None)
c.execute("SELECT count(*) FROM IDP").fetchone()
open(ok + ".ready", "w").close()
while not os.path.exists(ok + ".go"):
    time.sleep(0.05)
c.execute("CREATE TABLE CO_HOLDER (X INTEGER)")
c.execute("INSERT INTO CO_HOLDER (X) VALUES (1)")
n = c.execute("SELECT count(*) FROM CO_HOLDER").fetchone()[0]
if n == 1:
    open(ok, "w").close()
PY
holder=$!
for _ in $(seq 100); do [ -e "$WORK/holder.ok.ready" ] && break; sleep 0.1; done
held=$(listing)
expect_in "$held" "is.db-wal" "the holder's -wal exists"
run 0 inspect "sqlite:$db"
[ "$(listing)" = "$held" ] || fail "inspect changed the directory while the db was held open: '$(listing)'"
touch "$WORK/holder.ok.go"
wait "$holder"
[ -e "$WORK/holder.ok" ] || fail "the process holding the database could not write after inspect"
finish
