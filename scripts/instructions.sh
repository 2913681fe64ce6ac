#!/usr/bin/env bash
# Instructions per entry of validate + encode, counted by callgrind (not
# timed: counts repeat exactly on a busy machine). For each map and N, runs
# the batch R times and once with R = 0; the difference divided by R * N is
# the cost per entry. Writes target/instructions.csv (map,n,instr_per_entry).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p edma-core --example plan_cost
bin=target/release/examples/plan_cost
out=target/instructions.csv
R=${R:-20}
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "map,n,instr_per_entry" > "$out"
for map in legacy unroll compat native; do
  for n in ${NS:-1 4 16 64 256 1024 4096}; do
    base=$(count "$bin" "$map" "$n" 0)
    full=$(count "$bin" "$map" "$n" "$R")
    per=$(python3 -c "print(f'{($full - $base) / ($R * $n):.1f}')")
    echo "$map,$n,$per" | tee -a "$out"
  done
done
