#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Interrupts and the ioctl ABI: the irq_mode parameter, the interrupt
# kind the kernel shows, and the kselftest ioctl suite (64-bit and the
# 32-bit compat build) in each interrupt mode.
. "$(dirname "$0")/lib.sh"
BIN=$TOP/build/selftests

# irq_kind_is CHIP: edu0's and edu1's lines in /proc/interrupts name CHIP
irq_kind_is() {
	local want=$1 line
	for dev in edu0 edu1; do
		line=$(grep -wE "$dev" /proc/interrupts) || fail "$dev not in /proc/interrupts"
		grep -q "$want" <<<"$line" || fail "$dev: expected $want: $line"
	done
}

param_refused_at_runtime() {
	local before
	before=$(cat /sys/module/edu/parameters/irq_mode)
	if echo "$1" >/sys/module/edu/parameters/irq_mode 2>/tmp/err; then
		fail "irq_mode=$1 accepted"
	fi
	grep -q "Invalid argument" /tmp/err || fail "not EINVAL: $(cat /tmp/err)"
	[ "$(cat /sys/module/edu/parameters/irq_mode)" = "$before" ] || fail "value changed"
}

param_accepted_at_runtime() {
	echo "$1" >/sys/module/edu/parameters/irq_mode &&
		[ "$(cat /sys/module/edu/parameters/irq_mode)" = "$1" ]
}

param_refused_at_load() {
	edu_unload
	! modprobe edu irq_mode="$1" 2>/dev/null || fail "modprobe edu irq_mode=$1 succeeded"
	[ ! -e /sys/module/edu ] || fail "module stayed loaded"
}

# Mode set at runtime applies to devices probed afterwards (rebind).
runtime_mode_applies_on_rebind() {
	local d
	edu_unload && modprobe edu irq_mode=msi || return 1
	echo intx >/sys/module/edu/parameters/irq_mode || return 1
	for d in $(edu_pci_devices); do
		d=$(basename "$d")
		echo "$d" >/sys/bus/pci/drivers/edu/unbind &&
			echo "$d" >/sys/bus/pci/drivers/edu/bind || return 1
	done
	irq_kind_is IO-APIC
}

run_suite() {
	local mode=$1 bin
	edu_unload
	ok_if "irq_mode=$mode: modprobe" modprobe edu irq_mode="$mode"
	ok_if "irq_mode=$mode: /proc/interrupts shows $2" irq_kind_is "$2"
	for bin in ioctl_test ioctl_test_32; do
		ksft "$BIN/$bin" "$mode: $bin"
	done
}

ok_if "irq_mode=bogus refused at load" param_refused_at_load bogus
ok_if "irq_mode= (empty) refused at load" param_refused_at_load ""
modprobe edu
ok_if "irq_mode defaults to auto" test "$(cat /sys/module/edu/parameters/irq_mode)" = auto
ok_if "auto picks MSI" irq_kind_is PCI-MSI
ok_if "irq_mode=garbage refused at runtime" param_refused_at_runtime garbage
ok_if "irq_mode=MSI1 refused at runtime" param_refused_at_runtime msi1
ok_if "irq_mode=intx accepted at runtime" param_accepted_at_runtime intx
ok_if "irq_mode=msi (with newline) accepted at runtime" param_accepted_at_runtime msi
ok_if "runtime irq_mode applies on rebind" runtime_mode_applies_on_rebind
run_suite msi PCI-MSI
run_suite intx IO-APIC
edu_unload
tap_done
