#!/usr/bin/env bash
# Regenerates edma-capi/include/edma.h with cbindgen (installed from
# crates.io if missing). With --check, fails when the committed header
# differs from what cbindgen generates (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
CBINDGEN_VERSION=0.29.4
if ! cbindgen --version 2>/dev/null | grep -q " $CBINDGEN_VERSION$"; then
  cargo install cbindgen --locked --version "$CBINDGEN_VERSION" >&2
fi
out=edma-capi/include/edma.h
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp)
  cbindgen --quiet --config edma-capi/cbindgen.toml --crate edma-capi --output "$tmp"
  if ! diff -u "$out" "$tmp"; then
    echo "edma-capi/include/edma.h is stale: run scripts/c-header.sh" >&2
    rm -f "$tmp"
    exit 1
  fi
  rm -f "$tmp"
else
  cbindgen --quiet --config edma-capi/cbindgen.toml --crate edma-capi --output "$out"
fi
