#!/usr/bin/env bash
# Long fuzz runs by hand (docs/fuzzing.md, "Long runs"): each TARGET:SECONDS
# pair runs one target on a copy of its committed corpus, one after the
# other, and logs libFuzzer's final stats to target/fuzz-long/<target>.log.
# With --keep the grown corpus is minimized (cargo fuzz cmin) and replaces
# fuzz/corpus/<target> (named seeds kept). Not run by CI (.ci/run has a 25 s smoke run per
# target).
#
#   scripts/fuzz-long.sh [--keep] plan_execute:1800 plan_model:3600
set -uo pipefail
cd "$(dirname "$0")/.."

keep=0
if [ "${1:-}" = "--keep" ]; then
  keep=1
  shift
fi
[ $# -gt 0 ] || {
  echo "usage: $0 [--keep] TARGET:SECONDS..." >&2
  exit 2
}
{ cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked; } || exit 1

out=target/fuzz-long
mkdir -p "$out"
status=0
for pair in "$@"; do
  t=${pair%%:*}
  secs=${pair##*:}
  work="$out/$t.corpus"
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  echo "::: $t for ${secs}s, started $(date -u '+%Y-%m-%d %H:%M') UTC" | tee "$out/$t.log"
  if ! cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$work" -- \
    -max_total_time="$secs" -timeout=10 -print_final_stats=1 >>"$out/$t.log" 2>&1; then
    echo "::: $t FAILED (see $out/$t.log and fuzz/artifacts/$t)" | tee -a "$out/$t.log"
    status=1
    continue
  fi
  grep -E '^(#[0-9]+.*DONE|stat::)' "$out/$t.log" | tail -8
  if [ "$keep" -eq 1 ]; then
    # cmin renames inputs by hash; the named seeds (hand-made inputs and
    # regressions, referenced by name in docs/fuzzing.md) are kept as they are.
    cargo +nightly fuzz cmin --fuzz-dir fuzz "$t" "$work" >>"$out/$t.log" 2>&1 &&
      for f in "fuzz/corpus/$t"/*; do
        [[ $(basename "$f") =~ ^[0-9a-f]{40}$ ]] || cp "$f" "$work/"
      done &&
      rm -rf "fuzz/corpus/$t" && cp -r "$work" "fuzz/corpus/$t" &&
      echo "::: $t corpus: $(ls "fuzz/corpus/$t" | wc -l) inputs after cmin"
  fi
done
exit $status
