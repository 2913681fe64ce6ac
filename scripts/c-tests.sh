#!/usr/bin/env bash
# Builds edma-capi's static library with the mock engine, compiles every C
# program under edma-capi/tests/c with -std=c11 -Wall -Wextra -Werror,
# once plain and once with -fsanitize=address,undefined, and runs them.
# Also checks that the committed header is what cbindgen generates
# (scripts/c-header.sh --check). Run by `cargo test` (edma-capi/tests/c.rs)
# and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
command -v "$CC" >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc; }
cargo build -q --profile capi -p edma-capi --features mock
lib=target/capi/libedma_capi.a
out=target/c-tests
mkdir -p "$out"
flags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -O1 -g -DEDMA_FEATURE_MOCK -Iedma-capi/include)
libs=("$lib" -lpthread -ldl -lm)
status=0
for src in edma-capi/tests/c/*.c; do
  name=$(basename "$src" .c)
  "$CC" "${flags[@]}" -o "$out/$name" "$src" "${libs[@]}"
  "$CC" "${flags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -o "$out/$name-san" "$src" "${libs[@]}"
  for bin in "$out/$name" "$out/$name-san"; do
    if ! ASAN_OPTIONS=detect_leaks=1 "$bin"; then
      echo "FAILED: $bin" >&2
      status=1
    fi
  done
done
exit "$status"
