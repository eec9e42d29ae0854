#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The network interface against the races its callbacks meet, each
# window held open by a debugfs knob (Documentation/edu.rst, debugfs):
# frames waiting on an interface's RX ring (net_hold_rx) while their
# sender is unbound, then delivered (KASAN on the debug kernel sees a
# freed sender read), drops counted exactly by their one writer (its
# own u64_stats_sync), and "ip link set up" run into a runtime suspend
# held at its read of the interface's state (net_hold_suspend), which
# must not deadlock under RTNL. A hang is caught by a bound on each
# command, not by timing it. The RTNL check runs last: when it fails,
# RTNL stays held and nothing after it could run.
. "$(dirname "$0")/lib.sh"
DRV=/sys/bus/pci/drivers/edu
DBG=/sys/kernel/debug/edu
EDUCTL=$TOP/tools/eductl/eductl
T=/tmp/edu-netrace
IPV6_DEFAULT=/proc/sys/net/ipv6/conf/default/disable_ipv6

# ifname PCI: PCI's interface (initial namespace) in REPLY
ifname() {
	local f=(/sys/bus/pci/devices/"$1"/net/*)
	[ -e "${f[0]}" ] || return 1
	REPLY=${f[0]##*/}
}

stat_of() {
	rd "/sys/class/net/$1/statistics/$2" && echo "$REPLY"
}

# running IF: the core marked IF running (__LINK_STATE_START, which it
# sets before ndo_open): its "dormant" reads then, and takes no RTNL
running() {
	local v
	read -r v 2>/dev/null <"/sys/class/net/$1/dormant"
}

# status_is DEV STATUS: DEV's power/runtime_status
status_is() {
	reads "$1/power/runtime_status" "$2"
}

# send FROM TO_MAC COUNT: COUNT frames of ethertype 0x88b5 out of FROM
PYSEND='
import socket, struct, sys
ifname, dst, count = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3])
with open("/sys/class/net/%s/address" % ifname) as f:
    src = bytes.fromhex(f.read().strip().replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((ifname, 0x88b5))
for i in range(count):
    s.send(dst + src + struct.pack("!H", 0x88b5) + b"edu-netrace".ljust(46, b"\0"))
'

# cable_up: edu0 linked to edu1, both up; sets if0, if1 (their interfaces)
# and mac1 (edu1's address) in the caller's locals
cable_up() {
	ifname "$P0" && if0=$REPLY && ifname "$P1" && if1=$REPLY || fail "no interfaces"
	rd "/sys/class/net/$if1/address" && mac1=$REPLY
	echo "$N1" >"$E0/peer" || fail "cannot link edu0 to edu1"
	ip link set "$if0" up && ip link set "$if1" up || fail "ip link set up failed"
	wait_for 50 reads "/sys/class/net/$if0/carrier" 1 || fail "$if0: no carrier"
}

# sent_and_moved IF N: IF counted N frames sent and its NAPI completed
# them all (BQL: none in flight), so they sit on its peer's RX ring
sent_and_moved() {
	[ "$(stat_of "$1" tx_packets)" = "$2" ] &&
		reads "/sys/class/net/$1/queues/tx-0/byte_queue_limits/inflight" 0
}

# --- drops counted once, by their one writer ---

# edu0 sends 20 frames to edu1, whose 16-frame RX ring is held full:
# edu0's TX completion (NAPI) drops 4, which its tx_dropped counts
# exactly; edu1 then delivers 16. (xmit's own drops have a counter of
# their own, under the xmit path's syncp.)
cable_drops_exact() {
	local if0 if1 mac1 tx drop rx
	cable_up
	ethtool -G "$if1" rx 16 || fail "ethtool -G $if1 rx 16 failed"
	echo 1 >"$DBG/$P1/net_hold_rx" || fail "no net_hold_rx knob"
	tx=$(stat_of "$if0" tx_packets) && drop=$(stat_of "$if0" tx_dropped) &&
		rx=$(stat_of "$if1" rx_packets) || fail "no statistics"
	python3 -c "$PYSEND" "$if0" "$mac1" 20 || fail "sending from $if0 failed"
	wait_for 50 sent_and_moved "$if0" $((tx + 20)) || fail "$if0 did not complete 20 frames"
	[ "$(stat_of "$if0" tx_dropped)" = $((drop + 4)) ] ||
		fail "$if0: tx_dropped $(stat_of "$if0" tx_dropped), expected $((drop + 4))"
	echo 0 >"$DBG/$P1/net_hold_rx"
	wait_for 50 reads "/sys/class/net/$if1/statistics/rx_packets" $((rx + 16)) ||
		fail "$if1: rx_packets $(stat_of "$if1" rx_packets), expected $((rx + 16))"
	sleep 0.3
	[ "$(stat_of "$if1" rx_packets)" = $((rx + 16)) ] || fail "$if1: more than 16 delivered"
	echo "$if0: 4 dropped of 20, $if1: 16 delivered"
	ethtool -G "$if1" rx 256 && ip link set "$if0" down && ip link set "$if1" down
}

# --- frames outlive their sender on the peer's RX ring ---

held_frames_outlive_sender() {
	local if0 if1 mac1 tx rx rc
	cable_up
	echo 1 >"$DBG/$P1/net_hold_rx" || fail "no net_hold_rx knob"
	tx=$(stat_of "$if0" tx_packets) && rx=$(stat_of "$if1" rx_packets) || fail "no statistics"
	python3 -c "$PYSEND" "$if0" "$mac1" 10 || fail "sending from $if0 failed"
	wait_for 50 sent_and_moved "$if0" $((tx + 10)) ||
		fail "$if0: tx_packets $(stat_of "$if0" tx_packets) (want $((tx + 10))), in flight" \
			"$(<"/sys/class/net/$if0/queues/tx-0/byte_queue_limits/inflight")"
	[ "$(stat_of "$if1" rx_packets)" = "$rx" ] || fail "$if1 received while held"
	# the sender goes, and its net_device is freed, with its frames on edu1's ring
	echo "$P0" >"$DRV/unbind" || fail "unbind $P0 failed"
	! ifname "$P0" || fail "$P0 still has an interface"
	echo 0 >"$DBG/$P1/net_hold_rx" || fail "cannot release net_hold_rx"
	wait_for 50 reads "/sys/class/net/$if1/statistics/rx_packets" $((rx + 10)) ||
		fail "$if1: rx_packets $(stat_of "$if1" rx_packets), expected $((rx + 10))"
	echo "$if1: 10 frames from the unbound $if0 delivered"
	echo "$P0" >"$DRV/bind" || fail "bind $P0 again failed"
	wait_for 50 ifname "$P0" || fail "$P0: no interface after bind"
	rc=0
	ip link set "$if1" down || rc=1
	return $rc
}

# --- ip link set up into a runtime suspend: no deadlock under RTNL ---

up_into_runtime_suspend() {
	local ifc pid rc
	ifname "$P0" || fail "edu0 has no interface"
	ifc=$REPLY
	ip link set "$ifc" down
	echo 0 >"$E0/power/autosuspend_delay_ms" && echo auto >"$E0/power/control" ||
		fail "cannot allow runtime PM"
	wait_for 50 status_is "$E0" suspended || fail "edu0 $(<"$E0/power/runtime_status"), not suspended"
	echo Y >"$DBG/$P0/net_hold_suspend" || fail "no net_hold_suspend knob"
	# resumed for the ioctl, suspended at once after it: held there
	"$EDUCTL" -d edu0 factorial 5 >/dev/null || fail "eductl factorial failed"
	wait_for 50 status_is "$E0" suspending ||
		fail "edu0 $(<"$E0/power/runtime_status"), not held suspending"
	ip link set "$ifc" up >"$T-up.out" 2>&1 &
	pid=$!
	# past the core's "running", into ndo_open, which waits for the suspend
	wait_for 50 running "$ifc" || fail "$ifc never marked running by ip link set up"
	alive "$pid" || fail "ip link set $ifc up ended during the held suspend: $(<"$T-up.out")"
	echo N >"$DBG/$P0/net_hold_suspend"
	bg_wait "$pid" $((300 * EDU_TIME_SCALE))
	rc=$?
	if [ $rc = 124 ]; then
		echo 124 >"$T-hung"
		fail "ip link set $ifc up still blocked 30 s after the suspend was released" \
			"(edu0 $(<"$E0/power/runtime_status"))"
	fi
	[ $rc = 0 ] || fail "ip link set $ifc up: rc $rc: $(<"$T-up.out")"
	wait_for 50 status_is "$E0" active || fail "edu0 $(<"$E0/power/runtime_status") with $ifc up"
	# the interface really runs: NAPI delivers looped frames
	echo self >"$E0/peer" || fail "cannot link edu0 to itself"
	wait_for 50 reads "/sys/class/net/$ifc/carrier" 1 || fail "$ifc: no carrier"
	rd "/sys/class/net/$ifc/address"
	local rx
	rx=$(stat_of "$ifc" rx_packets)
	python3 -c "$PYSEND" "$ifc" "$REPLY" 5 || fail "sending on $ifc failed"
	wait_for 50 reads "/sys/class/net/$ifc/statistics/rx_packets" $((rx + 5)) ||
		fail "$ifc: rx_packets $(stat_of "$ifc" rx_packets), expected $((rx + 5))"
	ip link set "$ifc" down && echo none >"$E0/peer" && echo on >"$E0/power/control"
}

ipv6_saved=
if [ -w $IPV6_DEFAULT ]; then
	read -r ipv6_saved <$IPV6_DEFAULT
	echo 1 >$IPV6_DEFAULT
fi
rm -f "$T"-*
edu_unload
modprobe edu || exit 1
[ -d /sys/class/edu/edu1 ] || { echo "not ok 1 - two edu devices"; exit 1; }
pci_of edu0 && P0=$REPLY && pci_of edu1 && P1=$REPLY || exit 1
E0=/sys/bus/pci/devices/$P0
N1=1

ok_if "tx_dropped exact: 20 frames into a held 16-frame RX ring, 4 dropped by TX completion" \
	cable_drops_exact
ok_if "frames held on edu1's RX ring (net_hold_rx) outlive their sender edu0 (unbound): delivered" \
	held_frames_outlive_sender
ok_if "ip link set up into a runtime suspend held at its state read (net_hold_suspend): both end" \
	up_into_runtime_suspend
if [ -e "$T-hung" ]; then
	# RTNL is held for good: unloading would hang too
	echo "# RTNL is stuck: no cleanup"
	tap_done
fi
[ -z "$ipv6_saved" ] || echo "$ipv6_saved" >$IPV6_DEFAULT
rm -f "$T"-*
edu_unload
tap_done
