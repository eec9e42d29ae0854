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
	mapfile -t kernels < <(tests/vm/kernels) || { echo "0 passed, 1 failed"; exit 1; }
	mapfile -t arm64 < <(tests/vm/arm64-deps | cut -d' ' -f2)
	[ ${#arm64[@]} != 0 ] || tally < <(result 1 "arm64 kernels prepared (tests/vm/arm64-deps)")
fi

echo "# host checks ($(elapsed))"
tally < <(tests/host/build-matrix "${kernels[@]}" "${arm64[@]}" | sed -E 's/^build-matrix: (.*): ok .*/ok - build W=1 -Werror: \1/;
	s/^build-matrix: (.*): FAILED(.*)/not ok - build W=1 -Werror: \1\2/; t; s/^/#   /')
tally < <(tests/host/lint | sed -E 's/^(not )?ok [0-9]+ /\1ok /')
tally < <(tests/host/docs | sed -E 's/^(not )?ok [0-9]+ /\1ok /')
tally < <(make -s tools selftests >build/tools.log 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/#   /' build/tools.log
	result $rc "eductl, guest tests and benchmarks build with -Werror")
tally < <(make -s -C tools/eductl check 2>&1 | sed -E 's/^(not )?ok [0-9]+ /\1ok - eductl (host): /; /^1\.\./d')
tally < <(tests/host/packaging 2>&1 | sed -E 's/^(not )?ok [0-9]+ /\1ok - packaging: /')
tally < <(tests/host/healthcheck-test >&2; result $? "guest health check catches every report kind")
tally < <(
	rc=0
	for f in tests/vm/* tests/host/* tests/check.sh tests/selftests/*; do
		head -n 1 "$f" | grep -Eq '^#!/bin/(ba)?sh' || continue
		bash -n "$f" || rc=1
	done
	result $rc "shell scripts parse"
)

mapfile -t tests < <(
	if [ -n "${GUEST_TESTS:-}" ]; then
		for t in $GUEST_TESTS; do [ "$t" = pm-sleep.sh ] || echo "tests/selftests/$t"; done
	else
		ls tests/selftests/*.sh | grep -Ev '/(lib|tap|packaging|pm-sleep)\.sh$'
	fi
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
	guest packages "$JOBDIR/packaging" 's/^(not )?ok [0-9]+ /\1ok - packages on 6.12-rt: /' \
		-1 -t 2400 "$1" env EDU_TEST_PACKAGING=1 tests/selftests/packaging.sh
}

# arm64: the busybox guest suite on the arm64 6.12 kernel under
# qemu-system-aarch64 -M virt (tests/vm/vmrun-arm64, ~1 min of TCG).
arm64_guest() {
	local k=$1
	tests/vm/vmrun-arm64 -t 600 -l "$JOBDIR/$k" "$k" 2>&1 |
		sed -E 's/^(not )?ok - /\1ok - arm64 6.12: /'
	echo "rc=${PIPESTATUS[0]}" >"$JOBDIR/$k.rc"
	guest_result "$JOBDIR/$k.rc" "arm64 6.12"
}

# Everything the guests share is prepared first, one at a time: the
# staged module index and the initramfs of each kernel, the packages.
staged=()
for k in "${kernels[@]}"; do
	ko=build/$k/driver/edu.ko
	if [ -f "$ko" ] && tests/vm/stage-module "$k" "build/stage/$k" "$ko" \
		build/$k/driver/edu_selftest.ko >/dev/null && tests/vm/mkinitramfs "$k" >/dev/null; then
		staged+=("$k")
	else
		tally < <(result 1 "$k: module staged for the guest")
	fi
done
krt=$(tests/vm/kernels rt)
packages=
if [ -n "$krt" ] && printf '%s\n' "${staged[@]}" | grep -qx "$krt"; then
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
