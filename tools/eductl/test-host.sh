#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test-host.sh [EDUCTL] - eductl's checks that need no edu device: options,
# usage errors and their exit status, the "no device" and "not found" paths,
# device selection and JSON output on a fake sysfs, and the netlink commands
# failing when the generic netlink family "edu" is missing (with
# EDUCTL_NO_NETLINK=1, for a build without netlink: saying so).
# EDUCTL_SYSFS_ROOT points eductl at a temporary directory, so the machine's
# own devices (if any) do not matter. Prints TAP; exits 1 if a check fails.
#
# The fake devices are edu300 and up: the driver makes at most 256, so no
# /dev node of theirs can exist and opening them fails with ENOENT.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
EDUCTL=${1:-$HERE/eductl}
case $EDUCTL in
*/*) ;;
*) EDUCTL=./$EDUCTL ;;
esac
if [ ! -x "$EDUCTL" ]; then
	echo "Bail out! no executable $EDUCTL: run make -C $HERE"
	exit 1
fi
# A host kernel without 32-bit support (no IA32 emulation) cannot run an
# -m32 build: the guests, whose Debian kernels can, test it there.
"$EDUCTL" --version >/dev/null 2>&1
if [ $? = 126 ]; then
	echo "ok 1 - $EDUCTL runs here # SKIP this kernel cannot execute it"
	echo "1..1"
	exit 0
fi
VERSION=${EDUCTL_VERSION:-$(cat "$TOP/VERSION")}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
empty=$tmp/empty
mkdir "$empty"

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	failed=1
}

# run [ARGS...]: eductl on the empty sysfs (or $SYSFS); sets out, err, rc.
run() {
	out=$(EDUCTL_SYSFS_ROOT=${SYSFS:-$empty} "$EDUCTL" "$@" 2>"$tmp/stderr")
	rc=$?
	err=$(cat "$tmp/stderr")
}

# expect NAME RC [STDERR-SUBSTRING]: the last run exited RC, said that on stderr.
expect() {
	local name=$1 want_rc=$2 want_err=${3-}

	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name"
		echo "#   exit status $rc, expected $want_rc; stderr: $err"
	elif [ -n "$want_err" ] && [[ $err != *"$want_err"* ]]; then
		not_ok "$name"
		echo "#   stderr lacks: $want_err"
		echo "#   stderr was:   $err"
	else
		ok "$name"
	fi
}

# CONDITION; verdict NAME: ok when CONDITION held.
verdict() {
	local held=$?

	if [ "$held" = 0 ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   exit status $rc; stdout: $out"
		echo "#   stderr: $err"
	fi
}

valid_json() {
	python3 -m json.tool <<<"$out" >/dev/null 2>&1
}

# json_is PYTHON-EXPRESSION: true when it holds for the last stdout as "j".
json_is() {
	python3 -c 'import json, sys; j = json.loads(sys.stdin.read()); sys.exit(0 if ('"$1"') else 1)' \
		<<<"$out" 2>/dev/null
}

no_device='no edu device found: is the module loaded? try: modprobe edu'

# --- options and help ---
run --version
expect "--version exits 0" 0
[ "$out" = "eductl $VERSION" ]; verdict "--version prints \"eductl $VERSION\""
run -V
[[ $rc = 0 && $out = "eductl $VERSION" ]]; verdict "-V prints the version"
run --help
expect "--help exits 0" 0
[[ $out == *"Usage: eductl"* && $out == *"Exit status"* && -z $err ]]
verdict "--help shows usage and exit codes on stdout"
run -h
expect "-h exits 0" 0
run help
expect "help command exits 0" 0
[[ $out == *list* && $out == *info* && $out == *liveness* && $out == *factorial* &&
   $out == *irq* && $out == *stats* && $out == *show* && $out == *" set "* &&
   $out == *nlstats* && $out == *nlfactorial* && $out == *dma-test* && $out == *monitor* ]]
verdict "help lists every command"
run
expect "no arguments: usage error" 2 "Usage: eductl"
[ -z "$out" ]; verdict "no arguments: nothing on stdout"
run x
expect "unknown command: usage error" 2 'eductl: Error: unknown command "x", try "eductl help"'
run fact 5
expect "no prefix matching: \"fact\" is unknown" 2 'unknown command "fact"'
run -x list
expect "unknown short option: usage error" 2 'unknown option "-x"'
run --bogus list
expect "unknown long option: usage error" 2 'bad option "--bogus"'
run --json=1 list
expect "--json with a value: usage error" 2 'bad option "--json=1"'
run -d
expect "-d without a value: usage error" 2 "needs a value"

# --- arguments: checked before any device is looked for ---
for arg in abc -1 4294967296 '' 0x ' 5' +5 5x 1.5 0x1g 99999999999999999999999; do
	run factorial "$arg"
	expect "factorial '$arg': usage error" 2 "is not a number"
done
run factorial
expect "factorial without N: usage error" 2 "missing N"
run factorial 1 2
expect "factorial with two numbers: usage error" 2 'unexpected argument "2"'
for arg in 4294967295 0xffffffff 0XFF 010 0; do
	run factorial "$arg"
	expect "factorial '$arg' is a number (then: no device)" 1 "$no_device"
done
run liveness xyz
expect "liveness xyz: usage error" 2 "is not a number"
run liveness 1 2
expect "liveness with two values: usage error" 2 "unexpected argument"
run irq
expect "irq alone: usage error" 2 "missing subcommand"
run irq foo
expect "irq foo: usage error" 2 'unknown subcommand "foo"'
run irq rais
expect "irq rais: no prefix matching" 2 'unknown subcommand "rais"'
run irq raise zz
expect "irq raise zz: usage error" 2 "is not a number"
run irq raise 1 2
expect "irq raise with two values: usage error" 2 "unexpected argument"
run stats --bogus
expect "stats --bogus: usage error" 2 'unknown argument "--bogus"'
run stats --reset x
expect "stats --reset x: usage error" 2 "unexpected argument"
run list x
expect "list x: usage error" 2 "unexpected argument"

# The netlink commands check their arguments before opening a socket.
run show x
expect "show x: usage error" 2 'unexpected argument "x"'
run set
expect "set alone: usage error" 2 "missing what to set"
run set foo 1
expect "set foo 1: unknown setting" 2 'unknown setting "foo"'
run set dma_timeout_m 1
expect "set dma_timeout_m 1: no prefix matching" 2 'unknown setting "dma_timeout_m"'
run set dma_timeout_ms
expect "set dma_timeout_ms without MS: usage error" 2 "missing the value of dma_timeout_ms"
for arg in abc -1 4294967296 '' 1.5; do
	run set dma_timeout_ms "$arg"
	expect "set dma_timeout_ms '$arg': usage error" 2 "is not a number"
done
run set dma_timeout_ms 100 200
expect "set dma_timeout_ms with two values: usage error" 2 'unknown setting "200"'
run set peer
expect "set peer without a value: usage error" 2 "missing the value of peer"
for arg in abc -1 256 4294967296 '' edu1 Self NONE 1.5; do
	run set peer "$arg"
	expect "set peer '$arg': usage error" 2 "peer \"$arg\" is not a device index N (of eduN), self or none"
done
run set peer 1 peer 2
expect "set peer twice: usage error" 2 "peer given twice"
run set peer 1 dma_timeout_ms
expect "set peer 1 dma_timeout_ms: usage error" 2 "missing the value of dma_timeout_ms"
run set peer none dma_timeout_ms x
expect "set peer none dma_timeout_ms x: usage error" 2 "is not a number"
run nlfactorial
expect "nlfactorial without N: usage error" 2 "missing N"
run nlfactorial x
expect "nlfactorial x: usage error" 2 "is not a number"
run nlfactorial 1 2
expect "nlfactorial with two numbers: usage error" 2 'unexpected argument "2"'
run dma-test abc
expect "dma-test abc: usage error" 2 "is not a number"
run dma-test 1 2
expect "dma-test with two lengths: usage error" 2 'unexpected argument "2"'
run nlstats --bogus
expect "nlstats --bogus: usage error" 2 'unknown argument "--bogus"'
run nlstats --reset x
expect "nlstats --reset x: usage error" 2 "unexpected argument"
run monitor --count x
expect "monitor --count x: usage error" 2 "is not a number"
run monitor --count
expect "monitor --count without N: usage error" 2 "--count needs N"
run monitor --count 0
expect "monitor --count 0: usage error" 2 "at least 1"
run monitor --count 1 2
expect "monitor --count 1 2: usage error" 2 'unexpected argument "2"'
run monitor foo
expect "monitor foo: usage error" 2 'unknown argument "foo"'

# --- no device ---
run list
expect "list without devices exits 0" 0
[ -z "$out" ]; verdict "list without devices prints nothing"
run -j list
expect "-j list without devices exits 0" 0
[ "$out" = "[]" ]; verdict "-j list without devices prints []"
valid_json; verdict "-j list without devices is valid JSON (json.tool)"
SYSFS=$tmp/absent run --json list
[[ $rc = 0 && $out = "[]" ]]; verdict "no class directory (module not loaded): --json list is []"
run info
expect "info without devices exits 1" 1 "eductl: Error: $no_device"
run -j info
[ -z "$out" ]; verdict "-j info without devices prints nothing on stdout"
for cmd in liveness "factorial 5" "irq raise" stats "stats --reset"; do
	# shellcheck disable=SC2086
	run $cmd
	expect "$cmd without devices exits 1" 1 "$no_device"
done
run -d edu9 info
expect "-d edu9 info: not found" 1 'eductl: Error: device "edu9" not found (eductl list shows the devices)'
run -d edu9 list
expect "-d edu9 list: not found" 1 'device "edu9" not found'
run -d 00:04.0 info
expect "-d 00:04.0 info: not found" 1 'device "00:04.0" not found'

# --- generic netlink: no "edu" family on this host ---
# EDUCTL_NO_NETLINK=1: the binary was built without netlink (eductl32).
if [ "${EDUCTL_NO_NETLINK:-}" = 1 ]; then
	nl_missing='built without generic netlink'
	nl_why="(no netlink in this build)"
else
	nl_missing='eductl: Error: generic netlink family "edu" not found: is the module loaded? try: modprobe edu'
	nl_why="(family not found)"
fi
if [ -d /sys/module/edu ] && [ "${EDUCTL_NO_NETLINK:-}" != 1 ]; then
	ok "netlink commands without the family # SKIP the edu module is loaded"
else
	for cmd in show "-d edu0 show" "set dma_timeout_ms 100" "set peer self" \
		   "set peer 3 dma_timeout_ms 100" nlstats "nlstats --reset" \
		   "nlfactorial 5" dma-test "dma-test 64" monitor "monitor --count 1"; do
		# shellcheck disable=SC2086
		run $cmd
		expect "$cmd exits 1 $nl_why" 1 "$nl_missing"
	done
	run -j show
	[[ $rc = 1 && -z $out ]]; verdict "-j show $nl_why prints nothing on stdout"
	# The family is looked for before the device: the message names the cause.
	SYSFS=$tmp/absent run -d edu7 nlstats
	expect "-d edu7 nlstats without the module: the family is missing" 1 "$nl_missing"
fi

# --- a fake sysfs: three devices, and entries that are not devices ---
fake=$tmp/sysfs
pci=$tmp/pci
mkdir -p "$fake" "$pci/0000:00:04.0" "$pci/0000:00:05.0"
# A parent name JSON must escape: quote, backslash, control, non-ASCII.
odd=$(printf 'we"ird\\\001\tname\303\251')
mkdir "$pci/$odd"
add_fake() {
	mkdir "$fake/$1"
	ln -s "$pci/$2" "$fake/$1/device"
	echo "$3" >"$fake/$1/dev"
}
add_fake edu4242 "$odd" 240:42
add_fake edu300 0000:00:04.0 240:0
add_fake edu1000 0000:00:05.0 240:1
mkdir "$fake/edu01" "$fake/eduX" "$fake/edu" "$fake/edu0x1" "$fake/foo"

SYSFS=$fake
run list
expect "fake sysfs: list exits 0" 0
[ "$(awk '{ print $1 }' <<<"$out" | tr '\n' ' ')" = "edu300 edu1000 edu4242 " ]
verdict "fake sysfs: list is by index, only eduN names"
[[ $out == *"edu300   0000:00:04.0   /dev/edu300"* ]]
verdict "fake sysfs: list shows PCI address and node"
run -j list
expect "fake sysfs: -j list exits 0" 0
if command -v python3 >/dev/null; then
	valid_json
	verdict "fake sysfs: -j list is valid JSON (json.tool)"
	json_is '[d["name"] for d in j] == ["edu300", "edu1000", "edu4242"]'
	verdict "fake sysfs: -j list has the devices in order"
	json_is 'j[0] == {"name": "edu300", "pci": "0000:00:04.0", "dev": "/dev/edu300"}'
	verdict "fake sysfs: -j list objects are {name, pci, dev}"
	json_is 'j[2]["pci"] == "we\"ird\\\x01\tname\xc3\xa9"'
	verdict "fake sysfs: -j list escapes an odd PCI name"
else
	for i in 1 2 3 4; do
		ok "fake sysfs: JSON check $i # SKIP no python3"
	done
fi
run -d 00:05.0 -j list
[[ $rc = 0 && $out = '[{"name":"edu1000","pci":"0000:00:05.0","dev":"/dev/edu1000"}]' ]]
verdict "fake sysfs: -d 00:05.0 -j list shows only edu1000"
run -d edu7 list
expect "fake sysfs: -d edu7 list: not found" 1 'device "edu7" not found'
run -d edu7 info
expect "fake sysfs: -d edu7 info: not found" 1 'device "edu7" not found'
run -d edu30 info
expect "fake sysfs: -d edu30 is not edu300" 1 'device "edu30" not found'

# Selected, then the open fails: /dev/edu300 cannot exist (see the top).
if [ -e /dev/edu300 ]; then
	ok "fake sysfs: device selection # SKIP /dev/edu300 exists"
else
	run info
	expect "fake sysfs: info without -d takes the lowest index" 1 \
		"/dev/edu300: No such file or directory"
	for dev in edu300 /dev/edu300 0000:00:04.0 00:04.0; do
		run -d "$dev" factorial 3
		expect "fake sysfs: -d $dev selects edu300" 1 "/dev/edu300: No such file or directory"
	done
	run -d 00:05.0 stats
	expect "fake sysfs: -d 00:05.0 selects edu1000" 1 "/dev/edu1000: No such file"
fi

if [ -w /dev/full ]; then
	out=$(EDUCTL_SYSFS_ROOT=$fake "$EDUCTL" list 2>&1 >/dev/full)
	rc=$?
	err=$out
	expect "fake sysfs: a failed write of the output exits 1" 1 "writing the output failed"
else
	ok "fake sysfs: a failed write of the output exits 1 # SKIP no /dev/full"
fi
unset SYSFS

echo "1..$n"
exit $failed
