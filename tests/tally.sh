# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by tests/check.sh and tests/check-debug.sh: count the TAP that
# passes through and end with the summary line CI reads. Nothing reads as
# passed unless it said so: see tap_test (tests/selftests/tap.sh) for
# what a test must print, SKIPS_ALLOWED for what may be skipped.
. "$(dirname "${BASH_SOURCE[0]}")/selftests/tap.sh"
T0=$(date +%s)
pass=0 fail=0 skip=0

# SKIPS_ALLOWED: extended regular expressions, one per line, of the skips
# a run may have (each with its reason, set by the runner). Any other
# "# SKIP" is a failure: a test that cannot run has not passed.
SKIPS_ALLOWED=${SKIPS_ALLOWED:-}

# skip_allowed LINE: LINE (an "ok ... # SKIP" result) is on the list
skip_allowed() {
	local re
	while IFS= read -r re; do
		[ -n "$re" ] && [[ $1 =~ $re ]] && return 0
	done <<<"$SKIPS_ALLOWED"
	return 1
}

# tally: pass TAP through, counting results; a skip that is not allowed
# and a "Bail out!" count as failures (with a "not ok" line saying so)
tally() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"not ok"*) fail=$((fail + 1)) ;;
		"ok"*"# SKIP"*)
			if skip_allowed "$line"; then
				skip=$((skip + 1))
			else
				echo "not ok - the skip above is not allowed (SKIPS_ALLOWED, tests/check.sh)"
				fail=$((fail + 1))
			fi
			;;
		"ok"*) pass=$((pass + 1)) ;;
		"Bail out!"*) fail=$((fail + 1)) ;;
		esac
	done
}

# result STATUS NAME: one TAP line
result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

elapsed() { echo "$(($(date +%s) - T0)) s"; }

# guest_tests: the guest test files of tests/selftests, by name (the
# system sleep guest's pm-sleep.sh among them); not the libraries, not
# the packaging test (a guest of its own)
guest_tests() {
	local t
	for t in tests/selftests/*.sh; do
		t=${t##*/}
		case $t in
		lib.sh | tap.sh | packaging.sh) ;;
		*) echo "$t" ;;
		esac
	done
}

# vmrun_status VMRUN...: run a guest; its status, but 0 for 126 (the
# health check's verdict, which health_result reports on a line of its
# own) and a "not ok" for a guest that did not run to the end
vmrun_status() {
	"$@"
	local rc=$?
	case $rc in
	126) return 0 ;;
	124) echo "not ok - guest ran to the end (watchdog: killed)" ;;
	125) echo "not ok - guest ran to the end (it died before reporting)" ;;
	esac
	return $rc
}

# health_result LOGDIR NAME: the TAP line for the health check vmrun
# recorded in LOGDIR/health: only "ok" passes; none, the guest never
# reported its kernel log
health_result() {
	local verdict=
	[ -r "$1/health" ] && read -r verdict <"$1/health"
	case $verdict in
	ok) result 0 "$2: kernel log clean, taint only O/E" ;;
	failed) result 1 "$2: kernel log clean, taint only O/E" ;;
	*) result 1 "$2: kernel log clean, taint only O/E (the guest did not report its log)" ;;
	esac
}

# guest NAME LOG TAP-SED VMRUN-ARGS...: one tests/vm/vmrun guest ($VMRUN
# in tests/host/gates-test) with its logs in LOG/; its TAP (which must
# end with its plan, and whose failure must show) through sed -E TAP-SED,
# then the health check's line.
guest() {
	local name=$1 log=$2 tapsed=$3
	shift 3
	tap_test "$name" plan vmrun_status "${VMRUN:-tests/vm/vmrun}" -l "$log" "$@" |
		sed -u -E "$tapsed"
	health_result "$log" "$name"
}

# summary: the last lines of a run; fails when a test failed
summary() {
	echo "# done in $(elapsed)"
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail = 0 ]
}
