#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh - edu's whole test suite (what "make check" and CI run):
#   1. host: build for every matrix kernel (W=1, warnings are errors),
#      checkpatch --strict, sparse C=2, shell syntax;
#   2. guest: for each matrix kernel, one QEMU guest with two edu devices
#      runs every tests/selftests test, then the harness checks the
#      kernel log and taint;
#   3. arm64: cross-builds for Debian's arm64 6.1 and 6.12 (in 1.), and
#      the arm64 guest suite on 6.12 under qemu-system-aarch64
#      (tests/vm/vmrun-arm64).
# Prints TAP as it goes and ends with "N passed, N failed, N skipped".
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
		ls tests/selftests/*.sh | grep -Ev '/(lib|packaging|pm-sleep)\.sh$'
	fi
)
for k in "${kernels[@]}"; do
	echo "# guest suite on $k ($(elapsed))"
	ko=build/$k/driver/edu.ko
	if [ ! -f "$ko" ] || ! tests/vm/stage-module "$k" "build/stage/$k" "$ko" \
		build/$k/driver/edu_selftest.ko >/dev/null; then
		tally < <(result 1 "$k: module staged for the guest")
		continue
	fi
	tally < <(tests/vm/vmrun -t 1500 -s "build/stage/$k" -l build/vm "$k" \
		tests/selftests/run-guest "${tests[@]}" 2>&1 | grep --line-buffered -v '^# guest: '
		echo "rc=${PIPESTATUS[0]}" >"build/vm/rc-$k")
	tally < <(guest_result "build/vm/rc-$k" "$k")
	# System sleep kills the guest's 9p shares: a short guest of its own
	# that reports over a serial port (vmrun -S).
	[ -z "${GUEST_TESTS:-}" ] || [[ " $GUEST_TESTS " == *" pm-sleep.sh "* ]] || continue
	echo "# system sleep on $k ($(elapsed))"
	tally < <(tests/vm/vmrun -S -t 600 -s "build/stage/$k" -l build/vm "$k" \
		tests/selftests/pm-sleep.sh 2>&1 | sed -E "s/^(not )?ok [0-9]+ - /\\1ok - $k: /"
		echo "rc=${PIPESTATUS[0]}" >"build/vm/rc-sleep-$k")
	tally < <(guest_result "build/vm/rc-sleep-$k" "$k: system sleep")
done

# arm64: the busybox guest suite on the arm64 6.12 kernel under
# qemu-system-aarch64 -M virt (tests/vm/vmrun-arm64, ~1 min of TCG).
for k in "${arm64[@]}"; do
	[[ "$k" == 6.12.* ]] || continue
	echo "# arm64 guest suite on $k ($(elapsed))"
	tally < <(tests/vm/vmrun-arm64 -t 600 -l build/vm "$k" 2>&1 |
		sed -E 's/^(not )?ok - /\1ok - arm64 6.12: /'
		echo "rc=${PIPESTATUS[0]}" >"build/vm/rc-$k")
	tally < <(guest_result "build/vm/rc-$k" "arm64 6.12")
done

# Packages installed the way users do, in one more guest (newest 6.12):
# apt installs the debs built above, DKMS builds for the running kernel and
# autoinstalls for another; ~10 min of TCG gcc and depmod.
k612=$(tests/vm/kernels 6.12)
if [ -n "$k612" ] && printf '%s\n' "${kernels[@]}" | grep -qx "$k612"; then
	echo "# packages in a guest on $k612 ($(elapsed))"
	if make -s deb >build/deb.log 2>&1; then
		tally < <(tests/vm/vmrun -t 1500 -l build/vm "$k612" env EDU_TEST_PACKAGING=1 \
			tests/selftests/packaging.sh 2>&1 | sed -E 's/^(not )?ok [0-9]+ /\1ok - packages on 6.12: /'
			echo "rc=${PIPESTATUS[0]}" >build/vm/rc-packaging)
		tally < <(guest_result build/vm/rc-packaging packages)
	else
		sed 's/^/#   /' build/deb.log
		tally < <(result 1 "make deb")
	fi
fi

summary
