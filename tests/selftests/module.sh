#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Module lifecycle: metadata, loading the way users do (modprobe and
# modalias autoload), binding every device, parameter validation, and
# load/unload cycles that leave nothing behind.
. "$(dirname "$0")/lib.sh"

check_modinfo() {
	local info
	info=$(modinfo edu) || return 1
	printf '%s\n' "$info"
	grep -Eq '^filename: +/lib/modules/[^/]+/updates/edu\.ko' <<<"$info" || fail "not installed in updates/"
	grep -Eq '^license: +GPL$' <<<"$info" || fail "licence"
	grep -Eq "^version: +$EDU_VERSION_EXPECTED\$" <<<"$info" || fail "version is not $EDU_VERSION_EXPECTED"
	grep -Eq '^description: +.+' <<<"$info" || fail "description"
	grep -Eq '^author: +.+' <<<"$info" || fail "author"
	grep -Eq '^alias: +pci:v00001234d000011E8sv\*sd\*bc\*sc\*i\*$' <<<"$info" || fail "PCI alias"
	grep -Eq '^parm: +dma_bits:.{20,} \(uint\)$' <<<"$info" || fail "dma_bits description"
}

# every edu function in the machine is bound to the edu driver
all_bound() {
	local d n=0
	for d in $(edu_pci_devices); do
		n=$((n + 1))
		[ "$d/driver" -ef /sys/bus/pci/drivers/edu ] || fail "$d is not bound to edu"
	done
	[ $n -ge 2 ] || fail "expected at least 2 edu devices, found $n"
}

# nothing of the module remains: sysfs, driver, regions, enabled devices
nothing_left() {
	local d
	[ ! -e /sys/module/edu ] || fail "/sys/module/edu remains"
	[ ! -e /sys/bus/pci/drivers/edu ] || fail "driver edu still registered"
	! grep -q ' : edu$' /proc/iomem || fail "BAR region still claimed: $(grep ' : edu$' /proc/iomem)"
	local enable
	for d in $(edu_pci_devices); do
		[ ! -e "$d/driver" ] || fail "$d still bound"
		read -r enable <"$d/enable"
		[ "$enable" = 0 ] || fail "$d left enabled"
	done
}

modprobe_binds_all() {
	mark "modprobe edu"
	modprobe edu && all_bound
}

# udev's coldplug does "modprobe $(cat modalias)": the alias must resolve.
modalias_autoload() {
	edu_unload || return 1
	local d
	for d in $(edu_pci_devices); do
		modprobe "$(cat "$d/modalias")" || return 1
	done
	all_bound
}

# each_probe_said TEXT: every edu device logged TEXT since the mark
each_probe_said() {
	[ "$(since_mark | grep -c -- "$1")" = "$(edu_pci_devices | wc -l)" ]
}

# indices come from an IDA: after a reload they start at 0 again. Only
# the probe messages since the mark (set before the load) count: one
# per device, edu0 to edu<n-1>.
indices_from_zero() {
	local n
	n=$(edu_pci_devices | wc -l)
	since_mark | grep -E 'edu [0-9a-f:.]+: edu[0-9]+: hardware version' |
		grep -oE 'edu[0-9]+: hardware' | sort >/tmp/idx
	[ "$(wc -l </tmp/idx)" = "$n" ] || fail "$n devices, probe messages since the load: $(cat /tmp/idx)"
	for ((i = 0; i < n; i++)); do
		grep -qx "edu$i: hardware" /tmp/idx || fail "edu$i missing after reload: $(cat /tmp/idx)"
	done
}

load_unload_cycles() {
	local i
	for i in $(seq 10); do
		modprobe edu || fail "cycle $i: modprobe"
		all_bound || fail "cycle $i: not all bound"
		modprobe -r edu || fail "cycle $i: modprobe -r"
		nothing_left || fail "cycle $i: leftovers"
	done
	mark "reload"
	modprobe edu && indices_from_zero
}

rebind_keeps_index() {
	local d name
	d=$(edu_pci_devices | head -n 1)
	name=$(basename "$d")
	mark "rebind $name"
	echo "$name" >/sys/bus/pci/drivers/edu/unbind || return 1
	[ ! -e "$d/driver" ] || fail "still bound after unbind"
	echo "$name" >/sys/bus/pci/drivers/edu/bind || return 1
	all_bound || return 1
	since_mark | grep -q "edu $name: edu0: hardware" || fail "rebound device did not get index 0 back"
}

param_rejected() {
	edu_unload
	mark "modprobe edu $1"
	if modprobe edu "$1" 2>/tmp/err; then
		modprobe -r edu
		fail "modprobe edu $1 succeeded"
	fi
	cat /tmp/err
	[ ! -e /sys/module/edu ] || fail "module stayed loaded"
	since_mark | grep -q "invalid for parameter .dma_bits" || fail "no kernel message about dma_bits"
}

param_dma_bits_32() {
	edu_unload
	mark "modprobe edu dma_bits=32"
	modprobe edu dma_bits=32 || return 1
	[ "$(cat /sys/module/edu/parameters/dma_bits)" = 32 ] || fail "parameter not visible"
	each_probe_said "32-bit DMA" || fail "probe did not use 32 bits: $(since_mark)"
	all_bound && modprobe -r edu
}

# dma_bits=0 (the default) derives the width: QEMU's 28 bits on x86,
# where RAM starts at 0; each device reports it in its probe message.
param_dma_bits_auto() {
	edu_unload
	mark "modprobe edu dma_bits=0"
	modprobe edu dma_bits=0 || return 1
	[ "$(cat /sys/module/edu/parameters/dma_bits)" = 0 ] || fail "parameter not 0"
	each_probe_said "28-bit DMA" || fail "probe did not derive 28 bits: $(since_mark)"
	all_bound && modprobe -r edu
}

final_unload() {
	modprobe edu && modprobe -r edu && nothing_left
}

ok_if "modinfo: licence, version, author, alias, parameter descriptions" check_modinfo
ok_if "modprobe edu binds every edu device" modprobe_binds_all
ok_if "one probe message per device" indices_from_zero
ok_if "dma_bits is read-only in sysfs" test "$(stat -c %a /sys/module/edu/parameters/dma_bits)" = 444
ok_if "modalias autoload (udev coldplug) binds every device" modalias_autoload
ok_if "unbind/bind through sysfs gives the index back" rebind_keeps_index
ok_if "10 load/unload cycles leave nothing behind" load_unload_cycles
ok_if "dma_bits=100 refused at load (-EINVAL)" param_rejected dma_bits=100
ok_if "dma_bits=23 refused at load" param_rejected dma_bits=23
ok_if "dma_bits=garbage refused at load" param_rejected dma_bits=28x
ok_if "dma_bits=32 accepted and used" param_dma_bits_32
ok_if "dma_bits=0 derives 28 bits (QEMU's default) where RAM starts low" param_dma_bits_auto
ok_if "modprobe -r edu leaves nothing behind" final_unload
tap_done
