#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The generic netlink family "edu" (include/uapi/linux/edu.h), driven the
# way users drive it: iproute2's genl, the kernel's own YNL CLI with
# Documentation/netlink/specs/edu.yaml, eductl's monitor, and nlraw.py for
# the malformed requests YNL cannot write. Covers the family's
# registration, every operation against sysfs, strict validation and its
# extended ACKs, the network interface's peer (dev-peer), a dump spread
# over several datagrams (devices hot-added through QMP), notifications on
# unbind/bind, CAP_NET_ADMIN, and unregistration on unload.
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl
SPEC=$TOP/Documentation/netlink/specs/edu.yaml
NLRAW=$TESTS_DIR/nlraw.py
DRV=/sys/bus/pci/drivers/edu
E0=/sys/class/edu/edu0/device
E1=/sys/class/edu/edu1/device
STATS="irqs irqs_spurious factorials timeouts dma_bytes_to_dev dma_bytes_from_dev
	dma_xfers_to_dev dma_xfers_from_dev dma_errors dma_timeouts dma_queue_hwm"
# uid/gid nobody, no capabilities at all
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
RUNAS=()

# YNL from Debian's linux-source (tests/host/linux-source); its schemas
# are in the same tree. Without it (or PyYAML) the YNL tests are skipped.
# The host has extracted it already: use that copy rather than checking
# (and maybe extracting) the tarball again under TCG.
LSRC=$TOP/build/linux-source
[ -f "$LSRC/tools/net/ynl/cli.py" ] || LSRC=$("$TOP/tests/host/linux-source" 2>/dev/null) || LSRC=/nonexistent
CLI=$LSRC/tools/net/ynl/cli.py
SCHEMA=$LSRC/Documentation/netlink/genetlink-c.yaml
NO_YNL=
if [ ! -f "$CLI" ]; then
	NO_YNL="no YNL: tests/host/linux-source failed"
elif ! python3 -c 'import yaml' 2>/dev/null; then
	NO_YNL="python3-yaml missing (tests/vm/deps.sh)"
fi

# YNL's CLI on edu's spec, replies as JSON. On a netlink error it prints
# the error (errno text, extack) and exits 1.
YNL_ARGS=(--no-schema --spec "$SPEC" --output-json)

# ynl_cli ARGS...: the CLI with YNL_ARGS, in a process of its own
ynl_cli() {
	python3 "$CLI" "${YNL_ARGS[@]}" "$@"
}

# ynl_server NAME [COMMAND...]: start ynl-server.py (as COMMAND, e.g.
# setpriv, when given), which runs the CLI's calls in one process: each
# run of its own costs seconds under TCG. Its port in /tmp/ynl-NAME.port.
ynl_server() {
	local name=$1
	shift
	rm -f "/tmp/ynl-$name.port"
	"$@" python3 "$TESTS_DIR/ynl-server.py" "$CLI" "/tmp/ynl-$name.port" \
		>"/tmp/ynl-$name.log" 2>&1 &
	YNL_SERVERS+=($!)
	wait_for 600 test -s "/tmp/ynl-$name.port" ||
		NO_YNL="ynl-server.py did not start: $(cat "/tmp/ynl-$name.log")"
}
YNL_SERVERS=()
trap '[ ${#YNL_SERVERS[@]} = 0 ] || kill "${YNL_SERVERS[@]}" 2>/dev/null' EXIT
[ -n "$NO_YNL" ] || ynl_server root
[ -n "$NO_YNL" ] || ynl_server nobody "${NOBODY[@]}"

# ynl_call ARGS...: python3 "$CLI" ARGS, run by the server: as uid nobody
# without capabilities when RUNAS is set
ynl_call() {
	local name=root fd port line
	[ ${#RUNAS[@]} = 0 ] || name=nobody
	read -r port <"/tmp/ynl-$name.port" || return 1
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf '%s\0' $# "$@" >&$fd
	while IFS= read -r line <&$fd; do
		if [[ $line == rc=* ]]; then
			exec {fd}<&-
			return "${line#rc=}"
		fi
		printf '%s\n' "$line"
	done
	exec {fd}<&-
	echo "ynl-server.py ($name) hung up"
	return 1
}

# ynl ARGS...: the CLI with YNL_ARGS, through the server
ynl() {
	ynl_call "${YNL_ARGS[@]}" "$@"
}

# ynl_if NAME FUNC...: ok_if, or a skip without YNL
ynl_if() {
	if [ -n "$NO_YNL" ]; then
		skip "$1" "$NO_YNL"
	else
		ok_if "$@"
	fi
}

# do_ok OP JSON: OP succeeds; its reply (JSON) in /tmp/nl-out
do_ok() {
	ynl --do "$1" --json "$2" >/tmp/nl-out 2>&1 || fail "$1 $2: $(cat /tmp/nl-out)"
}

# reply FILTER: the jq FILTER is true of the last reply
reply() {
	jq -e "$1" /tmp/nl-out >/dev/null 2>&1 || fail "reply fails '$1': $(cat /tmp/nl-out)"
}

# do_err OP JSON TEXT...: OP fails and YNL's report contains every TEXT
do_err() {
	local op=$1 json=$2 t
	shift 2
	! ynl --do "$op" --json "$json" >/tmp/nl-out 2>&1 || fail "$op $json succeeded: $(cat /tmp/nl-out)"
	for t; do
		grep -qF -- "$t" /tmp/nl-out || fail "$op $json: no \"$t\" in: $(cat /tmp/nl-out)"
	done
	cat /tmp/nl-out
}

# raw_err TEXT ARGS...: nlraw.py ARGS prints an error line containing TEXT
raw_err() {
	local want=$1 out
	shift
	out=$("$NLRAW" "$@") || fail "nlraw $*: exit $?: $out"
	[[ $out == "error "*"$want"* ]] || fail "nlraw $*: expected '$want', got: $out"
	echo "$out"
}

# pci_of N: PCI address of eduN
pci_of() {
	basename "$(readlink -f "/sys/class/edu/edu$1/device")"
}

# peer_of N: eduN's sysfs "peer" as dev-peer encodes it (256: none)
peer_of() {
	local v
	v=$(cat "/sys/class/edu/edu$1/device/peer") || return 1
	case $v in
	none) echo 256 ;;
	self) echo "$1" ;;
	*) echo "${v#edu}" ;;
	esac
}

# is FILE VALUE: FILE reads VALUE
is() {
	local v
	v=$(cat "$1") || fail "cannot read $1"
	[ "$v" = "$2" ] || fail "${1#/sys/}: '$v', expected '$2'"
}

# --- registration ---

loaded() {
	edu_unload || fail "modprobe -r edu"
	modprobe edu || fail "modprobe edu"
	wait_for 50 test -e /sys/class/edu/edu1 || fail "edu1 did not appear"
}

genl_ctrl() {
	local out cmds
	out=$(genl ctrl get name edu) || fail "genl ctrl get name edu failed: $out"
	echo "$out"
	grep -Eq 'Name: edu\s*$' <<<"$out" || fail "no 'Name: edu'"
	grep -Eq 'Version: 0x1\s' <<<"$out" || fail "version is not 0x1"
	grep -Eq 'header size: 0\s' <<<"$out" || fail "family header is not empty"
	cmds=$(sed -n '/commands supported/,/multicast groups/p' <<<"$out" | grep -oE 'ID-0x[0-9a-f]+')
	cmds=${cmds//$'\n'/ }
	[ "$cmds" = "ID-0x1 ID-0x2 ID-0x3 ID-0x4 ID-0x5 ID-0x6" ] ||
		fail "operations '$cmds', expected 0x1..0x6 (the notifications are no operations)"
	sed -n '/multicast groups/,$p' <<<"$out" | grep -Eq 'name: events\s*$' ||
		fail "no multicast group events"
}

# per operation: doit (0x2) and dumpit (0x4), admin (0x1) for all but
# dev-get and stats-get (those that drive the device or change something)
raw_family() {
	local out id f want ops=0
	local -A caps=([1]=6 [2]=3 [3]=2 [4]=3 [5]=3 [6]=3)
	out=$("$NLRAW" family) || fail "nlraw family: exit $?"
	echo "$out"
	[[ $out =~ ^id=[0-9]+\ version=1\ hdrsize=0\  ]] || fail "family line: ${out%%$'\n'*}"
	while read -r _ id f; do
		want=${caps[$id]:-}
		[ -n "$want" ] || fail "unexpected operation $id"
		f=${f#flags=}
		(((f & 7) == want)) || fail "operation $id: flags $f, expected $want in the low 3 bits"
		ops=$((ops + 1))
	done < <(grep '^op ' <<<"$out")
	[ $ops = 6 ] || fail "$ops operations"
	grep -Eq '^mcgrp events [0-9]+$' <<<"$out" || fail "no group events"
}

ynl_spec() {
	local out m
	out=$(ynl_call --spec "$SPEC" --schema "$SCHEMA" --list-msgs 2>&1) ||
		fail "spec rejected: $out"
	echo "$out"
	[ "$(grep -c . <<<"$out")" = 10 ] || fail "not 6 operations and 4 notifications"
	for m in dev-get dev-set stats-get stats-reset factorial dma-test; do
		grep -Eq "^$m +\\[ .*do" <<<"$out" || fail "no operation $m"
	done
	grep '^dev-get ' <<<"$out" | grep -q dump || fail "dev-get cannot dump"
	for m in dev-add-ntf dev-del-ntf dma-error-ntf pm-ntf; do
		grep -Eq "^$m +\\[ event \\]" <<<"$out" || fail "no notification $m"
	done
}

# --- operations, compared with sysfs ---

# dev_matches N: a dev-get reply in /tmp/nl-out describes eduN as sysfs does
dev_matches() {
	local d=/sys/class/edu/edu$1/device pci irq bits
	pci=$(pci_of "$1")
	irq=$(cat "/sys/bus/pci/devices/$pci/irq")
	reply ".\"dev-index\" == $1 and .\"dev-name\" == \"edu$1\" and .\"dev-pci\" == \"$pci\""
	reply '."dev-hw-id" == 16777453 and ."dev-irq-mode" == "msi"'
	reply ".\"dev-irq\" == $irq"
	bits=$(cat /sys/module/edu/parameters/dma_bits)
	# dma_bits=0 derives the width: 28, or 32 where RAM starts above 256 MiB
	[ "$bits" != 0 ] || bits='28 or ."dev-dma-bits" == 32'
	reply ".\"dev-dma-bits\" == $bits"
	reply ".\"dev-buf-size\" == $(cat /sys/module/edu/parameters/buf_size)"
	reply ".\"dev-dma-timeout-ms\" == $(cat "$d/dma_timeout_ms")"
	reply '."dev-pm-state" == "active"'
	reply ".\"dev-peer\" == $(peer_of "$1")"
}

dev_get_do() {
	do_ok dev-get '{"dev-index": 0}'
	cat /tmp/nl-out
	dev_matches 0
	do_ok dev-get '{"dev-index": 1}'
	dev_matches 1
}

dev_get_dump() {
	local i
	ynl --dump dev-get >/tmp/nl-dump 2>&1 || fail "dump: $(cat /tmp/nl-dump)"
	cat /tmp/nl-dump
	jq -e 'length == 2 and (map(."dev-index") | sort) == [0, 1]' /tmp/nl-dump >/dev/null ||
		fail "not edu0 and edu1 once each"
	for i in 0 1; do
		jq ".[] | select(.\"dev-index\" == $i)" /tmp/nl-dump >/tmp/nl-out
		dev_matches $i
	done
}

stats_get() {
	local s f
	echo 4 >"$E0/factorial" || fail "sysfs factorial"
	do_ok stats-get '{"dev-index": 0}'
	cat /tmp/nl-out
	reply '."dev-index" == 0 and (.stats | length) == 11'
	for s in $STATS; do
		reply ".stats.\"${s//_/-}\" == $(cat "$E0/stats/$s")"
	done
	f=$(cat "$E0/stats/factorials")
	[ "$f" -ge 1 ] || fail "no factorial counted"
	do_ok stats-get '{"dev-index": 1}'
	reply ".\"dev-index\" == 1 and .stats.factorials == $(cat "$E1/stats/factorials")"
}

factorial() {
	local before
	before=$(cat "$E1/stats/factorials")
	do_ok factorial '{"dev-index": 1, "fact-n": 10}'
	cat /tmp/nl-out
	reply '."dev-index" == 1 and ."fact-result" == 3628800'
	do_ok factorial '{"dev-index": 1, "fact-n": 13}'
	reply '."fact-result" == 1932053504'
	do_ok factorial '{"dev-index": 1, "fact-n": 0}'
	reply '."fact-result" == 1'
	is "$E1/stats/factorials" $((before + 3))
}

dev_set() {
	local t1
	t1=$(cat "$E1/dma_timeout_ms")
	do_ok dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 10}'
	is "$E0/dma_timeout_ms" 10
	do_ok dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 60000}'
	is "$E0/dma_timeout_ms" 60000
	do_ok dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 500}'
	is "$E0/dma_timeout_ms" 500
	is "$E1/dma_timeout_ms" "$t1"
	do_ok dev-get '{"dev-index": 0}'
	reply '."dev-dma-timeout-ms" == 500'
	echo 1000 >"$E0/dma_timeout_ms" || fail "sysfs write"
	do_ok dev-get '{"dev-index": 0}'
	reply '."dev-dma-timeout-ms" == 1000'
}

# the default length is the usable buffer; bytes go to the device and back
dma_test() {
	local bs to from
	bs=$(cat /sys/module/edu/parameters/buf_size)
	to=$(cat "$E0/stats/dma_bytes_to_dev")
	from=$(cat "$E0/stats/dma_bytes_from_dev")
	do_ok dma-test '{"dev-index": 0}'
	cat /tmp/nl-out
	reply ".\"dev-index\" == 0 and .\"dma-test-len\" == $bs"
	do_ok dma-test '{"dev-index": 0, "dma-test-len": 100}'
	reply '."dma-test-len" == 100'
	do_ok dma-test '{"dev-index": 0, "dma-test-len": 1}'
	reply '."dma-test-len" == 1'
	is "$E0/stats/dma_bytes_to_dev" $((to + bs + 101))
	is "$E0/stats/dma_bytes_from_dev" $((from + bs + 101))
	is "$E0/stats/dma_errors" 0
}

stats_reset() {
	local s f1
	f1=$(cat "$E1/stats/factorials")
	[ "$(cat "$E0/stats/irqs")" != 0 ] || fail "edu0 has no interrupts to reset"
	do_ok stats-reset '{"dev-index": 0}'
	for s in $STATS; do
		is "$E0/stats/$s" 0
	done
	is "$E1/stats/factorials" "$f1"
	do_ok stats-get '{"dev-index": 0}'
	reply '[.stats[]] | length == 11 and all(. == 0)'
}

# --- errors: YNL ---

missing_attrs() {
	do_err dev-get '{}' "Invalid argument" "'msg': '" "'miss-type': 'dev-index'"
	do_err factorial '{"dev-index": 0}' "Invalid argument" "'msg': '" "'miss-type': 'fact-n'"
	do_err factorial '{"fact-n": 3}' "Invalid argument" "'msg': '" "'miss-type': 'dev-index'"
	do_err stats-reset '{}' "Invalid argument" "'msg': '" "'miss-type': 'dev-index'"
	do_err dev-set '{"dev-index": 0}' "Invalid argument" \
		"nothing to set: give dev-dma-timeout-ms or dev-peer"
}

no_such_device() {
	do_err dev-get '{"dev-index": 99}' "No such device" "no such edu device"
	do_err stats-get '{"dev-index": 2}' "No such device" "no such edu device"
	do_err factorial '{"dev-index": 255, "fact-n": 3}' "No such device" "no such edu device"
	do_err dev-set '{"dev-index": 2, "dev-dma-timeout-ms": 100}' \
		"No such device" "no such edu device"
}

# indices go up to 255 (EDU_MAX_DEVICES - 1): beyond, the policy refuses
index_range() {
	local v
	for v in 256 4294967295; do
		do_err dev-get "{\"dev-index\": $v}" "Numerical result out of range" "out of range" \
			"'bad-attr': '.dev-index'" "'max-value': 255"
	done
}

# out of the policy's range: ERANGE, the offending attribute and its
# bounds in the extended ACK; nothing changes
timeout_range() {
	local v
	for v in 5 9 60001; do
		do_err dev-set "{\"dev-index\": 0, \"dev-dma-timeout-ms\": $v}" \
			"Numerical result out of range" "out of range" \
			"'bad-attr': '.dev-dma-timeout-ms'" "'min-value': 10" "'max-value': 60000"
	done
	is "$E0/dma_timeout_ms" 1000
}

fact_range() {
	local f
	f=$(cat "$E0/stats/factorials")
	do_err factorial '{"dev-index": 0, "fact-n": 100000001}' \
		"Numerical result out of range" "out of range" "'bad-attr': '.fact-n'" \
		"'max-value': 100000000"
	do_err factorial '{"dev-index": 0, "fact-n": 4294967295}' \
		"Numerical result out of range" "'bad-attr': '.fact-n'"
	is "$E0/stats/factorials" "$f"
}

# 1..4096 by policy, and no more than the usable buffer (buf_size 4095)
dma_len_range() {
	do_err dma-test '{"dev-index": 0, "dma-test-len": 0}' \
		"Numerical result out of range" "'bad-attr': '.dma-test-len'" "'min-value': 1"
	do_err dma-test '{"dev-index": 0, "dma-test-len": 4097}' \
		"Numerical result out of range" "'bad-attr': '.dma-test-len'" "'max-value': 4096"
	[ "$(cat /sys/module/edu/parameters/buf_size)" = 4095 ] || fail "buf_size is not 4095"
	do_err dma-test '{"dev-index": 0, "dma-test-len": 4096}' \
		"Invalid argument" "'bad-attr': '.dma-test-len'" "usable device buffer"
}

# --- the network interface's peer (dev-peer; 256 is none) ---

# peers_are P0 P1: sysfs "peer" of edu0 and edu1, and dev-get's dev-peer
peers_are() {
	is "$E0/peer" "$1"
	is "$E1/peer" "$2"
	do_ok dev-get '{"dev-index": 0}'
	reply ".\"dev-peer\" == $(peer_of 0)"
	do_ok dev-get '{"dev-index": 1}'
	reply ".\"dev-peer\" == $(peer_of 1)"
}

peer_set() {
	is "$E0/peer" none
	do_ok dev-set '{"dev-index": 0, "dev-peer": 1}'
	peers_are edu1 edu0
	# its own index: loopback; edu1 is unplugged
	do_ok dev-set '{"dev-index": 0, "dev-peer": 0}'
	peers_are self none
	do_ok dev-set '{"dev-index": 1, "dev-peer": 0}'
	peers_are edu1 edu0
	do_ok dev-set '{"dev-index": 1, "dev-peer": 256}'
	peers_are none none
	echo 1 >"$E0/peer" || fail "sysfs peer"
	do_ok dev-get '{"dev-index": 1}'
	reply '."dev-peer" == 0'
	# both at once
	do_ok dev-set '{"dev-index": 0, "dev-peer": 256, "dev-dma-timeout-ms": 900}'
	peers_are none none
	is "$E0/dma_timeout_ms" 900
	do_ok dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 1000}'
	peers_are none none
}

# refused, and nothing changes: neither the link (edu0-edu1) nor the timeout
peer_refused() {
	local v
	echo 1 >"$E0/peer" || fail "sysfs peer"
	do_err dev-set '{"dev-index": 0, "dev-peer": 2}' "No such device" \
		"no such edu device to link to" "'bad-attr': '.dev-peer'"
	do_err dev-set '{"dev-index": 0, "dev-peer": 255}' "No such device" "'bad-attr': '.dev-peer'"
	for v in 257 4294967295; do
		do_err dev-set "{\"dev-index\": 0, \"dev-peer\": $v}" \
			"Numerical result out of range" "'bad-attr': '.dev-peer'" "'max-value': 256"
	done
	do_err dev-set '{"dev-index": 2, "dev-peer": 0}' "No such device" "no such edu device"
	# all or nothing
	do_err dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 700, "dev-peer": 2}' \
		"No such device" "'bad-attr': '.dev-peer'"
	do_err dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 5, "dev-peer": 256}' \
		"Numerical result out of range" "'bad-attr': '.dev-dma-timeout-ms'"
	peers_are edu1 edu0
	is "$E0/dma_timeout_ms" 1000
	RUNAS=("${NOBODY[@]}")
	do_err dev-set '{"dev-index": 0, "dev-peer": 256}' "Operation not permitted"
	RUNAS=()
	peers_are edu1 edu0
	echo none >"$E0/peer" || fail "sysfs peer"
}

# 17 is EDU_A_DEV_PEER
raw_peer() {
	echo 1 >"$E0/peer" || fail "sysfs peer"
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=17" "do" 2 2:u32:0 17:u16:256
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=17" "do" 2 2:u32:0 17:u64:256
	raw_err "errno=ERANGE(34)" "do" 2 2:u32:0 17:s32:-1
	is "$E0/peer" edu1
	echo none >"$E0/peer" || fail "sysfs peer"
}

# --- errors: malformed requests (nlraw.py; 2 is EDU_A_DEV_INDEX) ---

raw_bad_length() {
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=2" "do" 1 2:u8:0
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=2" "do" 1 2:u64:0
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=2" "do" 1 2:str:0
	# EDU_CMD_DEV_SET with EDU_A_DEV_DMA_TIMEOUT_MS (10) as a u16
	raw_err "errno=EINVAL(22) msg='invalid attribute length' bad-attr=10" "do" 2 2:u32:0 10:u16:500
	is "$E0/dma_timeout_ms" 1000
}

raw_bad_attrs() {
	local out
	# not an attribute of the family; an attribute of the family that
	# EDU_CMD_DEV_GET does not take (EDU_A_FACT_N)
	raw_err "errno=EINVAL(22) msg='Unknown attribute type' bad-attr=40" "do" 1 2:u32:0 40:u32:0
	out=$(raw_err "errno=EINVAL(22) msg='" "do" 1 2:u32:0 13:u32:5) || exit 1
	[[ $out == *"msg='Unknown attribute type' bad-attr=13"* ||
		$out == *"msg='Unsupported attribute' bad-attr=13"* ]] || fail "fact-n in dev-get: $out"
	raw_err "errno=EINVAL(22) msg='NLA_F_NESTED not expected' bad-attr=2" "do" 1 2n:u32:0
	# a command that does not exist, a notification sent as a request
	raw_err "errno=EOPNOTSUPP(95)" "do" 11 2:u32:0
	raw_err "errno=EOPNOTSUPP(95)" "do" 7 2:u32:0
}

# dump_has INDEX...: the raw dump is those devices once each, every
# message EDU_CMD_DEV_GET version 1 with NLM_F_MULTI, ended by NLMSG_DONE
dump_has() {
	local out line i seen want
	out=$("$NLRAW" dump 1) || fail "nlraw dump: exit $?"
	echo "$out"
	[ "${out##*$'\n'}" = "done error=0" ] || fail "does not end with NLMSG_DONE"
	while read -r line; do
		[[ $line =~ ^msg\ cmd=1\ version=1\ flags=0x([0-9a-f]+)(\ .*)?\ 2=u32:([0-9]+)(\ |$) ]] ||
			fail "bad message: $line"
		((0x${BASH_REMATCH[1]} & 2)) || fail "no NLM_F_MULTI: $line"
		i=${BASH_REMATCH[3]}
		[[ $line == *" 4=str:$(pci_of "$i")"* ]] || fail "edu$i: wrong PCI address: $line"
		seen+="$i"$'\n'
	done < <(grep -v '^done' <<<"$out")
	seen=$(printf '%s' "$seen" | sort -n | tr '\n' ' ')
	want="$* "
	[ "$seen" = "$want" ] || fail "devices: '$seen', expected '$want'"
}

raw_dump() {
	local p1
	p1=$(pci_of 1)
	dump_has 0 1
	echo "$p1" >"$DRV/unbind" || fail "unbind"
	dump_has 0
	raw_err "errno=ENODEV(19) msg='no such edu device" "do" 1 2:u32:1
	echo "$p1" >"$DRV/bind" || fail "bind"
	wait_for 50 test -e /sys/class/edu/edu1 || fail "edu1 not back"
	dump_has 0 1
}

# --- a dump over several datagrams ---
#
# The kernel sizes a dump's datagrams by the largest buffer the socket has
# received with (NLMSG_GOODSIZE at least, 32 KiB at most): with a 4 KiB
# buffer one holds 4096 / (one dev-get message) devices, 33 with 124-byte
# messages. Enough devices for three datagrams are hot-added through QMP,
# eight functions per slot (the i440fx root bus has too few free slots
# for one device each); their QOM ids hpSfF do not clash with vmrun's
# edu0..edu(N-1).
DUMP_BUF=4096

# edus: the number of bound edu devices
edus() {
	local d n=0
	for d in /sys/class/edu/edu*; do
		[ -e "$d" ] && n=$((n + 1))
	done
	echo $n
}

edus_are() {
	[ "$(edus)" = "$1" ]
}

# qmp_all JSON...: vm-qmp each JSON, all at once (one by one costs ~0.8 s
# each under TCG); fails if any fails
qmp_all() {
	local j pids=() rc=0 p
	for j; do
		vm-qmp "$j" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	return $rc
}

# hp_add SLOT...: eight edu functions in each SLOT of the edu devices'
# bus, functions 0 last (their hot-plug makes the guest scan the slot)
hp_add() {
	local s f j cmds=() zeros=()
	for s; do
		for f in 0 1 2 3 4 5 6 7; do
			j=$(qmp_edu_add "hp${s}f$f" "$(printf 0x%x.%d "$s" $f)")
			if [ $f = 0 ]; then zeros+=("$j"); else cmds+=("$j"); fi
		done
	done
	qmp_all "${cmds[@]}" && qmp_all "${zeros[@]}"
}

# dump_size: bytes of one dev-get message (a doit reply alone in its datagram)
dump_size() {
	local out
	out=$("$NLRAW" -b $DUMP_BUF do 1 2:u32:0) || fail "nlraw do: $out"
	[[ $out =~ ^datagram\ 1\ bytes=([0-9]+)\ msgs=1$'\n' ]] || fail "nlraw do: $out"
	echo "${BASH_REMATCH[1]}"
}

many_devices() {
	local size per want n s t0 t1 bus slots=()
	command -v vm-qmp >/dev/null || fail "no vm-qmp (not in a vmrun guest)"
	size=$(dump_size) || exit 1
	per=$((DUMP_BUF / size))
	want=$((2 * per + 1))
	n=$(edus)
	echo "dev-get message: $size bytes, $per per $DUMP_BUF-byte datagram:" \
		"$want devices for three datagrams, $n bound"
	bus=$(edu_pci_devices | head -n 1)
	bus=${bus%:*}
	for ((s = 31; s > 2 && n + 8 * ${#slots[@]} < want; s--)); do
		[ -e "$bus:$(printf %02x $s).0" ] || slots+=("$s")
	done
	printf '%s\n' "${slots[@]}" >/tmp/nl-hp-slots
	t0=$(date +%s.%N)
	hp_add "${slots[@]}" || fail "device_add failed"
	n=$((n + 8 * ${#slots[@]}))
	wait_for 600 edus_are $n || fail "$(edus) devices bound, expected $n"
	t1=$(date +%s.%N)
	echo "${#slots[@]} slots (${slots[*]}) hot-added, $n devices bound in" \
		"$(printf %.1f "$(bc <<<"$t1 - $t0")") s; $size-byte messages" | tee /tmp/nl-hp-note
	((n > per)) || fail "only $n devices: one datagram holds $per"
	((n >= want)) || echo "fewer than $want devices: two datagrams only"
}

# The raw dump with a DUMP_BUF-byte buffer: every bound device once, in
# index order, DUMP_BUF / size devices per datagram (all but the last
# full), NLMSG_DONE at the end, in the last datagram.
dump_datagrams() {
	local out size per n want line idx i prev=-1 got=() msgs=() dgrams=0 bytes
	size=$(dump_size) || exit 1
	per=$((DUMP_BUF / size))
	n=$(edus)
	out=$("$NLRAW" -b $DUMP_BUF dump 1) || fail "nlraw dump: exit $?: $out"
	grep '^datagram' <<<"$out"
	[ "${out##*$'\n'}" = "done error=0" ] || fail "does not end with NLMSG_DONE: ${out##*$'\n'}"
	while read -r line; do
		if [[ $line =~ ^datagram\ [0-9]+\ bytes=([0-9]+)\ msgs=([0-9]+)$ ]]; then
			dgrams=$((dgrams + 1)) bytes=${BASH_REMATCH[1]}
			msgs+=("${BASH_REMATCH[2]}")
			continue
		fi
		[[ $line == done* ]] && continue
		[[ $line =~ ^msg\ cmd=1\ version=1\ flags=0x[0-9a-f]+\ 2=u32:([0-9]+)\  ]] ||
			fail "bad message: $line"
		idx=${BASH_REMATCH[1]}
		((idx > prev)) || fail "edu$idx after edu$prev: not in index order"
		prev=$idx
		got+=("$idx")
	done <<<"$out"
	want=$(ls /sys/class/edu | sed 's/^edu//' | sort -n | tr '\n' ' ')
	[ "${got[*]} " = "$want" ] || fail "dumped '${got[*]}', bound '$want'"
	echo "$n devices of $size bytes in $dgrams datagrams of $DUMP_BUF bytes" >/tmp/nl-dump-note
	# per devices in each but the last; the last has the rest and DONE
	want="$(for ((i = per; i < n + 1; i += per)); do printf '%d ' $per; done)$((n % per + 1))"
	[ "${msgs[*]}" = "$want" ] || fail "messages per datagram: ${msgs[*]}, expected $want"
	((dgrams >= 2)) || fail "one datagram"
}

dump_eductl_ynl() {
	local want n
	n=$(edus)
	want=$(ls /sys/class/edu | sed 's/^edu//' | sort -n | jq -sc .)
	"$EDUCTL" -j show >/tmp/nl-out 2>&1 || fail "eductl -j show: $(cat /tmp/nl-out)"
	jq -e --argjson w "$want" 'map(.index) == $w' /tmp/nl-out >/dev/null ||
		fail "eductl -j show: not $n devices in order: $(head -c 300 /tmp/nl-out)"
	jq -e 'all(.[]; .name == "edu\(.index)" and .peer == "none" and .pm_state == "active")' \
		/tmp/nl-out >/dev/null || fail "eductl -j show: wrong name, peer or pm_state"
	"$EDUCTL" -j list >/tmp/nl-out 2>&1 || fail "eductl -j list: $(cat /tmp/nl-out)"
	jq -e "length == $n" /tmp/nl-out >/dev/null || fail "eductl -j list: not $n devices"
	[ -n "$NO_YNL" ] && { echo "YNL: $NO_YNL"; return 0; }
	ynl --dump dev-get >/tmp/nl-out 2>&1 || fail "YNL dump: $(cat /tmp/nl-out)"
	jq -e --argjson w "$want" 'map(."dev-index") == $w' /tmp/nl-out >/dev/null ||
		fail "YNL dump: not $n devices in order"
}

# device_del of function 0 ejects the whole slot
hp_remove() {
	local s dels=() t0
	[ -s /tmp/nl-hp-slots ] || return 0
	while read -r s; do
		dels+=("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hp${s}f0\"}}")
	done </tmp/nl-hp-slots
	t0=$(date +%s.%N)
	qmp_all "${dels[@]}" || fail "device_del failed"
	wait_for 600 edus_are 2 || fail "$(edus) devices left, expected 2"
	echo "${#dels[@]} slots removed in $(printf %.1f "$(bc <<<"$(date +%s.%N) - $t0")") s" |
		tee -a /tmp/nl-hp-note
	rm -f /tmp/nl-hp-slots
	dump_has 0 1
}

# --- notifications ---

# listeners GROUP: generic netlink sockets in multicast group GROUP (only
# groups 1..32 are visible in /proc/net/netlink)
listeners() {
	local n=0 eth groups
	while read -r _ eth _ groups _; do
		[ "$eth" = 16 ] && (((16#$groups >> ($1 - 1)) & 1)) && n=$((n + 1))
	done < <(tail -n +2 /proc/net/netlink)
	echo $n
}

# edu1 unbound and bound again while eductl monitor and YNL listen;
# their output in /tmp/nl-mon and /tmp/nl-ntf
events_cycle() {
	local p1 gid before n i mpid ypid
	p1=$(pci_of 1)
	rm -f /tmp/nl-mon /tmp/nl-mon.err /tmp/nl-mon.rc /tmp/nl-ntf
	gid=$("$NLRAW" family | sed -n 's/^mcgrp events //p')
	[ -n "$gid" ] || fail "no group events"
	((gid <= 32)) && before=$(listeners "$gid")
	"$EDUCTL" -j monitor --count 2 >/tmp/nl-mon 2>/tmp/nl-mon.err &
	mpid=$!
	if [ -z "$NO_YNL" ]; then
		ynl_cli --subscribe events --sleep 12 >/tmp/nl-ntf 2>&1 &
		ypid=$!
	fi
	if ((gid <= 32)); then
		# until both have joined the group (YNL alone when eductl died)
		for ((i = 0; i < 300; i++)); do
			n=$(listeners "$gid")
			((n >= before + 2)) && break
			! kill -0 $mpid 2>/dev/null && ((n >= before + 1)) && break
			sleep 0.1
		done
		echo "group $gid: $before listeners before, $n after"
	else
		sleep 6
	fi
	echo "$p1" >"$DRV/unbind" || fail "unbind"
	echo "$p1" >"$DRV/bind" || fail "bind"
	wait_for 50 test -e /sys/class/edu/edu1 || fail "edu1 not back"
	# eductl ends by itself after 2 events
	for ((i = 0; i < 100; i++)); do
		kill -0 $mpid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $mpid 2>/dev/null; then
		kill $mpid
		wait $mpid
		echo "still running 10 s after the bind" >/tmp/nl-mon.rc
	else
		wait $mpid
		echo $? >/tmp/nl-mon.rc
	fi
	[ -z "$ypid" ] || wait $ypid
	return 0
}

# A failed DMA transfer (debugfs fail_dma) reaches eductl monitor as a
# dma-error event carrying the errno.
dma_error_event() {
	local p0 gid before i mpid
	p0=$(pci_of 0)
	gid=$("$NLRAW" family | sed -n 's/^mcgrp events //p')
	[ -n "$gid" ] || fail "no group events"
	((gid <= 32)) && before=$(listeners "$gid")
	"$EDUCTL" -j monitor --count 1 >/tmp/nl-dma 2>&1 &
	mpid=$!
	for ((i = 0; i < 100; i++)); do
		((gid > 32)) && { sleep 3; break; }
		(($(listeners "$gid") > before)) && break
		sleep 0.1
	done
	echo 1 >"/sys/kernel/debug/edu/$p0/fail_dma" || fail "fail_dma"
	! dd if=/dev/edu0 of=/dev/null bs=10 count=1 status=none 2>/dev/null ||
		fail "the read did not fail"
	for ((i = 0; i < 100; i++)); do
		kill -0 $mpid 2>/dev/null || break
		sleep 0.1
	done
	kill $mpid 2>/dev/null && fail "no event within 10 s"
	wait $mpid
	jq -e '.event == "dma-error" and .name == "edu0" and .error == "EIO"' /tmp/nl-dma >/dev/null ||
		fail "unexpected: $(cat /tmp/nl-dma)"
}

eductl_monitor() {
	local pci
	pci=$(pci_of 1)
	[ -e /tmp/nl-mon.rc ] || fail "no monitor run (previous test)"
	cat /tmp/nl-mon /tmp/nl-mon.err
	[ "$(cat /tmp/nl-mon.rc)" = 0 ] || fail "eductl monitor: $(cat /tmp/nl-mon.rc)"
	jq -e -s --arg pci "$pci" \
		'map([.event, .name, .index, .pci]) == [["del", "edu1", 1, $pci], ["add", "edu1", 1, $pci]]' \
		/tmp/nl-mon >/dev/null || fail "expected del then add of edu1 ($pci)"
}

ynl_subscribe() {
	local pci
	pci=$(pci_of 1)
	[ -e /tmp/nl-ntf ] || fail "no YNL run (previous test)"
	cat /tmp/nl-ntf
	jq -e --arg pci "$pci" '[.[] | select(.name | startswith("dev-"))] |
		map([.name, .msg."dev-index", .msg."dev-name", .msg."dev-pci"]) ==
		[["dev-del-ntf", 1, "edu1", $pci], ["dev-add-ntf", 1, "edu1", $pci]]' \
		/tmp/nl-ntf >/dev/null || fail "expected dev-del-ntf then dev-add-ntf of edu1 ($pci)"
}

# --- no global lock held while the device is waited for ---

# held_dma DIR: the debugfs queue in DIR shows one request, in the device
held_dma() {
	grep -qx 'depth 1' "$1/queue" && grep -qx 'active 1' "$1/queue"
}

# A dma-test on edu0 held in the device (edu_hold.h's recipe: debugfs
# force_timeout, dma_timeout_ms 60 s, so the engine's watchdog ends it at
# the latest then) must not keep another family waiting: nlctrl answers a
# dump (genl ctrl list) and CTRL_CMD_GETFAMILY (nlraw.py resolving the
# family) while it still waits. Under the global genl_mutex they would
# answer only once the watchdog had failed the transfer. A signal then
# ends the held request (EINTR): waits for the device are interruptible.
# The transfer itself stays in the device until the watchdog fails it (or
# the unload): the tests after this one do no DMA on edu0.
held_nlctrl() {
	local dbg pid old err=
	dbg=/sys/kernel/debug/edu/$(pci_of 0)
	old=$(cat "$E0/dma_timeout_ms")
	echo 60000 >"$E0/dma_timeout_ms" || fail "dma_timeout_ms"
	echo 1 >"$dbg/force_timeout" || fail "force_timeout"
	"$NLRAW" do 6 2:u32:0 >/tmp/nl-held 2>&1 &
	pid=$!
	if ! wait_for 600 held_dma "$dbg"; then
		err="the dma-test was not held: $(cat "$dbg/queue")"
	elif ! timeout $((120 * EDU_TIME_SCALE)) genl ctrl list >/tmp/nl-ctrl 2>&1; then
		err="genl ctrl list: $(tail -n 3 /tmp/nl-ctrl)"
	elif ! timeout $((120 * EDU_TIME_SCALE)) "$NLRAW" family >/tmp/nl-ctrl 2>&1; then
		err="nlraw family: $(cat /tmp/nl-ctrl)"
	elif ! kill -0 $pid 2>/dev/null || ! held_dma "$dbg"; then
		err="nlctrl answered only after the held dma-test had ended: $(cat /tmp/nl-held)"
	fi
	kill $pid 2>/dev/null
	wait $pid
	echo 0 >"$dbg/force_timeout"
	echo "$old" >"$E0/dma_timeout_ms"
	[ -z "$err" ] || fail "$err"
}

# --- permissions ---

nobody_has_no_caps() {
	local out
	out=$("${NOBODY[@]}" sh -c 'id -u; grep ^CapEff /proc/self/status') || fail "setpriv: $out"
	[[ $out == 65534*"CapEff:"*0000000000000000 ]] || fail "not unprivileged: $out"
}

unprivileged_reads() {
	RUNAS=("${NOBODY[@]}")
	do_ok dev-get '{"dev-index": 1}'
	dev_matches 1
	ynl --dump dev-get >/tmp/nl-out 2>&1 || fail "dump: $(cat /tmp/nl-out)"
	reply 'length == 2'
	do_ok stats-get '{"dev-index": 0}'
	reply ".stats.factorials == $(cat "$E0/stats/factorials")"
}

unprivileged_admin_ops() {
	local f x
	echo 3 >"$E0/factorial" || fail "sysfs factorial"
	f=$(cat "$E0/stats/factorials")
	x=$(cat "$E0/stats/dma_xfers_to_dev")
	RUNAS=("${NOBODY[@]}")
	do_err dev-set '{"dev-index": 0, "dev-dma-timeout-ms": 700}' "Operation not permitted"
	do_err stats-reset '{"dev-index": 0}' "Operation not permitted"
	do_err dma-test '{"dev-index": 0}' "Operation not permitted"
	do_err factorial '{"dev-index": 0, "fact-n": 12}' "Operation not permitted"
	is "$E0/dma_timeout_ms" 1000
	is "$E0/stats/factorials" "$f"
	is "$E0/stats/dma_xfers_to_dev" "$x"
}

# --- unload ---

unload_unregisters() {
	local out rc
	edu_unload || fail "modprobe -r edu"
	! out=$(genl ctrl get name edu 2>&1) || fail "family still registered: $out"
	"$NLRAW" family >/dev/null 2>&1
	rc=$?
	[ $rc = 3 ] || fail "nlraw family: exit $rc, expected 3 (no family)"
	if [ -z "$NO_YNL" ]; then
		! out=$(ynl --dump dev-get 2>&1) || fail "YNL dump worked: $out"
		grep -q "Family 'edu' not supported by the kernel" <<<"$out" || fail "YNL: $out"
	fi
}

reload_registers() {
	modprobe edu || fail "modprobe edu"
	wait_for 50 test -e /sys/class/edu/edu1 || fail "edu1 did not appear"
	genl ctrl get name edu >/dev/null || fail "family not registered again"
	dump_has 0 1
}

ok_if "modprobe edu: edu0 and edu1 bound" loaded
ok_if "genl ctrl: family edu, version 1, no header, operations 1..6, group events" genl_ctrl
ok_if "CTRL_CMD_GETFAMILY: doit/dumpit per operation, admin for all but dev-get, stats-get" \
	raw_family
ynl_if "YNL: edu.yaml validates against genetlink-c; 6 operations, 4 notifications" ynl_spec
ynl_if "YNL dev-get edu0, edu1: index, name, PCI address, hw id, irq, DMA settings as sysfs" \
	dev_get_do
ynl_if "YNL dump dev-get: edu0 and edu1 once each, as sysfs" dev_get_dump
ynl_if "YNL stats-get: the 11 counters of the nest as sysfs stats/" stats_get
ynl_if "YNL factorial: 10! = 3628800, 13! mod 2^32, 0! = 1; counted in sysfs" factorial
ynl_if "YNL dev-set dev-dma-timeout-ms 10, 60000, 500: sysfs follows (edu0 only)" dev_set
ynl_if "YNL dma-test: whole buffer by default, 100 and 1 bytes; bytes counted both ways" dma_test
ynl_if "YNL stats-reset: edu0's counters zero, edu1's kept" stats_reset
ynl_if "missing dev-index, fact-n: EINVAL, attribute named; dev-set with nothing to set: EINVAL" \
	missing_attrs
ynl_if "unknown dev-index (99, 2, 255): ENODEV 'no such edu device'" no_such_device
ynl_if "dev-index 256, 2^32-1: ERANGE at the attribute, policy max 255" index_range
ynl_if "dev-dma-timeout-ms 5, 9, 60001: ERANGE at the attribute, policy 10..60000 in extack" \
	timeout_range
ynl_if "fact-n 100000001, 2^32-1: ERANGE at the attribute, policy max 100000000" fact_range
ynl_if "dma-test-len 0, 4097: ERANGE; 4096 (past buf_size): EINVAL; at the attribute" \
	dma_len_range
ok_if "raw: dev-index as u8, u64, string; timeout as u16: EINVAL 'invalid attribute length'" \
	raw_bad_length
ok_if "raw: unknown and foreign attributes, NLA_F_NESTED on a u32, bad commands: refused" \
	raw_bad_attrs
ok_if "raw dump: each device once, NLM_F_MULTI, NLMSG_DONE; edu1 unbound: edu0 only, ENODEV" \
	raw_dump
ynl_if "YNL dev-set dev-peer 1, own index (self), 256 (none); with the timeout; dev-get, sysfs" \
	peer_set
ynl_if "dev-peer: no device ENODEV, 257 and 2^32-1 ERANGE, bad timeout: nothing set; EPERM" \
	peer_refused
ok_if "raw: dev-peer as u16, u64: EINVAL; as s32 -1: ERANGE; link unchanged" raw_peer
ok_if "hot-add (QMP) enough edu devices for a dump of 3+ datagrams of $DUMP_BUF bytes" many_devices
ok_if "raw dump, $DUMP_BUF-byte buffer: several full datagrams, each device once in order, DONE" \
	dump_datagrams
ok_if "eductl -j show, eductl -j list and YNL --dump: every device once, in order" dump_eductl_ynl
ok_if "device_del of the hot-added slots: edu0 and edu1 left, dump sees both" hp_remove
cat /tmp/nl-dump-note /tmp/nl-hp-note 2>/dev/null | sed 's/^/# /'
ok_if "edu1 unbound and bound with eductl monitor and YNL subscribed to events" events_cycle
ok_if "eductl -j monitor --count 2: del then add of edu1, then exits" eductl_monitor
ok_if "DMA error (debugfs fail_dma): eductl monitor gets dma-error EIO for edu0" dma_error_event
ynl_if "YNL --subscribe events: dev-del-ntf then dev-add-ntf of edu1 with index, name, PCI" \
	ynl_subscribe
ok_if "setpriv: uid 65534 without capabilities" nobody_has_no_caps
ok_if "a dma-test held in the device: nlctrl (genl ctrl list, GETFAMILY) answers meanwhile" \
	held_nlctrl
ynl_if "unprivileged: dev-get, dump, stats-get work (they do not touch the device)" \
	unprivileged_reads
ynl_if "unprivileged: dev-set, stats-reset, dma-test, factorial: EPERM, nothing changed" \
	unprivileged_admin_ops
ok_if "modprobe -r edu: family unregistered (genl, CTRL_CMD_GETFAMILY, YNL)" unload_unregisters
ok_if "modprobe edu again: family back, dump sees both devices" reload_registers
edu_unload
tap_done
