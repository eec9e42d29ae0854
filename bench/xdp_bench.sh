#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xdp_bench.sh - how fast XDP_DROP discards frames on an edu interface,
# inside a guest (bench/run, after modprobe edu). One generator
# (udp_blast: 64-byte UDP datagrams, one thread, sendmmsg) in one
# namespace, the receiver in another, three receivers: (a) edu1 with
# XDP_DROP (ethtool -S xdp_drop), (b) edu1 without a program, datagrams to
# a closed port dropped by the stack (rx_packets), (c) a veth with native
# XDP_DROP (its rx_queue_N_xdp_drops). Prints a markdown table of frames
# dropped per second, with the ratios edu XDP / edu stack and edu XDP /
# veth XDP, and with -j FILE the figures as JSON.
#
# Usage: xdp_bench.sh [-t SECONDS] [-j FILE]
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

SECS=5 JSON=
while getopts "t:j:" opt; do
	case $opt in
	t) SECS=$OPTARG ;;
	j) JSON=$OPTARG ;;
	*)
		echo "usage: xdp_bench.sh [-t SECONDS] [-j FILE]" >&2
		exit 2
		;;
	esac
done
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "xdp_bench: -t wants whole seconds > 0" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BENCH_BIN:-$HERE/../build/bench}
NET=10.79.0
PORT=9
NA=xb-a NB=xb-b
P0='' IF0='' IF1=''
failed=0

warn() {
	echo "xdp_bench: $*" >&2
	failed=1
}

for f in "$BIN/udp_blast" "$BIN/xdp_drop.bpf.o"; do
	[ -e "$f" ] || { echo "xdp_bench: no $f (make -C bench)" >&2; exit 1; }
done

cleanup() {
	local ifc
	for ifc in "$IF0" "$IF1"; do
		[ -n "$ifc" ] || continue
		ip -n $NA link set "$ifc" netns 1 2>/dev/null
		ip -n $NB link set "$ifc" xdp off 2>/dev/null
		ip -n $NB link set "$ifc" netns 1 2>/dev/null
	done
	[ -n "$P0" ] && echo none >"/sys/bus/pci/devices/$P0/peer" 2>/dev/null
	ip netns del $NA 2>/dev/null
	ip netns del $NB 2>/dev/null
}
trap cleanup EXIT

# pair IF_A IF_B: IF_A in NA with $NET.1, IF_B in NB with $NET.2, up,
# static neighbours, carrier within 10 s
pair() {
	local n=100 a b mac
	for ns in $NA $NB; do
		ip netns del $ns 2>/dev/null
		ip netns add $ns && ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	done
	mac=$(<"/sys/class/net/$2/address")
	ip link set "$1" netns $NA && ip link set "$2" netns $NB &&
		ip -n $NA addr add $NET.1/24 dev "$1" && ip -n $NB addr add $NET.2/24 dev "$2" &&
		ip -n $NA link set "$1" up && ip -n $NB link set "$2" up &&
		ip -n $NA neigh replace $NET.2 lladdr "$mac" dev "$1" nud permanent || return 1
	while ((n-- > 0)); do
		a=$(ip -n $NA -o link show dev "$1") && b=$(ip -n $NB -o link show dev "$2") || return 1
		[[ $a == *LOWER_UP* && $b == *LOWER_UP* ]] && return 0
		sleep 0.1
	done
	echo "xdp_bench: no carrier: $a / $b" >&2
	return 1
}

# counter IF AWK: the receiver's counter (ethtool -S through AWK)
counter() {
	ip netns exec $NB ethtool -S "$1" | awk "$2"
}

# blast IF AWK: frames per second the counter grew by while udp_blast
# sends for SECS seconds; "null" when not measured
blast() {
	local before after out
	before=$(counter "$1" "$2") || { echo null; return 1; }
	out=$(ip netns exec $NA "$BIN/udp_blast" $NET.2 $PORT "$SECS") || { echo null; return 1; }
	sleep 0.5
	after=$(counter "$1" "$2") || { echo null; return 1; }
	echo "sent ${out% *} in ${out#* } s, received $((after - before))" >&2
	jq -n --argjson n "$((after - before))" --argjson s "${out#* }" '$n / $s'
}

declare -A R=([xdp]=null [stack]=null [veth]=null)
P0=$(basename "$(readlink /sys/class/edu/edu0/device)" 2>/dev/null)
if [ -n "$P0" ] && IF0=$(ls /sys/class/edu/edu0/device/net 2>/dev/null) &&
	IF1=$(ls /sys/class/edu/edu1/device/net 2>/dev/null) &&
	echo 1 >"/sys/bus/pci/devices/$P0/peer" && pair "$IF0" "$IF1"; then
	R[stack]=$(blast "$IF1" '$1 == "rx_packets:" { print $2 }') || warn "edu: no stack figure"
	if ip -n $NB link set "$IF1" xdpdrv obj "$BIN/xdp_drop.bpf.o" sec xdp; then
		R[xdp]=$(blast "$IF1" '$1 == "xdp_drop:" { print $2 }') || warn "edu: no XDP figure"
	else
		warn "edu: cannot attach XDP_DROP"
	fi
else
	warn "edu0 <-> edu1 setup failed"
fi
cleanup
IF0='' IF1='' P0=''
if ip link add xb-va type veth peer name xb-vb && pair xb-va xb-vb &&
	ip -n $NB link set xb-vb xdpdrv obj "$BIN/xdp_drop.bpf.o" sec xdp; then
	R[veth]=$(blast xb-vb '/rx_queue_[0-9]+_xdp_drops:/ { s += $2 } END { print s + 0 }') ||
		warn "veth: no figure"
else
	warn "veth setup failed"
fi

rs=$(ratio "${R[xdp]}" "${R[stack]}")
rv=$(ratio "${R[xdp]}" "${R[veth]}")
echo "| 64-byte UDP, one sender, $SECS s | frames dropped/s | edu XDP_DROP / this |"
echo "|---|---|---|"
echo "| edu1, XDP_DROP | $(fmt %.0f "${R[xdp]}") | 1 |"
echo "| edu1, stack (closed port, baseline) | $(fmt %.0f "${R[stack]}") | $(fmt %.3f "$rs") |"
echo "| veth, native XDP_DROP (baseline) | $(fmt %.0f "${R[veth]}") | $(fmt %.3f "$rv") |"

if [ -n "$JSON" ]; then
	jq -n --argjson secs "$SECS" --argjson x "${R[xdp]}" --argjson s "${R[stack]}" \
		--argjson v "${R[veth]}" --argjson rs "$rs" --argjson rv "$rv" \
		'{benchmark: "xdp", seconds: $secs, tests: [
			{test: "xdp_drop_vs_stack", unit: "packets/s", edu: $x, baseline: $s, ratio: $rs},
			{test: "xdp_drop_vs_veth", unit: "packets/s", edu: $x, baseline: $v, ratio: $rv}]}' \
		>"$JSON" || warn "cannot write $JSON"
fi
ip link del xb-va 2>/dev/null
exit $failed
