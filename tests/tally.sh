# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by tests/check.sh and tests/check-debug.sh: count the TAP that
# passes through and end with the summary line CI reads.
T0=$(date +%s)
pass=0 fail=0 skip=0

# tally: pass TAP through, counting results
tally() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"not ok"*) fail=$((fail + 1)) ;;
		"ok"*"# SKIP"*) skip=$((skip + 1)) ;;
		"ok"*) pass=$((pass + 1)) ;;
		esac
	done
}

# result STATUS NAME: one TAP line
result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

elapsed() { echo "$(($(date +%s) - T0)) s"; }

# guest_result RCFILE NAME: the TAP line for a guest whose vmrun status
# is in RCFILE ("rc=N"): it must have run to the end (not 124 or 125)
# and have a clean kernel log (not 126).
guest_result() {
	local rc
	rc=$(sed 's/rc=//' "$1")
	case $rc in
	124 | 125) result 1 "$2: guest ran to the end (vmrun status $rc)" ;;
	*) result $((rc == 126)) "$2: kernel log clean, taint only O/E" ;;
	esac
}

# guest NAME LOG TAP-SED VMRUN-ARGS...: one tests/vm/vmrun guest with its
# logs in LOG/; its TAP through sed -E TAP-SED, then the harness's verdict
# on its kernel log (vmrun's status kept in LOG.rc).
guest() {
	local name=$1 log=$2 tapsed=$3
	shift 3
	tests/vm/vmrun -l "$log" "$@" 2>&1 | sed -u -E "$tapsed"
	echo "rc=${PIPESTATUS[0]}" >"$log.rc"
	guest_result "$log.rc" "$name"
}

# summary: the last lines of a run; fails when a test failed
summary() {
	echo "# done in $(elapsed)"
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail = 0 ]
}
