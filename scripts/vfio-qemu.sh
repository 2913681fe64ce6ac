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
if [ ! -d linux-source-7.3 ]; then
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main' >sources.list
  O=(-o "Dir::Etc::SourceList=$PWD/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$PWD/lists" -o "Dir::Cache=$PWD/cache")
  apt-get "${O[@]}" update -qq
  apt-get "${O[@]}" download linux-source-7.3
  dpkg-deb -x linux-source-7.3_*.deb x
  tar xf x/usr/src/linux-source-7.3.tar.xz
fi
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
if [ ! -f $B/arch/x86/boot/bzImage ] || [ "$0" -nt $B/.config ]; then
  make O=$B tinyconfig >"$work/build.log" 2>&1
  # shellcheck disable=SC2086
  scripts/config --file $B/.config $(for o in $opts; do printf -- '-e %s ' "$o"; done)
  make O=$B olddefconfig >>"$work/build.log" 2>&1
  # olddefconfig drops what a dependency refuses: every option must stay on.
  for o in $opts; do
    grep -q "^CONFIG_$o=y" $B/.config || { echo "CONFIG_$o did not stay on" >&2; exit 1; }
  done
  make O=$B -j"$(nproc)" bzImage >>"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
fi
kernel=$src/$B/arch/x86/boot/bzImage
[ "${VFIO_KERNEL_ONLY:-0}" = 1 ] && { echo "kernel: $kernel"; exit 0; }
