#!/usr/bin/env python3
"""Turns the console log of the edma-rec KUnit suite into trace files.

    split.py CONSOLE_LOG OUT_DIR [PREFIX [HEADER]]

Keeps the lines "EDMAREC <seq> ..." (or PREFIX: linux/run.sh passes
RSREC for the dw_edma_rs provider's recordings), checks that no sequence number is
missing (the console dropped nothing), and writes one file per scenario,
OUT_DIR/<map>-<deploy>-<dir>-<kind>[-nonll]-e<entries>.trace, in the format
conformance/README.md describes.
"""
import os
import re
import sys

HEADER = "# Recorded from the unmodified Linux 7.2 dw-edma driver by conformance/record.sh; do not edit.\n"


def main(log, out, prefix="EDMAREC", header=HEADER):
    lines = []
    for raw in open(log, errors="replace"):
        m = re.search(prefix + r" (\d+) (.*)$", raw.rstrip("\r\n"))
        if m:
            lines.append((int(m.group(1)), m.group(2).strip()))
    if not lines:
        sys.exit(f"no {prefix} lines")
    for (a, _), (b, _) in zip(lines, lines[1:]):
        if b != a + 1:
            sys.exit(f"sequence gap after {a}: console dropped lines")
    os.makedirs(out, exist_ok=True)
    cur, name, written = None, None, 0
    for _, text in lines:
        if text.startswith("begin "):
            kv = dict(p.split("=", 1) for p in text.split()[1:])
            cur = [header] + [f"{k} {v}\n" for k, v in kv.items()]
            name = kv
            entries = 0
            continue
        if cur is None:
            continue
        if text == "end":
            cur.append("end\n")
            kind = name["kind"] + ("-nonll" if name["nonll"] == "1" else "")
            fn = f"{name['map']}-{name['deploy']}-{name['dir']}-{kind}-e{entries}.trace"
            with open(os.path.join(out, fn), "w") as f:
                f.writelines(cur)
            written += 1
            cur = None
            continue
        if text.startswith("a "):
            text = text[2:]
        if text.startswith("entry "):
            entries += 1
        cur.append(text + "\n")
    print(f"{written} traces written to {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) > 3:
        args[3] = args[3].rstrip("\n") + "\n"
    main(*args)
