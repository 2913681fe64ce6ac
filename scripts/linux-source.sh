#!/usr/bin/env bash
# Fetches Debian's linux-source-VERSION into WORKDIR (once): the package is
# downloaded with apt from trixie-backports (signatures checked by apt; the
# system's apt configuration untouched) and the tarball unpacked to
# WORKDIR/linux-source-VERSION. Used by linux/run.sh, conformance/record.sh
# and scripts/vfio-qemu.sh.
#
#   scripts/linux-source.sh VERSION WORKDIR     # e.g. 7.3 /tmp/edma-vfio
set -euo pipefail
version=${1:?version, e.g. 7.3}
work=${2:?work directory}
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
cd "$work"
[ -d "linux-source-$version" ] && exit 0
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main' >sources.list
O=(-o "Dir::Etc::SourceList=$PWD/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o "Dir::State::Lists=$PWD/lists" -o "Dir::Cache=$PWD/cache")
apt-get "${O[@]}" update -qq
apt-get "${O[@]}" download "linux-source-$version"
dpkg-deb -x "linux-source-${version}"_*.deb x
tar xf "x/usr/src/linux-source-$version.tar.xz"
