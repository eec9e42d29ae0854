#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runtime power management: autosuspend (power/control,
# power/autosuspend_delay_ms, power/runtime_status); /dev, sysfs and
# netlink resume the device, reads do not, an interface that is up keeps
# it active; stats/pm_* count the transitions and eductl monitor sees
# them. System sleep is pm-sleep.sh (a guest of its own, vmrun -S).
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl
E0=/sys/class/edu/edu0/device
E1=/sys/class/edu/edu1/device
T=/tmp/edu-pm
DBG=/sys/kernel/debug/edu

status_is() {
	rd "$1/power/runtime_status" && [ "$REPLY" = "$2" ]
}

# suspended_soon DEV: DEV runtime-suspends within 5 s
suspended_soon() {
	wait_for 50 status_is "$1" suspended || fail "${1#/sys/}: $(cat "$1/power/runtime_status"), not suspended"
}

counter() {
	rd "$1/stats/$2" && echo "$REPLY"
}

# pattern DEV FILE: write FILE (random, the usable buffer) to DEV by DMA
pattern() {
	head -c 4095 /dev/urandom >"$2" && dd if="$2" of="$1" bs=4095 status=none
}

# intact DEV FILE: DEV's buffer holds FILE
intact() {
	cmp -n 4095 "$2" "$1" || fail "$1: buffer differs from $2"
}

setup_runtime() {
	local e
	for e in $E0 $E1; do
		[ -f "$e/power/runtime_status" ] || fail "no power/runtime_status"
		rd "$e/power/control" && [ "$REPLY" = on ] || fail "power/control '$REPLY', expected the PCI default 'on'"
		echo 200 >"$e/power/autosuspend_delay_ms" || return 1
		echo auto >"$e/power/control" || return 1
	done
	"$EDUCTL" -j monitor >$T-mon 2>&1 &
	echo $! >$T-mon.pid
	sleep 0.5
	suspended_soon $E0 && suspended_soon $E1
}

runtime_suspended_after_idle() {
	local s
	s=$(counter $E0 pm_suspends)
	[ "$s" -ge 1 ] || fail "stats/pm_suspends $s after an autosuspend"
	"$EDUCTL" -j -d edu0 show | jq -r '.. | objects | .pm_state? // empty' | grep -q suspended ||
		fail "eductl show: $("$EDUCTL" -j -d edu0 show)"
}

# resumed_by NAME COMMAND...: COMMAND on a suspended edu0 works and
# resumes it (pm_resumes grows), then it suspends again
resumed_by() {
	local what=$1 r
	shift
	suspended_soon $E0
	r=$(counter $E0 pm_resumes)
	"$@" >/dev/null || fail "$what failed on a suspended device"
	[ "$(counter $E0 pm_resumes)" -gt "$r" ] || fail "$what did not resume edu0"
	suspended_soon $E0
}

runtime_resume_paths() {
	resumed_by "/dev read" dd if=/dev/edu0 of=/dev/null bs=100 count=1 status=none &&
		resumed_by "ioctl factorial" "$EDUCTL" -d edu0 factorial 5 &&
		resumed_by "sysfs liveness" sh -c "echo 0x1234 >$E0/liveness" &&
		resumed_by "netlink factorial" "$EDUCTL" -d edu0 nlfactorial 6
}

# Not resumed by reading: stats, info, dev-get
reads_do_not_resume() {
	local r
	suspended_soon $E0
	r=$(counter $E0 pm_resumes)
	cat $E0/stats/irqs $E0/hw_id $E0/dma_timeout_ms >/dev/null &&
		"$EDUCTL" -j -d edu0 show >/dev/null && "$EDUCTL" -d edu0 info >/dev/null || return 1
	[ "$(counter $E0 pm_resumes)" = "$r" ] || fail "a read resumed edu0"
	status_is $E0 suspended || fail "edu0 $(cat $E0/power/runtime_status) after reads"
}

# With debugfs pm_lose_state, each runtime suspend saves the buffer and
# then wipes it (pm_wipes counts that), as a device that loses power
# would: the data read back each time came from the restore, not from a
# buffer QEMU kept (a save that failed would leave zeros).
data_survives_runtime_cycles() {
	local i wipes g=$DBG/$P0
	suspended_soon $E0
	echo Y >$g/pm_lose_state && rd $g/pm_wipes && wipes=$REPLY || return 1
	pattern /dev/edu0 $T-rt || return 1
	for i in 1 2 3 4 5; do
		suspended_soon $E0
		rd $g/pm_wipes && [ "$REPLY" -gt "$wipes" ] ||
			fail "cycle $i: suspend did not wipe edu0's buffer (pm_wipes $REPLY, $wipes before)"
		wipes=$REPLY
		intact /dev/edu0 $T-rt
	done
	echo N >$g/pm_lose_state
}

# An interface that is up keeps its device active.
interface_up_holds() {
	local ifc=(/sys/bus/pci/devices/"$(basename "$(readlink $E0)")"/net/*)
	local n=${ifc[0]##*/}
	suspended_soon $E0
	ip link set "$n" up || return 1
	status_is $E0 active || fail "edu0 $(cat $E0/power/runtime_status) with $n up"
	sleep 1
	status_is $E0 active || fail "edu0 suspended while $n is up"
	ip link set "$n" down || return 1
	suspended_soon $E0
}

monitor_saw_pm_events() {
	kill "$(cat $T-mon.pid)" 2>/dev/null
	wait "$(cat $T-mon.pid)" 2>/dev/null
	grep -q '"pm_state":"suspended"' $T-mon && grep -q '"pm_state":"active"' $T-mon ||
		fail "monitor output: $(head -c 600 $T-mon)"
}

restore_runtime() {
	local e
	for e in $E0 $E1; do
		echo on >"$e/power/control" || return 1
	done
	status_is $E0 active && status_is $E1 active
}

modprobe edu || exit 1
[ -d /sys/class/edu/edu1 ] || { echo "not ok 1 - two edu devices"; exit 1; }
P0=$(basename "$(readlink $E0)")
ok_if "runtime PM: power/control 'on' by default; 'auto' + 200 ms delay: both devices suspend" setup_runtime
ok_if "runtime PM: stats/pm_suspends counts it; eductl show says suspended" runtime_suspended_after_idle
ok_if "runtime PM: /dev read, ioctl, sysfs and netlink resume the device; it suspends again" \
	runtime_resume_paths
ok_if "runtime PM: stats, info and dev-get do not resume it" reads_do_not_resume
ok_if "runtime PM: the buffer, wiped at each of 5 suspends (pm_lose_state), is restored" \
	data_survives_runtime_cycles
ok_if "runtime PM: an interface that is up keeps the device active; down, it suspends" \
	interface_up_holds
ok_if "runtime PM: eductl monitor sees pm suspended/active events" monitor_saw_pm_events
ok_if "runtime PM: power/control 'on' resumes and pins both devices" restore_runtime

edu_unload
tap_done
