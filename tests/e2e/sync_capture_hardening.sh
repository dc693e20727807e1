#!/usr/bin/env bash
# needs: postgres mariadb
# Capture holds against what an independent review found: a temporary CUTOVER_JOURNAL cannot
# divert PostgreSQL's SECURITY DEFINER triggers; a MariaDB key change by case only journals
# both keys; remove finds our triggers on a target restored without the CUTOVER_ tables; a
# second target cannot silently miss entries another target's run pruned.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
V=5.9.0

# 1. PostgreSQL: a user who may only write a captured table makes a temporary journal.
fresh_db postgresql hd_pg
S=$(db_url postgresql hd_pg)
run 0 schema create "$S" --version "$V"
run 0 sync prepare --source "$S"
sql postgresql hd_pg "GRANT USAGE ON SCHEMA public TO $PG_TCP_USER; GRANT INSERT, SELECT ON idn_identity_user_data TO $PG_TCP_USER; GRANT TEMPORARY ON DATABASE hd_pg TO $PG_TCP_USER" >/dev/null
PGPASSWORD="$PG_TCP_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_TCP_USER" hd_pg \
  -c "CREATE TEMP TABLE cutover_journal (seq bigserial, table_name text, op text, k1 text, k2 text, k3 text, k4 text, txid bigint, created_ms bigint)" \
  -c "INSERT INTO idn_identity_user_data (tenant_id, user_name, data_key, data_value) VALUES (1, 'mallory', 'k', 'v')" \
  >/dev/null 2>"$WORK/psql.err" || fail "postgresql: the low-privilege insert failed: $(cat "$WORK/psql.err")"
n=$(sql postgresql hd_pg "SELECT COUNT(*) FROM public.cutover_journal WHERE k2 = 'mallory'")
[ "$n" = 1 ] || fail "postgresql: the real journal got $n entries for the insert (a temporary table took them)"

# 2. MariaDB: 'alice' -> 'Alice' in a case-insensitive column moves the key.
fresh_db mariadb hd_my
fresh_db postgresql hd_my_dst
S=$(db_url mariadb hd_my)
T=$(db_url postgresql hd_my_dst)
run 0 schema create "$S" --version "$V"
sql mariadb hd_my "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (1, 'alice', 'k', 'v')"
run 0 sync prepare --source "$S"
run 0 sync copy --source "$S" --target "$T"
sql mariadb hd_my "UPDATE IDN_IDENTITY_USER_DATA SET USER_NAME = 'Alice' WHERE USER_NAME = 'alice'"
run 0 sync run --source "$S" --target "$T" --once
got=$(sql postgresql hd_my_dst "SELECT string_agg(user_name, ',' ORDER BY user_name) FROM idn_identity_user_data")
[ "$got" = "Alice" ] || fail "mariadb -> postgresql: a case-only key change left '$got' on the target"

# 3. A second target from the same journal, after the first target's run pruned it.
fresh_db postgresql hd_my_dst2
T2=$(db_url postgresql hd_my_dst2)
run 0 schema create "$T2" --version "$V"
run 2 sync run --source "$S" --target "$T2" --once
expect_in "$ERR" "pruned" "second target after a prune"
one_line_error "$ERR" "second target after a prune"

# 4. A target restored from a dump that left out the CUTOVER_ tables keeps our triggers;
#    remove finds them, and the new IS can write again.
fresh_db mariadb hd_my_dump
mariadb-dump -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" --triggers hd_my \
  --ignore-table=hd_my.CUTOVER_JOURNAL --ignore-table=hd_my.CUTOVER_CAPTURE |
  mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" hd_my_dump || fail "dump without CUTOVER_ tables"
D=$(db_url mariadb hd_my_dump)
if sql mariadb hd_my_dump "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (2, 'x', 'k', 'v')" 2>/dev/null; then
  fail "premise: a write on the restored copy should fail on the missing journal"
fi
run 0 sync remove --target "$D"
[ -z "$(objects mariadb hd_my_dump | grep -iE ':co_' || true)" ] || fail "remove left triggers on the restored copy"
sql mariadb hd_my_dump "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (2, 'x', 'k', 'v')" ||
  fail "the restored copy still refuses writes after remove"
finish
