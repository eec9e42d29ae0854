#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# net_bench.sh - edu's network interface against a veth pair, inside a
# guest (bench/run, after modprobe edu). Two setups, each end in its own
# network namespace with the same addresses: (a) edu0 linked to edu1,
# (b) a veth pair. iperf3 measures, on both, TCP throughput and the rate
# of 64-byte UDP datagrams the server receives while the client sends
# as fast as it can (-u -b 0 -l 64). Prints a markdown table, each edu
# figure beside the veth baseline with the ratio edu/veth, and with
# -j FILE writes the figures as JSON. Frames never leave the guest; the
# namespaces are removed and the edu interfaces put back at the end.
#
# Usage: net_bench.sh [-t SECONDS] [-j FILE]
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

SECS=5 JSON=
while getopts "t:j:" opt; do
	case $opt in
	t) SECS=$OPTARG ;;
	j) JSON=$OPTARG ;;
	*)
		echo "usage: net_bench.sh [-t SECONDS] [-j FILE]" >&2
		exit 2
		;;
	esac
done
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "net_bench: -t wants whole seconds > 0" >&2; exit 2; }

NET=10.78.0
PORT=5201
EA=enb-edu-a EB=enb-edu-b VA=enb-veth-a VB=enb-veth-b
P0='' P1='' LA=peer
failed=0

for t in ip iperf3 jq; do
	if ! command -v $t >/dev/null; then
		echo "(not run: $t is not installed in the guest, see tests/vm/deps.sh)"
		echo "net_bench: $t is not installed in the guest (tests/vm/deps.sh)" >&2
		exit 1
	fi
done
TMP=$(mktemp -d /tmp/net_bench.XXXXXX) || exit 1

warn() {
	echo "net_bench: $*" >&2
	failed=1
}

cleanup() {
	local ns ifc
	jobs -p | xargs -r kill 2>/dev/null
	for ns in $EA $EB; do
		[ -e "/run/netns/$ns" ] || continue
		for ifc in $(ip -n "$ns" -o link show | awk -F': ' '$2 ~ /^edu[0-9]+$/ { print $2 }'); do
			ip -n "$ns" link set "$ifc" netns 1
		done
	done
	[ -n "$P0" ] && echo none >"/sys/bus/pci/devices/$P0/$LA" 2>/dev/null
	for ns in $EA $EB $VA $VB; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# ns_add NS: a fresh namespace, IPv6 off for the interfaces moved in
ns_add() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || return 1
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1
	ip -n "$1" link set lo up
}

# ends NS_A IF_A NS_B IF_B: IF_A to NS_A with $NET.1, IF_B to NS_B with
# $NET.2, both up, then wait (10 s at most) for carrier on both
ends() {
	local n=100 a b
	ip link set "$2" netns "$1" && ip link set "$4" netns "$3" &&
		ip -n "$1" addr add $NET.1/24 dev "$2" && ip -n "$3" addr add $NET.2/24 dev "$4" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up || return 1
	while ((n-- > 0)); do
		a=$(ip -n "$1" -o link show dev "$2") && b=$(ip -n "$3" -o link show dev "$4") || return 1
		[[ $a == *LOWER_UP* && $b == *LOWER_UP* ]] && return 0
		sleep 0.1
	done
	echo "net_bench: no carrier: $a / $b" >&2
	return 1
}

setup_edu() {
	local if0 if1
	P0=$(basename "$(readlink /sys/class/edu/edu0/device)" 2>/dev/null)
	P1=$(basename "$(readlink /sys/class/edu/edu1/device)" 2>/dev/null)
	[ -n "$P0" ] && [ -n "$P1" ] || { echo "net_bench: no edu0 and edu1" >&2; return 1; }
	if0=$(ls "/sys/bus/pci/devices/$P0/net" 2>/dev/null)
	if1=$(ls "/sys/bus/pci/devices/$P1/net" 2>/dev/null)
	[ -n "$if0" ] && [ -n "$if1" ] || { echo "net_bench: edu0 or edu1 has no interface" >&2; return 1; }
	# the attribute linking interfaces: "peer" ("link" in an earlier spec)
	[ ! -f "/sys/bus/pci/devices/$P0/peer" ] && [ -f "/sys/bus/pci/devices/$P0/link" ] && LA="link"
	echo 1 >"/sys/bus/pci/devices/$P0/$LA" || return 1
	ns_add $EA && ns_add $EB && ends $EA "$if0" $EB "$if1"
}

setup_veth() {
	ns_add $VA && ns_add $VB || return 1
	ip link add enb-va type veth peer name enb-vb || return 1
	ends $VA enb-va $VB enb-vb
}

# run SERVER_NS CLIENT_NS NAME IPERF3_ARGS...: one iperf3 test, client in
# CLIENT_NS, one-off server in SERVER_NS; the client's JSON in $TMP/NAME.json
run() {
	local sns=$1 cns=$2 name=$3 spid n=100 rc out
	shift 3
	ip netns exec "$sns" iperf3 -s -1 -B $NET.2 -p $PORT >"$TMP/$name.server" 2>&1 &
	spid=$!
	while :; do
		out=$(ip netns exec "$sns" ss -Hltn "sport = :$PORT" 2>/dev/null)
		[ -n "$out" ] && break
		if ((n-- <= 0)) || ! kill -0 $spid 2>/dev/null; then
			echo "net_bench: $name: no iperf3 server: $(cat "$TMP/$name.server")" >&2
			kill $spid 2>/dev/null
			return 1
		fi
		sleep 0.1
	done
	timeout $((SECS + 60)) ip netns exec "$cns" iperf3 -c $NET.2 -p $PORT -t "$SECS" -J "$@" \
		>"$TMP/$name.json" 2>"$TMP/$name.err"
	rc=$?
	n=100
	while kill -0 $spid 2>/dev/null && ((n-- > 0)); do
		sleep 0.1
	done
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	if [ $rc != 0 ]; then
		echo "net_bench: $name: iperf3 rc $rc: $(jq -r '.error // empty' "$TMP/$name.json" 2>/dev/null)" \
			"$(cat "$TMP/$name.err")" >&2
		return 1
	fi
}

# tcp_mbps NAME: received Mbit/s of a TCP run
tcp_mbps() {
	jq -e '.end.sum_received.bits_per_second / 1e6' "$TMP/$1.json"
}

# udp_rx_pps NAME: datagrams received per second of a UDP run (-l 64)
udp_rx_pps() {
	jq -e --argjson t "$SECS" '.end as $e | ($e.sum_received // $e.sum) as $r
		| (if $r.packets != null and $r.lost_packets != null
		   then $r.packets - $r.lost_packets else $r.bytes / 64 end) as $n
		| (if ($r.seconds // 0) > 0 then $r.seconds
		   elif ($e.sum_sent.seconds // 0) > 0 then $e.sum_sent.seconds else $t end) as $s
		| $n / $s' "$TMP/$1.json"
}

# udp_tx_pps NAME: datagrams sent per second of a UDP run
udp_tx_pps() {
	jq -e --argjson t "$SECS" '.end.sum_sent as $r
		| $r.packets / (if ($r.seconds // 0) > 0 then $r.seconds else $t end)' "$TMP/$1.json"
}

# measure SETUP SERVER_NS CLIENT_NS: the figures of SETUP (edu, veth) in
# R[SETUP.tcp], R[SETUP.udp], R[SETUP.udp_tx] ("null" when not measured)
declare -A R
measure() {
	local s=$1 v
	R[$s.tcp]=null R[$s.udp]=null R[$s.udp_tx]=null
	if run "$2" "$3" "$s-tcp" && v=$(tcp_mbps "$s-tcp"); then
		R[$s.tcp]=$v
	else
		warn "$s: no TCP figure"
	fi
	if run "$2" "$3" "$s-udp" -u -b 0 -l 64 && v=$(udp_rx_pps "$s-udp"); then
		R[$s.udp]=$v
		v=$(udp_tx_pps "$s-udp") && R[$s.udp_tx]=$v
	else
		warn "$s: no UDP figure"
	fi
}

if setup_edu; then
	measure edu $EB $EA
else
	warn "edu0 <-> edu1 setup failed"
	R[edu.tcp]=null R[edu.udp]=null R[edu.udp_tx]=null
fi
if setup_veth; then
	measure veth $VB $VA
else
	warn "veth setup failed"
	R[veth.tcp]=null R[veth.udp]=null R[veth.udp_tx]=null
fi

tcp_r=$(ratio "${R[edu.tcp]}" "${R[veth.tcp]}")
udp_r=$(ratio "${R[edu.udp]}" "${R[veth.udp]}")
echo "| iperf3, $SECS s per run | edu0 <-> edu1 | veth pair (baseline) | edu / veth |"
echo "|---|---|---|---|"
echo "| TCP throughput, Mbit/s | $(fmt %.1f "${R[edu.tcp]}") | $(fmt %.1f "${R[veth.tcp]}") |" \
	"$(fmt %.4f "$tcp_r") |"
echo "| UDP 64-byte datagrams received/s (-b 0) | $(fmt %.0f "${R[edu.udp]}") |" \
	"$(fmt %.0f "${R[veth.udp]}") | $(fmt %.4f "$udp_r") |"

if [ -n "$JSON" ]; then
	jq -n --argjson secs "$SECS" \
		--argjson et "${R[edu.tcp]}" --argjson vt "${R[veth.tcp]}" --argjson rt "$tcp_r" \
		--argjson eu "${R[edu.udp]}" --argjson vu "${R[veth.udp]}" --argjson ru "$udp_r" \
		--argjson eus "${R[edu.udp_tx]}" --argjson vus "${R[veth.udp_tx]}" \
		'{benchmark: "net", seconds: $secs, tests: [
			{test: "tcp_throughput", unit: "Mbit/s", edu: $et, veth: $vt, ratio: $rt},
			{test: "udp64_received_rate", unit: "packets/s", edu: $eu, veth: $vu, ratio: $ru,
			 edu_sent: $eus, veth_sent: $vus}]}' >"$JSON" || warn "cannot write $JSON"
fi
exit $failed
