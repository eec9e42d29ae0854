#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Asynchronous I/O on /dev/eduN: the kselftest io_uring/AIO suite
# (batches across every device, NOWAIT, bad inputs, cancellation, POSIX
# AIO), then the DMA engine is idle and the devices still work.
. "$(dirname "$0")/lib.sh"
BIN=$TOP/build/selftests
start=$(date +%s%N)

# Every device's DMA queue (debugfs) is empty: nothing cancelled stayed.
engine_idle() {
	local q n=0
	for q in /sys/kernel/debug/edu/*/queue; do
		[ -e "$q" ] || continue
		grep -qx "depth 0" "$q" && grep -qx "active 0" "$q" && grep -qx "stalled 0" "$q" ||
			return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}

every_device_round_trip() {
	local dev
	head -c 4095 /dev/urandom >/tmp/uring-r
	for dev in /dev/edu[0-9]*; do
		dd if=/tmp/uring-r of="$dev" bs=4095 status=none && cmp -n 4095 /tmp/uring-r "$dev" ||
			fail "$dev"
	done
}

modprobe edu
ksft "$BIN/uring_test"
ok_if "DMA engines idle after the io_uring suite" wait_for 30 engine_idle
ok_if "every device works after the io_uring suite" every_device_round_trip
edu_unload
echo "# uring.sh took $((($(date +%s%N) - start) / 1000000)) ms"
tap_done
