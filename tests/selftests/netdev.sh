#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The network interface: one eduN net_device per device with a MAC made
# from its PCI address, the PCI device's "peer" attribute (a cable to
# another device, or "self" for loopback) and the carrier it gives,
# the same link set through netlink with eductl (set peer, show), raw
# frames looped back, traffic between two network namespaces (ping,
# counters, jumbo frames), the peer going down and the cable unplugged
# under traffic, ethtool (-i -S -g -G -c -C -t, msglvl), and the
# interface going away with its device (unbind, modprobe -r) during a
# ping flood. Frames never leave the guest; the namespaces are removed
# at the end.
. "$(dirname "$0")/lib.sh"
DRV=/sys/bus/pci/drivers/edu
NS1=edu-net1
NS2=edu-net2
NET=10.77.0
T=/tmp/edu-net
ERR=$T-err
NET_STATS="rx_packets rx_bytes tx_packets tx_bytes rx_dropped tx_dropped doorbells napi_polls"
IPV6_DEFAULT=/proc/sys/net/ipv6/conf/default/disable_ipv6
EDUCTL=$TOP/tools/eductl/eductl
# uid/gid nobody, no capabilities at all
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
HAVE_PING=$(command -v ping)
NO_PING="ping not installed in the guest (iputils-ping, tests/vm/deps.sh)"

# --- helpers (none calls fail unless it says so) ---

# wr FILE VALUE: "echo VALUE > FILE" in one write(2); the complaint in $ERR
wr() {
	printf '%s\n' "$2" 2>"$ERR" >"$1"
}

# is FILE VALUE: FILE reads VALUE, or fail
is() {
	rd "$1" || fail "cannot read $1"
	[ "$REPLY" = "$2" ] || fail "${1#/sys/}: '$REPLY', expected '$2'"
}

# ipn NS ARGS...: ip in namespace NS ("-": the initial one)
ipn() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then ip "$@"; else ip -n "$ns" "$@"; fi
}

# has_if PCI: PCI's interface is in the initial namespace
has_if() {
	local f=(/sys/bus/pci/devices/"$1"/net/*)
	[ -e "${f[0]}" ]
}

# locate PCI: the namespace ("-": the initial one) and name of PCI's
# interface in L_NS and L_IF; says why on stdout when it has none.
locate() {
	local p=$1 ns out mac
	local -a f
	L_NS='' L_IF=''
	f=(/sys/bus/pci/devices/"$p"/net/*)
	if [ -e "${f[0]}" ]; then
		L_NS=- L_IF=${f[0]##*/}
		((${#f[@]} == 1)) || { echo "$p has ${#f[@]} interfaces: ${f[*]##*/}"; return 1; }
		return 0
	fi
	for ns in "$NS1" "$NS2"; do
		[ -e "/run/netns/$ns" ] || continue
		# ip netns exec mounts the namespace's own sysfs; by MAC otherwise
		out=$(ip netns exec "$ns" ls "/sys/bus/pci/devices/$p/net" 2>/dev/null)
		if [ -z "$out" ] && mac=$(mac_of "$p"); then
			out=$(ip -n "$ns" -o link show 2>/dev/null |
				awk -v m="link/ether $mac " 'index($0, m) { split($0, f, ": "); print f[2] }')
		fi
		[ -n "$out" ] || continue
		L_NS=$ns L_IF=$out
		[[ $out != *[[:space:]]* ]] || { echo "$p has several interfaces in $ns: $out"; return 1; }
		return 0
	done
	echo "$p has no interface in any namespace"
	return 1
}

# idx_of PCI: the N of PCI's /dev/eduN in REPLY
idx_of() {
	local c
	for c in /sys/class/edu/edu*; do
		[ "$c/device" -ef "/sys/bus/pci/devices/$1" ] && REPLY=${c##*/edu} && return 0
	done
	return 1
}

# mac_of PCI: the MAC the driver gives PCI's interface, 02:ed:DD:BB:SS:FF
mac_of() {
	[[ $1 =~ ^[0-9a-f]*([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$ ]] || return 1
	printf '02:ed:%s:%s:%s:0%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
		"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}"
}

# carrier NS IF: 1 when IF is up with carrier (LOWER_UP), else 0
carrier() {
	local out
	out=$(ipn "$1" -o link show dev "$2" 2>&1) || { echo "?"; return 1; }
	[[ $out =~ \<([^>]*)\> ]] || { echo "?"; return 1; }
	if [[ ,${BASH_REMATCH[1]}, == *,LOWER_UP,* ]]; then echo 1; else echo 0; fi
}

# carrier_is NS IF 0|1
carrier_is() {
	[ "$(carrier "$1" "$2")" = "$3" ]
}

# carriers C0 C1: edu0's and edu1's interfaces reach carrier C0 and C1
# within 3 s, or fail
carriers() {
	local ns0 if0
	locate "$P0" || fail "edu0 has no interface"
	ns0=$L_NS if0=$L_IF
	locate "$P1" || fail "edu1 has no interface"
	wait_for 30 carrier_is "$ns0" "$if0" "$1" ||
		fail "$if0 (ns $ns0): carrier $(carrier "$ns0" "$if0"), expected $1:" \
			"$(ipn "$ns0" link show dev "$if0")"
	wait_for 30 carrier_is "$L_NS" "$L_IF" "$2" ||
		fail "$L_IF (ns $L_NS): carrier $(carrier "$L_NS" "$L_IF"), expected $2:" \
			"$(ipn "$L_NS" link show dev "$L_IF")"
}

# counters NS IF FILE: IF's "rx_packets tx_packets rx_bytes tx_bytes
# rx_dropped tx_dropped" from ip -s -j into FILE; fails unless each is a
# sane (non-negative, not wrapped) decimal.
counters() {
	local out v n=0
	out=$(ipn "$1" -s -j link show dev "$2" | jq -r '.[0].stats64 |
		"\(.rx.packets) \(.tx.packets) \(.rx.bytes) \(.tx.bytes) \(.rx.dropped) \(.tx.dropped)"')
	for v in $out; do
		n=$((n + 1))
		[[ $v =~ ^[0-9]{1,18}$ ]] || fail "$2: insane counter '$v' in '$out'"
	done
	((n == 6)) || fail "$2: no counters from ip -s -j link show (got '$out')"
	echo "$out" >"$3"
}

# bg_ping NS ARGS...: ping ARGS from NS in the background, output in
# $T-bg.out, pid in BG and $T-bg.pid; the calling check's exit stops it.
bg_ping() {
	local ns=$1
	shift
	trap stop_bg EXIT
	ip netns exec "$ns" ping "$@" >"$T-bg.out" 2>&1 &
	BG=$!
	echo "$BG" >"$T-bg.pid"
}

# stop_bg: stop the background ping, if any
stop_bg() {
	local pid comm n=20
	[ -s "$T-bg.pid" ] || return 0
	read -r pid <"$T-bg.pid"
	rm -f "$T-bg.pid"
	alive "$pid" || return 0
	read -r comm 2>/dev/null <"/proc/$pid/comm"
	case $comm in
	ping | ip) kill "$pid" 2>/dev/null ;;
	*) return 0 ;;
	esac
	while alive "$pid" && ((n-- > 0)); do
		sleep 0.1
	done
}

# bounded TENTHS COMMAND...: COMMAND's status if it ends within TENTHS
# tenths of a second, else 124 (even one stuck in the kernel, which is
# left behind); its output in $T-bounded.out
bounded() {
	local n=$1 pid
	shift
	"$@" >"$T-bounded.out" 2>&1 &
	pid=$!
	bg_wait "$pid" "$n"
}

# sysfs_write FILE VALUE: for bounded
sysfs_write() {
	echo "$2" >"$1"
}

# ping_summary FILE: "transmitted received" of a ping's output in REPLY
ping_summary() {
	local out
	out=$(<"$1")
	[[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] || return 1
	REPLY="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# ping_replies NS COUNT ARGS...: ping -c COUNT ARGS (with -w) gets its
# COUNT replies, or fail. With -w, ping sends on until it has them: the
# requests still in flight when it stops are no loss (no_loss checks the
# interfaces' counters).
ping_replies() {
	local ns=$1 c=$2 rc
	shift 2
	ip netns exec "$ns" ping -q -c "$c" "$@" >"$T-ping.out" 2>&1
	rc=$?
	ping_summary "$T-ping.out" || fail "ping $* (rc $rc): $(<"$T-ping.out")"
	[ $rc = 0 ] && [ "${REPLY#* }" = "$c" ] || fail "ping -c $c $* (rc $rc): $(<"$T-ping.out")"
	tail -n 2 "$T-ping.out"
}

# ping_works NS ADDR: 3 replies within 10 s (a loss allowed), or fail
ping_works() {
	ip netns exec "$1" ping -q -c 3 -w 10 "$2" >"$T-ping.out" 2>&1 ||
		fail "ping $2 from $1 (rc $?): $(<"$T-ping.out")"
}

# ethtool_stat OUTPUT NAME: NAME's value in ethtool -S OUTPUT, in REPLY
ethtool_stat() {
	REPLY=$(awk -v n="$2:" '$1 == n { print $2; exit }' <<<"$1")
	[[ $REPLY =~ ^[0-9]+$ ]]
}

# rings IF: "max_rx max_tx rx tx" of ethtool -g in REPLY
rings() {
	local out
	out=$(ethtool -g "$1" 2>&1) || { REPLY="ethtool -g failed: $out"; return 1; }
	REPLY=$(awk '/^Pre-set maximums/ { s = "max" } /^Current hardware settings/ { s = "cur" }
		$1 == "RX:" { v[s "rx"] = $2 } $1 == "TX:" { v[s "tx"] = $2 }
		END { print v["maxrx"], v["maxtx"], v["currx"], v["curtx"] }' <<<"$out")
}

# rings_are IF "MAXRX MAXTX RX TX", or fail
rings_are() {
	rings "$1" || fail "$REPLY"
	[ "$REPLY" = "$2" ] || fail "ethtool -g $1: max rx/tx, rx/tx '$REPLY', expected '$2'"
}

# coal IF: "tx-usecs tx-frames" of ethtool -c in REPLY
coal() {
	local out
	out=$(ethtool -c "$1" 2>&1) || { REPLY="ethtool -c failed: $out"; return 1; }
	REPLY=$(awk '$1 == "tx-usecs:" { u = $2 } $1 == "tx-frames:" { f = $2 }
		END { print u, f }' <<<"$out")
}

# coal_is IF "USECS FRAMES", or fail
coal_is() {
	coal "$1" || fail "$REPLY"
	[ "$REPLY" = "$2" ] || fail "ethtool -c $1: tx-usecs tx-frames '$REPLY', expected '$2'"
}

# AF_PACKET loopback: send COUNT frames of ethertype 0x88b5 (local
# experimental) from IF to its own MAC and receive each back once.
PYLOOP='
import os, socket, struct, sys, time
ifname, count = sys.argv[1], int(sys.argv[2])
proto = 0x88b5
with open("/sys/class/net/%s/address" % ifname) as f:
    mac = bytes.fromhex(f.read().strip().replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
s.bind((ifname, proto))
mark = b"edu-loop" + os.urandom(4)
for i in range(count):
    payload = (mark + struct.pack("!I", i)).ljust(46, b"\0")
    s.send(mac + mac + struct.pack("!H", proto) + payload)
seen, dups, other = set(), 0, 0
s.settimeout(0.5)
end = time.monotonic() + 10
while len(seen) < count and time.monotonic() < end:
    try:
        data, addr = s.recvfrom(65536)
    except socket.timeout:
        continue
    if addr[2] == 4:  # PACKET_OUTGOING: a copy of a sent frame
        continue
    if data[14:26] != mark:
        other += 1
        continue
    (i,) = struct.unpack("!I", data[26:30])
    if i in seen:
        dups += 1
    seen.add(i)
print("%s: %d sent, %d received, %d duplicates, %d other frames"
      % (ifname, count, len(seen), dups, other))
sys.exit(0 if len(seen) == count and not dups else 1)
'

# loop_frames N: N frames from edu0's interface (linked to itself, in the
# initial namespace) come back to it; its rx_packets and tx_packets +N.
loop_frames() {
	local n=$1 ifc s rx tx out
	locate "$P0" || fail "edu0 has no interface"
	[ "$L_NS" = - ] || fail "$L_IF is in namespace $L_NS"
	ifc=$L_IF s=/sys/class/net/$L_IF/statistics
	wait_for 30 carrier_is - "$ifc" 1 || fail "$ifc has no carrier: $(ip link show dev "$ifc")"
	rd "$s/rx_packets" && rx=$REPLY && rd "$s/tx_packets" && tx=$REPLY || fail "no statistics"
	out=$(python3 -c "$PYLOOP" "$ifc" "$n" 2>&1) || fail "$out"
	echo "$out"
	wait_for 20 reads "$s/rx_packets" $((rx + n))
	sleep 0.3
	is "$s/rx_packets" $((rx + n))
	is "$s/tx_packets" $((tx + n))
}

# --- the interfaces and the link attribute (initial namespace) ---

interfaces_and_macs() {
	local p want
	[ -n "$P0" ] && [ -n "$P1" ] || fail "fewer than two edu devices"
	for p in "$P0" "$P1"; do
		locate "$p" || fail "$p: no interface"
		[ "$L_NS" = - ] || fail "$p: $L_IF is in namespace $L_NS"
		[[ $L_IF =~ ^edu[0-9]+$ ]] || fail "$p: interface named '$L_IF'"
		want=$(mac_of "$p") || fail "cannot parse the PCI address $p"
		is "/sys/class/net/$L_IF/address" "$want"
		rd "/sys/class/net/$L_IF/addr_assign_type"
		[ "$REPLY" != 1 ] || fail "$L_IF: random MAC (addr_assign_type 1)"
		echo "$p: $L_IF $want"
	done
}

driver_info() {
	local p out
	for p in "$P0" "$P1"; do
		locate "$p" || fail "$p: no interface"
		out=$(ethtool -i "$L_IF" 2>&1) || fail "ethtool -i $L_IF: $out"
		grep -qx "driver: edu" <<<"$out" && grep -Fqx "version: $EDU_VERSION_EXPECTED" <<<"$out" &&
			grep -Fqx "bus-info: $p" <<<"$out" ||
			fail "ethtool -i $L_IF (expected edu, $EDU_VERSION_EXPECTED, $p):"$'\n'"$out"
	done
}

links_are() {
	is "$D0/$LA" "$1"
	is "$D1/$LA" "$2"
}

up_without_carrier() {
	local p
	for p in "$P0" "$P1"; do
		locate "$p" || fail "$p: no interface"
		ip link set "$L_IF" up || fail "ip link set $L_IF up failed"
	done
	sleep 0.3
	carriers 0 0
	for p in "$P0" "$P1"; do
		locate "$p" || fail "$p: no interface"
		is "/sys/class/net/$L_IF/carrier" 0
	done
}

# link_to DEV_DIR N: echo N > DEV_DIR/$LA works
link_to() {
	wr "$1/$LA" "$2" || fail "echo $2 > ${1#/sys/}/$LA: $(<"$ERR")"
}

link_pair() {
	link_to "$D0" "$N1"
	links_are "edu$N1" "edu$N0"
	carriers 1 1
}

# refused_link VALUE ERRNO_TEXT...: writing VALUE to edu0's $LA fails
# with one of the texts; both ends unchanged
refused_link() {
	local v=$1 b0 b1 e ok=
	shift
	rd "$D0/$LA" && b0=$REPLY && rd "$D1/$LA" && b1=$REPLY || fail "cannot read $LA"
	! wr "$D0/$LA" "$v" || fail "writing '$v' succeeded: $LA now reads $(<"$D0/$LA")"
	rd "$ERR"
	for e; do
		[[ $REPLY == *"$e"* ]] && ok=1
	done
	[ -n "$ok" ] || fail "writing '$v': expected '$*', got: $REPLY"
	links_are "$b0" "$b1"
}

peer_down_up() {
	locate "$P1" || fail "edu1: no interface"
	ip link set "$L_IF" down || fail "ip link set $L_IF down failed"
	carriers 0 0
	ip link set "$L_IF" up || fail "ip link set $L_IF up failed"
	carriers 1 1
}

self_unlinks_peer() {
	link_to "$D0" self
	links_are self none
	carriers 1 0
}

relink_replaces_self() {
	link_to "$D1" "$N0"
	links_are "edu$N1" "edu$N0"
	carriers 1 1
}

unlink_both() {
	link_to "$D0" none
	links_are none none
	carriers 0 0
}

loopback_carrier() {
	link_to "$D0" self
	links_are self none
	carriers 1 0
}

# --- the same link through netlink: eductl set peer, eductl show ---

# eductl_peer_is N VALUE: eductl -j -d eduN show reports peer VALUE
eductl_peer_is() {
	local out
	out=$("$EDUCTL" -j -d "edu$1" show 2>&1) || fail "eductl -d edu$1 show: $out"
	jq -e --arg p "$2" '.peer == $p' <<<"$out" >/dev/null ||
		fail "eductl -d edu$1 show: peer is not $2: $out"
}

# eductl_set N ARGS...: eductl -d eduN set ARGS succeeds
eductl_set() {
	local n=$1 out
	shift
	out=$("$EDUCTL" -d "edu$n" set "$@" 2>&1) || fail "eductl -d edu$n set $*: $out"
}

eductl_link() {
	eductl_set "$N0" peer "$N1"
	links_are "edu$N1" "edu$N0"
	eductl_peer_is "$N0" "edu$N1"
	eductl_peer_is "$N1" "edu$N0"
	carriers 1 1
}

eductl_self() {
	eductl_set "$N0" peer self
	links_are self none
	eductl_peer_is "$N0" self
	eductl_peer_is "$N1" none
	carriers 1 0
}

eductl_unlink() {
	eductl_set "$N1" peer "$N0"
	links_are "edu$N1" "edu$N0"
	carriers 1 1
	eductl_set "$N1" peer none
	links_are none none
	eductl_peer_is "$N0" none
	carriers 0 0
}

# eductl_refused RC TEXT ARGS...: eductl ARGS exits RC, stderr has TEXT,
# the link is unchanged (edu0 linked to edu1)
eductl_refused() {
	local want=$1 text=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	echo "$*: $rc: $out"
	[ $rc = "$want" ] || fail "$*: exit $rc, expected $want: $out"
	[[ $out == *"$text"* ]] || fail "$*: no '$text' in: $out"
	links_are "edu$N1" "edu$N0"
}

eductl_peer_refused() {
	local miss=7 t
	while [ -e /sys/class/edu/edu$miss ]; do miss=$((miss + 10)); done
	eductl_set "$N0" peer "$N1"
	eductl_refused 1 "setting peer on edu$N0 failed: No such device (kernel says: no such edu device to link to; bad attribute dev-peer)" \
		"$EDUCTL" -d "edu$N0" set peer "$miss"
	eductl_refused 1 "Numerical result out of range (kernel says: " \
		"$EDUCTL" -d "edu$N0" set peer 257
	eductl_refused 2 'peer "abc" is not a device index' "$EDUCTL" -d "edu$N0" set peer abc
	eductl_refused 1 "Operation not permitted" "${NOBODY[@]}" "$EDUCTL" -d "edu$N0" set peer none
	# all or nothing: a bad timeout keeps the peer, a bad peer the timeout
	rd "$D0/dma_timeout_ms" && t=$REPLY || fail "cannot read dma_timeout_ms"
	eductl_refused 1 "out of range" "$EDUCTL" -d "edu$N0" set peer none dma_timeout_ms 5
	eductl_refused 1 "No such device" "$EDUCTL" -d "edu$N0" set dma_timeout_ms 777 peer "$miss"
	is "$D0/dma_timeout_ms" "$t"
	eductl_set "$N0" peer none
	links_are none none
}

# --- ethtool (edu0's interface, linked to itself) ---

ethtool_stats() {
	local out n
	locate "$P0" || fail "edu0: no interface"
	out=$(ethtool -S "$L_IF" 2>&1) || fail "ethtool -S $L_IF: $out"
	for n in $NET_STATS; do
		ethtool_stat "$out" "$n" || fail "no '$n: <number>' in ethtool -S $L_IF:"$'\n'"$out"
	done
}

ethtool_stats_count() {
	local out n
	locate "$P0" || fail "edu0: no interface"
	out=$(ethtool -S "$L_IF" 2>&1) || fail "ethtool -S $L_IF: $out"
	for n in tx_packets rx_packets doorbells napi_polls; do
		ethtool_stat "$out" "$n" && [ "$REPLY" -gt 0 ] ||
			fail "$n is '$REPLY' after loopback traffic:"$'\n'"$out"
	done
}

rings_default() {
	locate "$P0" || fail "edu0: no interface"
	rings_are "$L_IF" "4096 4096 256 256"
}

rings_set() {
	locate "$P0" || fail "edu0: no interface"
	ethtool -G "$L_IF" rx 512 tx 128 || fail "ethtool -G rx 512 tx 128 failed"
	rings_are "$L_IF" "4096 4096 512 128"
	ethtool -G "$L_IF" rx 16 tx 4096 || fail "ethtool -G rx 16 tx 4096 failed"
	rings_are "$L_IF" "4096 4096 16 4096"
}

# rings_refused ARGS...: ethtool -G IF ARGS fails, rings unchanged
rings_refused() {
	locate "$P0" || fail "edu0: no interface"
	rings "$L_IF" || fail "$REPLY"
	local before=$REPLY
	! ethtool -G "$L_IF" "$@" 2>&1 || fail "ethtool -G $L_IF $* succeeded"
	rings_are "$L_IF" "$before"
}

loop_small_rings() {
	locate "$P0" || fail "edu0: no interface"
	ethtool -G "$L_IF" rx 16 tx 16 || fail "ethtool -G rx 16 tx 16 failed"
	rings_are "$L_IF" "4096 4096 16 16"
	loop_frames 10
}

coal_default() {
	locate "$P0" || fail "edu0: no interface"
	coal_is "$L_IF" "0 1"
}

coal_set() {
	locate "$P0" || fail "edu0: no interface"
	ethtool -C "$L_IF" tx-usecs 100 tx-frames 16 || fail "ethtool -C tx-usecs 100 tx-frames 16 failed"
	coal_is "$L_IF" "100 16"
	ethtool -C "$L_IF" tx-usecs 1000 tx-frames 256 || fail "ethtool -C tx-usecs 1000 tx-frames 256 failed"
	coal_is "$L_IF" "1000 256"
}

# coal_refused ARGS...: ethtool -C IF ARGS fails, settings unchanged
coal_refused() {
	locate "$P0" || fail "edu0: no interface"
	coal "$L_IF" || fail "$REPLY"
	local before=$REPLY
	! ethtool -C "$L_IF" "$@" 2>&1 || fail "ethtool -C $L_IF $* succeeded"
	coal_is "$L_IF" "$before"
}

loop_coalesced() {
	locate "$P0" || fail "edu0: no interface"
	ethtool -C "$L_IF" tx-usecs 200 tx-frames 16 || fail "ethtool -C tx-usecs 200 tx-frames 16 failed"
	coal_is "$L_IF" "200 16"
	loop_frames 10
}

self_test() {
	local out t
	locate "$P0" || fail "edu0: no interface"
	out=$(ethtool -t "$L_IF" 2>&1) || fail "ethtool -t $L_IF (rc $?):"$'\n'"$out"
	echo "$out"
	grep -qx "The test result is PASS" <<<"$out" || fail "no PASS"
	for t in liveness factorial dma interrupt; do
		[ "$(awk -v t="$t" '$1 == t { print $2 }' <<<"$out")" = 0 ] || fail "$t is not 0"
	done
}

msglevel() {
	local out
	locate "$P0" || fail "edu0: no interface"
	ethtool -s "$L_IF" msglvl 0x1 || fail "ethtool -s $L_IF msglvl 0x1 failed"
	out=$(ethtool "$L_IF" 2>&1 | grep -i 'message level')
	[[ $out == *0x00000001* ]] || fail "after msglvl 0x1, ethtool $L_IF: '$out'"
	ethtool -s "$L_IF" msglvl 0x7 || fail "ethtool -s $L_IF msglvl 0x7 failed"
	out=$(ethtool "$L_IF" 2>&1 | grep -i 'message level')
	[[ $out == *0x00000007* ]] || fail "after msglvl 0x7, ethtool $L_IF: '$out'"
}

# --- two namespaces ---

# ns_add NS: the namespace, IPv6 off for interfaces moved in (no
# stray router solicitations or MLD reports in the counters)
ns_add() {
	[ -e "/run/netns/$1" ] || ip netns add "$1" || fail "ip netns add $1 failed"
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1
	ip -n "$1" link set lo up
}

# pair_up: edu0 linked to edu1, their interfaces in NS1 and NS2 with
# $NET.1 and $NET.2, up, carrier on both
pair_up() {
	local i p ns n0 n1
	ns_add "$NS1"
	ns_add "$NS2"
	idx_of "$P0" && n0=$REPLY && idx_of "$P1" && n1=$REPLY || fail "no /dev/eduN for $P0 or $P1"
	link_to "$D0" "$n1"
	links_are "edu$n1" "edu$n0"
	local -a pcis=("$P0" "$P1") nss=("$NS1" "$NS2")
	for i in 0 1; do
		p=${pcis[i]} ns=${nss[i]}
		locate "$p" || fail "$p: no interface"
		if [ "$L_NS" != "$ns" ]; then
			ipn "$L_NS" link set "$L_IF" netns "$ns" || fail "moving $L_IF to $ns failed"
		fi
		ip -n "$ns" addr flush dev "$L_IF"
		ip -n "$ns" addr add "$NET.$((i + 1))/24" dev "$L_IF" || fail "$NET.$((i + 1)) on $L_IF failed"
		ip -n "$ns" link set "$L_IF" mtu 1500 up || fail "ip -n $ns link set $L_IF up failed"
		echo "$p: $L_IF in $ns, $NET.$((i + 1))"
	done
	carriers 1 1
}

# in_place: edu0's interface in NS1 as I0, edu1's in NS2 as I1, or fail
in_place() {
	locate "$P0" || fail "edu0: no interface"
	[ "$L_NS" = "$NS1" ] || fail "edu0's $L_IF is in namespace $L_NS, not $NS1"
	I0=$L_IF
	locate "$P1" || fail "edu1: no interface"
	[ "$L_NS" = "$NS2" ] || fail "edu1's $L_IF is in namespace $L_NS, not $NS2"
	I1=$L_IF
}

# snap TAG: both ends' counters (edu0's in NS1, edu1's in NS2) in
# $T-TAG-0 and $T-TAG-1, once two reads 0.3 s apart agree (3 s at most)
snap() {
	local n=10 prev cur
	counters "$NS1" "$I0" "$T-$1-0"
	counters "$NS2" "$I1" "$T-$1-1"
	cur="$(<"$T-$1-0") $(<"$T-$1-1")"
	while ((n-- > 0)); do
		prev=$cur
		sleep 0.3
		counters "$NS1" "$I0" "$T-$1-0"
		counters "$NS2" "$I1" "$T-$1-1"
		cur="$(<"$T-$1-0") $(<"$T-$1-1")"
		[ "$cur" = "$prev" ] && return 0
	done
	return 0
}

# no_loss BEFORE AFTER MIN MINBYTES: between two snaps, each end sent and
# received MIN+ packets and MINBYTES+ bytes, and what one end sent the
# other received (exactly when no drop was counted), or fail
no_loss() {
	local f rxp0 txp0 rxb0 txb0 rxd0 txd0 rxp1 txp1 rxb1 txb1 rxd1 txd1
	local r0 t0 rb0 tb0 rd0 td0 r1 t1 rb1 tb1 rd1 td1 drops msg
	for f in "$1-0" "$1-1" "$2-0" "$2-1"; do
		[ -s "$T-$f" ] || fail "no counters from the ping ($f)"
	done
	read -r rxp0 txp0 rxb0 txb0 rxd0 txd0 <"$T-$1-0"
	read -r rxp1 txp1 rxb1 txb1 rxd1 txd1 <"$T-$1-1"
	read -r r0 t0 rb0 tb0 rd0 td0 <"$T-$2-0"
	read -r r1 t1 rb1 tb1 rd1 td1 <"$T-$2-1"
	r0=$((r0 - rxp0)) t0=$((t0 - txp0)) rb0=$((rb0 - rxb0)) tb0=$((tb0 - txb0))
	r1=$((r1 - rxp1)) t1=$((t1 - txp1)) rb1=$((rb1 - rxb1)) tb1=$((tb1 - txb1))
	drops=$((rd0 - rxd0 + td0 - txd0 + rd1 - rxd1 + td1 - txd1))
	msg="edu0 ($NS1) tx +$t0 rx +$r0 (bytes tx +$tb0 rx +$rb0)"
	msg+=", edu1 ($NS2) tx +$t1 rx +$r1 (bytes tx +$tb1 rx +$rb1), dropped +$drops"
	echo "$msg"
	((t0 >= $3 && r1 >= $3 && t1 >= $3 && r0 >= $3)) || fail "fewer than $3 packets each way: $msg"
	((tb0 >= $4 && rb1 >= $4 && tb1 >= $4 && rb0 >= $4)) || fail "fewer than $4 bytes each way: $msg"
	if ((drops == 0)); then
		((t0 == r1 && t1 == r0)) || fail "tx of one end is not rx of the other: $msg"
	else
		((r1 <= t0 && t0 - r1 <= drops && r0 <= t1 && t1 - r0 <= drops)) ||
			fail "tx/rx mismatch beyond the drops: $msg"
	fi
}

ping_200() {
	rm -f "$T"-c3*
	in_place
	ip netns exec "$NS1" ping -q -c 1 -w 10 "$NET.2" >"$T-ping.out" 2>&1 ||
		fail "no reply to a first ping: $(<"$T-ping.out")"
	snap c3a
	ping_replies "$NS1" 200 -i 0.002 -w 60 "$NET.2"
	snap c3b
}

ping_200_counters() {
	no_loss c3a c3b 200 $((200 * 84))
}

jumbo() {
	in_place
	ip -n "$NS1" link set "$I0" mtu 9000 || fail "mtu 9000 on $I0 refused"
	ip -n "$NS2" link set "$I1" mtu 9000 || fail "mtu 9000 on $I1 refused"
	snap j1
	ping_replies "$NS1" 20 -s 8972 -M "do" -i 0.05 -w 30 "$NET.2"
	snap j2
	no_loss j1 j2 20 $((20 * 9000))
}

# mtu_is NS IF MTU
mtu_is() {
	local m
	m=$(ip -n "$1" -j link show dev "$2" | jq '.[0].mtu')
	[ "$m" = "$3" ] || fail "$2: mtu $m, expected $3"
}

mtu_limits() {
	in_place
	ip -n "$NS1" link set "$I0" mtu 9000 || fail "mtu 9000 on $I0 refused"
	mtu_is "$NS1" "$I0" 9000
	! ip -n "$NS1" link set "$I0" mtu 9001 2>&1 || fail "mtu 9001 accepted"
	mtu_is "$NS1" "$I0" 9000
	! ip -n "$NS1" link set "$I0" mtu 67 2>&1 || fail "mtu 67 accepted"
	mtu_is "$NS1" "$I0" 9000
	ip -n "$NS1" link set "$I0" mtu 68 || fail "mtu 68 refused"
	mtu_is "$NS1" "$I0" 68
}

down_up_under_traffic() {
	local rc
	rm -f "$T"-c5-*
	in_place
	counters "$NS1" "$I0" "$T-c5-0-a"
	counters "$NS2" "$I1" "$T-c5-1-a"
	bg_ping "$NS1" -q -i 0.01 -c 300 -w 30 "$NET.2"
	sleep 1
	alive "$BG" || fail "ping ended before edu1 went down: $(<"$T-bg.out")"
	ip -n "$NS2" link set "$I1" down || fail "ip link set $I1 down failed"
	wait_for 20 carrier_is "$NS1" "$I0" 0 || fail "$I0 kept its carrier with $I1 down"
	counters "$NS1" "$I0" "$T-c5-0-b"
	counters "$NS2" "$I1" "$T-c5-1-b"
	sleep 0.5
	carrier_is "$NS1" "$I0" 0 || fail "$I0's carrier came back with $I1 still down"
	ip -n "$NS2" link set "$I1" up || fail "ip link set $I1 up failed"
	wait_for 50 carrier_is "$NS1" "$I0" 1 || fail "$I0 has no carrier after $I1 is up again"
	wait_for 50 carrier_is "$NS2" "$I1" 1 || fail "$I1 has no carrier after going up"
	bg_wait "$BG" 400
	rc=$?
	[ $rc != 124 ] || fail "ping still running after 40 s"
	ping_summary "$T-bg.out" || fail "ping (rc $rc) gave no summary: $(<"$T-bg.out")"
	[ "${REPLY#* }" -gt 0 ] || fail "no reply at all: $(<"$T-bg.out")"
	tail -n 2 "$T-bg.out"
	counters "$NS1" "$I0" "$T-c5-0-c"
	counters "$NS2" "$I1" "$T-c5-1-c"
}

counters_monotonic() {
	local i s f v
	local -a a b
	for i in 0 1; do
		for s in a b c; do
			[ -s "$T-c5-$i-$s" ] || fail "no counters from the down/up test"
		done
		for s in "a b" "b c"; do
			read -ra a <"$T-c5-$i-${s% *}"
			read -ra b <"$T-c5-$i-${s#* }"
			for f in 0 1 2 3 4 5; do
				((b[f] >= a[f])) ||
					fail "edu$i: counters went back: '${a[*]}' -> '${b[*]}' (rx/tx packets, bytes, drops)"
			done
		done
		read -ra a <"$T-c5-$i-a"
		read -ra b <"$T-c5-$i-c"
		echo "edu$i: '${a[*]}' -> '${b[*]}'"
	done
	# both directions carried traffic
	read -ra a <"$T-c5-0-a"
	read -ra b <"$T-c5-0-c"
	((b[1] > a[1] && b[0] > a[0])) || fail "edu0's tx/rx packets did not grow"
}

ping_after_down_up() {
	in_place
	ping_works "$NS1" "$NET.2"
}

unlink_stops_traffic() {
	in_place
	link_to "$D0" none
	links_are none none
	carriers 0 0
	! ip netns exec "$NS1" ping -q -c 2 -w 3 "$NET.2" >"$T-ping.out" 2>&1 ||
		fail "ping answered with the link unplugged: $(<"$T-ping.out")"
}

relink_from_edu1() {
	local n0 n1
	in_place
	idx_of "$P0" && n0=$REPLY && idx_of "$P1" && n1=$REPLY || fail "no /dev/eduN for $P0 or $P1"
	link_to "$D1" "$n0"
	links_are "edu$n1" "edu$n0"
	carriers 1 1
	ping_works "$NS1" "$NET.2"
}

# The cable plugged and unplugged through netlink rather than sysfs.
eductl_unlink_relink() {
	in_place
	eductl_set "$N0" peer none
	links_are none none
	carriers 0 0
	! ip netns exec "$NS1" ping -q -c 2 -w 3 "$NET.2" >"$T-ping.out" 2>&1 ||
		fail "ping answered with the link unplugged: $(<"$T-ping.out")"
	eductl_set "$N1" peer "$N0"
	links_are "edu$N1" "edu$N0"
	carriers 1 1
	ping_works "$NS1" "$NET.2"
}

# --- the interface goes with its device ---

unbind_under_flood() {
	local rc
	in_place
	bg_ping "$NS1" -f -q -w 8 "$NET.2"
	sleep 1
	alive "$BG" || fail "the flood had ended before the unbind: $(<"$T-bg.out")"
	bounded 300 sysfs_write "$DRV/unbind" "$P1"
	rc=$?
	[ $rc = 0 ] || fail "unbind of $P1: rc $rc (124: still running after 30 s): $(<"$T-bounded.out")"
	! ip -n "$NS2" link show dev "$I1" >/dev/null 2>&1 || fail "$I1 still in $NS2 after the unbind"
	! has_if "$P1" || fail "$P1 still has an interface"
	wait_for 20 reads "$D0/$LA" none || fail "edu0's $LA reads '$(<"$D0/$LA")' with edu1 gone"
	wait_for 30 carrier_is "$NS1" "$I0" 0 || fail "$I0 kept its carrier with edu1 gone"
	bg_wait "$BG" 200
	rc=$?
	[ $rc != 124 ] || fail "the flood still runs 20 s after the unbind"
	ping_summary "$T-bg.out" || fail "ping (rc $rc) gave no summary: $(<"$T-bg.out")"
	echo "flood (rc $rc): $(tail -n 2 "$T-bg.out")"
}

rebind_new_interface() {
	local rc want
	bounded 300 sysfs_write "$DRV/bind" "$P1"
	rc=$?
	[ $rc = 0 ] || fail "bind of $P1: rc $rc (124: still running after 30 s): $(<"$T-bounded.out")"
	wait_for 50 has_if "$P1" || fail "no interface for $P1 in the initial namespace after bind"
	locate "$P1" || fail "edu1: no interface"
	[[ $L_IF =~ ^edu[0-9]+$ ]] || fail "interface named '$L_IF'"
	want=$(mac_of "$P1")
	is "/sys/class/net/$L_IF/address" "$want"
	links_are none none
	echo "$P1: $L_IF"
}

relink_after_rebind() {
	pair_up
	ping_works "$NS1" "$NET.2"
}

unload_under_flood() {
	local rc ns out
	in_place
	bg_ping "$NS1" -f -q -w 8 "$NET.2"
	sleep 1
	alive "$BG" || fail "the flood had ended before modprobe -r: $(<"$T-bg.out")"
	bounded 300 modprobe -r edu
	rc=$?
	[ $rc = 0 ] || fail "modprobe -r edu: rc $rc (124: still running after 30 s): $(<"$T-bounded.out")"
	[ ! -e /sys/module/edu ] || fail "/sys/module/edu remains"
	for ns in "$NS1" "$NS2"; do
		out=$(ip -n "$ns" -o link show)
		[[ $out != *": edu"* && $out != *"link/ether 02:ed:"* ]] ||
			fail "an edu interface remains in $ns:"$'\n'"$out"
	done
	! has_if "$P0" && ! has_if "$P1" || fail "an edu interface remains in the initial namespace"
	bg_wait "$BG" 200
	rc=$?
	[ $rc != 124 ] || fail "the flood still runs 20 s after modprobe -r"
	echo "flood (rc $rc): $(tail -n 2 "$T-bg.out")"
}

reload() {
	local p
	modprobe edu || fail "modprobe edu failed"
	for p in "$P0" "$P1"; do
		wait_for 50 has_if "$p" || fail "no interface for $p in the initial namespace"
	done
	links_are none none
}

# ok_ping NAME FUNC...: ok_if when ping is installed, else a skip
ok_ping() {
	if [ -n "$HAVE_PING" ]; then
		ok_if "$@"
	else
		skip "$1" "$NO_PING"
	fi
}

# reset_quietly COMMAND...: a setting put back between checks; not a test
reset_quietly() {
	"$@" >/dev/null 2>&1
}

cleanup() {
	stop_bg
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	[ -n "$ipv6_saved" ] && echo "$ipv6_saved" >$IPV6_DEFAULT
	rm -f "$T"-*
}

# --- setup: IPv6 off for new interfaces (no stray packets in the counts) ---
ipv6_saved=
if [ -w $IPV6_DEFAULT ]; then
	read -r ipv6_saved <$IPV6_DEFAULT
	echo 1 >$IPV6_DEFAULT
fi
trap cleanup EXIT
ip netns del "$NS1" 2>/dev/null
ip netns del "$NS2" 2>/dev/null
edu_unload
modprobe edu
P0=$(basename "$(readlink /sys/class/edu/edu0/device)" 2>/dev/null)
P1=$(basename "$(readlink /sys/class/edu/edu1/device)" 2>/dev/null)
D0=/sys/bus/pci/devices/$P0
D1=/sys/bus/pci/devices/$P1
# The attribute linking interfaces: "peer" ("link" is the PCIe link
# attributes' group on PCIe functions); "link" where a driver names it so.
LA=peer
[ ! -f "$D0/peer" ] && [ -f "$D0/link" ] && LA="link"
N0=0 N1=1
for p in "$P0" "$P1"; do
	[ -n "$p" ] && wait_for 50 has_if "$p" && locate "$p" >/dev/null &&
		[ -w "/proc/sys/net/ipv6/conf/$L_IF/disable_ipv6" ] &&
		echo 1 >"/proc/sys/net/ipv6/conf/$L_IF/disable_ipv6"
done
[ -n "$HAVE_PING" ] || echo "# $NO_PING: ping-based tests skipped"

# --- interfaces, MAC, driver info, the link attribute, carrier ---
ok_if "one interface eduN per device, MAC 02:ed:<domain>:<bus>:<slot>:<fn>" interfaces_and_macs
ok_if "ethtool -i: driver edu, version $EDU_VERSION_EXPECTED, bus-info the PCI address" driver_info
ok_if "$LA reads none by default on both devices" links_are none none
ok_if "up but unlinked: no carrier on either interface" up_without_carrier
ok_if "echo 1 > edu0's $LA: edu0 reads edu1, edu1 reads edu0, carrier on both" link_pair
miss=7
while [ -e /sys/class/edu/edu$miss ]; do miss=$((miss + 10)); done
for v in abc "$miss" -1 ""; do
	if [ "$v" = "$miss" ]; then
		ok_if "$LA: '$v' (no such device) refused (ENODEV/EINVAL), both ends unchanged" \
			refused_link "$v" "No such device" "Invalid argument"
	else
		ok_if "$LA: '$v' refused (EINVAL), both ends unchanged" refused_link "$v" "Invalid argument"
	fi
done
ok_if "carrier: edu0 loses it while edu1 is down, both have it again when edu1 is up" peer_down_up
ok_if "$LA: self on edu0 unplugs edu1 (none, no carrier), edu0 has carrier" self_unlinks_peer
ok_if "$LA: echo 0 > edu1's $LA replaces edu0's loopback: edu0 reads edu1, edu1 edu0" \
	relink_replaces_self
ok_if "$LA: none unplugs both ends, no carrier on either" unlink_both
ok_if "eductl set peer 1 on edu0: both ends linked (sysfs, eductl show), carrier on both" \
	eductl_link
ok_if "eductl set peer self: edu0 self, edu1 none (sysfs, eductl show); carrier on edu0 only" \
	eductl_self
ok_if "eductl -d edu1 set peer 0, then none: linked, then both ends none, no carrier" \
	eductl_unlink
ok_if "eductl set peer: unknown index ENODEV, 257 ERANGE (extack), abc usage, nobody EPERM; atomic" \
	eductl_peer_refused

# --- loopback and ethtool on edu0 (linked to itself) ---
ok_if "$LA self: edu0 reads self, has carrier; edu1 none" loopback_carrier
ok_if "loopback: 10 frames (ethertype 0x88b5) come back to edu0; rx_packets, tx_packets +10" \
	loop_frames 10
ok_if "ethtool -S: $NET_STATS present" ethtool_stats
ok_if "ethtool -S: tx/rx_packets, doorbells, napi_polls counted the loopback traffic" \
	ethtool_stats_count
ok_if "ethtool -g: rx and tx rings 256 by default, at most 4096" rings_default
ok_if "ethtool -G: rx 512 tx 128, then rx 16 tx 4096, reported back by -g" rings_set
ok_if "ethtool -G rx 8 refused, rings unchanged" rings_refused rx 8
ok_if "ethtool -G tx 5000 refused, rings unchanged" rings_refused tx 5000
ok_if "loopback with 16-entry rings: 10 frames back" loop_small_rings
locate "$P0" >/dev/null && reset_quietly ethtool -G "$L_IF" rx 256 tx 256
ok_if "ethtool -c: tx-usecs 0, tx-frames 1 by default" coal_default
ok_if "ethtool -C: tx-usecs 100 tx-frames 16, then 1000 256, reported back by -c" coal_set
ok_if "ethtool -C tx-usecs 1001 refused, settings unchanged" coal_refused tx-usecs 1001
ok_if "ethtool -C tx-frames 0 refused, settings unchanged" coal_refused tx-frames 0
ok_if "ethtool -C tx-frames 257 refused, settings unchanged" coal_refused tx-frames 257
ok_if "ethtool -C rx-usecs 10 refused (not supported), settings unchanged" coal_refused rx-usecs 10
ok_if "loopback with tx-usecs 200 tx-frames 16: 10 frames back (timer flush)" loop_coalesced
locate "$P0" >/dev/null && reset_quietly ethtool -C "$L_IF" tx-usecs 0 tx-frames 1
ok_if "ethtool -t: liveness, factorial, dma, interrupt 0, result PASS" self_test
ok_if "loopback works after the self-test" loop_frames 10
msg0=
locate "$P0" >/dev/null && msg0=$(ethtool "$L_IF" 2>/dev/null | awk '/message level:/ { print $4; exit }')
ok_if "ethtool -s msglvl 0x1, then 0x7: ethtool reports each message level" msglevel
[ -n "$msg0" ] && locate "$P0" >/dev/null && reset_quietly ethtool -s "$L_IF" msglvl "$msg0"

# --- two namespaces: edu0 in NS1, edu1 in NS2, linked ---
ok_if "edu0 and edu1 linked, moved to two namespaces, $NET.1 and $NET.2, carrier on both" pair_up
ok_ping "ping -c 200 -i 0.002 -w 60 from $NS1 to $NS2: 200 replies" ping_200
ok_ping "no loss (ip -s counters): 200+ each way, tx of one end = rx of the other" ping_200_counters
ok_ping "mtu 9000 on both: ping -s 8972 -M do -c 20, no loss (counters)" jumbo
ok_if "mtu 9000 accepted, 9001 and 67 refused, 68 accepted" mtu_limits
for p in "$P0" "$P1"; do
	locate "$p" >/dev/null && reset_quietly ipn "$L_NS" link set "$L_IF" mtu 1500
done
ok_ping "edu1 down/up under a ping: edu0 loses carrier while it is down, regains it" \
	down_up_under_traffic
ok_ping "counters across the down/up: sane and monotonic on both ends" counters_monotonic
ok_ping "ping works after the down/up" ping_after_down_up
ok_ping "$LA none: both ends none, no carrier, ping fails" unlink_stops_traffic
ok_ping "relinked from edu1's side: both ends linked, carrier, ping works" relink_from_edu1
ok_ping "eductl set peer none: ping fails; eductl -d edu1 set peer 0: ping works again" \
	eductl_unlink_relink

# --- unbind, rebind, modprobe -r during a ping flood ---
ok_ping "unbind edu1 during a ping flood: its interface leaves $NS2, edu0 unplugged, flood ends" \
	unbind_under_flood
ok_ping "bind edu1 again: a new interface in the initial namespace, right MAC, $LA none" \
	rebind_new_interface
ok_ping "relinked and moved to $NS2 again: ping works" relink_after_rebind
ok_ping "modprobe -r edu during a ping flood: done within 30 s, no interface left anywhere" \
	unload_under_flood
ok_ping "modprobe edu: both interfaces back in the initial namespace, $LA none" reload
[ -d /sys/module/edu ] || modprobe edu

cleanup
edu_unload
tap_done
