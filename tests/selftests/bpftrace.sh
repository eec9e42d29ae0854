#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The driver's tracepoints with bpftrace (Debian's bpftrace; the kernel's
# BTF, or its headers in /lib/modules/KVER/build on a kernel without,
# as the sanitizer lane's): a one-liner counts edu:edu_dma_done and
# edu:edu_irq by device index while the test moves a known amount of
# data through /dev/edu0 and /dev/edu1; the counts must equal the
# driver's own sysfs stats/. Then the DMA latency histogram of
# Documentation/edu.rst runs. Prints how long bpftrace takes to attach
# (slow under TCG).
. "$(dirname "$0")/lib.sh"
T=/tmp/edu-bpftrace
START=$SECONDS
COUNT='tracepoint:edu:edu_dma_done { @dma[args->index] = count(); }
tracepoint:edu:edu_irq { @irq[args->index] = count(); }'
LAT='tracepoint:edu:edu_dma_submit { @start[args->index] = nsecs; }
tracepoint:edu:edu_dma_done /@start[args->index]/ {
	@usecs[args->index] = hist((nsecs - @start[args->index]) / 1000);
	delete(@start[args->index]);
}'

# attached_or_gone: bpftrace said it attaches, or has exited (an error)
attached_or_gone() {
	grep -q "^Attaching" "$T-out" || ! kill -0 "$BT"
}

# trace PROG: bpftrace PROG in the background (pid in BT), attached;
# prints how long attaching took.
trace() {
	local t0=$SECONDS
	bpftrace -e "$1" >"$T-out" 2>&1 &
	BT=$!
	wait_for 600 attached_or_gone
	grep -q "^Attaching" "$T-out" || { kill -INT "$BT"; fail "not attached: $(<"$T-out")"; }
	# "Attaching N probes..." comes just before the probes are live.
	sleep 1
	echo "bpftrace attached in $((SECONDS - t0)) s" >>"$T-times"
}

# untrace: stop bpftrace; its maps are printed into $T-out
untrace() {
	kill -INT "$BT"
	wait "$BT"
}

# stats N: eduN's "dma_xfers irqs" from sysfs stats/ in REPLY
stats() {
	local s=/sys/class/edu/edu$1/device/stats to from irqs
	read -r to <"$s/dma_xfers_to_dev" && read -r from <"$s/dma_xfers_from_dev" &&
		read -r irqs <"$s/irqs" || fail "cannot read $s"
	REPLY="$((to + from)) $irqs"
}

# map NAME N: bpftrace's @NAME[N] in REPLY (0 when absent)
map() {
	REPLY=$(awk -v k="@$1[$2]:" '$1 == k { print $2 }' "$T-out")
	REPLY=${REPLY:-0}
}

counts_match() {
	local n before after d want got
	declare -A b
	for n in 0 1; do
		stats $n
		b[$n]=$REPLY
	done
	# One bpftrace for both one-liners: attaching takes long under TCG.
	trace "$COUNT
$LAT"
	# 3 writes and 2 reads of 1000 bytes on edu0, 1 write on edu1
	dd if=/dev/urandom of=/dev/edu0 bs=1000 count=3 status=none || fail "writing /dev/edu0"
	dd if=/dev/edu0 of=/dev/null bs=1000 count=2 status=none || fail "reading /dev/edu0"
	dd if=/dev/zero of=/dev/edu1 bs=1000 count=1 status=none || fail "writing /dev/edu1"
	untrace
	for n in 0 1; do
		stats $n
		after=$REPLY
		before=${b[$n]}
		map dma $n
		got="$REPLY"
		map irq $n
		got="$got $REPLY"
		want="$((${after% *} - ${before% *})) $((${after#* } - ${before#* }))"
		echo "edu$n: bpftrace dma irq: $got, stats/: $want"
		[ "$got" = "$want" ] || fail "edu$n: bpftrace counted '$got', the driver '$want': $(<"$T-out")"
		[ "${got% *}" -gt 0 ] || fail "edu$n: no DMA seen"
	done
}

# The histogram of the same run (counts_match's transfers)
latency_hist() {
	grep -q '^@usecs\[0\]:' "$T-out" || fail "no histogram: $(<"$T-out")"
	grep -A3 '^@usecs\[0\]:' "$T-out"
}

rm -f "$T"-*
edu_unload
modprobe edu
if ! command -v bpftrace >/dev/null; then
	skip "bpftrace tests" "bpftrace not installed (tests/vm/deps.sh)"
	tap_done
fi
ok_if "bpftrace: edu_dma_done and edu_irq counts by device = sysfs stats/ (edu0, edu1)" counts_match
ok_if "bpftrace: the DMA latency histogram one-liner" latency_hist
sed 's/^/# /' "$T-times" 2>/dev/null
rm -f "$T"-*
echo "# bpftrace.sh: $((SECONDS - START)) s"
tap_done
