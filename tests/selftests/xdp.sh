#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Native XDP on the edu interfaces: edu0 in one namespace, edu1 in
# another, linked; programs from bpf/*.bpf.c (built by the Makefile into
# build/selftests/bpf) attached to edu1 with "ip link set ... xdpdrv obj",
# pings from edu0's side, and for each action the frames delivered and
# the ethtool -S counters: XDP_PASS, XDP_DROP, XDP_TX, XDP_REDIRECT
# (back out of edu1 through its ndo_xdp_xmit), XDP_ABORTED and an invalid
# action (with the xdp:xdp_exception trace event), frames longer than a
# program can take, the MTU limit with a program, offload refused,
# attach/detach during a ping flood, and modprobe -r with a program
# attached. Static neighbours and no IPv6: every frame counted is ours.
. "$(dirname "$0")/lib.sh"
NS1=edu-xdp1
NS2=edu-xdp2
NET=10.78.0
T=/tmp/edu-xdp
BPF=${EDU_BPF_DIR:-$TOP/build/selftests/bpf}
TRACING=/sys/kernel/tracing
N=20
START=$SECONDS

# nsx NS COMMAND...: COMMAND in network namespace NS (nsenter: cheaper
# under TCG than ip netns exec, which remounts /sys)
nsx() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# now: edu1's ethtool -S counters, and edu0's rx_packets as rx0, in NOW
declare -A NOW S
now() {
	local k v
	NOW=()
	while read -r k v; do
		NOW[${k%:}]=$v
	done < <(nsx "$NS2" ethtool -S "$IF1")
	NOW[rx1]=${NOW[rx_packets]}
	while read -r k v; do
		[ "$k" = rx_packets: ] && NOW[rx0]=$v
	done < <(nsx "$NS1" ethtool -S "$IF0")
	[[ ${NOW[rx0]} =~ ^[0-9]+$ && ${NOW[xdp_pass]} =~ ^[0-9]+$ ]] ||
		fail "no counters from ethtool -S"
}

# snap: the counters now, kept in S for grew
snap() {
	local k
	now
	S=()
	for k in "${!NOW[@]}"; do
		S[$k]=${NOW[$k]}
	done
}

# grew NAME DELTA: counter NAME grew by DELTA from the snap to the last now
grew() {
	local d=$((${NOW[$1]} - ${S[$1]}))
	((d == $2)) || fail "$1: grew by $d, expected $2"
}

# attach OBJ: edu1 runs bpf/OBJ.bpf.o in native mode (replacing any
# program: -force), or fail. (Each command costs ~0.4 s under TCG.)
attach() {
	local out
	ip -force -n "$NS2" link set dev "$IF1" xdpdrv obj "$BPF/$1.bpf.o" sec xdp 2>"$T-err" ||
		fail "attaching $1.bpf.o: $(<"$T-err")"
	out=$(ip -n "$NS2" -d link show dev "$IF1")
	[[ $out == *"prog/xdp id"*" name xdp_$1 "* ]] || fail "ip link shows no native program: $out"
}

# pings COUNT [DEADLINE]: ping -c COUNT from NS1 to edu1, for at most
# DEADLINE s (with replies expected: ping ends once it has them); the
# replies in REPLY
pings() {
	local w=(-W 1)
	[ -n "${2:-}" ] && w=(-w "$2")
	nsx "$NS1" ping -q -c "$1" -i 0.02 "${w[@]}" "$NET.2" >"$T-ping" 2>&1
	[[ $(<"$T-ping") =~ ([0-9]+)\ received ]] || fail "ping: $(<"$T-ping")"
	REPLY=${BASH_REMATCH[1]}
}

# replies COUNT: N pings get COUNT replies
replies() {
	local w=
	(($1)) && w=20
	pings "$N" $w
	[ "$REPLY" = "$1" ] || fail "$REPLY replies to $N pings, expected $1"
}

# names: edu0's and edu1's interfaces and MACs in IF0 IF1 MAC0 MAC1
names() {
	local d0=/sys/class/edu/edu0/device/net d1=/sys/class/edu/edu1/device/net
	wait_for 50 test -d "$d1" || return 1
	IF0=$(ls "$d0") IF1=$(ls "$d1")
	MAC0=$(<"/sys/class/net/$IF0/address") MAC1=$(<"/sys/class/net/$IF1/address")
}

lower_up() {
	ip -n "$NS1" link show dev "$IF0" | grep -q LOWER_UP
}

pair_up() {
	local i ns ifn
	[ -n "$IF1" ] || fail "no interface for edu0 or edu1"
	echo 1 >/sys/class/edu/edu0/device/peer || fail "linking edu0 and edu1 failed"
	for i in 0 1; do
		ns=$NS1 ifn=$IF0
		((i)) && ns=$NS2 ifn=$IF1
		ip netns add "$ns" || fail "ip netns add $ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip link set "$ifn" netns "$ns" || fail "moving $ifn to $ns"
		ip -n "$ns" addr add "$NET.$((i + 1))/24" dev "$ifn" || fail "address on $ifn"
		ip -n "$ns" link set "$ifn" up || fail "$ifn up"
	done
	ip -n "$NS1" neigh replace "$NET.2" lladdr "$MAC1" dev "$IF0" nud permanent &&
		ip -n "$NS2" neigh replace "$NET.1" lladdr "$MAC0" dev "$IF1" nud permanent ||
		fail "static neighbours"
	wait_for 30 lower_up ||
		fail "no carrier"
	replies "$N"
}

stats_present() {
	local c out
	out=$(nsx "$NS2" ethtool -S "$IF1") || fail "ethtool -S $IF1 failed"
	for c in xdp_pass xdp_drop xdp_tx xdp_redirect xdp_aborted xdp_tx_errors \
		xdp_redirect_errors xdp_rx_errors xdp_xmit xdp_xmit_errors; do
		[[ $out == *" $c: "[0-9]* ]] || fail "no $c in: $out"
	done
}

xdp_pass() {
	attach pass
	snap
	replies "$N"
	now
	grew xdp_pass "$N"
	grew rx1 "$N"
	grew xdp_drop 0
}

xdp_drop() {
	attach drop
	snap
	replies 0
	now
	grew xdp_drop "$N"
	grew rx1 0
	grew rx0 0
}

# XDP_TX and XDP_REDIRECT send each request back to edu0, addresses
# swapped: edu0 receives it (not for its IP: no reply, no ping success).
xdp_tx() {
	attach tx
	snap
	replies 0
	now
	grew xdp_tx "$N"
	grew rx0 "$N"
	grew rx1 0
	grew xdp_tx_errors 0
}

xdp_redirect() {
	attach redirect
	snap
	replies 0
	now
	grew xdp_redirect "$N"
	grew xdp_xmit "$N"
	grew rx0 "$N"
	grew xdp_redirect_errors 0
	grew xdp_xmit_errors 0
}

# trace_count: xdp_exception lines in the trace buffer, in REPLY
trace_count() {
	REPLY=$(grep -c "xdp_exception:" "$TRACING/trace")
}

# aborted OBJ: every frame aborted, each traced as xdp:xdp_exception
aborted() {
	local ev=$TRACING/events/xdp/xdp_exception/enable
	[ -w "$ev" ] || fail "no $ev"
	attach "$1"
	snap
	: >"$TRACING/trace"
	echo 1 >"$ev"
	replies 0
	echo 0 >"$ev"
	trace_count
	[ "$REPLY" = "$N" ] || fail "$REPLY xdp_exception events for $N frames"
	grep -m1 "xdp_exception:" "$TRACING/trace" | grep -q "ifindex=" ||
		fail "event: $(grep -m1 xdp_exception: "$TRACING/trace")"
	now
	grew xdp_aborted "$N"
	grew rx1 0
}

xdp_invalid() {
	aborted invalid
	dmesg | grep -q "Illegal XDP return value\|XDP return value" ||
		fail "no bpf_warn_invalid_xdp_action() warning in dmesg"
}

# A frame longer than a page (the peer's MTU is larger) cannot be given
# to the program: dropped, counted in xdp_rx_errors.
too_long() {
	attach pass
	ip -n "$NS1" link set "$IF0" mtu 9000 || fail "mtu 9000 on $IF0"
	snap
	nsx "$NS1" ping -q -c 5 -i 0.05 -W 1 -s 6000 "$NET.2" >"$T-ping" 2>&1
	ip -n "$NS1" link set "$IF0" mtu 1500
	now
	grew xdp_rx_errors 5
	grew xdp_pass 0
	replies "$N"
}

# max_mtu IF NS: the interface's max_mtu in REPLY
max_mtu() {
	REPLY=$(ip -n "$2" -d -j link show dev "$1" | jq -r '.[0].max_mtu')
}

mtu_limits() {
	local lim
	ip -n "$NS2" link set dev "$IF1" xdp off
	max_mtu "$IF1" "$NS2"
	[ "$REPLY" = 9000 ] || fail "max_mtu $REPLY without a program, expected 9000"
	ip -n "$NS2" link set "$IF1" mtu 9000 || fail "mtu 9000 without a program refused"
	! ip -n "$NS2" link set dev "$IF1" xdpdrv obj "$BPF/pass.bpf.o" sec xdp 2>"$T-err" ||
		fail "attached with mtu 9000"
	grep -q "MTU too large for XDP" "$T-err" || fail "no extack message: $(<"$T-err")"
	ip -n "$NS2" link set "$IF1" mtu 1500
	attach pass
	max_mtu "$IF1" "$NS2"
	lim=$REPLY
	((lim > 1500 && lim < 4096)) || fail "max_mtu $lim with a program"
	ip -n "$NS2" link set "$IF1" mtu "$lim" || fail "mtu $lim (max_mtu) refused"
	! ip -n "$NS2" link set "$IF1" mtu $((lim + 1)) 2>"$T-err" || fail "mtu $((lim + 1)) accepted"
	ip -n "$NS2" link set "$IF1" mtu 1500
	ip -n "$NS2" link set dev "$IF1" xdp off
	max_mtu "$IF1" "$NS2"
	[ "$REPLY" = 9000 ] || fail "max_mtu $REPLY after detaching, expected 9000"
	echo "max_mtu with a program: $lim"
}

offload_refused() {
	! ip -n "$NS2" link set dev "$IF1" xdpoffload obj "$BPF/pass.bpf.o" sec xdp 2>"$T-err" ||
		fail "offload accepted"
	ip -n "$NS2" -d link show dev "$IF1" | grep -q "prog/xdp" && fail "a program is attached"
	cat "$T-err"
}

detached() {
	ip -n "$NS2" link set dev "$IF1" xdp off
	snap
	replies "$N"
	now
	grew xdp_pass 0
	grew rx1 "$N"
}

# Programs swapped and removed 10 times while a flood runs both ways.
# The ping is started without nsx: $! must be ping itself (nsenter execs
# it), which SIGINT stops with its summary; a function would run in a
# subshell that ignores SIGINT, and the flood would last its 30 s.
under_flood() {
	local i pid objs=(pass drop tx redirect pass)
	nsenter --net="/run/netns/$NS1" ping -f -w 30 "$NET.2" >"$T-flood" 2>&1 &
	pid=$!
	for ((i = 0; i < 10; i++)); do
		ip -n "$NS2" -force link set dev "$IF1" xdpdrv obj "$BPF/${objs[i % 5]}.bpf.o" \
			sec xdp || { kill "$pid"; fail "attach $i failed"; }
		((i % 3)) || ip -n "$NS2" link set dev "$IF1" xdp off
	done
	ip -n "$NS2" link set dev "$IF1" xdp off
	kill -INT "$pid"
	wait "$pid"
	grep -q "packets transmitted" "$T-flood" || fail "flood: $(<"$T-flood")"
	tail -n 2 "$T-flood"
	replies "$N"
}

# modprobe -r with a program attached and traffic: the program is
# detached by the unregistration, no leak (kmemleak/refcount checks).
unload_attached() {
	local pid
	attach drop
	nsx "$NS1" ping -f -w 3 "$NET.2" >"$T-flood" 2>&1 &
	pid=$!
	sleep 0.5
	modprobe -r edu || { kill "$pid"; fail "modprobe -r edu failed"; }
	wait "$pid"
	[ ! -d /sys/module/edu ] || fail "edu still loaded"
}

cleanup() {
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	rm -f "$T"-*
}

cleanup
edu_unload
modprobe edu
if ! command -v ping >/dev/null || ! [ -f "$BPF/pass.bpf.o" ]; then
	skip "XDP tests" "no ping or no $BPF/pass.bpf.o (make selftests)"
	tap_done
fi
names
ok_if "edu0 ($NET.1) and edu1 ($NET.2) linked in two namespaces: $N pings, $N replies" pair_up
ok_if "ethtool -S: xdp_pass xdp_drop xdp_tx xdp_redirect xdp_aborted ... xdp_xmit" stats_present
ok_if "XDP_PASS on edu1: $N replies, xdp_pass and rx_packets +$N" xdp_pass
ok_if "XDP_DROP: no reply, xdp_drop +$N, nothing delivered" xdp_drop
ok_if "XDP_TX: each request back to edu0, xdp_tx +$N, edu0 rx_packets +$N" xdp_tx
ok_if "XDP_REDIRECT to edu1 itself: xdp_redirect and xdp_xmit +$N, edu0 rx_packets +$N" \
	xdp_redirect
ok_if "XDP_ABORTED: xdp_aborted +$N, $N xdp:xdp_exception events" aborted aborted
ok_if "action 42: treated as aborted, warned in dmesg, traced" xdp_invalid
ok_if "frames longer than a page (peer mtu 9000): dropped, xdp_rx_errors +5; then ping" too_long
ok_if "MTU: attach refused above the limit (extack), max_mtu lowered while attached" mtu_limits
ok_if "xdpoffload refused, nothing attached" offload_refused
ok_if "detached: $N replies, xdp_pass unchanged" detached
ok_if "10 attach/replace/detach cycles during a ping flood; ping works after" under_flood
ok_if "modprobe -r edu during a flood with XDP_DROP attached" unload_attached
cleanup
[ -d /sys/module/edu ] || modprobe edu
echo "# xdp.sh: $((SECONDS - START)) s"
tap_done
