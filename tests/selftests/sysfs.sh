#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The driver's files outside /dev: the PCI device's sysfs attributes
# (identity, liveness, factorial, dma_timeout_ms, stats/), that they follow
# binding and are all documented, the module parameters (dma_timeouts_ms,
# irq_mode, the dma_timeout_ms default) and the /proc/driver/edu table,
# read while a device is unbound and bound again and again.
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl
ABI=$TOP/Documentation/ABI/testing/sysfs-driver-edu
DRV=/sys/bus/pci/drivers/edu
PARAMS=/sys/module/edu/parameters
PROC=/proc/driver/edu
# The attributes by class device: the same files as $DRV/<pci address>/.
E0=/sys/class/edu/edu0/device
E1=/sys/class/edu/edu1/device
ATTRS="hw_id hw_version irq_mode irq_count liveness factorial dma_timeout_ms"
STATS="irqs irqs_spurious factorials timeouts dma_bytes_to_dev dma_bytes_from_dev
	dma_xfers_to_dev dma_xfers_from_dev dma_errors dma_timeouts dma_queue_hwm"
head -c 100 /dev/urandom >/tmp/edu-100

# Every check function ends a failed test with "fail WHY || return": lib.sh's
# fail returns 1, and a function's status is only its last command's.

# wr FILE VALUE: write "VALUE\n" in one write(2), as "echo VALUE > FILE";
# the shell's complaint (with the errno text) lands in /tmp/err.
wr() {
	printf '%s\n' "$2" 2>/tmp/err >"$1"
}

# is FILE VALUE: FILE reads VALUE
is() {
	rd "$1" || return 1
	[ "$REPLY" = "$2" ] || fail "${1#/sys/}: '$REPLY', expected '$2'"
}

# sets FILE VALUE EXPECTED: writing VALUE works and FILE then reads EXPECTED
sets() {
	if ! wr "$1" "$2"; then
		rd /tmp/err
		fail "writing '$2' to ${1#/sys/}: $REPLY" || return
	fi
	is "$1" "$3"
}

# refused FILE VALUE ERRNO_TEXT...: writing VALUE fails with one of the
# errno texts and FILE reads as before
refused() {
	local f=$1 v=$2 before e ok=
	shift 2
	rd "$f" || return 1
	before=$REPLY
	! wr "$f" "$v" || fail "writing '$v' to ${f#/sys/} succeeded" || return
	rd /tmp/err
	for e; do
		[[ $REPLY == *"$e"* ]] && ok=1
	done
	[ -n "$ok" ] || fail "writing '$v': expected '$*', got: $REPLY" || return
	is "$f" "$before"
}

# load ARGS...: (re)load the module with these parameters
load() {
	edu_unload && modprobe edu "$@"
}

# refused_at_load ARGS...: modprobe edu ARGS fails and leaves nothing loaded
refused_at_load() {
	edu_unload || return 1
	if modprobe edu "$@" 2>/tmp/err; then
		fail "modprobe edu $* succeeded" || return
	fi
	cat /tmp/err
	[ ! -e /sys/module/edu ] || fail "module stayed loaded"
}

# both ATTR VALUE: edu0's and edu1's ATTR read VALUE
both() {
	is "$E0/$1" "$2" && is "$E1/$1" "$2"
}

# timeouts_are MS0 MS1: edu0's and edu1's dma_timeout_ms
timeouts_are() {
	is "$E0/dma_timeout_ms" "$1" && is "$E1/dma_timeout_ms" "$2"
}

# --- module parameters at load time ---

modinfo_params() {
	local p out
	out=$(modinfo -p edu) || return 1
	printf '%s\n' "$out"
	for p in dma_bits irq_mode buf_size dma_timeout_ms dma_timeouts_ms; do
		grep -Eq "^$p:.{10,}" <<<"$out" || fail "no description for $p" || return
	done
}

timeouts_param() {
	load "dma_timeouts_ms=$1" || return 1
	is "$PARAMS/dma_timeouts_ms" "$1" && timeouts_are "$2" "$3"
}

timeout_default_and_array() {
	load dma_timeout_ms=2000 dma_timeouts_ms=500 || return 1
	timeouts_are 500 2000
}

param_modes() {
	local want="dma_bits 444 irq_mode 644 buf_size 444 dma_timeout_ms 644 dma_timeouts_ms 444"
	local got
	got=$(cd "$PARAMS" && stat -c '%n %a' dma_bits irq_mode buf_size dma_timeout_ms dma_timeouts_ms) ||
		return 1
	got=${got//$'\n'/ }
	[ "$got" = "$want" ] || fail "modes: $got; expected $want"
}

intx_mode() {
	local before
	load irq_mode=intx || return 1
	is "$E0/irq_mode" intx && is "$E1/irq_mode" intx || return
	rd "$E0/irq_count" && before=$REPLY || return
	"$EDUCTL" -d edu0 irq raise || return 1
	rd "$E0/irq_count" || return 1
	[ "$REPLY" -gt "$before" ] || fail "irq_count stayed $before with INTx"
}

# --- attributes ---

read_only() {
	local a modes
	modes=$(cd "$E0" && stat -c '%n %a' hw_id hw_version irq_mode irq_count) || return 1
	modes=${modes//$'\n'/ }
	[ "$modes" = "hw_id 444 hw_version 444 irq_mode 444 irq_count 444" ] ||
		fail "modes: $modes" || return
	for a in hw_id hw_version irq_mode irq_count; do
		refused "$E0/$a" 1 "Permission denied" "Input/output error" || return
	done
}

other_modes() {
	local modes s want="liveness 644 factorial 644 dma_timeout_ms 644 stats/reset 200"
	local -a files=(liveness factorial dma_timeout_ms stats/reset)
	for s in $STATS; do
		want+=" stats/$s 444"
		files+=("stats/$s")
	done
	modes=$(cd "$E0" && stat -c '%n %a' "${files[@]}") || return 1
	modes=${modes//$'\n'/ }
	[ "$modes" = "$want" ] || fail "modes: $modes; expected $want"
}

irq_count_on_raise() {
	local b0 b1
	rd "$E0/irq_count" && b0=$REPLY && rd "$E1/irq_count" && b1=$REPLY || return 1
	"$EDUCTL" -d edu0 irq raise || return 1
	is "$E0/irq_count" $((b0 + 1)) && is "$E1/irq_count" "$b1"
}

irq_count_on_dma() {
	local b0
	rd "$E0/irq_count" && b0=$REPLY || return 1
	dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none || return 1
	is "$E0/irq_count" $((b0 + 1))
}

liveness_values() {
	sets "$E0/liveness" 0x12345678 0xedcba987 &&
		sets "$E0/liveness" 0 0xffffffff &&
		sets "$E0/liveness" 305419896 0xedcba987 &&
		sets "$E0/liveness" 0xffffffff 0x00000000 &&
		sets "$E0/liveness" 0 0xffffffff &&
		sets "$E0/liveness" 4294967295 0x00000000 &&
		sets "$E0/liveness" 0xdeadbeef 0x21524110 &&
		is "$E1/liveness" 0x00000000
}

factorial_values() {
	sets "$E0/factorial" 10 3628800 &&
		sets "$E0/factorial" 13 1932053504 &&
		sets "$E0/factorial" 0 1 &&
		sets "$E0/factorial" 34 0 &&
		sets "$E0/factorial" 100000000 0 &&
		sets "$E0/factorial" 12 479001600 &&
		is "$E1/factorial" 0
}

dma_timeout_values() {
	sets "$E0/dma_timeout_ms" 10 10 &&
		sets "$E0/dma_timeout_ms" 60000 60000 &&
		sets "$E0/dma_timeout_ms" 500 500 &&
		is "$E1/dma_timeout_ms" 1000
}

# Devices probed after a change of the module parameter start from it;
# those already bound keep their own value.
param_default_for_later_probes() {
	local p1
	p1=$(basename "$(readlink "$E1")") || return 1
	echo 2000 >"$PARAMS/dma_timeout_ms" || return 1
	timeouts_are 500 1000 || return
	echo "$p1" >"$DRV/unbind" && echo "$p1" >"$DRV/bind" || return 1
	timeouts_are 500 2000 || return
	echo 1000 >"$PARAMS/dma_timeout_ms" && echo 1000 >"$E0/dma_timeout_ms" &&
		echo 1000 >"$E1/dma_timeout_ms"
}

# --- stats/ ---

# stats_of DEV: every counter of DEV as "name=value ..." in REPLY
stats_of() {
	local s out=
	for s in $STATS; do
		rd "/sys/class/edu/$1/device/stats/$s" || return 1
		out+="$s=$REPLY "
	done
	REPLY=$out
}

stats_decimal() {
	local s dev
	for dev in edu0 edu1; do
		for s in $STATS; do
			rd "/sys/class/edu/$dev/device/stats/$s" || return 1
			[[ $REPLY =~ ^[0-9]+$ ]] || fail "$dev stats/$s: '$REPLY'" || return
		done
	done
}

reset_refused() {
	local before
	stats_of edu0 && before=$REPLY || return 1
	[[ $before != "irqs=0 "* ]] || fail "edu0 has no interrupts counted before the test" || return
	! wr "$E0/stats/reset" "$1" || fail "reset '$1' accepted" || return
	rd /tmp/err
	[[ $REPLY == *"Invalid argument"* ]] || fail "not EINVAL: $REPLY" || return
	stats_of edu0 || return 1
	[ "$REPLY" = "$before" ] || fail "counters changed: $before -> $REPLY"
}

reset_zeroes() {
	local s want="" b1 i1
	rd "$E1/stats/irqs" && i1=$REPLY || return 1
	echo 3 >"$E1/factorial" || return 1
	# The device clears its busy bit before it raises the interrupt: the
	# write can return before the interrupt is counted.
	wait_for 50 reads "$E1/stats/irqs" $((i1 + 1)) ||
		fail "edu1: irqs $(<"$E1/stats/irqs") after a factorial, expected $((i1 + 1))" || return
	stats_of edu1 && b1=$REPLY || return 1
	echo 1 >"$E0/stats/reset" || return 1
	for s in $STATS; do
		want+="$s=0 "
	done
	stats_of edu0 || return 1
	[ "$REPLY" = "$want" ] || fail "after reset: $REPLY" || return
	is "$E0/irq_count" 0 || return
	stats_of edu1 || return 1
	[ "$REPLY" = "$b1" ] || fail "edu1's counters changed: $b1 -> $REPLY"
}

dma_to_dev_counted() {
	local x b c1
	rd "$E0/stats/dma_xfers_to_dev" && x=$REPLY && rd "$E0/stats/dma_bytes_to_dev" && b=$REPLY &&
		rd "$E1/stats/dma_xfers_to_dev" && c1=$REPLY || return 1
	dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none || return 1
	is "$E0/stats/dma_xfers_to_dev" $((x + 1)) && is "$E0/stats/dma_bytes_to_dev" $((b + 100)) &&
		is "$E1/stats/dma_xfers_to_dev" "$c1" || return
	rd "$E0/stats/dma_queue_hwm" && [ "$REPLY" -ge 1 ] || fail "dma_queue_hwm $REPLY after a transfer"
}

dma_from_dev_counted() {
	local x b
	rd "$E0/stats/dma_xfers_from_dev" && x=$REPLY && rd "$E0/stats/dma_bytes_from_dev" && b=$REPLY ||
		return 1
	dd if=/dev/edu0 of=/dev/null bs=50 count=1 status=none || return 1
	is "$E0/stats/dma_xfers_from_dev" $((x + 1)) && is "$E0/stats/dma_bytes_from_dev" $((b + 50))
}

factorials_counted() {
	echo 1 >"$E0/stats/reset" || return 1
	echo 3 >"$E0/factorial" && echo 4 >"$E0/factorial" && echo 5 >"$E0/factorial" || return 1
	! echo 100000001 2>/dev/null >"$E0/factorial" || fail "100000001 accepted" || return
	is "$E0/stats/factorials" 3 && is "$E0/factorial" 120
}

# --- binding and documentation ---

# The driver's entries in its PCI device's directory are those there while
# bound and not while unbound; they go to /tmp/edu-entries.
attrs_follow_binding() {
	local p1 d a
	local -a bound unbound
	local -A gone
	p1=$(basename "$(readlink "$E1")") || return 1
	d=/sys/bus/pci/devices/$p1
	bound=("$d"/*)
	echo "$p1" >"$DRV/unbind" || return 1
	for a in $ATTRS stats; do
		[ ! -e "$d/$a" ] || fail "$a remains after unbind" || return
	done
	unbound=("$d"/*)
	echo "$p1" >"$DRV/bind" || return 1
	for a in $ATTRS $(printf 'stats/%s ' $STATS) stats/reset; do
		[ -e "$d/$a" ] || fail "$a missing after bind" || return
	done
	is "$d/hw_id" 0x010000ed && sets "$d/liveness" 1 0xfffffffe || return
	for a in "${bound[@]}"; do
		gone[${a##*/}]=1
	done
	for a in "${unbound[@]}"; do
		unset "gone[${a##*/}]"
	done
	printf '%s\n' "${!gone[@]}" >/tmp/edu-entries
	echo "driver's entries: ${!gone[*]}"
}

# Each of the driver's entries has a "What:" in the ABI file (the PCI
# core's driver link, msi_irqs and the class directories edu/ and net/ aside), and
# each stats/ file is named in it.
attrs_documented() {
	local a
	[ -s /tmp/edu-entries ] || fail "no list of the driver's entries (previous test)" || return
	for a in $ATTRS stats; do
		grep -qx "$a" /tmp/edu-entries || fail "$a is not one of the driver's entries" || return
	done
	while read -r a; do
		case $a in
		driver | msi_irqs | edu | net) continue ;;
		esac
		grep -Eq "^What:[[:space:]]+/sys/bus/pci/drivers/edu/<pci address>/$a/?\$" "$ABI" ||
			fail "$a: no What: line in ${ABI#"$TOP"/}" || return
	done </tmp/edu-entries
	for a in $STATS reset; do
		grep -qw "$a" "$ABI" || fail "stats/$a not described in ${ABI#"$TOP"/}" || return
	done
}

# --- /proc/driver/edu ---

# proc_table MIN MAX: the table reads; a header, then MIN..MAX lines, each
# "index pci-address ..." with as many fields as the header, indices
# ascending. Lines in PROC_LINES, header fields in PROC_HDR.
proc_table() {
	local min=$1 max=$2 i last=-1 w
	local -a f
	mapfile -t PROC_LINES <"$PROC" || fail "reading $PROC failed" || return
	read -ra PROC_HDR <<<"${PROC_LINES[0]}"
	[ "${PROC_HDR[0]}" = index ] || fail "header: '${PROC_LINES[0]}'" || return
	for w in pci irq_mode irqs factorials dma_xfers; do
		[[ " ${PROC_HDR[*]} " == *" $w "* ]] || fail "header lacks $w: '${PROC_LINES[0]}'" || return
	done
	((${#PROC_LINES[@]} - 1 >= min && ${#PROC_LINES[@]} - 1 <= max)) ||
		fail "$((${#PROC_LINES[@]} - 1)) devices, expected $min..$max:" \
			"$(printf '\n%s' "${PROC_LINES[@]}")" || return
	for ((i = 1; i < ${#PROC_LINES[@]}; i++)); do
		read -ra f <<<"${PROC_LINES[i]}"
		[[ ${PROC_LINES[i]} =~ ^[0-9]+[[:space:]]+[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7][[:space:]] ]] &&
			((${#f[@]} == ${#PROC_HDR[@]} && f[0] > last)) ||
			fail "bad line $i: '${PROC_LINES[i]}'$(printf '\n%s' "${PROC_LINES[@]}")" || return
		last=${f[0]}
	done
}

# proc_field LINE NAME: the column NAME of table line LINE in REPLY
proc_field() {
	local i
	local -a f
	read -ra f <<<"${PROC_LINES[$1]}"
	for ((i = 0; i < ${#PROC_HDR[@]}; i++)); do
		[ "${PROC_HDR[i]}" = "$2" ] && REPLY=${f[i]} && return 0
	done
	fail "no column $2"
}

proc_lists_devices() {
	local i dev pci
	proc_table 2 2 || return
	printf '%s\n' "${PROC_LINES[@]}"
	for i in 1 2; do
		dev=/sys/class/edu/edu$((i - 1))/device
		pci=$(basename "$(readlink "$dev")")
		[[ ${PROC_LINES[i]} =~ ^$((i - 1))[[:space:]]+${pci}[[:space:]] ]] ||
			fail "line $i: '${PROC_LINES[i]}', expected index $((i - 1)), $pci" || return
		proc_field "$i" irq_mode && [ "$REPLY" = msi ] || fail "irq_mode column: '$REPLY'" || return
		proc_field "$i" factorials && is "$dev/stats/factorials" "$REPLY" || return
		proc_field "$i" irqs && is "$dev/stats/irqs" "$REPLY" || return
	done
}

proc_follows_binding() {
	local p1
	p1=$(basename "$(readlink "$E1")") || return 1
	echo "$p1" >"$DRV/unbind" || return 1
	proc_table 1 1 || return
	[[ ${PROC_LINES[1]} =~ ^0[[:space:]] ]] || fail "left: '${PROC_LINES[1]}'" || return
	echo "$p1" >"$DRV/bind" || return 1
	proc_table 2 2
}

# /proc/driver/edu read over and over (at least 200 times, and for as long
# as the loop runs) while edu1 is unbound and bound 20 times.
proc_vs_rebind() {
	local p1 n=0 pid
	p1=$(basename "$(readlink "$E1")") || return 1
	rm -f /tmp/edu-rebind-done
	(
		for ((i = 0; i < 20; i++)); do
			echo "$p1" >"$DRV/unbind" && echo "$p1" >"$DRV/bind" || exit 1
		done
		: >/tmp/edu-rebind-done
	) &
	pid=$!
	SECONDS=0
	while ((n < 200)) || [ ! -e /tmp/edu-rebind-done ]; do
		if ! proc_table 1 2; then
			wait "$pid"
			fail "read $n failed" || return
		fi
		n=$((n + 1))
		if ((SECONDS > 120 * EDU_TIME_SCALE)); then
			kill "$pid"
			wait "$pid"
			fail "20 unbind/bind cycles still running after $SECONDS s" || return
		fi
	done
	wait "$pid" || fail "unbind/bind loop failed" || return
	echo "$n reads in ${SECONDS}s"
	proc_table 2 2
}

# --- module parameters at load ---
ok_if "modinfo -p: every parameter described" modinfo_params
ok_if "dma_timeouts_ms with 9 elements refused at load" \
	refused_at_load dma_timeouts_ms=100,200,300,400,500,600,700,800,900
ok_if "dma_timeouts_ms=5 (below 10) refused at load" refused_at_load dma_timeouts_ms=5
ok_if "dma_timeouts_ms=500,70000 (above 60000) refused at load" \
	refused_at_load dma_timeouts_ms=500,70000
ok_if "dma_timeouts_ms=500: edu0 500, edu1 the default 1000" timeouts_param 500 500 1000
ok_if "dma_timeouts_ms=500,700: edu0 500, edu1 700" timeouts_param 500,700 500 700
ok_if "dma_timeouts_ms with 8 elements accepted" \
	timeouts_param 100,200,300,400,500,600,700,800 100 200
ok_if "dma_timeout_ms=2000 dma_timeouts_ms=500: edu0 500, edu1 2000" timeout_default_and_array
ok_if "parameter modes: dma_bits, buf_size, dma_timeouts_ms 0444; irq_mode, dma_timeout_ms 0644" \
	param_modes
ok_if "irq_mode=intx: irq_mode attributes say intx, irq_count counts" intx_mode

# --- attributes (default parameters) ---
load
ok_if "hw_id is 0x010000ed" both hw_id 0x010000ed
ok_if "hw_version is 1.0" both hw_version 1.0
ok_if "irq_mode is msi" both irq_mode msi
ok_if "before any write: liveness reads 0x00000000" both liveness 0x00000000
ok_if "before any write: factorial reads 0" both factorial 0
ok_if "dma_timeout_ms defaults to 1000" timeouts_are 1000 1000
ok_if "hw_id, hw_version, irq_mode, irq_count: mode 0444, writes refused" read_only
ok_if "liveness, factorial, dma_timeout_ms 0644; stats/ counters 0444, stats/reset 0200" other_modes
ok_if "irq_count: +1 on edu0 after eductl irq raise, edu1 unchanged" irq_count_on_raise
ok_if "irq_count: +1 after a DMA transfer" irq_count_on_dma
ok_if "liveness: hex and decimal values answered with their NOT, per device" liveness_values
sets "$E0/liveness" 0x12345678 0xedcba987 >/dev/null 2>&1
for v in abc "" 0x -1 1x 0x1g; do
	ok_if "liveness: '$v' refused (EINVAL), value kept" refused "$E0/liveness" "$v" "Invalid argument"
done
for v in 4294967296 0x100000000; do
	ok_if "liveness: $v refused (ERANGE/EINVAL), value kept" \
		refused "$E0/liveness" $v "Numerical result out of range" "Invalid argument"
done
ok_if "factorial: 10, 13, 0, 34, 100000000, 12 give n! mod 2^32" factorial_values
for v in abc "" -1 100000001 7x; do
	ok_if "factorial: '$v' refused (EINVAL), result kept" \
		refused "$E0/factorial" "$v" "Invalid argument"
done
ok_if "factorial: 4294967296 refused (ERANGE/EINVAL), result kept" \
	refused "$E0/factorial" 4294967296 "Numerical result out of range" "Invalid argument"
ok_if "dma_timeout_ms: 10, 60000, 500 accepted on edu0, edu1 keeps 1000" dma_timeout_values
for v in 9 60001 abc "" -5 99999999999999999999 0; do
	ok_if "dma_timeout_ms: '$v' refused (EINVAL), value kept" \
		refused "$E0/dma_timeout_ms" "$v" "Invalid argument"
done
ok_if "dma_timeout_ms parameter: the default for devices probed later only" \
	param_default_for_later_probes

# --- stats/ ---
ok_if "stats/: every counter present and decimal on both devices" stats_decimal
for v in 0 2 abc; do
	ok_if "stats/reset: '$v' refused (EINVAL), counters kept" reset_refused $v
done
ok_if "stats/reset: 1 zeroes every counter and irq_count of edu0 only" reset_zeroes
ok_if "100-byte write: dma_xfers_to_dev +1, dma_bytes_to_dev +100 (edu0 only)" dma_to_dev_counted
ok_if "50-byte read: dma_xfers_from_dev +1, dma_bytes_from_dev +50" dma_from_dev_counted
ok_if "stats/factorials counts factorial writes, not refused ones" factorials_counted

# --- binding, documentation ---
ok_if "attributes vanish on unbind and come back on bind" attrs_follow_binding
ok_if "every attribute is documented in Documentation/ABI/testing/sysfs-driver-edu" \
	attrs_documented

# --- /proc/driver/edu ---
ok_if "/proc/driver/edu: header, one line per device by index, columns match sysfs" \
	proc_lists_devices
ok_if "/proc/driver/edu: 1 line with edu1 unbound, 2 after bind" proc_follows_binding
ok_if "/proc/driver/edu: 200+ reads while edu1 is unbound/bound 20 times" proc_vs_rebind
edu_unload
ok_if "/proc/driver/edu gone after modprobe -r edu" test ! -e $PROC
tap_done
