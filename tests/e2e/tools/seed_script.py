#!/usr/bin/python3
"""Prints one database's script from a WSO2 migration seed (a Markdown page with tabbed code
blocks, ```tab="PostgreSQL" ... ```), without its indentation, so a test can run the seed's
own SQL at run time; the seed text is never copied into the repository.

usage: seed_script.py SEED_FILE TAB_NAME    (exit 1 when the tab is not there)
"""
import sys


def main():
    path, tab = sys.argv[1], sys.argv[2]
    out, inside, indent = [], False, 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if not inside and stripped == f'```tab="{tab}"':
                inside, indent = True, len(line) - len(line.lstrip())
                continue
            if inside and stripped == "```":
                break
            if inside:
                out.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
    if not out:
        return 1
    sys.stdout.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
