#!/usr/bin/env bash
# needs: postgres mariadb
# The sync between product versions on the servers (issue 14): 5.8.0 -> 7.0.0 and
# 5.9.0 -> 6.0.0 on PostgreSQL, on MariaDB, and MariaDB -> PostgreSQL. As sync_versions_sqlite.sh:
# a filled source, a target created empty as the newer version with LOCAL identity providers of
# its own, writes, copy, writes (three tenants and a FEDERATED token in one batch), run --once;
# every target row is the source row transformed as tools/xform_expect.py expects it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"

for engines in "postgresql postgresql" "mariadb mariadb" "mariadb postgresql"; do
  read -r s t <<<"$engines"
  for versions in "5.8.0 7.0.0" "5.9.0 6.0.0"; do
    read -r V W <<<"$versions"
    pair="$s $V -> $t $W"
    src="xv_src_${s}_${t}_${V//./_}"
    dst="xv_dst_${s}_${t}_${W//./_}"
    fresh_db "$s" "$src"
    fresh_db "$t" "$dst"
    S=$(db_url "$s" "$src")
    T=$(db_url "$t" "$dst")
    run 0 schema create "$S" --version "$V"
    run 0 schema fill "$S" --rows 100
    run 0 schema create "$T" --version "$W"
    ENGINE=$t local_idps "$dst" "$W"
    run 0 sync prepare --source "$S"
    ENGINE=$s writes "$src" "$V" one 1
    run 0 sync copy --source "$S" --target "$T" --from "$V" --to "$W" --jobs 2
    ENGINE=$s writes "$src" "$V" two 2
    run 0 sync run --source "$S" --target "$T" --from "$V" --to "$W" --once
    if ! out=$("$PY" "$EXPECT" "$S" "$T" "$V" "$W" "$TABLES" 2>&1); then
      fail "$pair: the target is not the source transformed as expected: $out"
    fi
  done
done
finish
