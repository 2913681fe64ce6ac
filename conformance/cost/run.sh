#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per entry, side by side in one run: the unmodified Linux 7.2
# dw-edma core (dw-edma-core.c, dw-edma-v0-core.c, dw-hdma-v0-core.c,
# virt-dma.c from Debian's linux-source-7.2, compiled -O2 in userspace with
# shim/ standing in for the kernel) and the edma crate, on the same
# workload, counted by callgrind (counts repeat exactly; no timing).
#
#   conformance/cost/run.sh [--check] [WORKDIR]   # default /tmp/edma-linux
#
# Rows: N = 1, 64, 4096 entries in one batch, and 64 entries one at a time
# (64 batches of one). Columns, instructions per entry (see
# conformance/cost/README.md for what each side includes):
#   linux_bump / linux_malloc  prep_slave_sg + submit + issue_pending + the
#       done interrupts + the completion tasklet, with kmalloc a bump
#       pointer (lower bound) / glibc malloc
#   linux_ll    Linux's LL-writing step alone (dw_edma_v0_core_start or
#       dw_hdma_v0_core_start, inclusive: LL stores and channel registers)
#   crate       Channel::submit + on_interrupt until complete
#   x_bump / x_malloc  linux_bump / crate, linux_malloc / crate
#   plan        the crate's validate + encode (plan::validate and
#       plan::encode_chunk_validated, as Channel::submit calls them)
#   ring        the crate's Ring::append (N <= 169 only)
#   floor       the LL elements stored and nothing else
# Writes target/cost-vs-linux.csv. With --check, fails when a crate column
# (crate, plan) is above Linux's bump-allocator figure for its row, or a
# harness run fails its own checks (every round completes; the LL page holds
# the entries).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
check=
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
work=${1:-/tmp/edma-linux}
MAPS=${MAPS:-unroll native}

command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
command -v gcc >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc; }

# 1. Linux 7.2 (the version conformance/traces were recorded from).
"$repo/scripts/linux-source.sh" 7.2 "$work" >/dev/null
src=$work/linux-source-7.2

# 2. The Linux side: its files unmodified, our shim, our harness.
b=$work/cost-build
rm -rf "$b" && mkdir -p "$b/inc/linux/dma"
cp "$src/include/linux/dmaengine.h" "$b/inc/linux/"
cp "$src/include/linux/dma/edma.h" "$b/inc/linux/dma/"
cflags=(-O2 -std=gnu11 -fno-strict-aliasing -fno-delete-null-pointer-checks -fno-common
  -fno-stack-protector -mno-red-zone -fno-pie -Wall -Wno-unused -Werror
  -DCONFIG_DMA_ENGINE=1 -DCONFIG_DW_EDMA=1
  -I"$b/inc" -I"$here/shim" -I"$src/drivers/dma/dw-edma")
objs=()
for f in virt-dma dw-edma/dw-edma-core dw-edma/dw-edma-v0-core dw-edma/dw-hdma-v0-core; do
  o=$b/$(basename "$f").o
  gcc "${cflags[@]}" -c "$src/drivers/dma/$f.c" -o "$o"
  objs+=("$o")
done
gcc "${cflags[@]}" -c "$here/linux_cost.c" -o "$b/linux_cost.o"
for a in bump:1 malloc:2; do
  gcc "${cflags[@]}" -DKSHIM_ALLOC="${a#*:}" -c "$here/shim/kshim.c" -o "$b/kshim-${a%:*}.o"
  gcc -no-pie -o "$b/linux_cost-${a%:*}" "$b/linux_cost.o" "$b/kshim-${a%:*}.o" "${objs[@]}"
done

# 3. The crate side, with the compiler the project's counts are for.
cd "$repo"
RUSTC_FOR_COUNTS=1.95.0
tc=
if ! rustc --version | grep -q "^rustc $RUSTC_FOR_COUNTS "; then
  rustup toolchain install "$RUSTC_FOR_COUNTS" --profile minimal >&2
  tc=+$RUSTC_FOR_COUNTS
fi
for ex in round_cost plan_cost ring_cost; do
  cargo $tc build --release -q -p edma-core --example "$ex"
done
rel=$repo/target/release/examples

# Instructions collected inside functions matching $1 (callgrind
# --toggle-collect), the rest of the command line run under callgrind.
collect() {
  local pat=$1 out
  shift
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$pat" "$@" 2>&1) ||
    { echo "$out" | tail -5 >&2; echo "failed: $*" >&2; return 1; }
  echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# Inclusive instructions of function $1 in a run collected inside linux_round.
inclusive() {
  local fn=$1 f
  shift
  f=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$f" --toggle-collect=linux_round "$@" >/dev/null 2>&1
  callgrind_annotate --inclusive=yes "$f" 2>/dev/null | awk -v fn="$fn" '$0 ~ ":"fn" " {gsub(",", "", $1); print $1; exit}'
  rm -f "$f"
}
per() { python3 -c "print(f'{$1 / ($2):.1f}')"; }

out=$repo/target/cost-vs-linux.csv
echo "map,n,mode,linux_bump,linux_malloc,linux_ll,crate,x_bump,x_malloc,plan,ring,floor" >"$out"
printf '%-7s %5s %-6s %10s %12s %8s %7s %7s %8s %6s %6s %6s\n' map n mode linux_bump linux_malloc linux_ll \
  crate x_bump x_malloc plan ring floor
over=0
for map in $MAPS; do
  case $map in native) core=dw_hdma_v0_core_start ;; *) core=dw_edma_v0_core_start ;; esac
  for row in 1:batch 64:batch 4096:batch 64:single; do
    n=${row%:*}
    mode=${row#*:}
    if [ "$n" -ge 1024 ]; then r=4; else r=20; fi
    lb=$(collect linux_round "$b/linux_cost-bump" "$map" "$n" "$r" "$mode")
    lm=$(collect linux_round "$b/linux_cost-malloc" "$map" "$n" "$r" "$mode")
    ll=$(inclusive "$core" "$b/linux_cost-bump" "$map" "$n" "$r" "$mode")
    cr=$(collect '*crate_round*' "$rel/round_cost" "$map" "$n" "$r" "$mode")
    fl=$(collect linux_round "$b/linux_cost-bump" "$map" "$n" "$r" floor)
    if [ "$mode" = batch ]; then
      pl=$(per "$(collect '*plan_and_encode*' "$rel/plan_cost" "$map" "$n" "$r")" "$r * $n")
    else
      # 64 batches of one: the batch of one's validate + encode.
      pl=$(per "$(collect '*plan_and_encode*' "$rel/plan_cost" "$map" 1 "$((r * n))")" "$r * $n")
    fi
    if [ "$n" -le 169 ] && [ "$mode" = batch ]; then
      rg=$(per "$(collect '*append_round*' "$rel/ring_cost" "$map" "$n" "$r")" "$r * $n")
    else
      rg=-
    fi
    d="$r * $n"
    vals=("$(per "$lb" "$d")" "$(per "$lm" "$d")" "$(per "$ll" "$d")" "$(per "$cr" "$d")")
    xb=$(python3 -c "print(f'{$lb / $cr:.1f}')")
    xm=$(python3 -c "print(f'{$lm / $cr:.1f}')")
    fpe=$(per "$fl" "$d")
    echo "$map,$n,$mode,${vals[0]},${vals[1]},${vals[2]},${vals[3]},$xb,$xm,$pl,$rg,$fpe" >>"$out"
    printf '%-7s %5s %-6s %10s %12s %8s %7s %7s %8s %6s %6s %6s\n' "$map" "$n" "$mode" "${vals[@]:0:3}" \
      "${vals[3]}" "$xb" "$xm" "$pl" "$rg" "$fpe"
    if [ -n "$check" ]; then
      for v in "${vals[3]}" "$pl"; do
        if python3 -c "import sys; sys.exit(0 if $v > ${vals[0]} else 1)"; then
          echo "$map N = $n $mode: the crate's $v per entry is above Linux's ${vals[0]}" >&2
          over=1
        fi
      done
    fi
  done
done
[ "$over" -eq 0 ]
