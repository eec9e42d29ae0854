# SPDX-License-Identifier: GPL-2.0-only
#
# TAP helpers for edu's shell tests (sourced). Each test script prints
# "ok N - name", "not ok N - name" or "ok N - name # SKIP why" lines and
# ends with tap_done, which prints the plan "1..N": run-guest fails a test
# that exits before it (tap_test, in tap.sh).

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$TESTS_DIR/../.." && pwd)
EDU_VERSION_EXPECTED=$(cat "$TOP/VERSION")
EDU_PCI_ID="1234:11e8"
# shellcheck source=tap.sh
. "$TESTS_DIR/tap.sh"
_tap_n=0
_tap_failed=0

# ok_if NAME COMMAND...: one TAP line from a command's exit status; the
# command's output is shown (as TAP comments) only when it fails.
ok_if() {
	local name=$1 out
	shift
	_tap_n=$((_tap_n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $_tap_n - $name"
	else
		echo "not ok $_tap_n - $name"
		# (no sed: after a system suspend, a program from 9p hangs)
		[ -z "$out" ] || printf '#   %s\n' "${out//$'\n'/$'\n'#   }"
		_tap_failed=1
	fi
	return 0
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# fail MESSAGE: inside a check run by ok_if (in a subshell), print why and
# end the check as failed, wherever in the function it is called.
fail() {
	echo "$*" >&2
	exit 1
}

# tap_done: the plan, then the exit status (1 if a check failed)
tap_done() {
	echo "1..$_tap_n"
	exit $_tap_failed
}

# mark TEXT: a unique line in the kernel log (kept in /tmp/edu-mark, so
# the checks ok_if runs in subshells share it); since_mark prints what the
# kernel logged after it (the log itself is left alone: the harness
# reads it whole)
mark() {
	echo "edu-test: $EPOCHREALTIME: $1" >/tmp/edu-mark
	cat /tmp/edu-mark >/dev/kmsg
}
since_mark() {
	dmesg | awk -v m="$(cat /tmp/edu-mark)" 'index($0, m) { buf = ""; found = 1; next }
		found { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# expect_kmsg ERE COMMAND...: run COMMAND with the kernel log's reports
# that match ERE excused (tests/vm/healthcheck fails a run on them
# otherwise): for a test that provokes one on purpose. No backslashes in
# ERE (/dev/kmsg escapes them): [.] for a dot.
expect_kmsg() {
	local re=$1 rc
	shift
	echo "edu-test: expect-begin $re" >/dev/kmsg
	"$@"
	rc=$?
	echo "edu-test: expect-end" >/dev/kmsg
	return $rc
}

# ksft PROGRAM [LABEL]: run a kselftest-harness program; its results join
# this test's (numbered on, named "LABEL: case"), and tap_test adds a
# failure when it exits non-zero, bails out or misses its plan.
ksft() {
	local label=${2:-${1##*/}} line
	echo "# $label"
	while IFS= read -r line; do
		if [[ $line =~ ^(not )?ok( [0-9]+)?( -)?( (.*))?$ ]]; then
			_tap_n=$((_tap_n + 1))
			[ -z "${BASH_REMATCH[1]}" ] || _tap_failed=1
			line="${BASH_REMATCH[1]}ok $_tap_n - $label: ${BASH_REMATCH[5]#"$label: "}"
		fi
		printf '%s\n' "$line"
	done < <(tap_test "$label" plan "$1")
}

# rd FILE: FILE's first line in REPLY (a builtin: no fork)
rd() {
	REPLY=
	read -r REPLY <"$1" || [ -n "$REPLY" ]
}

# reads FILE VALUE: FILE reads VALUE (quietly: a wait_for condition)
reads() {
	rd "$1" && [ "$REPLY" = "$2" ]
}

# edu_pci_devices: sysfs paths of every edu PCI function in the machine.
# (bash builtins only: every fork costs milliseconds under TCG)
edu_pci_devices() {
	local d vendor device
	for d in /sys/bus/pci/devices/*; do
		read -r vendor <"$d/vendor"
		read -r device <"$d/device"
		[ "$vendor:$device" = "0x1234:0x11e8" ] && echo "$d"
	done
	return 0
}

# pci_of eduN: its PCI address in REPLY
pci_of() {
	local l
	l=$(readlink "/sys/class/edu/$1/device") || return 1
	REPLY=${l##*/}
}

# qmp_edu_add ID [SLOT.FN]: the QMP command that hot-plugs an edu device
# with QOM id ID (in SLOT.FN, function 0 multifunction) on the bus the
# vmrun guest's edu devices sit on ($VM_HP_BUS: pci.0, or q35's bridge)
qmp_edu_add() {
	local args="\"driver\": \"edu\", \"id\": \"$1\", \"bus\": \"${VM_HP_BUS:-pci.0}\""
	[ $# -lt 2 ] || args+=", \"addr\": \"$2\""
	[[ ${2:-} != *.0 ]] || args+=', "multifunction": "on"'
	echo "{\"execute\": \"device_add\", \"arguments\": {$args}}"
}

edu_unload() {
	[ -d /sys/module/edu ] || return 0
	modprobe -r edu
}

# EDU_TIME_SCALE: what every time bound of a test is multiplied by. The
# sanitizer lane's kernel is ~10x slower (binding a device alone takes
# tens of seconds there): tests/check-debug.sh sets 10.
EDU_TIME_SCALE=${EDU_TIME_SCALE:-1}

# alive PID: PID is running (not a zombie)
alive() {
	local st
	read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || return 1
	[ "$st" != Z ]
}

# bg_wait PID TENTHS: PID's exit status once it ends within TENTHS tenths
# of a second, else 124
bg_wait() {
	local pid=$1 n=$2
	while alive "$pid"; do
		((n-- > 0)) || return 124
		sleep 0.1
	done
	wait "$pid"
}

# WAIT_SLEEP: the command wait_for pauses with. pm-sleep.sh sets busybox's:
# after a system suspend, /bin/sleep (from 9p) can no longer run.
WAIT_SLEEP=${WAIT_SLEEP:-sleep}

# wait_for COUNT COMMAND...: retry a check for up to COUNT tenths of a
# second, times EDU_TIME_SCALE.
wait_for() {
	local n=$(($1 * EDU_TIME_SCALE))
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		$WAIT_SLEEP 0.1
	done
}
