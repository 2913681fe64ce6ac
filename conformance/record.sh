#!/usr/bin/env bash
# Regenerates conformance/traces/ from the unmodified Linux dw-edma driver.
# Run by hand (not in CI): about 10 minutes on 2 cores, 2 GB of disk.
#
#   conformance/record.sh [WORKDIR]
#
# 1. Fetches Debian's linux-source-7.2 (signatures checked by apt, the system's
#    apt configuration untouched), unpacks it in WORKDIR (default /tmp/edma-linux).
# 2. Copies conformance/kunit/ into the tree as drivers/dma/edma-rec/ and adds
#    one line each to drivers/dma/Kconfig and drivers/dma/Makefile so it is
#    built; nothing under drivers/dma/dw-edma/ is touched.
# 3. Configures a KUnit kernel (conformance/.kunitconfig), builds it, boots it
#    under QEMU (TCG) and keeps the console lines "EDMAREC ...".
# 4. conformance/split.py turns them into conformance/traces/*.trace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${1:-/tmp/edma-linux}
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
cd "$work"

if ! dpkg -s bc flex bison libelf-dev libssl-dev qemu-system-x86 >/dev/null 2>&1; then
  apt-get install -y -qq bc flex bison libelf-dev libssl-dev qemu-system-x86
fi
"$repo/scripts/linux-source.sh" 7.2 "$work"
src=$work/linux-source-7.2
rm -rf "$src/drivers/dma/edma-rec"
cp -r "$here/kunit" "$src/drivers/dma/edma-rec"
grep -q edma-rec "$src/drivers/dma/Kconfig" ||
  sed -i 's|^source "drivers/dma/dw-edma/Kconfig"|&\nsource "drivers/dma/edma-rec/Kconfig"|' "$src/drivers/dma/Kconfig"
grep -q edma-rec "$src/drivers/dma/Makefile" ||
  echo 'obj-$(CONFIG_EDMA_REC_KUNIT) += edma-rec/' >>"$src/drivers/dma/Makefile"

cd "$src"
python3 tools/testing/kunit/kunit.py config --arch=x86_64 --build_dir=B --kunitconfig="$here/.kunitconfig"
grep -q '^CONFIG_EDMA_REC_KUNIT=y' B/.config
make ARCH=x86_64 O=B -j"$(nproc)" bzImage >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
timeout 600 qemu-system-x86_64 -nodefaults -m 1024 -accel tcg -no-reboot -nographic \
  -serial stdio -bios qboot.rom -kernel B/arch/x86/boot/bzImage \
  -append 'console=ttyS0 kunit.enable=1 kunit_shutdown=poweroff' >"$work/console.log" 2>&1 </dev/null
grep -q 'ok 1 edma-rec' "$work/console.log" || { grep -E 'EDMAREC .* (begin|done)|not ok|BUG|WARNING' "$work/console.log" | tail -20; exit 1; }
python3 "$here/split.py" "$work/console.log" "$here/traces"
