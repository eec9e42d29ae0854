#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install (as root) or print (otherwise) everything edu needs to build and
# test: toolchain, QEMU, and the Debian kernel matrix with headers.
# Idempotent: packages already installed are left alone.
#
# The 6.12 matrix kernels are resolved from apt at run time (the newest
# linux-image-6.12.*+deb12-{amd64,rt-amd64}-unsigned), never hard-coded.
set -eu -o pipefail

TOOLS="qemu-system-x86 busybox-static kmod cpio build-essential pkg-config
libnl-3-dev libnl-genl-3-dev sparse linux-source-6.12
iproute2 ethtool jq python3 xz-utils zstd socat file procps util-linux pciutils
bc flex bison libelf-dev libssl-dev python3-yaml python3-jsonschema iperf3 iputils-ping
dkms debhelper dh-dkms lintian rpm fakeroot dpkg-dev
python3-docutils groff-base man-db gnuplot-nox
liburing-dev clang llvm libbpf-dev bpftool bpftrace
gcc-aarch64-linux-gnu qemu-system-arm"

export DEBIAN_FRONTEND=noninteractive
# The guests boot an initramfs of their own (tests/vm/mkinitramfs): spare
# each kernel package's update-initramfs, ~1 min apiece under dpkg.
export INITRD=No

# newest_612 FLAVOUR: prints e.g. 6.12.117+deb12-amd64 for FLAVOUR=amd64
newest_612() {
	apt-cache search --names-only "^linux-image-6\.12\.[0-9]+\+deb12-$1-unsigned\$" |
		sed -n "s/^linux-image-\(6\.12\.[0-9]*+deb12-$1\)-unsigned .*/\1/p" |
		sort -V | tail -n 1
}

# apt's lists are needed to resolve the versions; refresh them when they
# are missing or older than a day.
lists_fresh() {
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]
}

# arm64 (tests/vm/arm64-deps): its kernel headers, image and busybox are
# fetched with apt-get download into a private cache, never installed, but
# apt must know the architecture's package lists to find them.
if [ "$(id -u)" = 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
elif [ "$(id -u)" = 0 ] && ! lists_fresh; then
	apt-get update -q >/dev/null
fi

v612=$(newest_612 amd64)
vrt=$(newest_612 rt-amd64)
if [ -z "$v612" ] || [ -z "$vrt" ]; then
	echo "deps: cannot resolve the Debian 6.12 kernels from apt (run apt-get update?)" >&2
	exit 1
fi

# gcc-N-multilib for -m32 builds (the gcc-multilib metapackage conflicts
# with gcc-aarch64-linux-gnu); N is the toolchain's, not the kernel's.
multilib=gcc-$(gcc -dumpversion 2>/dev/null || echo 12)-multilib

pkgs="$TOOLS $multilib linux-image-amd64 linux-headers-amd64
linux-image-$v612-unsigned linux-headers-$v612
linux-image-$vrt-unsigned linux-headers-$vrt"

# shellcheck disable=SC2086
missing=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' $pkgs 2>/dev/null |
	awk '$1 == "ii" { print $2 }' | sort | comm -13 - <(printf '%s\n' $pkgs | sort)) || true

# arm64 headers, kernels and guest userland: downloaded into a private
# cache, never installed (tests/vm/arm64-deps); after the amd64 kernels,
# whose linux-kbuild the arm64 headers use.
arm64() {
	"$(dirname "$0")/arm64-deps" | sed 's/^/deps: arm64: /'
}

if [ -z "$missing" ]; then
	echo "deps: all installed (6.12: $v612, rt: $vrt)"
	arm64
	exit
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages; as root run:" >&2
	# shellcheck disable=SC2086
	echo "  apt-get install -y --no-install-recommends" $missing >&2
	exit 1
fi

echo "deps: installing:" $missing
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
arm64
