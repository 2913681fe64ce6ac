#!/usr/bin/env bash
# Disassembles the LL-write + doorbell path (examples/firmware:
# edma_probe_ll_doorbell) for aarch64 and riscv64 and checks that the
# barriers the engine needs are there and in order (see
# edma-backend-mmio/src/barrier.rs):
#   payload stores, store barrier, control-word store,      (slot write)
#   store barrier, LL read-back, read barrier,              (sync, LL behind a BAR)
#   store barrier, doorbell store                           (register write)
# and that no inner-shareable-only barrier (dmb ish / fence rw,rw) is used.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add llvm-tools >/dev/null 2>&1 || true
objdump="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-objdump"
[ -x "$objdump" ] || { echo "llvm-objdump not found (rustup component add llvm-tools)" >&2; exit 1; }
status=0
check() {
  local target=$1 st=$2 rd=$3 load=$4 store=$5 bad=$6
  rustup target add "$target" >/dev/null 2>&1 || true
  # The object file keeps every exported symbol (the linked image of an
  # example without a linker script keeps none).
  rm -f "target/$target/release/deps/edma_firmware_example-"*.o
  touch examples/firmware/src/main.rs
  cargo rustc -q --release -p edma-firmware-example --bin edma-firmware-example --target "$target" -- --emit=obj
  local obj asm
  obj=$(ls "target/$target/release/deps/edma_firmware_example-"*.o | head -1)
  asm=$("$objdump" -d --no-show-raw-insn --disassemble-symbols=edma_probe_ll_doorbell "$obj")
  # One mnemonic (+ operands for barriers) per line.
  local seq
  seq=$(printf '%s\n' "$asm" | awk -v st="$st" -v rd="$rd" -v ld="$load" -v sto="$store" '
    { line = $0; sub(/^[ \t]*[0-9a-f]+:[ \t]*/, "", line) }
    index(line, st) == 1 { print "W"; next }
    index(line, rd) == 1 { print "R"; next }
    line ~ ld { print "L"; next }
    line ~ sto { print "S"; next }')
  local flat
  flat=$(printf '%s' "$seq" | tr -d '\n')
  # S store, L load, W store barrier, R read barrier. Required:
  #   S [^W]* W [^W]* S      slot payload, barrier, control word
  #   [^W]* W [^W]* L [^W]* R    sync: barrier, read-back, read barrier
  #   [^W]* W [^SW]* S [^SW]*$   barrier, then the doorbell: the last store
  if printf '%s' "$flat" | grep -Eq 'S[^W]*W[^W]*S[^W]*W[^W]*L[^W]*R[^W]*W[^SW]*S[^SW]*$'; then
    echo "ok   $target: $flat"
  else
    echo "FAIL $target: barrier order not found in: $flat" >&2
    printf '%s\n' "$asm" >&2
    status=1
  fi
  if printf '%s\n' "$asm" | grep -Eq "$bad"; then
    echo "FAIL $target: inner-shareable-only barrier present" >&2
    status=1
  fi
}
check aarch64-unknown-none "dmb	oshst" "dmb	oshld" '^ldr' '^(str|stp)' 'dmb[[:space:]]+ish'
check riscv64imac-unknown-none-elf "fence	w, o" "fence	i, r" '^(lw|ld)[ \t]' '^(sw|sd)[ \t]' 'fence[[:space:]]+rw, ?rw'
exit $status
