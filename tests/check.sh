#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh - edu's whole test suite (what "make check" and CI run):
#   1. host: build for every matrix kernel (W=1, warnings are errors),
#      checkpatch --strict, sparse C=2, shell syntax;
#   2. guest: for each matrix kernel, one QEMU guest with two edu devices
#      runs every tests/selftests test, then the harness checks the
#      kernel log and taint; a short guest per kernel for system sleep;
#      one guest installs the packages;
#   3. arm64: cross-builds for Debian's arm64 6.1 and 6.12 (in 1.), and
#      the arm64 guest suite on 6.12 under qemu-system-aarch64
#      (tests/vm/vmrun-arm64).
# The guests of 2. and 3. run two at a time (EDU_GUEST_JOBS).
# Prints TAP and ends with "N passed, N failed, N skipped".
#
# Environment: KERNELS="KVER..." narrows the matrix (arm64 ones included:
# none unless named), GUEST_TESTS="a.sh b.sh" the guest tests (names in
# tests/selftests).
set -u -o pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/tally.sh

# arm64 kernels (KVER ending in -arm64): cross-built, and the newest
# 6.12 runs the arm64 guest suite. Every one unless KERNELS names some.
arm64=()
if [ -n "${KERNELS:-}" ]; then
	read -ra all <<<"$KERNELS"
	kernels=()
	for k in "${all[@]}"; do
		if [[ "$k" == *-arm64 ]]; then arm64+=("$k"); else kernels+=("$k"); fi
	done
else
	if ! k=$(tests/vm/kernels); then
		tally < <(result 1 "matrix kernels installed (tests/vm/kernels)")
		summary
		exit
	fi
	mapfile -t kernels <<<"$k"
	k=$(tests/vm/arm64-deps | cut -d' ' -f2) && [ -n "$k" ] && mapfile -t arm64 <<<"$k" ||
		tally < <(result 1 "arm64 kernels prepared (tests/vm/arm64-deps)")
fi

# The skips a run may have; any other fails it (tests/tally.sh).
# - fault_attr: the stock kernels have no CONFIG_FAULT_INJECTION_DEBUG_FS
#   (make check-debug's kernel runs it);
# - a 32-bit eductl on a host kernel that cannot execute -m32 programs
#   (the guests run it);
# - the packages guest's second-kernel dkms autoinstall: six more
#   minutes of TCG gcc, run on the host by tests/host/packaging instead.
SKIPS_ALLOWED='fail_dma_attr \(fault_attr\) # SKIP no CONFIG_FAULT_INJECTION_DEBUG_FS
eductl32 runs here # SKIP this kernel cannot execute it
packages on 6\.12-rt: dkms autoinstall for a second kernel # SKIP a 6-min TCG build'

# host CHECK-NAME TAP-SED COMMAND...: a host check's TAP, numbers dropped
# and named by TAP-SED; a check that exits non-zero without a "not ok"
# fails too (tap_test)
host() {
	local name=$1 tapsed=$2
	shift 2
	tally < <(tap_test "$name" - "$@" | sed -E "s/^(not )?ok [0-9]+ /\\1ok /; $tapsed")
}

echo "# host checks ($(elapsed))"
# build: the W=1 builds' results; the kernels whose build passed (only
# those are staged for a guest: never a stale edu.ko) in build/built
build() {
	local line
	: >build/built
	while IFS= read -r line; do
		if [[ $line =~ ^build-matrix:\ (.*):\ ok ]]; then
			echo "ok - build W=1 -Werror: ${BASH_REMATCH[1]}"
			echo "${BASH_REMATCH[1]}" >>build/built
		elif [[ $line =~ ^build-matrix:\ (.*):\ FAILED(.*) ]]; then
			echo "not ok - build W=1 -Werror: ${BASH_REMATCH[1]}${BASH_REMATCH[2]}"
		else
			printf '#   %s\n' "$line"
		fi
	done < <(tap_test build-matrix - tests/host/build-matrix "$@")
}
mkdir -p build
tally < <(build "${kernels[@]}" "${arm64[@]}")
host lint '' tests/host/lint
host docs '' tests/host/docs
tally < <(make -s tools selftests >build/tools.log 2>&1 && make -s -C tools/eductl eductl32 >>build/tools.log 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/#   /' build/tools.log
	result $rc "eductl, guest tests and benchmarks build with -Werror")
for e in eductl eductl32; do
	host "$e (host)" "s/^(not )?ok - /\\1ok - $e (host): /" \
		env -C tools/eductl EDUCTL_NO_NETLINK=$([ $e = eductl32 ] && echo 1) ./test-host.sh "./$e"
done
host packaging 's/^(not )?ok - /\1ok - packaging: /' tests/host/packaging
host healthcheck-test '' tests/host/healthcheck-test
host kmemleak-scan-test '' tests/host/kmemleak-scan-test
host gates-test '' tests/host/gates-test
host shell-syntax '' tests/host/shell-syntax

mapfile -t tests < <(
	for t in ${GUEST_TESTS:-$(guest_tests)}; do
		[ "$t" = pm-sleep.sh ] || echo "tests/selftests/$t"
	done
)
# The guests run side by side, EDU_GUEST_JOBS (default 2) at a time, each
# a QEMU with one TCG thread (vmrun -1): its two vCPUs share one host
# core, the other core runs the next guest. A job's TAP goes to
# build/vm/jobs/NAME.tap and is counted, in job order, once all are done.
# Each job keeps its logs in build/vm/jobs/NAME/.
JOBS=${EDU_GUEST_JOBS:-2}
JOBDIR=build/vm/jobs
rm -rf "$JOBDIR"
mkdir -p "$JOBDIR"
job_names=()

# job NAME FUNCTION ARGS...: FUNCTION ARGS in the background, once fewer
# than $JOBS jobs run.
job() {
	local name=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	echo "# $name: started ($(elapsed))"
	{
		"$@" >"$JOBDIR/$name.tap" 2>&1
		echo "# $name: finished ($(elapsed))"
	} &
	job_names+=("$name")
}

# kernel_guests KVER: the guest suite on KVER, then its system sleep guest
# (system sleep kills the 9p shares: a short guest of its own that reports
# over a serial port, vmrun -S). The suite took 731-1090 s here; a CI
# machine ran 6.12-rt's past 1500 s: the watchdog is for hangs only.
kernel_guests() {
	local k=$1
	guest "$k" "$JOBDIR/$k" '/^# guest: /d' -1 -t 2400 -s "build/stage/$k" "$k" \
		tests/selftests/run-guest "${tests[@]}"
	[ -z "${GUEST_TESTS:-}" ] || [[ " $GUEST_TESTS " == *" pm-sleep.sh "* ]] || return 0
	guest "$k: system sleep" "$JOBDIR/sleep-$k" "s/^(not )?ok [0-9]+ - /\\1ok - $k: /" \
		-1 -S -t 600 -s "build/stage/$k" "$k" tests/selftests/pm-sleep.sh
}

# Packages installed the way users do: apt installs the debs built above,
# DKMS builds for the running kernel; minutes of TCG gcc and depmod (the
# autoinstall for a second kernel, 6 more, is tests/host/packaging's).
# The guest runs the newest installed kernel (6.12-rt), so that dkms's
# postinst, which builds for the running and the newest kernel, builds
# once. With the autoinstall it took 1203-1318 s: its watchdog leaves
# room.
packaging_guest() {
	guest packages "$JOBDIR/packaging" 's/^(not )?ok [0-9]+ - /\1ok - packages on 6.12-rt: /' \
		-1 -t 2400 "$1" env EDU_TEST_PACKAGING=1 tests/selftests/packaging.sh
}

# arm64: the busybox guest suite on the arm64 6.12 kernel under
# qemu-system-aarch64 -M virt (tests/vm/vmrun-arm64, ~1 min of TCG).
arm64_guest() {
	local k=$1
	tap_test "arm64 6.12" plan vmrun_status tests/vm/vmrun-arm64 -t 600 -l "$JOBDIR/$k" "$k" |
		sed -E 's/^(not )?ok - /\1ok - arm64 6.12: /'
	health_result "$JOBDIR/$k" "arm64 6.12"
}

# Everything the guests share is prepared first, one at a time: the
# staged module index and the initramfs of each kernel, the packages.
staged=()
for k in "${kernels[@]}"; do
	ko=build/$k/driver/edu.ko
	if grep -qxF "$k" build/built && [ -f "$ko" ] && tests/vm/stage-module "$k" "build/stage/$k" "$ko" \
		build/$k/driver/edu_selftest.ko >/dev/null && tests/vm/mkinitramfs "$k" >/dev/null; then
		staged+=("$k")
	else
		tally < <(result 1 "$k: module staged for the guest")
	fi
done
krt=$(tests/vm/kernels rt)
packages=
if [ -z "$krt" ] || ! printf '%s\n' "${staged[@]}" | grep -qx "$krt"; then
	# KERNELS= may leave it out; a full run may not
	if [ -n "${KERNELS:-}" ]; then
		echo "# packages guest: not run (KERNELS does not name the rt kernel ${krt:-(none)})"
	else
		tally < <(result 1 "packages guest: the 6.12-rt kernel is staged (${krt:-none installed})")
	fi
else
	if make -s deb >build/deb.log 2>&1; then
		packages=$krt
	else
		sed 's/^/#   /' build/deb.log
		tally < <(result 1 "make deb")
	fi
fi

echo "# guests, $JOBS at a time ($(elapsed))"
for k in "${staged[@]}"; do
	job "$k" kernel_guests "$k"
done
[ -z "$packages" ] || job packages packaging_guest "$packages"
for k in "${arm64[@]}"; do
	[[ "$k" == 6.12.* ]] && job "$k" arm64_guest "$k"
done
wait
for name in "${job_names[@]}"; do
	echo "# ---- $name"
	tally <"$JOBDIR/$name.tap"
done

summary
