# SPDX-License-Identifier: GPL-2.0-only
#
# tap.sh - the one TAP checker (sourced by lib.sh, run-guest and
# tests/tally.sh). A test counts as passed only when it says so: a test
# that exits non-zero, stops before its plan is met, or bails out adds a
# "not ok" of its own even when it printed none.

# tap_test NAME PLAN COMMAND...: run COMMAND (stdout and stderr), pass its
# TAP through and then add one "not ok - NAME: ..." line for each way it
# failed without saying so:
#   - it exited with a status other than 0 (or 4, kselftest's "skipped",
#     when every result it printed is a SKIP) and printed no "not ok";
#   - it printed "Bail out!";
#   - its plan ("1..N", first or last) does not match the number of
#     results it printed, or, with PLAN "plan", it printed no plan or
#     no result at all ("1..0").
# The test's own plan line becomes a comment ("# NAME: 1..N"): the caller
# prints one plan for everything it ran. Returns 0 when the test passed.
tap_test() {
	local name=$1 need=$2 line status= plan= plans=0 n=0 skipped=0 failed=0 bail=0
	shift 2
	while IFS= read -r line; do
		case $line in
		"# tap_test exit status "*)
			status=${line##* }
			continue
			;;
		"not ok" | "not ok "*) n=$((n + 1)) failed=1 ;;
		"ok "*"# SKIP"*) n=$((n + 1)) skipped=$((skipped + 1)) ;;
		"ok" | "ok "*) n=$((n + 1)) ;;
		"Bail out!"*) bail=1 ;;
		1..*)
			if [[ $line =~ ^1\.\.([0-9]+)([[:space:]]|$) ]]; then
				plan=${BASH_REMATCH[1]} plans=$((plans + 1))
				line="# $name: $line"
			fi
			;;
		esac
		printf '%s\n' "$line"
	done < <("$@" 2>&1; echo "# tap_test exit status $?")

	local why=()
	if [ "$status" != 0 ] && [ $failed = 0 ] && ! { [ "$status" = 4 ] && [ $n -gt 0 ] && [ $skipped = $n ]; }; then
		why+=("exited with status ${status:-unknown} without a failed result")
	fi
	[ $bail = 0 ] || why+=("bailed out")
	if [ $plans -gt 1 ]; then
		why+=("printed $plans plans")
	elif [ -n "$plan" ] && [ "$plan" != $n ]; then
		why+=("planned $plan results, printed $n")
	elif [ -z "$plan" ] && [ "$need" = plan ]; then
		why+=("ended without its plan ($n results printed)")
	elif [ $n = 0 ] && [ "$need" = plan ]; then
		why+=("printed no result")
	fi
	for line in "${why[@]}"; do
		echo "not ok - $name: $line"
	done
	[ ${#why[@]} = 0 ] && [ $failed = 0 ]
}
