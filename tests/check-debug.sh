#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-debug.sh - the sanitizer lane ("make check-debug"): the guest
# suite on a debug kernel built from Debian's linux-source-6.12 with
# tests/vm/debug.config (KASAN, lockdep, kmemleak, DMA-API debugging,
# debug objects, UBSAN, fault injection...), then a kmemleak scan.
# Any sanitizer report in the kernel log fails the run (healthcheck).
#
# The first run builds the kernel (tests/vm/debug-kernel: 22-27 min on 2
# cores, cached in ~/.cache/edu); later runs start at once.
# Environment: GUEST_TESTS="a.sh b.sh" narrows the guest tests;
# EDU_DEBUG_SHARD=1 or 2 runs one half of the suite, for CI's two jobs
# (each builds the kernel, then runs its half: one CI hour for the lane
# would not hold both).
# Ends with "N passed, N failed, N skipped" like make check.
set -u -o pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/tally.sh
finish() {
	summary
	exit
}

# Shard 1 is this list, shard 2 every other test and the sleep guest (a
# new test lands in shard 2). Balanced by the per-test times of the
# lane's last full run (Documentation/edu.rst, "The sanitizer lane").
SHARD1="netlink.sh xdp.sh debug.sh sysfs.sh ioctl.sh eductl.sh pm.sh api.sh chardev.sh uring.sh"

# No skip is allowed here: this kernel has every option the tests need
# (tests/tally.sh fails any other).
SKIPS_ALLOWED=

case ${EDU_DEBUG_SHARD:-} in
1) GUEST_TESTS=$SHARD1 ;;
2) GUEST_TESTS=$(guest_tests | grep -Fvx -f <(tr ' ' '\n' <<<"$SHARD1") | tr '\n' ' ') ;;
'') ;;
*) echo "check-debug: EDU_DEBUG_SHARD is 1 or 2" >&2; exit 2 ;;
esac
[ -z "${EDU_DEBUG_SHARD:-}" ] || echo "# shard $EDU_DEBUG_SHARD of 2: $GUEST_TESTS"

echo "# debug kernel"
if ! read -r KROOT KVER < <(tests/vm/debug-kernel) || [ -z "${KVER:-}" ]; then
	tally < <(result 1 "debug kernel built (tests/vm/debug-kernel)")
	finish
fi
export EDU_KROOT=$KROOT
echo "# $KVER in $KROOT ($(elapsed))"
tally < <(tap_test build-matrix - tests/host/build-matrix "$KVER" |
	sed -E 's/^build-matrix: (.*): ok .*/ok - build W=1 -Werror: \1/;
	s/^build-matrix: (.*): FAILED(.*)/not ok - build W=1 -Werror: \1\2/; t; /^(not )?ok /!s/^/#   /')
make -s tools selftests >build/tools.log 2>&1 || { sed 's/^/#   /' build/tools.log; tally < <(result 1 "tools build"); finish; }
ko=build/$KVER/driver
tests/vm/stage-module "$KVER" "build/stage/$KVER" $ko/edu.ko $ko/edu_selftest.ko >/dev/null ||
	{ tally < <(result 1 "module staged for the guest"); finish; }

mapfile -t tests < <(
	for t in ${GUEST_TESTS:-$(guest_tests)}; do
		[ "$t" = pm-sleep.sh ] || echo "tests/selftests/$t"
	done
)
echo "# guest suite on $KVER ($(elapsed))"
# KASAN's shadow and lockdep need memory; a test takes 3-5 times as long
# as on Debian's kernels: wait bounds are stretched (EDU_TIME_SCALE) and
# lifecycle.sh unbinds 10 times in a row instead of 100. q35, because
# i440fx's AML-built _PRT costs 12-19 s per bind and unbind here.
tally < <(guest "$KVER (KASAN, lockdep, DMA-API, UBSAN, debug objects)" build/vm '/^# guest: /d' \
	-M q35 -k "$KROOT" -m 2048 -t 7200 -s "build/stage/$KVER" -o build/debug "$KVER" \
	EDU_KMEMLEAK=$TOP/build/debug/kmemleak EDU_TEST_TIMEOUT=3000 EDU_TIME_SCALE=10 LIFECYCLE_LOOPS=10 \
	tests/selftests/run-guest "${tests[@]}")

# System sleep kills the 9p shares: pm-sleep.sh runs in a guest of its
# own that reports over a serial port (vmrun -S), as in make check.
if [ -z "${GUEST_TESTS:-}" ] || [[ " $GUEST_TESTS " == *" pm-sleep.sh "* ]]; then
	echo "# system sleep on $KVER ($(elapsed))"
	tally < <(guest "$KVER: system sleep" build/vm/sleep "/^# guest: /d; s/^(not )?ok [0-9]+ - /\\1ok - $KVER: /" \
		-M q35 -k "$KROOT" -m 2048 -t 3000 -S -s "build/stage/$KVER" "$KVER" "EDU_TIME_SCALE=10 tests/selftests/pm-sleep.sh")
fi
finish
