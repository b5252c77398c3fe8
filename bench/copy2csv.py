#!/usr/bin/env python3
"""copy2csv.py: PostgreSQL COPY text (stdin) to RFC 4180 CSV (stdout).

\\N becomes an empty unquoted field (pgloader's "null if blanks"); every
other field is quoted, so an empty string stays distinguishable.
"""
import sys

ESC = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\\": "\\"}


def unescape(s):
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(ESC.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main():
    out = sys.stdout
    for line in sys.stdin:
        fields = line.rstrip("\n").split("\t")
        out.write(",".join(
            "" if f == "\\N" else '"' + unescape(f).replace('"', '""') + '"'
            for f in fields))
        out.write("\n")


main()
