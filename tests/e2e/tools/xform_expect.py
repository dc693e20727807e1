#!/usr/bin/python3
"""Independent check of a sync between two product versions, for the version-transform tests.

Reads the source and the target through Python's own drivers (never through cutover), builds
for every source row the target row this test expects, and compares them as multisets. The
expectations are written here from the reference (wso2-schemas.md §1.2, §1.4, §1.9; the IDP_ID
rule of wso2-migration-tooling.md §2.8), not taken from cutover's transforms.toml:
  - columns both versions have keep their value;
  - IDN_OAUTH2_ACCESS_TOKEN / IDN_OAUTH2_AUTHORIZATION_CODE get IDP_ID from 5.8.0: the id of
    the LOCAL identity provider of the row's own tenant (the target's IDP table, else the
    source's), except USER_DOMAIN 'FEDERATED' rows, which keep their own value or get -1;
    a NULL IDP_ID becomes that same value where the target is 5.11.0 or later (NOT NULL);
  - TOKEN_BINDING_REF from 5.10.0: 'NONE'; CONSENTED_TOKEN from 6.0.0: NULL;
    AUTHORIZED_ORGANIZATION from 7.0.0: 'NONE';
  - a table the source version lacks stays empty in the target.
Prints each difference and exits 1 when there is one.

usage: xform_expect.py SOURCE_URL TARGET_URL FROM TO TABLE[,TABLE...]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dbcompare import columns, connect, norm  # noqa: E402

VERSIONS = ["5.7.0", "5.8.0", "5.9.0", "5.10.0", "5.11.0", "6.0.0", "6.1.0", "7.0.0", "7.1.0",
            "7.2.0", "7.3.0"]


def vi(v):
    return VERSIONS.index(v)


# table -> [(column, first version with it, expected value or "idp")]
NEW = {
    "IDN_OAUTH2_ACCESS_TOKEN": [("IDP_ID", "5.8.0", "idp"), ("TOKEN_BINDING_REF", "5.10.0", "NONE"),
                                ("CONSENTED_TOKEN", "6.0.0", None),
                                ("AUTHORIZED_ORGANIZATION", "7.0.0", "NONE")],
    "IDN_OAUTH2_AUTHORIZATION_CODE": [("IDP_ID", "5.8.0", "idp")],
}


def read(kind, conn, table):
    cols = columns(kind, conn, table)
    if not cols:
        return None, []
    q = '"' if kind != "my" else "`"
    name = table.lower() if kind == "pg" else table
    cur = conn.cursor()
    cur.execute("SELECT " + ", ".join(f"{q}{c}{q}" for c in cols) + f" FROM {q}{name}{q}")
    upper = [c.upper() for c in cols]
    return upper, [dict(zip(upper, r)) for r in cur.fetchall()]


def local_idps(kind, conn):
    _, rows = read(kind, conn, "IDP")
    return {int(r["TENANT_ID"]): int(r["ID"]) for r in rows if r["NAME"] == "LOCAL"}


def main():
    src_url, dst_url, frm, to, tables = sys.argv[1:6]
    sk, s = connect(src_url)
    tk, t = connect(dst_url)
    idps = local_idps(sk, s)
    idps.update(local_idps(tk, t))  # the target's own ids win
    bad = 0
    for table in tables.split(","):
        tcols, trows = read(tk, t, table)
        if tcols is None:
            continue  # the target version has no such table: not synced
        scols, srows = read(sk, s, table)
        if scols is None:
            if trows:
                print(f"{table}: the source version lacks it, the target holds {len(trows)} rows")
                bad += 1
            continue
        rules = {c: (since, value) for c, since, value in NEW.get(table, [])}
        checked = [c for c in tcols if c in scols or c in rules]
        expected = []
        for r in srows:
            e = {}
            for c in checked:
                since, value = rules.get(c, (None, None))
                own = r.get(c)
                if since is None or (c in scols and value != "idp"):
                    e[c] = own
                elif value != "idp":
                    e[c] = value
                else:
                    need = c not in scols or (own is None and vi(to) >= vi("5.11.0"))
                    if not need:
                        e[c] = own
                    elif r["USER_DOMAIN"] == "FEDERATED":
                        e[c] = -1 if own is None else own
                    else:
                        e[c] = idps[int(r["TENANT_ID"])]
            expected.append(tuple(norm(e[c]) for c in checked))
        got = [tuple(norm(r[c]) for c in checked) for r in trows]
        key = lambda x: tuple("" if v is None else v for v in x)  # noqa: E731
        expected.sort(key=key)
        got.sort(key=key)
        if expected != got:
            se, sg = set(expected), set(got)
            print(f"{table} {frm}->{to}: {len(expected)} rows expected, {len(got)} found; "
                  f"columns {checked}; expected only: {sorted(se - sg, key=key)[:2]}; "
                  f"found only: {sorted(sg - se, key=key)[:2]}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
