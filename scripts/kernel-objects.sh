#!/usr/bin/env bash
# Builds edma-capi as the object a Linux 7.3 kernel module links
# (target/kernel/edma-<arch>.o, x86_64 and aarch64) and checks it:
#   * undefined symbols: only the allow-list below (the kernel provides
#     them; nothing from std or alloc);
#   * no TLS sections or symbols, no .init_array / .ctors;
#   * only relocation types the architecture's module loader applies.
# `core` is rebuilt with the kernel's codegen flags (-Zbuild-std=core):
# the prebuilt one is position-independent code the loader refuses
# (GOTPCREL, "Unknown rela relocation: 9"). Flags from Linux 7.3's Makefile
# and arch Makefiles (../shared/notes/environment.md has what we measured).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain install nightly --profile minimal --component rust-src,llvm-tools >&2
sysroot=$(rustc +nightly --print sysroot)
bin="$sysroot/lib/rustlib/$(rustc +nightly -vV | sed -n 's/^host: //p')/bin"
lld="$bin/rust-lld"
nm="$bin/llvm-nm"
readobj="$bin/llvm-readobj"
objcopy="$bin/llvm-objcopy"
out=target/kernel
mkdir -p "$out"

common="-Cpanic=abort -Cembed-bitcode=n -Clto=n -Cforce-unwind-tables=n -Crelocation-model=static -Cjump-tables=n -Copt-level=2 -Zfunction-sections=y"
x86_flags="$common -Ccode-model=kernel -Cno-redzone=y -Ctarget-feature=-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2 -Zcf-protection=branch -Zfunction-return=thunk-extern -Zpatchable-function-entry=16,16 -Zretpoline-external-thunk -Zplt=yes"
arm_flags="$common -Zfixed-x18 -Zbranch-protection=pac-ret"

# What the kernel provides: its string functions, the x86 thunks, and the
# panic hook the module's glue defines (docs/guides/c.md).
allow_common="memcpy memset memmove memcmp edma_panic"
allow_x86="__x86_return_thunk __x86_indirect_thunk_r11 __x86_indirect_thunk_rax"
# Relocation types arch/x86/kernel/module.c and arch/arm64/kernel/module.c apply.
relocs_x86="R_X86_64_NONE R_X86_64_64 R_X86_64_32 R_X86_64_32S R_X86_64_PC32 R_X86_64_PLT32 R_X86_64_PC64"
relocs_arm="R_AARCH64_NONE R_AARCH64_ABS64 R_AARCH64_ABS32 R_AARCH64_PREL64 R_AARCH64_PREL32 R_AARCH64_CALL26 R_AARCH64_JUMP26 R_AARCH64_ADR_PREL_PG_HI21 R_AARCH64_ADR_PREL_PG_HI21_NC R_AARCH64_ADD_ABS_LO12_NC R_AARCH64_LDST8_ABS_LO12_NC R_AARCH64_LDST16_ABS_LO12_NC R_AARCH64_LDST32_ABS_LO12_NC R_AARCH64_LDST64_ABS_LO12_NC R_AARCH64_LDST128_ABS_LO12_NC R_AARCH64_ADR_PREL_LO21 R_AARCH64_CONDBR19 R_AARCH64_TSTBR14 R_AARCH64_LD_PREL_LO19 R_AARCH64_MOVW_UABS_G0_NC R_AARCH64_MOVW_UABS_G1_NC R_AARCH64_MOVW_UABS_G2_NC R_AARCH64_MOVW_UABS_G3"

fail=0
build() {
  local arch=$1 target=$2 flags=$3 allow=$4 relocs=$5
  rustup target add --toolchain nightly "$target" >/dev/null 2>&1 || true
  CARGO_PROFILE_RELEASE_DEBUG=0 RUSTFLAGS="$flags" cargo +nightly build -q --release -Zbuild-std=core \
    --target "$target" --target-dir target/kernel-build \
    -p edma-capi --no-default-features --features panic-handler
  local lib=target/kernel-build/$target/release/libedma_capi.a
  local dir=$out/$arch-objs
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && "$bin/llvm-ar" x "$(realpath "../../../$lib")")
  # compiler_builtins' string functions give way to the kernel's (its
  # optimised, KASAN-instrumented ones): renamed in compiler_builtins'
  # objects, so every call here stays an undefined `memcpy` the kernel
  # resolves, and --gc-sections drops the renamed copies nothing calls.
  local o s
  for o in "$dir"/compiler_builtins-*.o; do
    for s in memcpy memset memmove memcmp bcmp strlen; do
      "$objcopy" --redefine-sym "$s=__edma_builtins_$s" "$o"
    done
  done
  # Everything the C ABI exports is a root; the rest of core goes unless
  # reached.
  local roots
  roots=$(for o in "$dir"/*.o; do "$nm" --defined-only -g "$o" 2>/dev/null; done |
    awk '$3 ~ /^edma_/ {print "-u " $3}' | sort -u | tr '\n' ' ')
  # shellcheck disable=SC2086
  "$lld" -flavor gnu -r --gc-sections $roots -o "$out/edma-$arch.o" "$dir"/*.o
  local strong
  strong=$("$nm" --defined-only "$out/edma-$arch.o" | awk '$3 ~ /^(memcpy|memset|memmove|memcmp|bcmp)$/ {print $3}')
  check "$arch" "$out/edma-$arch.o" "$allow" "$relocs" "$strong"
}

check() {
  local arch=$1 obj=$2 allow=$3 relocs=$4 strong=$5 bad=0
  local undef
  undef=$("$nm" --undefined-only "$obj" | awk '{print $NF}' | sort -u)
  for s in $undef; do
    if ! grep -qw -- "$s" <<<"$allow"; then
      echo "$arch: undefined symbol not on the allow-list: $s" >&2
      bad=1
    fi
  done
  if [ -n "$strong" ]; then
    echo "$arch: definitions of the kernel's string functions: $strong" >&2
    bad=1
  fi
  if "$readobj" --sections "$obj" | grep -E 'Name: \.(tdata|tbss|init_array|ctors|fini_array|dtors)' >&2; then
    echo "$arch: TLS or constructor sections" >&2
    bad=1
  fi
  if "$readobj" --symbols "$obj" | grep -q 'Type: TLS'; then
    echo "$arch: TLS symbols" >&2
    bad=1
  fi
  local types
  types=$("$readobj" --relocations "$obj" | awk '$1 ~ /^0x/ {print $2}' | sort -u)
  for t in $types; do
    if ! grep -qw -- "$t" <<<"$relocs"; then
      echo "$arch: relocation type the module loader refuses: $t" >&2
      bad=1
    fi
  done
  local exported
  exported=$("$nm" --defined-only -g "$obj" | awk '$3 ~ /^edma_/' | wc -l)
  echo "$arch: $(stat -c %s "$obj") bytes, $exported edma_* functions, undefined: $(echo $undef), relocations: $(echo $types)"
  [ "$bad" -eq 0 ] || fail=1
}

build x86_64 x86_64-unknown-none "$x86_flags" "$allow_common $allow_x86" "$relocs_x86"
build aarch64 aarch64-unknown-none-softfloat "$arm_flags" "$allow_common" "$relocs_arm"
exit "$fail"
