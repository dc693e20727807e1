#!/usr/bin/env bash
# needs: postgres mariadb
# `cutover verify` across engines (issue 15): one filled 5.8.0 SQLite source with known rows
# (keys whose order differs between PostgreSQL's ICU en-US, MariaDB's case-insensitive latin1
# and SQLite's byte order), copied by the sync to PostgreSQL and MariaDB: every engine pair is
# equal in both directions, also 5.8.0 against 7.0.0 targets on both servers. Then one injected
# difference of each kind in a PostgreSQL and a MariaDB copy, found exactly from every other
# engine; a truncated timestamp fraction between two PostgreSQL databases; a transformed
# column with the wrong value in a 7.0.0 MariaDB target.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"
. "$(dirname "$0")/tools/verify_lib.sh"

S=$(db_url sqlite src)
run 0 schema create "$S" --version 5.8.0
run 0 schema fill "$S" --rows 800
known_rows sqlite src
run 0 sync prepare --source "$S"

# copy_to ENGINE DB [VERSION]: a fresh database holding the sync's copy of the source.
copy_to() {
  fresh_db "$1" "$2"
  if [ -n "${3:-}" ]; then
    run 0 schema create "$(db_url "$1" "$2")" --version "$3"
    ENGINE=$1 local_idps "$2" "$3"
    run 0 sync copy --source "$S" --target "$(db_url "$1" "$2")" --from 5.8.0 --to "$3" --jobs 2
  else
    run 0 sync copy --source "$S" --target "$(db_url "$1" "$2")" --jobs 2
  fi
}
copy_to postgresql vf_pg
copy_to mariadb vf_my
copy_to postgresql vf_pg2
copy_to mariadb vf_my2
declare -A URL=([sqlite]="$S" [postgresql]="$(db_url postgresql vf_pg)" [mariadb]="$(db_url mariadb vf_my)")

# --- identical data on every pair, both directions --------------------------------------------
for a in sqlite postgresql mariadb; do
  for b in sqlite postgresql mariadb; do
    [ "$a" = "$b" ] && continue
    if [ "$a" != sqlite ] && [ "$b" != sqlite ]; then
      # Both servers hash in SQL: one whole-table sum per side proves the table equal.
      run 0 verify --source "${URL[$a]}" --target "${URL[$b]}" --json
      expect_equal "$a -> $b" mode=IDN_OAUTH2_ACCESS_TOKEN=whole
    fi
    run 0 verify --source "${URL[$a]}" --target "${URL[$b]}" --json --no-whole-table
    # Text keys across engines are streamed in byte order.
    expect_equal "$a -> $b" mode=IDN_OAUTH2_ACCESS_TOKEN=stream
  done
done
# Same engine, same collation: whole-table sums; without them chunks, in the database.
for e in postgresql mariadb; do
  b=vf_pg2
  [ "$e" = mariadb ] && b=vf_my2
  run 0 verify --source "${URL[$e]}" --target "$(db_url "$e" "$b")" --json
  expect_equal "$e -> $e" mode=IDN_OAUTH2_ACCESS_TOKEN=whole
  run 0 verify --source "${URL[$e]}" --target "$(db_url "$e" "$b")" --json --jobs 3 --no-whole-table
  expect_equal "$e -> $e" mode=IDN_OAUTH2_ACCESS_TOKEN=chunks indb=IDN_OAUTH2_ACCESS_TOKEN
done

# --- 5.8.0 against 7.0.0 on both servers, and the two 7.0.0 copies against each other -----------
copy_to postgresql vf_pg7 7.0.0
copy_to mariadb vf_my7 7.0.0
for e in postgresql mariadb; do
  d=vf_pg7
  [ "$e" = mariadb ] && d=vf_my7
  run 0 verify --source "$S" --target "$(db_url "$e" "$d")" --from 5.8.0 --to 7.0.0 --json
  expect_equal "sqlite 5.8.0 -> $e 7.0.0"
done
run 0 verify --source "$(db_url mariadb vf_my7)" --target "$(db_url postgresql vf_pg7)" --json
expect_equal "mariadb 7.0.0 -> postgresql 7.0.0"

# --- every kind of difference, from every other engine ----------------------------------------
inject postgresql vf_pg2
inject mariadb vf_my2
for a in sqlite mariadb postgresql; do
  for inj in postgresql mariadb; do
    [ "$a" = "$inj" ] && continue
    d=vf_pg2
    [ "$inj" = mariadb ] && d=vf_my2
    run 3 verify --source "${URL[$a]}" --target "$(db_url "$inj" "$d")" --json
    expect_diffs "$a -> injected $inj" "${INJECTED[@]}"
    expect_not_in "$OUT" "leaked-in-clear" "$a -> $inj: a secret column's value"
  done
done
# Same engine (chunks and bisection): PostgreSQL -> PostgreSQL, MariaDB -> MariaDB.
run 3 verify --source "${URL[postgresql]}" --target "$(db_url postgresql vf_pg2)" --json
expect_diffs "postgresql -> injected postgresql" "${INJECTED[@]}"
run 3 verify --source "${URL[mariadb]}" --target "$(db_url mariadb vf_my2)" --json
expect_diffs "mariadb -> injected mariadb" "${INJECTED[@]}"

# --- a timestamp fraction truncated (PostgreSQL keeps microseconds) ------------------------------
sql postgresql vf_pg "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TIME_CREATED = '2026-11-30 10:00:00.123456' WHERE TOKEN_ID = 'alpha'"
sql postgresql vf_pg2 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TIME_CREATED = '2026-11-30 10:00:00.123' WHERE TOKEN_ID = 'alpha'"
run 3 verify --source "${URL[postgresql]}" --target "$(db_url postgresql vf_pg2)" --tables IDN_OAUTH2_ACCESS_TOKEN --json
expect_diffs "fraction truncated" IDN_OAUTH2_ACCESS_TOKEN:differing:alpha:TIME_CREATED \
  $(printf '%s\n' "${INJECTED[@]}" | grep '^IDN_OAUTH2_ACCESS_TOKEN:')

# --- a transformed column with the wrong value in a 7.0.0 target --------------------------------
sql mariadb vf_my7 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET IDP_ID = 102 WHERE TOKEN_ID = 'alpha';
  UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_BINDING_REF = 'wrong' WHERE TOKEN_ID = 'ab'"
run 3 verify --source "$S" --target "$(db_url mariadb vf_my7)" --from 5.8.0 --to 7.0.0 --json
expect_diffs "7.0.0 target" IDN_OAUTH2_ACCESS_TOKEN:differing:alpha:IDP_ID \
  IDN_OAUTH2_ACCESS_TOKEN:differing:ab:TOKEN_BINDING_REF

# --- MariaDB text in its stored bytes (one character set on both sides) or converted to UTF-8 ---
# vf_my3 holds AUTHZ_USER as utf8mb4, the source latin1: the sums must convert (canonical);
# vf_my4 is latin1 like the source: the sums hash the stored bytes. A non-ASCII change is
# found either way, and the two changed copies, equal in value, verify equal.
copy_to mariadb vf_my3
copy_to mariadb vf_my4
sql mariadb vf_my3 "ALTER TABLE IDN_OAUTH2_ACCESS_TOKEN MODIFY AUTHZ_USER VARCHAR(100) CHARACTER SET utf8mb4"
declare -A TEXT=([vf_my3]=canonical [vf_my4]=stored)
for d in vf_my3 vf_my4; do
  run 0 verify --source "${URL[mariadb]}" --target "$(db_url mariadb "$d")" --json --tables IDN_OAUTH2_ACCESS_TOKEN
  expect_equal "mariadb -> $d" mode=IDN_OAUTH2_ACCESS_TOKEN=whole
  text=$(json_get "$OUT" '[t["text"] for t in j["tables"] if t["table"] == "IDN_OAUTH2_ACCESS_TOKEN"][0]')
  [ "$text" = "${TEXT[$d]}" ] || fail "mariadb -> $d: text hashed as $text, expected ${TEXT[$d]}"
  sql mariadb "$d" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET AUTHZ_USER = 'bób' WHERE TOKEN_ID = 'éclair'"
  run 3 verify --source "${URL[mariadb]}" --target "$(db_url mariadb "$d")" --json --tables IDN_OAUTH2_ACCESS_TOKEN
  expect_diffs "mariadb -> $d, a non-ASCII value" IDN_OAUTH2_ACCESS_TOKEN:differing:éclair:AUTHZ_USER
done
run 0 verify --source "$(db_url mariadb vf_my3)" --target "$(db_url mariadb vf_my4)" --json --tables IDN_OAUTH2_ACCESS_TOKEN
expect_equal "utf8mb4 -> latin1, equal values" mode=IDN_OAUTH2_ACCESS_TOKEN=whole

# Stored text is written as each value's length and bytes, not escaped: a '|' that moves from
# one column into the next is still a difference, found down to the row and its two columns.
copy_to mariadb vf_my5
copy_to mariadb vf_my6
sql mariadb vf_my5 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET ACCESS_TOKEN = 'p|', REFRESH_TOKEN = 'q' WHERE TOKEN_ID = 'ab'"
sql mariadb vf_my6 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET ACCESS_TOKEN = 'p', REFRESH_TOKEN = '|q' WHERE TOKEN_ID = 'ab'"
run 3 verify --source "$(db_url mariadb vf_my5)" --target "$(db_url mariadb vf_my6)" --json --tables IDN_OAUTH2_ACCESS_TOKEN
expect_diffs "stored text, a value boundary moved" IDN_OAUTH2_ACCESS_TOKEN:differing:ab:ACCESS_TOKEN+REFRESH_TOKEN
text=$(json_get "$OUT" '[t["text"] for t in j["tables"] if t["table"] == "IDN_OAUTH2_ACCESS_TOKEN"][0]')
[ "$text" = stored ] || fail "vf_my5 -> vf_my6: text hashed as $text, expected stored"
finish
