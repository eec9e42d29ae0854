#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The API edu exports to other modules (EXPORT_SYMBOL_GPL), through its
# in-tree user edu_selftest.ko: the dependency modprobe resolves, the
# use count that pins edu while a user is loaded, the selftest's results
# on every device, and its refusal to load without devices.
. "$(dirname "$0")/lib.sh"
DRV=/sys/bus/pci/drivers/edu

# Every check function ends a failed test with "fail WHY || return": lib.sh's
# fail returns 1, and a function's status is only its last command's.

loaded() {
	[ -d "/sys/module/$1" ]
}

modinfo_selftest() {
	local info
	info=$(modinfo edu_selftest) || return 1
	printf '%s\n' "$info"
	grep -Eq '^depends: +edu$' <<<"$info" || fail "depends is not 'edu'" || return
	grep -Eq '^license: +.*GPL' <<<"$info" || fail "no GPL licence (needed for GPL symbols)" || return
	[ "$(dirname "$(modinfo -n edu)")" = "$(dirname "$(modinfo -n edu_selftest)")" ] ||
		fail "not installed beside edu.ko: $(modinfo -n edu edu_selftest)"
}

loads_edu() {
	local used
	edu_unload || return 1
	mark "modprobe edu_selftest"
	modprobe edu_selftest || return 1
	loaded edu || fail "edu not loaded" || return
	used=$(lsmod | awk '$1 == "edu" { print $4 }')
	echo "lsmod: edu used by '$used'"
	[[ ,$used, == *,edu_selftest,* ]] || fail "edu_selftest not in edu's 'Used by' column"
}

# selftest_passed: the kernel log since the mark has every device's results
selftest_passed() {
	local log m
	log=$(since_mark)
	for m in "edu_selftest: edu0: factorial ok" "edu_selftest: edu0: dma ok" \
		"edu_selftest: edu1: factorial ok" "edu_selftest: edu1: dma ok" \
		"edu_selftest: 2 devices passed"; do
		grep -qF "$m" <<<"$log" || fail "no '$m' in the kernel log:" "$log" || return
	done
}

edu_in_use() {
	if modprobe -r edu 2>/tmp/err; then
		fail "modprobe -r edu succeeded" || return
	fi
	cat /tmp/err
	loaded edu && loaded edu_selftest || fail "a module went away"
}

# modprobe -r also removes the dependencies nobody uses any more (kmod),
# so edu may already be gone after the first command: the second must
# then succeed all the same.
unload_in_order() {
	modprobe -r edu_selftest || return 1
	! loaded edu_selftest || fail "edu_selftest still loaded" || return
	modprobe -r edu || return 1
	! loaded edu || fail "edu still loaded"
}

unload_both() {
	modprobe edu_selftest || return 1
	modprobe -r edu_selftest edu || return 1
	! loaded edu_selftest && ! loaded edu || fail "still loaded: $(lsmod | grep edu)"
}

# set_binding bind|unbind: bind or unbind every edu device not so already
set_binding() {
	local d
	for d in $(edu_pci_devices); do
		if [ -e "$d/driver" ]; then
			[ "$1" = bind ] && continue
		else
			[ "$1" = unbind ] && continue
		fi
		echo "${d##*/}" >"$DRV/$1" || return 1
	done
}

enodev_without_devices() {
	edu_unload && modprobe edu && set_binding unbind || return 1
	[ ! -e /dev/edu0 ] || fail "devices still bound" || return
	if modprobe edu_selftest 2>/tmp/err; then
		fail "edu_selftest loaded without devices" || return
	fi
	cat /tmp/err
	grep -q "No such device" /tmp/err || fail "not ENODEV" || return
	! loaded edu_selftest || fail "edu_selftest stayed loaded" || return
	loaded edu || fail "edu went away"
}

rebound_passes() {
	set_binding bind || return 1
	[ -c /dev/edu0 ] && [ -c /dev/edu1 ] || fail "no /dev/edu0 and /dev/edu1 after bind" || return
	mark "modprobe edu_selftest after rebind"
	modprobe edu_selftest || return 1
	selftest_passed || return
	modprobe -r edu_selftest edu
}

ok_if "modinfo edu_selftest: depends on edu, GPL, installed beside edu.ko" modinfo_selftest
ok_if "modprobe edu_selftest loads edu, which lists it in 'Used by'" loads_edu
ok_if "edu_selftest: factorial and DMA ok on edu0 and edu1, 2 devices passed" selftest_passed
ok_if "modprobe -r edu refused while edu_selftest is loaded" edu_in_use
ok_if "modprobe -r edu_selftest, then modprobe -r edu: both unloaded" unload_in_order
ok_if "modprobe -r edu_selftest edu unloads both" unload_both
ok_if "no device bound: modprobe edu_selftest fails with ENODEV, not loaded" enodev_without_devices
ok_if "devices bound again: edu_selftest loads and passes" rebound_passes
modprobe -r edu_selftest 2>/dev/null
edu_unload
tap_done
