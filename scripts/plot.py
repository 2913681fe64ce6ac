#!/usr/bin/env python3
"""Plot per-entry plan+encode cost (instructions, from scripts/instructions.sh)
and interrupts per buffer (batched vs one by one, counted by the mock in
the sweep example) against N.

    ./scripts/instructions.sh
    cargo run --release -p edma-backend-mock --example sweep
    python3 scripts/plot.py                                 # writes docs/plot.png

Needs matplotlib (pip install matplotlib)."""
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

root = os.path.join(os.path.dirname(__file__), "..")
rows = list(csv.DictReader(open(os.path.join(root, "target", "instructions.csv"))))
# LL region of one 4 KiB page: 170 slots, 169 data elements per chunk.
PER_CHUNK = 4096 // 24 - 1

fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
for m in sorted({r["map"] for r in rows}):
    pts = [(int(r["n"]), float(r["instr_per_entry"])) for r in rows if r["map"] == m]
    a.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=m)
a.set_xscale("log", base=2)
a.set_xlabel("entries per batch (N)")
a.set_ylabel("instructions per entry (callgrind)")
a.set_title("validate + encode cost per entry")
a.axhline(60, ls="--", color="gray", label="target at N = 64")
a.grid(True, alpha=0.3)
a.legend()

sweep = list(csv.DictReader(open(os.path.join(root, "target", "sweep.csv"))))
for method, label in [("one-by-one", "one by one"), ("batched", f"batched (4 KiB LL, {PER_CHUNK} per chunk)")]:
    pts = [(int(r["n"]), float(r["per_buffer_irqs"])) for r in sweep if r["method"] == method]
    b.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
b.set_xscale("log", base=2)
b.set_yscale("log")
b.set_xlabel("entries per batch (N)")
b.set_ylabel("done interrupts per buffer (mock counters)")
b.set_title("interrupts (= doorbells) per buffer")
b.grid(True, alpha=0.3)
b.legend()
fig.tight_layout()
out = os.path.join(root, "docs", "plot.png")
fig.savefig(out, dpi=110)
print("wrote", out)
