#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# System sleep through /sys/power/pm_test, at every level the kernel
# allows for freeze (s2idle) and mem, and the first and last for disk
# (hibernation), with DMA and network traffic on both sides: the device
# buffers survive (edu0's is wiped at suspend by debugfs pm_lose_state,
# as a power cut would, and pm_wipes shows it was, so resume must restore
# it; the wipe happens even when the save fails), interrupts work
# (factorial), a ping flood across two namespaces goes on, eductl
# monitor sees the transitions. (The module stays loaded: the ping,
# from 9p, can no longer exit and release the interface.)
#
# Runs alone in a guest started with "vmrun -S" (tests/check.sh does):
# virtio-9p does not survive a system suspend, so after the first one
# this script opens no file of the 9p root (bash builtins, sysfs and
# /run/busybox only), output goes to the serial port, and as bash came
# from 9p and cannot exit cleanly any more, the status goes to
# /run/vmrun-rc, where vmrun's reporter waits for it.
. "$(dirname "$0")/lib.sh"
BB=/run/busybox
WAIT_SLEEP="$BB sleep"
E0=/sys/class/edu/edu0/device
E1=/sys/class/edu/edu1/device
NS1=edu-sleep1
NS2=edu-sleep2
T=/tmp/edu-sleep

counter() {
	rd "$1/stats/$2" && echo "$REPLY"
}

# replies: ping replies so far in the background ping's output
replies() {
	local n=0 l
	while IFS= read -r l; do
		[[ $l == *"bytes from"* ]] && n=$((n + 1))
	done <$T-ping
	echo $n
}

setup() {
	local a b f
	[ -x $BB ] || fail "no $BB: run with vmrun -S"
	[ -w /sys/module/suspend/parameters/pm_test_delay ] &&
		echo 0 >/sys/module/suspend/parameters/pm_test_delay
	f=(/sys/bus/pci/devices/"$P0"/net/*) && a=${f[0]##*/}
	f=(/sys/bus/pci/devices/"$P1"/net/*) && b=${f[0]##*/}
	echo 1 >$E0/peer || return 1
	ip netns add $NS1 && ip netns add $NS2 || return 1
	ip link set "$a" netns $NS1 && ip link set "$b" netns $NS2 || return 1
	ip -n $NS1 addr add 10.78.0.1/24 dev "$a" && ip -n $NS2 addr add 10.78.0.2/24 dev "$b" &&
		ip -n $NS1 link set "$a" up && ip -n $NS2 link set "$b" up || return 1
	wait_for 50 ip netns exec $NS1 ping -c 1 -W 1 10.78.0.2 >/dev/null || fail "no ping"
	# What runs on after a suspend must not page code in from 9p.
	for f in "$(command -v ip)" "$(command -v ping)" "$TOP/tools/eductl/eductl"; do
		cat "$f" $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') >/dev/null
	done
	ip netns exec $NS1 ping -i 0.05 10.78.0.2 >$T-ping 2>&1 &
	echo $! >$T-ping.pid
	"$TOP/tools/eductl/eductl" -j monitor >$T-mon 2>&1 &
	echo $! >$T-mon.pid
	wait_for 50 ping_goes_on 0 || fail "background ping: $(<$T-ping)"
}

ping_goes_on() {
	[ "$(replies)" -gt "$1" ]
}

# cycle STATE LEVEL: one pm_test cycle with traffic before and after
cycle() {
	local state=$1 level=$2 s r p w
	$BB dd if=/dev/urandom of=$T-0 bs=4095 count=1 2>/dev/null &&
		$BB dd if=/dev/urandom of=$T-1 bs=4095 count=1 2>/dev/null &&
		$BB dd if=$T-0 of=/dev/edu0 bs=4095 2>/dev/null &&
		$BB dd if=$T-1 of=/dev/edu1 bs=4095 2>/dev/null || fail "DMA before $state"
	echo Y >"/sys/kernel/debug/edu/$P0/pm_lose_state" || return 1
	s=$(counter $E0 pm_suspends) r=$(counter $E0 pm_resumes) p=$(replies)
	rd "/sys/kernel/debug/edu/$P0/pm_wipes" && w=$REPLY || return 1

	echo "$level" >/sys/power/pm_test || fail "pm_test $level"
	echo "$state" >/sys/power/state 2>$T-err
	local rc=$?
	echo none >/sys/power/pm_test
	echo N >"/sys/kernel/debug/edu/$P0/pm_lose_state"
	[ $rc = 0 ] || fail "echo $state >/sys/power/state: $(<$T-err)"

	[ "$(counter $E0 pm_suspends)" -gt "$s" ] && [ "$(counter $E0 pm_resumes)" -gt "$r" ] ||
		fail "edu0 was not suspended and resumed"
	# QEMU keeps the buffer: only a wipe makes the cmp below prove a restore.
	rd "/sys/kernel/debug/edu/$P0/pm_wipes" && [ "$REPLY" -gt "$w" ] ||
		fail "edu0's buffer was not wiped at suspend (pm_wipes $REPLY, $w before)"
	$BB cmp $T-0 /dev/edu0 || fail "edu0's buffer (wiped at suspend) not restored"
	$BB cmp $T-1 /dev/edu1 || fail "edu1's buffer changed"
	echo 10 >$E1/factorial && rd $E1/factorial && [ "$REPLY" = 3628800 ] ||
		fail "factorial after resume: '$REPLY'"
	wait_for 50 ping_goes_on "$p" || fail "the ping flood stopped: $p replies before, $(replies) after"
}

monitor_saw_sleep() {
	local l sus=0 act=0
	kill "$(<$T-mon.pid)"
	while IFS= read -r l; do
		[[ $l == *'"pm_state":"suspended"'* ]] && sus=$((sus + 1))
		[[ $l == *'"pm_state":"active"'* ]] && act=$((act + 1))
	done <$T-mon
	[ $sus -ge 2 ] && [ $act -ge 2 ] || fail "monitor saw $sus suspended, $act active events"
}

traffic_counters() {
	# Not stopped: a process from 9p cannot exit after a suspend, and its
	# socket would keep the interface (and so the module) busy.
	echo "# background ping: $(replies) replies, every cycle saw new ones"
	[ "$(replies)" -gt 0 ] || fail "no replies"
}


# Bash reads a script as it runs it, and a read of the 9p root after a
# suspend never returns: the whole test is one function, read before any
# of it runs, and the last line exits without reading further.
main() {
	if [ ! -w /sys/power/pm_test ]; then
		skip "system sleep" "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
		return
	fi
	modprobe edu || exit 1
	P0=$(basename "$(readlink $E0)") P1=$(basename "$(readlink $E1)")
	ok_if "system sleep: edu0 and edu1 linked across two namespaces, a ping flood running" setup

	read -ra states </sys/power/state
	rd /sys/power/mem_sleep
	echo "# /sys/power/state: ${states[*]}; mem_sleep: $REPLY"
	# Every level runs the driver's callbacks the same way; what differs
	# is how much of the rest of the kernel suspends with them. mem and
	# freeze go through every level they allow (s2idle, freeze or mem
	# without "deep", none beyond platform); disk, whose levels cost most
	# under TCG (the image's memory is preallocated each time), through
	# the shallowest and the deepest.
	mem_levels="devices platform processors core"
	[[ $REPLY == *"[deep]"* ]] || mem_levels="devices platform"
	for state in freeze mem disk; do
		case $state in
		freeze) levels="devices platform" ;;
		mem) levels=$mem_levels ;;
		disk) levels="devices core" ;;
		esac
		if ! [[ " ${states[*]} " == *" $state "* ]]; then
			skip "system sleep: $state" "not in /sys/power/state"
			continue
		fi
		for level in $levels; do
			ok_if "system sleep: $state, pm_test=$level: buffers restored, interrupts, ping flood" \
				cycle $state $level
		done
	done
	ok_if "system sleep: eductl monitor saw the suspends and resumes" monitor_saw_sleep
	ok_if "system sleep: ping flood across every cycle" traffic_counters
}

main
echo "$_tap_failed" >/run/vmrun-rc
tap_done
