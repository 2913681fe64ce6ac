#!/usr/bin/env bash
# Instructions per entry of validate + encode, counted by callgrind (not
# timed: counts repeat exactly on a busy machine). For each map and N, runs
# the batch R times and once with R = 0; the difference divided by R * N is
# the cost per entry. Writes target/instructions.csv (map,n,instr_per_entry).
#
#   scripts/instructions.sh              # all N in 1..4096
#   scripts/instructions.sh --check 25   # N = 64 only; fails above 25 (CI;
#       NS=1 ... --check 120 for a batch of one)
#   TRANSLATE=window scripts/instructions.sh   # PCI side through an OffsetWindow
#   scripts/instructions.sh --capi-check 5    # the C ABI: edma_channel_submit
#       and edma_ring_append of 64 entries beside Channel::submit and
#       Ring::append on the same engine, LL page and entries (each call
#       counted alone with --toggle-collect); fails when the C call costs
#       more than 5 instructions per entry above the Rust one. Writes
#       target/instructions-capi.csv.
#   scripts/instructions.sh --ring-check 20   # the ring: Ring::append of 64
#       entries (validation + encoding), counted alone with --toggle-collect;
#       fails above 20 per entry (CI). Writes target/instructions-ring.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=
ring=
capi=
if [ "${1:-}" = "--check" ]; then
  limit=${2:?--check needs a limit}
  NS=${NS:-64}
elif [ "${1:-}" = "--capi-check" ]; then
  limit=${2:?--capi-check needs a limit}
  capi=1
elif [ "${1:-}" = "--ring-check" ]; then
  limit=${2:?--ring-check needs a limit}
  ring=1
fi
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
# Instruction counts depend on the compiler: the figures in docs/results.md
# and the CI limit are for this rustc. Use it even where stable has moved on.
RUSTC_FOR_COUNTS=1.95.0
tc=
if ! rustc --version | grep -q "^rustc $RUSTC_FOR_COUNTS "; then
  rustup toolchain install "$RUSTC_FOR_COUNTS" --profile minimal >&2
  tc=+$RUSTC_FOR_COUNTS
fi
if [ -n "$capi" ]; then
  cargo $tc build --release -q -p edma-capi --features mock --example capi_cost
  bin=target/release/examples/capi_cost
  out=target/instructions-capi.csv
  R=${R:-20}
  N=${N:-64}
  echo "call,n,rust,c,overhead_per_entry" > "$out"
  over=0
  collect() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$1" "$bin" "$2" "$3" "$N" "$R" 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  for what in batch ring; do
    if [ "$what" = batch ]; then cfn=edma_channel_submit; else cfn=edma_ring_append; fi
    r=$(collect "*rust_round_$what*" "$what" rust)
    c=$(collect "$cfn" "$what" c)
    [ -n "$r" ] && [ -n "$c" ] || { echo "no count from callgrind" >&2; exit 1; }
    row=$(python3 -c "r, c = $r / ($R * $N), $c / ($R * $N); print(f'{r:.1f},{c:.1f},{c - r:.1f}')")
    echo "$what,$N,$row" | tee -a "$out"
    if python3 -c "import sys; sys.exit(0 if ($c - $r) / ($R * $N) > $limit else 1)"; then
      echo "$what through the C ABI at N = $N: more than $limit instructions per entry above Rust" >&2
      over=1
    fi
  done
  exit "$over"
fi
if [ -n "$ring" ]; then
  cargo $tc build --release -q -p edma-core --example ring_cost
  bin=target/release/examples/ring_cost
  out=target/instructions-ring.csv
  R=${R:-20}
  N=${N:-64}
  echo "map,n,instr_per_entry" > "$out"
  over=0
  for map in legacy unroll compat native; do
    c=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*append_round*' \
      "$bin" "$map" "$N" "$R" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    [ -n "$c" ] || { echo "no count from callgrind" >&2; exit 1; }
    per=$(python3 -c "print(f'{$c / ($R * $N):.1f}')")
    echo "$map,$N,$per" | tee -a "$out"
    if python3 -c "import sys; sys.exit(0 if $per > $limit else 1)"; then
      echo "ring append, $map at N = $N: $per instructions per entry, above the target of $limit" >&2
      over=1
    fi
  done
  exit "$over"
fi
cargo $tc build --release -q -p edma-core --example plan_cost
bin=target/release/examples/plan_cost
out=target/instructions.csv
R=${R:-20}
count() {
  local n
  n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  [ -n "$n" ] || { echo "no count from callgrind for: $*" >&2; return 1; }
  echo "$n"
}
echo "map,n,instr_per_entry" > "$out"
over=0
for map in legacy unroll compat native; do
  for n in ${NS:-1 4 16 64 256 1024 4096}; do
    base=$(count "$bin" "$map" "$n" 0 ${TRANSLATE:-})
    full=$(count "$bin" "$map" "$n" "$R" ${TRANSLATE:-})
    per=$(python3 -c "print(f'{($full - $base) / ($R * $n):.1f}')")
    echo "$map,$n,$per" | tee -a "$out"
    if [ -n "$limit" ] && python3 -c "import sys; sys.exit(0 if $per > $limit else 1)"; then
      echo "$map at N = $n: $per instructions per entry, above the target of $limit" >&2
      over=1
    fi
  done
done
[ "$over" -eq 0 ]
