#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the dw_edma_rs module against Debian's linux-source-7.3 with the
# edma crate linked in (the kernel object scripts/kernel-objects.sh makes),
# boots it under QEMU/TCG in a kernel with KUnit, KASAN, UBSAN, lockdep and
# DEBUG_ATOMIC_SLEEP (linux/kunitconfig), and checks the KUnit results and
# that none of the checkers reported anything. By hand, not in CI: the
# kernel build takes about 10 minutes on 2 cores.
#
#   linux/run.sh [WORKDIR]        # default /tmp/edma-linux-7.3
#
# Leaves WORKDIR/console.log and copies the KUnit lines to
# linux/results/console-x86_64.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${1:-/tmp/edma-linux-7.3}
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"

need="bc flex bison libelf-dev libssl-dev qemu-system-x86 busybox-static cpio gzip gcc-aarch64-linux-gnu"
# shellcheck disable=SC2086
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $need; }

# 1. The crate as a kernel object.
"$repo/scripts/kernel-objects.sh"

# 2. The kernel source (signatures checked by apt; the system's apt
#    configuration untouched).
cd "$work"
"$repo/scripts/linux-source.sh" 7.3 "$work"
src=$work/linux-source-7.3

# 3. The kernel.
cd "$src"
if [ ! -f B/arch/x86/boot/bzImage ] || [ ! -f B/Module.symvers ] || [ "$here/kunitconfig" -nt B/.config ]; then
  python3 tools/testing/kunit/kunit.py config --arch=x86_64 --build_dir=B --kunitconfig="$here/kunitconfig"
  for opt in KASAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP UBSAN MODULES DW_EDMA MITIGATION_RETHUNK; do
    grep -q "^CONFIG_$opt=y" B/.config || { echo "CONFIG_$opt did not stay on" >&2; exit 1; }
  done
  # `modules` writes B/Module.symvers, which the external module's modpost
  # needs (without it every kernel symbol is "undefined").
  make ARCH=x86_64 O=B -j"$(nproc)" bzImage modules modules_prepare >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log"; exit 1; }
fi

# 4. The module: our sources, the header, the crate object.
mod=$work/module
rm -rf "$mod" && mkdir -p "$mod"
cp "$here"/*.c "$here"/*.h "$here"/Kbuild "$mod/"
cp "$repo/edma-capi/include/edma.h" "$mod/"
cp "$repo/target/kernel/edma-x86_64.o" "$mod/edma_crate.o_shipped"
make -C "$src/B" M="$mod" ARCH=x86_64 modules >"$work/module.log" 2>&1 ||
  { tail -40 "$work/module.log"; exit 1; }
if grep -E 'warning:|objtool' "$work/module.log"; then
  echo "the module build warned (above)" >&2
  exit 1
fi

# 4b. arm64, link only (most endpoint SoCs with this engine are arm64): a
#     small arm64 kernel with modules, PCI/MSI, DW_EDMA and KUnit, and the
#     module built against it with the aarch64 object (modpost must be silent).
A=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- O=B-arm64)
cd "$src"
if [ ! -f B-arm64/Module.symvers ]; then
  make "${A[@]}" allnoconfig >"$work/build-arm64.log" 2>&1
  scripts/config --file B-arm64/.config -e MODULES -e MODULE_UNLOAD -e PCI -e PCI_MSI -e DMADEVICES \
    -e DMA_ENGINE -e DW_EDMA -e KUNIT -e PRINTK -e ARM64_PTR_AUTH -e ARM64_PTR_AUTH_KERNEL -e PCI_HOST_GENERIC
  make "${A[@]}" olddefconfig >>"$work/build-arm64.log" 2>&1
  make "${A[@]}" -j"$(nproc)" Image modules >>"$work/build-arm64.log" 2>&1 ||
    { tail -40 "$work/build-arm64.log"; exit 1; }
fi
mod64=$work/module-arm64
rm -rf "$mod64" && mkdir -p "$mod64"
cp "$here"/*.c "$here"/*.h "$here"/Kbuild "$mod64/"
cp "$repo/edma-capi/include/edma.h" "$mod64/"
cp "$repo/target/kernel/edma-aarch64.o" "$mod64/edma_crate.o_shipped"
make -C "$src/B-arm64" M="$mod64" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules >"$work/module-arm64.log" 2>&1 ||
  { tail -40 "$work/module-arm64.log"; exit 1; }
if grep -E 'warning:|WARNING|ERROR' "$work/module-arm64.log"; then
  echo "the arm64 module build warned (above)" >&2
  exit 1
fi
echo "arm64: $(stat -c %s "$mod64/dw_edma_rs.ko") bytes, modpost silent"

# 5. An initramfs: busybox, the module, an init that loads it and powers off.
root=$work/initramfs
rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys}
cp /bin/busybox "$root/bin/busybox"
cp "$mod/dw_edma_rs.ko" "$root/"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "dw_edma_rs: insmod"
/bin/busybox insmod /dw_edma_rs.ko
echo "dw_edma_rs: insmod returned $?"
/bin/busybox rmmod dw_edma_rs
echo "dw_edma_rs: done"
/bin/busybox poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -9) >"$work/initramfs.gz"

# 6. Boot.
timeout 900 qemu-system-x86_64 -nodefaults -m 1024 -accel tcg -cpu max -no-reboot -nographic \
  -serial stdio -bios qboot.rom -kernel "$src/B/arch/x86/boot/bzImage" -initrd "$work/initramfs.gz" \
  -append 'console=ttyS0 kunit.enable=1 panic=-1' >"$work/console.log" 2>&1 </dev/null || true

mkdir -p "$here/results"
grep -E 'dw_edma_rs|KTAP|# dw_edma_rs|ok [0-9]|not ok|BUG:|WARNING:|KASAN|UBSAN|lockdep|circular|inconsistent|sleeping function' \
  "$work/console.log" | sed 's/^\[[ 0-9.]*\] //' >"$here/results/console-x86_64.txt" || true
# The provider's recordings of conformance/'s scenarios (Linux-compatible
# mode), compared with the Linux 7.2 recordings by cargo test.
rm -rf "$here/traces" "$here/traces-ring"
python3 "$repo/conformance/split.py" "$work/console.log" "$here/traces" RSREC \
  "# Recorded from the dw_edma_rs provider (Linux-compatible mode) in Linux 7.3 by linux/run.sh; do not edit."
python3 "$repo/conformance/split.py" "$work/console.log" "$here/traces-ring" RRREC \
  "# Recorded from the dw_edma_rs provider (ring mode) in Linux 7.3 by linux/run.sh; do not edit."
fail=0
grep -q '^ *ok [0-9]* dw_edma_rs' "$work/console.log" || { echo "the KUnit suite did not pass" >&2; fail=1; }
if grep -qE 'not ok|BUG:|WARNING:|KASAN:|UBSAN:|possible circular|inconsistent lock|sleeping function called' "$work/console.log"; then
  echo "a test failed or a checker reported (see $work/console.log)" >&2
  fail=1
fi
grep -E '^ *(not )?ok [0-9]+ ' "$work/console.log" | sed 's/^\[[ 0-9.]*\] //'
exit "$fail"
