#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debugging aids: debugfs (register dump, DMA queue state, the fail_dma,
# force_timeout and fail_probe fault injectors, each probe step failed once
# without leaks), the edu tracepoints and dynamic debug.
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl
DRV=/sys/bus/pci/drivers/edu
DBG=/sys/kernel/debug/edu
TRACING=/sys/kernel/tracing
DDEBUG=/proc/dynamic_debug/control
[ -e $DDEBUG ] || DDEBUG=/sys/kernel/debug/dynamic_debug/control
E0=/sys/class/edu/edu0/device
head -c 100 /dev/urandom >/tmp/edu-100

# Every check function ends a failed test with "fail WHY || return": lib.sh's
# fail returns 1, and a function's status is only its last command's.

# wr FILE VALUE: write "VALUE\n" in one write(2); the shell's complaint
# (with the errno text) lands in /tmp/err.
wr() {
	printf '%s\n' "$2" 2>/tmp/err >"$1"
}

# is FILE VALUE: FILE reads VALUE
is() {
	rd "$1" || return 1
	[ "$REPLY" = "$2" ] || fail "${1#/sys/}: '$REPLY', expected '$2'"
}

# refused FILE VALUE: writing VALUE fails with EINVAL, FILE reads as before
refused() {
	local before
	rd "$1" && before=$REPLY || return 1
	! wr "$1" "$2" || fail "writing '$2' to ${1#/sys/} succeeded" || return
	rd /tmp/err
	[[ $REPLY == *"Invalid argument"* ]] || fail "writing '$2': not EINVAL: $REPLY" || return
	is "$1" "$before"
}

# pci_of DEV: PCI address of eduN in REPLY
pci_of() {
	local l
	l=$(readlink "/sys/class/edu/$1/device") || fail "no $1" || return
	REPLY=${l##*/}
}

# irq_lines: how many edu handlers /proc/interrupts lists, in REPLY
irq_lines() {
	REPLY=$(grep -owE 'edu[0-9]+' /proc/interrupts | wc -l)
}

# queue PCI: the "key N" lines of the device's debugfs queue file into Q
declare -A Q
queue() {
	local k v
	Q=()
	while read -r k v; do
		Q[$k]=$v
	done <"$DBG/$1/queue"
}

# queue_is PCI KEY VALUE...: the queue file says so
queue_is() {
	local pci=$1
	shift
	queue "$pci" || return 1
	while [ $# -ge 2 ]; do
		[ "${Q[$1]-}" = "$2" ] || fail "queue: $1 is '${Q[$1]-}', expected $2 (${Q[*]@K})" || return
		shift 2
	done
}

dd_read() {
	dd if="/dev/$1" of=/dev/null bs=10 count=1 status=none 2>/tmp/err
}

# --- debugfs layout ---

layout() {
	local p
	[ -d $DBG ] || fail "no $DBG" || return
	[ -f $DBG/fail_probe ] || fail "no fail_probe" || return
	for p in "$P0" "$P1"; do
		for f in regs queue fail_dma force_timeout; do
			[ -f "$DBG/$p/$f" ] || fail "no $p/$f" || return
		done
	done
}

# regs: exactly id, liveness, factorial, status, irq_status, "%s = 0x%08x"
regs_lines() {
	local line n=0
	local -a lines
	local -A r
	mapfile -t lines <"$DBG/$P0/regs" || return 1
	printf '%s\n' "${lines[@]}"
	for line in "${lines[@]}"; do
		[[ $line =~ ^([a-z_]+)\ =\ (0x[0-9a-f]{8})$ ]] || fail "bad line '$line'" || return
		r[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
		n=$((n + 1))
	done
	[ $n = 5 ] || fail "$n registers, expected 5" || return
	for line in id liveness factorial status irq_status; do
		[ -n "${r[$line]-}" ] || fail "no $line" || return
	done
	[ "${r[id]}" = 0x010000ed ] || fail "id ${r[id]}"
}

# regs_has NAME VALUE: the dump shows register NAME = VALUE
regs_has() {
	local line
	while IFS= read -r line; do
		[ "$line" = "$1 = $2" ] && return 0
	done <"$DBG/$P0/regs"
	fail "regs lacks '$1 = $2': $(cat "$DBG/$P0/regs")"
}

regs_follow_device() {
	echo 0x12345678 >$E0/liveness && regs_has liveness 0xedcba987 || return
	echo 5 >$E0/factorial && regs_has factorial 0x00000078 || return
	# a refused write leaves the device untouched
	! echo abc 2>/dev/null >$E0/liveness || fail "liveness abc accepted" || return
	regs_has liveness 0xedcba987
}

queue_idle() {
	queue_is "$P0" depth 0 active 0 stalled 0 timeout_ms 1000 fail_dma 0 force_timeout 0 &&
		queue_is "$P1" depth 0 active 0 stalled 0 timeout_ms 1000 fail_dma 0 force_timeout 0
}

queue_timeout_follows_sysfs() {
	echo 250 >$E0/dma_timeout_ms && queue_is "$P0" timeout_ms 250 && queue_is "$P1" timeout_ms 1000 ||
		return
	echo 1000 >$E0/dma_timeout_ms && queue_is "$P0" timeout_ms 1000
}

# --- fault injection ---

fail_dma_next_two() {
	local g=$DBG/$P0 s=$E0/stats errors xfers bytes i
	rd $s/dma_errors && errors=$REPLY && rd $s/dma_xfers_from_dev && xfers=$REPLY &&
		rd $s/dma_bytes_from_dev && bytes=$REPLY || return 1
	echo 2 >"$g/fail_dma" && is "$g/fail_dma" 2 && queue_is "$P0" fail_dma 2 || return
	for i in 1 2; do
		! dd_read edu0 || fail "read $i succeeded" || return
		rd /tmp/err
		[[ $REPLY == *"Input/output error"* ]] || fail "read $i: $REPLY" || return
	done
	dd_read edu0 || fail "third read: $(cat /tmp/err)" || return
	is "$g/fail_dma" 0 && is $s/dma_errors $((errors + 2)) || return
	# the failed transfers never reached the device
	is $s/dma_xfers_from_dev $((xfers + 1)) && is $s/dma_bytes_from_dev $((bytes + 10))
}

# The kernel's fault_attr (CONFIG_FAULT_INJECTION_DEBUG_FS kernels only).
fault_attr_three() {
	local a=$DBG/fail_dma_attr s=$E0/stats errors i
	rd $s/dma_errors && errors=$REPLY || return 1
	echo 0 >$a/verbose && echo 100 >$a/probability && echo 3 >$a/times || return 1
	for i in 1 2 3; do
		! dd_read edu0 || fail "read $i succeeded" || return
	done
	dd_read edu0 || fail "fourth read: $(cat /tmp/err)" || return
	is $s/dma_errors $((errors + 3)) && echo 0 >$a/probability
}

fail_dma_per_device() {
	echo 1 >"$DBG/$P0/fail_dma" || return 1
	dd_read edu1 || fail "edu1 failed: $(cat /tmp/err)" || return
	is "$DBG/$P0/fail_dma" 1 || return
	! dd_read edu0 || fail "edu0 succeeded" || return
	is "$DBG/$P0/fail_dma" 0 && dd_read edu0
}

# The engine's watchdog, not the waiter giving up, fails the transfer:
# only the watchdog counts stats/dma_timeouts (a waiter that gives up
# withdraws its request uncounted), so the ETIMEDOUT comes with exactly
# one more timeout counted. (queue_timeout_follows_sysfs checks that the
# engine uses the device's 100 ms.)
force_timeout_once() {
	local g=$DBG/$P0 before
	echo 100 >$E0/dma_timeout_ms && rd $E0/stats/dma_timeouts && before=$REPLY || return 1
	echo 1 >"$g/force_timeout" && is "$g/force_timeout" 1 || return
	! dd_read edu0 || fail "read succeeded" || return
	rd /tmp/err
	[[ $REPLY == *"Connection timed out"* ]] || fail "not ETIMEDOUT: $REPLY" || return
	is "$g/force_timeout" 0 && is $E0/stats/dma_timeouts $((before + 1)) || return
	# A real transfer takes the device's ~100 ms: at dma_timeout_ms=100
	# the watchdog and the device race, so the engine's recovery is
	# checked with the default timeout back.
	echo 1000 >$E0/dma_timeout_ms || return
	dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none || fail "next write failed" || return
	cmp -n 100 /tmp/edu-100 /dev/edu0 || fail "data read back differs" || return
	queue_is "$P0" depth 0 active 0 stalled 0
}

dir_follows_binding() {
	echo "$P1" >"$DRV/unbind" || return 1
	[ ! -e "$DBG/$P1" ] || fail "$DBG/$P1 remains after unbind" || return
	[ -e "$DBG/$P0/regs" ] || fail "$P0's directory went too" || return
	echo "$P1" >"$DRV/bind" || return 1
	[ -e "$DBG/$P1/regs" ] || fail "$DBG/$P1 not back after bind"
}

# fail_probe_step N: probe of edu1's device fails at step N, without leaks,
# and the next probe works with the same index.
fail_probe_step() {
	local n=$1 d=/sys/bus/pci/devices/$P1 out
	# a failed iteration before may have left the device unbound
	[ -e "$d/driver" ] || echo "$P1" 2>/dev/null >"$DRV/bind"
	echo "$n" >$DBG/fail_probe && is $DBG/fail_probe "$n" || return
	echo "$P1" >"$DRV/unbind" || return 1
	mark "fail_probe $n"
	if echo "$P1" 2>/tmp/err >"$DRV/bind"; then
		fail "bind succeeded with fail_probe=$n" || return
	fi
	since_mark >/tmp/log
	grep -Eq "injected probe failure at step $n\b" /tmp/log ||
		fail "no 'injected probe failure at step $n': $(cat /tmp/log)" || return
	is $DBG/fail_probe 0 || return
	# nothing left of the failed probe
	[ ! -e "$d/driver" ] || fail "bound after a failed probe" || return
	[ ! -e /dev/edu1 ] && [ ! -e /sys/class/edu/edu1 ] || fail "edu1 remains" || return
	[ ! -e "$DBG/$P1" ] || fail "debugfs directory remains" || return
	irq_lines
	[ "$REPLY" = 1 ] || fail "$REPLY edu handlers in /proc/interrupts, 1 device bound" || return
	# the next probe works, with the same index and minor
	echo "$P1" >"$DRV/bind" || fail "second bind failed" || return
	[ -c /dev/edu1 ] && [ ! -e /dev/edu2 ] || fail "nodes: $(echo /dev/edu*)" || return
	pci_of edu1 && [ "$REPLY" = "$P1" ] || fail "edu1 is $REPLY, not $P1" || return
	out=$("$EDUCTL" -d edu1 factorial 5) || return 1
	[[ $out == *120* ]] || fail "factorial 5: $out" || return
	irq_lines
	[ "$REPLY" = 2 ] || fail "$REPLY edu handlers in /proc/interrupts, 2 devices bound"
}

# --- tracing ---

trace_run() {
	local ev
	for ev in edu_irq edu_dma_submit edu_dma_done edu_factorial; do
		[ -d $TRACING/events/edu/$ev ] || fail "no event $ev" || return
	done
	echo 1 >$TRACING/events/edu/enable && echo >$TRACING/trace || return 1
	echo 7 >$E0/factorial && dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none
	local rc=$?
	echo 0 >$TRACING/events/edu/enable
	cat $TRACING/trace >/tmp/edu-trace
	echo >$TRACING/trace
	[ $rc = 0 ] || fail "factorial or DMA failed" || return
	grep ': edu_' /tmp/edu-trace
	is $TRACING/events/edu/enable 0
}

# traced EVENT TEXT: the trace has an EVENT line containing TEXT
traced() {
	grep -F ": $1: " /tmp/edu-trace | grep -qF -- "$2" ||
		fail "no $1 line with '$2' in: $(grep ': edu_' /tmp/edu-trace)"
}

# --- dynamic debug ---

dyndbg_on() {
	echo 'module edu +p' >$DDEBUG || return 1
	mark "dyndbg on"
	dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none || return 1
	since_mark | grep 'DMA to_dev 100 bytes at 0 queued' || fail "no debug line: $(since_mark)"
}

dyndbg_off() {
	echo 'module edu -p' >$DDEBUG || return 1
	mark "dyndbg off"
	dd if=/tmp/edu-100 of=/dev/edu0 bs=100 status=none || return 1
	! since_mark | grep 'DMA to_dev 100 bytes at 0 queued' || fail "debug line while off"
}

probe_steps_logged() {
	edu_unload || return 1
	mark "modprobe edu dyndbg=+p"
	modprobe edu dyndbg=+p || return 1
	since_mark | grep 'probe step' || fail "no 'probe step' line: $(since_mark)"
}

no_probe_steps() {
	edu_unload || return 1
	mark "modprobe edu"
	modprobe edu || return 1
	! since_mark | grep 'probe step' || fail "probe steps logged without dyndbg"
}

modprobe edu
pci_of edu0
P0=$REPLY
pci_of edu1
P1=$REPLY
echo "# edu0 $P0, edu1 $P1"
ok_if "debugfs: edu/fail_probe and edu/<pci>/{regs,queue,fail_dma,force_timeout}" layout
ok_if "regs: id, liveness, factorial, status, irq_status as 'name = 0x%08x'" regs_lines
ok_if "regs: show what sysfs wrote; a refused liveness write reaches nothing" regs_follow_device
ok_if "queue: idle devices: depth 0, active 0, stalled 0, timeout_ms 1000, knobs 0" queue_idle
ok_if "queue: timeout_ms follows the device's dma_timeout_ms" queue_timeout_follows_sysfs
ok_if "fail_dma: 'abc' refused (EINVAL)" refused "$DBG/$P0/fail_dma" abc
ok_if "fail_dma=2: two reads fail with EIO, the third works; dma_errors +2" fail_dma_next_two
ok_if "fail_dma is per device" fail_dma_per_device
if [ -d $DBG/fail_dma_attr ]; then
	ok_if "fail_dma_attr (fault_attr): probability 100, times 3: three reads fail, then work" \
		fault_attr_three
else
	skip "fail_dma_attr (fault_attr)" "no CONFIG_FAULT_INJECTION_DEBUG_FS (stock kernel; make check-debug runs it)"
fi
ok_if "force_timeout=1: ETIMEDOUT by the watchdog (dma_timeouts +1); then data intact" force_timeout_once
ok_if "debugfs directory vanishes on unbind, returns on bind" dir_follows_binding
ok_if "fail_probe: 12 refused (EINVAL)" refused $DBG/fail_probe 12
ok_if "fail_probe: 'abc' refused (EINVAL)" refused $DBG/fail_probe abc
for n in $(seq 11); do
	ok_if "fail_probe=$n: bind fails, nothing leaks, the next bind gets edu1 back" fail_probe_step $n
done
echo 0 >$DBG/fail_probe
ok_if "tracing: edu events on, factorial 7 and a 100-byte DMA on edu0, events off" trace_run
ok_if "trace: edu_factorial edu0 n=7 result=5040 status=0" \
	traced edu_factorial "edu0 n=7 result=5040 status=0"
ok_if "trace: edu_dma_submit edu0 dir=to_dev off=0 len=100" \
	traced edu_dma_submit "edu0 dir=to_dev off=0 len=100"
ok_if "trace: edu_dma_done edu0 dir=to_dev len=100 status=0" \
	traced edu_dma_done "edu0 dir=to_dev len=100 status=0"
ok_if "trace: edu_irq edu0 status=0x00000001 (factorial)" traced edu_irq "edu0 status=0x00000001"
ok_if "trace: edu_irq edu0 status=0x00000100 (DMA)" traced edu_irq "edu0 status=0x00000100"
ok_if "dyndbg: 'module edu +p' logs the DMA request" dyndbg_on
ok_if "dyndbg: 'module edu -p' silences it" dyndbg_off
ok_if "modprobe edu dyndbg=+p: probe steps logged" probe_steps_logged
ok_if "modprobe edu: no probe step logged" no_probe_steps
edu_unload
ok_if "modprobe -r edu removes $DBG" test ! -e $DBG
tap_done
