#!/usr/bin/env bash
# needs: sqlite
# What an error or a report echoes of its input is bounded and escaped: a huge argument cannot
# flood the terminal, and terminal escapes from argv or a hostile deployment.toml never reach it.
. "$(dirname "$0")/lib.sh"

# no_raw_controls TEXT WHAT: TEXT holds no ESC, BEL or C1 CSI (raw byte or UTF-8).
no_raw_controls() {
  if printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x9b]'; then
    fail "$2: raw control bytes reached the terminal: $(printf '%s' "$1" | od -c | head -5)"
  fi
}

# Every echo of a 100,000-character argument stays short, and says how much it left out.
long=$(head -c 100000 /dev/zero | tr '\0' d)
check_long() {
  local what=$1
  shift
  run 2 "$@"
  one_line_error "$ERR" "$what"
  [ "${#ERR}" -lt 2500 ] || fail "$what: ${#ERR} bytes of error output"
  expect_in "$ERR" "bytes left out" "$what"
}
check_long "long sqlite path" inspect "sqlite:$WORK/$long"
check_long "long scheme" inspect "$long://u@h/db"
check_long "long port" inspect "postgresql://u@h:$long/db"
check_long "long non-URL" inspect "$long"
check_long "long --rows" schema fill "sqlite:$WORK/x.db" --rows "$long"
check_long "long dialect" schema create --version 7.0.0 --print-sql "$long"
check_long "long version" schema create "sqlite:$WORK/x.db" --version "$long"
check_long "long password file" inspect "sqlite:$WORK/x.db" --password-file "$WORK/$long"
# The server's reply echoes the database name too; the printed line is bounded as a whole.
run 1 inspect "postgresql://u@127.0.0.1:1/$long"
one_line_error "$ERR" "long database name"
[ "${#ERR}" -lt 2500 ] || fail "long database name: ${#ERR} bytes of error output"

# Terminal escapes in arguments are shown escaped.
esc=$'\e]0;pwned\a\e[2J\xc2\x9b31m'
for args in "inspect|postgress${esc}://u@h/d" "inspect|sqlite:$WORK/m${esc}.db" \
  "schema create|--version|7.0.0|--print-sql|or${esc}" "schema fill|sqlite:x|--rows|1${esc}" \
  "inspect|sqlite:x.db|--password-file|$WORK/${esc}" "inspect|--home|$WORK/${esc}"; do
  IFS='|' read -r -a argv <<<"$args"
  # shellcheck disable=SC2086
  run 2 ${argv[0]} "${argv[@]:1}"
  one_line_error "$ERR" "escape in ${argv[*]:0:2}"
  no_raw_controls "$ERR" "escape in ${argv[*]:0:2}"
  expect_in "$ERR" '\x1b]0;pwned\x07' "escape shown in ${argv[*]:0:2}"
done

# A hostile deployment.toml: names and URLs with terminal escapes, in reports and errors.
home="$WORK/home"
mkdir -p "$home/repository/conf"
cat >"$home/repository/conf/deployment.toml" <<'TOML'
[database."evil\u001b]0;pwned\u0007"]
type = "mysql"
url = "jdbc:mysql://db\u001b[2J.internal:3306/WSO2_SHARED_DB?x=\u009b31m"
username = "wso2\u001b[31m"
password = "pw"

[database.identity_db]
type = "oracle"
url = "jdbc:oracle:thin:@db\u001b[2J:1521/ORCL"
TOML
run 0 inspect --home "$home"
no_raw_controls "$OUT" "inspect --home text"
expect_in "$OUT" 'evil\x1b]0;pwned\x07 (mysql)' "hostile datasource id shown escaped"
run 0 inspect --home "$home" --json
no_raw_controls "$OUT" "inspect --home --json"
expect_in "$(json_get "$OUT" '[d["id"] for d in j["home"]["databases"]][0]')" $'evil\e]0;pwned\a' \
  "JSON keeps the id, escaped the JSON way"
run 2 inspect --home "$home" --datasource nope
one_line_error "$ERR" "unknown datasource"
no_raw_controls "$ERR" "unknown datasource"
expect_in "$ERR" 'configured: evil\x1b]0;pwned\x07, identity_db' "configured ids shown escaped"
run 1 inspect --home "$home" --datasource identity_db
no_raw_controls "$ERR" "datasource cannot be opened"
finish
