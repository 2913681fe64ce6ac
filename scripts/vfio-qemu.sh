#!/usr/bin/env bash
# The VFIO layer (edma-backend-mmio feature `vfio`) in a real guest: builds a
# Linux 7.3 guest kernel from Debian's linux-source-7.3 with an emulated VT-d
# IOMMU (interrupt remapping on), VFIO (container/group and iommufd/cdev),
# boots it under QEMU/TCG with QEMU's `edu` PCI device, binds edu to
# vfio-pci and runs the static test binary edma-backend-mmio/examples/
# vfio_guest.rs through both VFIO paths, as root and as an unprivileged user.
# By hand, not in CI (the kernel takes about 6 minutes on 2 cores).
#
#   scripts/vfio-qemu.sh [WORKDIR]     # default /tmp/edma-vfio
#
# Writes WORKDIR/console.log and copies the test's lines to
# edma-backend-mmio/results/vfio-qemu.txt. Exit status 0 only if every check
# in the guest passed on both paths.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/edma-vfio}
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"

need="bc flex bison libelf-dev libssl-dev qemu-system-x86 busybox-static cpio gzip"
# shellcheck disable=SC2086
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $need; }
rustup target add x86_64-unknown-linux-musl >/dev/null

# 1. The kernel source (signatures checked by apt; the system's apt
#    configuration untouched).
cd "$work"
"$repo/scripts/linux-source.sh" 7.3 "$work"
src=$work/linux-source-7.3

# 2. The guest kernel: tinyconfig plus what VFIO behind VT-d needs. ACPI
#    (the DMAR table) and IRQ_REMAP are required: without interrupt
#    remapping VFIO_SET_IOMMU and VFIO_DEVICE_BIND_IOMMUFD fail with EPERM.
opts="64BIT PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP BINFMT_ELF BINFMT_SCRIPT
  PROC_FS SYSFS DEVTMPFS DEVTMPFS_MOUNT MULTIUSER FUTEX EPOLL EVENTFD SIGNALFD TIMERFD SHMEM
  ACPI PCI PCI_MSI X86_X2APIC IRQ_REMAP IOMMU_SUPPORT INTEL_IOMMU INTEL_IOMMU_DEFAULT_ON
  VFIO VFIO_GROUP VFIO_CONTAINER VFIO_IOMMU_TYPE1 VFIO_PCI VFIO_PCI_INTX IOMMUFD VFIO_DEVICE_CDEV"
B=B-vfio
cd "$src"
if [ ! -f $B/arch/x86/boot/bzImage ] || [ "$(cat $B/.edma-opts 2>/dev/null)" != "$opts" ]; then
  make O=$B tinyconfig >"$work/build.log" 2>&1
  # shellcheck disable=SC2086
  scripts/config --file $B/.config $(for o in $opts; do printf -- '-e %s ' "$o"; done)
  make O=$B olddefconfig >>"$work/build.log" 2>&1
  # olddefconfig drops what a dependency refuses: every option must stay on.
  for o in $opts; do
    grep -q "^CONFIG_$o=y" $B/.config || { echo "CONFIG_$o did not stay on" >&2; exit 1; }
  done
  make O=$B -j"$(nproc)" bzImage >>"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  echo "$opts" >$B/.edma-opts
fi
kernel=$src/$B/arch/x86/boot/bzImage
[ "${VFIO_KERNEL_ONLY:-0}" = 1 ] && { echo "kernel: $kernel"; exit 0; }

# 3. The test program, static (musl), and an initramfs around it.
cd "$repo"
cargo build --release --target x86_64-unknown-linux-musl -p edma-backend-mmio \
  --features vfio,async --example vfio_guest >"$work/cargo.log" 2>&1 || { tail -30 "$work/cargo.log"; exit 1; }
root=$work/initramfs
rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,etc,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$repo/target/x86_64-unknown-linux-musl/release/examples/vfio_guest" "$root/vfio_guest"
echo 'root:x:0:0::/:/bin/sh' >"$root/etc/passwd"
echo 'edma:x:1000:1000::/tmp:/bin/sh' >>"$root/etc/passwd"
printf 'root:x:0:\nedma:x:1000:\n' >"$root/etc/group"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "vfio-qemu: kernel $(uname -r)"
# QEMU's edu: vendor 0x1234, device 0x11e8.
bdf=
for d in /sys/bus/pci/devices/*; do
  if [ "$(cat $d/vendor)" = 0x1234 ] && [ "$(cat $d/device)" = 0x11e8 ]; then bdf=${d##*/}; fi
done
echo "vfio-qemu: edu at $bdf, IOMMU group $(basename $(readlink /sys/bus/pci/devices/$bdf/iommu_group))"
echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
echo $bdf >/sys/bus/pci/drivers_probe
echo "vfio-qemu: driver $(basename $(readlink /sys/bus/pci/devices/$bdf/driver))"
ls -l /dev/vfio /dev/vfio/devices /dev/iommu 2>&1 | grep -v "^$\|^total" | sed 's/^/vfio-qemu: /'
fail=0
if grep -q edma_noir /proc/cmdline; then
  /vfio_guest $bdf iommufd --expect-no-ir || fail=1
  /vfio_guest $bdf container --expect-no-ir || fail=1
  echo "vfio-qemu: result $fail"
  poweroff -f
fi
/vfio_guest $bdf iommufd || fail=1
/vfio_guest $bdf container || fail=1
# Without root: the device's files given to uid 1000, 512 KiB of memlock.
group=$(basename $(readlink /sys/bus/pci/devices/$bdf/iommu_group))
chown 1000:1000 /dev/vfio/$group /dev/vfio/devices/* /dev/iommu
ulimit -l 512
su edma -s /bin/sh -c "/vfio_guest $bdf iommufd --unprivileged" || fail=1
su edma -s /bin/sh -c "/vfio_guest $bdf container --unprivileged" || fail=1
dmesg | grep -E 'DMAR|vfio' | tail -8 | sed 's/^/vfio-qemu: dmesg: /'
echo "vfio-qemu: result $fail"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -9) >"$work/initramfs.gz"

# 4. Boot: q35, VT-d with interrupt remapping, edu.
timeout 900 qemu-system-x86_64 -nodefaults -M q35 -accel tcg -m 512 -no-reboot -nographic \
  -serial stdio -bios /usr/share/qemu/qboot.rom \
  -device intel-iommu,intremap=on -device edu \
  -kernel "$kernel" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 intel_iommu=on panic=-1 quiet" >"$work/console.log" 2>&1 </dev/null || true

# 5. Again without interrupt remapping: both paths must be refused (EPERM)
#    and the error must say so.
timeout 300 qemu-system-x86_64 -nodefaults -M q35 -accel tcg -m 512 -no-reboot -nographic \
  -serial stdio -bios /usr/share/qemu/qboot.rom \
  -device intel-iommu,intremap=off -device edu \
  -kernel "$kernel" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 intel_iommu=on panic=-1 quiet edma_noir" >"$work/console-noir.log" 2>&1 </dev/null || true

out=$repo/edma-backend-mmio/results/vfio-qemu.txt
mkdir -p "$(dirname "$out")"
{
  echo "# scripts/vfio-qemu.sh: Linux 7.3 guest (QEMU/TCG, q35, intel-iommu intremap=on, edu)"
  grep -E '^(ok|FAIL) |^vfio_guest |^vfio-qemu: ' "$work/console.log" | tr -d '\r'
  echo "# second boot: intel-iommu,intremap=off"
  grep -E '^(ok|FAIL) |^vfio_guest |^vfio-qemu: result' "$work/console-noir.log" | tr -d '\r'
} >"$out"
grep -E '^vfio_guest ' "$out" || true
[ "$(grep -c '^vfio-qemu: result 0' "$out")" = 2 ] && [ "$(grep -c '^vfio_guest .* 0 failed' "$out")" = 6 ] || {
  echo "the guest run failed (see $work/console.log)" >&2
  exit 1
}
echo "all six runs passed; output in $out"
