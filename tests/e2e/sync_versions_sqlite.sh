#!/usr/bin/env bash
# needs:
# The sync between product versions on SQLite (issue 14), every catalogued upgrade pair: a
# source of version V (created, filled), a target created empty as version W whose LOCAL
# identity providers have other ids than the source's, prepare, writes, copy, more writes
# (tokens of three tenants and a FEDERATED one in one batch), run --once; each target row is the
# source row transformed as this test expects it (tools/xform_expect.py, written from the
# reference). Then the refusals: downgrade, unknown version, a target of another version than
# --to, a column nothing can produce: exit 2, one line, nothing written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

. "$(dirname "$0")/tools/xform_lib.sh"
ENGINE=sqlite

# One prepared source and one empty target per version, copied for each pair.
for i in "${!VERSIONS[@]}"; do
  V=${VERSIONS[$i]}
  run 0 schema create "$(db_url sqlite "src_$i")" --version "$V"
  run 0 schema fill "$(db_url sqlite "src_$i")" --rows 60
  run 0 sync prepare --source "$(db_url sqlite "src_$i")"
  run 0 schema create "$(db_url sqlite "dst_$i")" --version "$V"
  local_idps "dst_$i" "$V"
done

pairs=0
for i in "${!VERSIONS[@]}"; do
  for j in "${!VERSIONS[@]}"; do
    [ "$j" -gt "$i" ] || continue
    V=${VERSIONS[$i]}
    W=${VERSIONS[$j]}
    pair="$V -> $W"
    S=$(db_url sqlite "src_${i}_$j")
    T=$(db_url sqlite "dst_${i}_$j")
    cp "$WORK/src_$i.db" "$WORK/src_${i}_$j.db"
    cp "$WORK/dst_$j.db" "$WORK/dst_${i}_$j.db"
    writes "src_${i}_$j" "$V" one 1
    run 0 sync copy --source "$S" --target "$T" --from "$V" --to "$W"
    writes "src_${i}_$j" "$V" two 2
    run 0 sync run --source "$S" --target "$T" --from "$V" --to "$W" --once
    if ! out=$("$PY" "$EXPECT" "$S" "$T" "$V" "$W" "$TABLES" 2>&1); then
      fail "$pair: the target is not the source transformed as expected: $out"
    fi
    pairs=$((pairs + 1))
    rm -f "$WORK/src_${i}_$j.db" "$WORK/dst_${i}_$j.db"
  done
done
[ "$pairs" = 55 ] || fail "expected 55 upgrade pairs, ran $pairs"

# --- refusals: exit 2, one line, nothing written ---------------------------------------------
S=$(db_url sqlite refuse_src)
T=$(db_url sqlite refuse_dst)
run 0 schema create "$S" --version 5.8.0
run 0 schema fill "$S" --rows 20
run 0 sync prepare --source "$S"
run 0 schema create "$T" --version 6.0.0
before=$(objects sqlite refuse_dst)
rows_before=$(sql sqlite refuse_dst "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")

run 2 sync copy --source "$S" --target "$T" --from 7.0.0 --to 5.8.0
one_line_error "$ERR" "downgrade"
expect_in "$ERR" "older than source version" "downgrade"
run 2 sync run --source "$S" --target "$T" --from 6.0.0 --to 5.8.0 --once
expect_in "$ERR" "older than source version" "downgrade (run)"
run 2 sync copy --source "$S" --target "$T" --from 5.8.0 --to 6.5.0
one_line_error "$ERR" "unknown version"
expect_in "$ERR" "6.5.0" "unknown version"
run 2 sync copy --source "$S" --target "$T" --from 5.8.0 --to 7.0.0
one_line_error "$ERR" "target of another version"
expect_in "$ERR" "target schema is not WSO2 Identity Server 7.0.0" "target of another version"
expect_in "$ERR" "looks like 6.0.0" "target of another version"
run 2 sync run --source "$S" --target "$T" --from 5.8.0 --to 7.0.0 --once
expect_in "$ERR" "target schema is not WSO2 Identity Server 7.0.0" "target of another version (run)"
# No --to (and no --from): the identity is not applied to a target of another version.
run 2 sync run --source "$S" --target "$T" --once
one_line_error "$ERR" "run without versions, target of another version"
expect_in "$ERR" "target schema is not WSO2 Identity Server 5.8.0" "run without versions"
expect_in "$ERR" "looks like 6.0.0" "run without versions"
run 2 sync run --source "$S" --target "$T" --from 5.8.0 --once
expect_in "$ERR" "target schema is not WSO2 Identity Server 5.8.0" "run with --from only"
run 2 sync copy --source "$S" --target "$T" --from 5.7.0 --to 6.0.0
expect_in "$ERR" "source schema is not WSO2 Identity Server 5.7.0" "source of another version"
# IDP.UUID is NOT NULL from 5.10.0 and nothing declares its value.
run 0 schema create "$(db_url sqlite refuse_dst2)" --version 5.10.0
before2=$(objects sqlite refuse_dst2)
run 2 sync copy --source "$S" --target "$(db_url sqlite refuse_dst2)" --from 5.8.0 --to 5.10.0 --tables IDP
one_line_error "$ERR" "a column nothing produces"
expect_in "$ERR" "UUID" "a column nothing produces"
[ "$before2" = "$(objects sqlite refuse_dst2)" ] || fail "a refused copy changed the target's catalogue"

[ "$before" = "$(objects sqlite refuse_dst)" ] || fail "a refused copy changed the target's catalogue"
[ "$rows_before" = "$(sql sqlite refuse_dst "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")" ] ||
  fail "a refused copy wrote rows"
finish
