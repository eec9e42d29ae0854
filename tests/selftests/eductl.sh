#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# eductl against the real driver: every command in text and JSON (JSON
# checked by a parser), device selection, and the errors and exit codes
# a user sees without the module, without a device or without rights.
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl

json_ok() {
	"$EDUCTL" -j "$@" >/tmp/out || return 1
	python3 -m json.tool /tmp/out >/dev/null || fail "invalid JSON: $(cat /tmp/out)"
}

# expect RC PATTERN ARGS...: eductl exits RC and says PATTERN on stderr
expect() {
	local rc=$1 pattern=$2 got
	shift 2
	"$EDUCTL" "$@" >/dev/null 2>/tmp/err
	got=$?
	[ $got = "$rc" ] || fail "exit $got, expected $rc: $(cat /tmp/err)"
	grep -q -- "$pattern" /tmp/err || fail "stderr lacks '$pattern': $(cat /tmp/err)"
}

list_shows_devices() {
	local out
	out=$("$EDUCTL" list) || return 1
	echo "$out"
	grep -q '^edu0 ' <<<"$out" && grep -q '^edu1 ' <<<"$out" || fail "edu0/edu1 missing"
	json_ok list && [ "$(jq length /tmp/out)" = 2 ] || fail "JSON list length"
}

info_fields() {
	json_ok -d edu1 info || return 1
	jq -e '.hw_id == "0x010000ed" and .index == 1 and .irq_mode == "msi" and .dma_bits == 28' \
		/tmp/out >/dev/null || fail "unexpected info: $(cat /tmp/out)"
}

same_device_three_ways() {
	local pci a b c
	pci=$(basename "$(readlink /sys/class/edu/edu1/device)")
	a=$("$EDUCTL" -j -d edu1 info) && b=$("$EDUCTL" -j -d /dev/edu1 info) &&
		c=$("$EDUCTL" -j -d "$pci" info) || return 1
	[ "$a" = "$b" ] && [ "$b" = "$c" ] || fail "differ: $a / $b / $c"
}

factorial_results() {
	"$EDUCTL" factorial 10 | grep -q 3628800 || fail "10! text"
	json_ok factorial 13 && jq -e '.result == 1932053504' /tmp/out >/dev/null || fail "13!"
}

irq_raise_counts() {
	local before after
	before=$("$EDUCTL" -j stats | jq '.irq_reasons[16]')
	json_ok irq raise 0x10000 && jq -e '.latency_ns > 0' /tmp/out >/dev/null || fail "raise"
	after=$("$EDUCTL" -j stats | jq '.irq_reasons[16]')
	[ "$after" = $((before + 1)) ] || fail "reason 16 count $before -> $after"
}

stats_reset() {
	"$EDUCTL" factorial 3 >/dev/null && "$EDUCTL" stats --reset >/dev/null || return 1
	json_ok stats && jq -e '.factorials == 0' /tmp/out >/dev/null || fail "not reset: $(cat /tmp/out)"
}

json_all_commands() {
	json_ok stats && json_ok liveness && json_ok irq raise
}

nobody_denied() {
	! setpriv --reuid=65534 --regid=65534 --clear-groups "$EDUCTL" info 2>/tmp/err &&
		grep -q 'Permission denied' /tmp/err || fail "$(cat /tmp/err)"
}

empty_list_without_module() {
	[ "$("$EDUCTL" -j list)" = '[]' ]
}

modprobe edu
ok_if "list: both devices, text and JSON" list_shows_devices
ok_if "info: fields match the device (JSON)" info_fields
ok_if "-d by name, /dev path and PCI address select the same device" same_device_three_ways
ok_if "factorial: text and JSON results" factorial_results
ok_if "irq raise: latency reported, per-reason counter moves" irq_raise_counts
ok_if "stats --reset zeroes the counters" stats_reset
ok_if "liveness: device alive" "$EDUCTL" liveness 0xdeadbeef
ok_if "JSON: stats, liveness, irq raise parse" json_all_commands
ok_if "factorial 100000001: kernel's EINVAL, exit 1" expect 1 "Invalid argument" factorial 100000001
ok_if "irq raise 0x1 (not a user reason): exit 1" expect 1 "Invalid argument" irq raise 0x1
ok_if "factorial with no N: usage, exit 2" expect 2 'factorial: missing N; usage: eductl factorial N' factorial
ok_if "unknown command: exit 2" expect 2 'unknown command' frobnicate
ok_if "unknown device: exit 1, says how to list" expect 1 'not found' -d edu9 info
ok_if "as nobody: permission denied, exit 1" nobody_denied
edu_unload
ok_if "no module: exit 1, suggests modprobe edu" expect 1 'modprobe edu' info
ok_if "no module: list is empty, exit 0" empty_list_without_module
tap_done
