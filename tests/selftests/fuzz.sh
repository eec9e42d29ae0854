#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fuzzing for a bounded time: build/selftests/fuzz on every /dev/eduN at
# once (random ioctls, data path calls, mmap, open/close churn and raw
# generic netlink requests), and meanwhile random strings written to every
# writable attribute edu documents for its PCI devices
# (Documentation/ABI/testing/sysfs-driver-edu) and to its writable module
# parameters. Passes when the kernel log stays clean, the fuzzers find no
# ABI breakage, and afterwards every device still works, the settings can
# be put back, and the module unloads and loads again. If QEMU aborts (a
# DMA range the driver let through), the guest dies: vmrun exits 125 and
# the seeds printed here replay the run.
#
# Environment: FUZZ_SECONDS (default 60) bounds the fuzzing, FUZZ_SEED
# fixes the seeds (device N gets FUZZ_SEED + N).
. "$(dirname "$0")/lib.sh"
EDUCTL=$TOP/tools/eductl/eductl
FUZZ=$TOP/build/selftests/fuzz
ABI=$TOP/Documentation/ABI/testing/sysfs-driver-edu
PARAMS=/sys/module/edu/parameters
SECS=${FUZZ_SECONDS:-60}
T=/tmp/edu-fuzz
head -c 100 /dev/urandom >$T-100


# writable DIR: the files in DIR with an owner write bit, one per line
writable() {
	find "${1%/}/" -maxdepth 1 -type f -perm -u+w 2>/dev/null | sort
}

# edu_attrs PCIDIR: the writable attributes of PCIDIR that edu documents
# (the PCI core's remove, rescan, reset, driver_override, power/... are
# not edu's and are never written)
edu_attrs() {
	local name f
	while read -r name; do
		if [[ $name == */ ]]; then
			writable "$1/${name%/}"
		else
			f=$1/$name
			[ -f "$f" ] && writable "$1" | grep -Fx -- "$f"
		fi
	done < <(sed -n 's|^What:[[:space:]]*/sys/bus/pci/drivers/edu/<pci address>/||p' "$ABI")
}

# Strings to write: empty, numbers at and past every limit, negative,
# words the attributes know, garbage; binary and huge ones are made in
# sysfs_fuzz.
VALUES=(
	"" " " "\n" 0 1 -1 2 5 9 10 33 34 100 1000 4095 4096 60000 60001 100000001
	4294967295 4294967296 -4294967296 18446744073709551615 18446744073709551616
	-9223372036854775808 99999999999999999999999999 0x 0x0 0xffffffff 0x100000000
	0xg 010 09 1e3 +5 " 5" "5 " "5 5" "5x" "1,2" 1.5 self none edu0 edu1 edu2 edu255
	edu-1 eduX auto msi intx MSI "msi " INTX "auto\n\n" yes true on
)

# sysfs_fuzz END_SECONDS FILE...: random writes to the FILEs until
# SECONDS reaches END_SECONDS; a read after each. Outcomes counted per
# file in OUTCOME[file errtext].
declare -A OUTCOME
sysfs_fuzz() {
	local end=$1 f v n err
	shift
	local -a files=("$@")
	while ((SECONDS < end)); do
		f=${files[RANDOM % ${#files[@]}]}
		case $((RANDOM % 10)) in
		0)
			# binary, NULs included; in one write
			n=$((1 + RANDOM % 64))
			head -c $n /dev/urandom 2>/dev/null | dd of="$f" bs=$n status=none 2>$T-err
			;;
		1)
			# more than a page
			printf -v v '%*s' $((4000 + RANDOM % 2000)) ''
			v=${v// /7}
			printf '%s' "$v" 2>$T-err >"$f"
			;;
		2)
			printf '%s' "$RANDOM$RANDOM$RANDOM" 2>$T-err >"$f"
			;;
		*)
			v=${VALUES[RANDOM % ${#VALUES[@]}]}
			printf '%b' "$v" 2>$T-err >"$f"
			;;
		esac
		if [ -s $T-err ]; then
			read -r err <$T-err
			err=${err##*: }
		else
			err=ok
		fi
		OUTCOME[${f#/sys/} $err]=$((${OUTCOME[${f#/sys/} $err]:-0} + 1))
		read -r _ 2>/dev/null <"$f"
	done
}


# fuzz_done I: the fuzzer of device I ended with status 0
fuzz_done() {
	local i=$1 pid
	if [ ! -f "$T-rc-$i" ]; then
		read -r pid _ 2>/dev/null <"/proc/${PIDS[i]}/task/${PIDS[i]}/children"
		fail "fuzzer of edu$i (pid $pid) still running, stuck in the kernel?" \
			"$(cat "/proc/$pid/wchan" "/proc/$pid/stack" 2>/dev/null)"
	fi
	[ "$(<"$T-rc-$i")" = 0 ] || fail "fuzz -d /dev/edu$i -s ${SEEDS[i]} exited $(<"$T-rc-$i")"
}

log_clean() {
	since_mark >$T-log
	"$TOP/tests/vm/healthcheck" -p $T-log "$(</proc/sys/kernel/tainted)"
}

# restore FILE VALUE: write VALUE back and read it back (peer reads
# "eduN" but is written N)
restore() {
	local v=$2
	[[ $1 == */peer && $v == edu* ]] && v=${v#edu}
	echo "$v" >"$1" || fail "cannot write '$v' back to ${1#/sys/}"
	[ "$(<"$1")" = "$2" ] || fail "${1#/sys/} reads '$(<"$1")' after writing '$2'"
}

settings_restored() {
	local k
	for k in "${!SAVED[@]}"; do
		restore "$k" "${SAVED[$k]}"
	done
}

# works N: /dev/eduN answers: liveness, 10!, 100 bytes through DMA and
# back, the netlink DMA test
works() {
	local d=edu$1 out
	out=$("$EDUCTL" -d $d liveness 2>&1) || fail "$d liveness: $out"
	out=$("$EDUCTL" -d $d factorial 10 2>&1) || fail "$d factorial 10: $out"
	[[ $out == *3628800* ]] || fail "$d factorial 10: $out"
	dd if=$T-100 of=/dev/$d bs=100 status=none || fail "$d: DMA write failed"
	cmp -n 100 $T-100 /dev/$d || fail "$d: DMA data read back differs"
	out=$("$EDUCTL" -d $d dma-test 2>&1) || fail "$d dma-test: $out"
}

all_work() {
	local i
	for ((i = 0; i < NDEV; i++)); do
		works $i
	done
}

reload() {
	edu_unload || fail "modprobe -r edu"
	[ ! -e /sys/module/edu ] || fail "/sys/module/edu remains"
	modprobe edu || fail "modprobe edu"
	wait_for 50 test -e /dev/edu$((NDEV - 1)) || fail "/dev/edu$((NDEV - 1)) did not come back"
	all_work
}

mapfile -t PCIS < <(edu_pci_devices)
NDEV=${#PCIS[@]}
[ -x "$FUZZ" ] || { skip "fuzz" "no $FUZZ: make selftests"; tap_done; }
ok_if "modprobe edu: /dev/edu0../dev/edu$((NDEV - 1))" eval \
	'modprobe edu && wait_for 50 test -e /dev/edu$((NDEV - 1))'
[ -e /dev/edu$((NDEV - 1)) ] || tap_done

# What is written to, and what to put back at the end
declare -A SAVED
FILES=()
for d in "${PCIS[@]}"; do
	mapfile -t -O ${#FILES[@]} FILES < <(edu_attrs "$d")
	for a in dma_timeout_ms peer; do
		[ -f "$d/$a" ] && SAVED[$d/$a]=$(<"$d/$a")
	done
done
for f in $(writable $PARAMS); do
	FILES+=("$f")
	SAVED[$f]=$(<"$f")
done
echo "# $NDEV devices; writing to: ${FILES[*]#/sys/}"

mark "fuzz.sh: the fuzzing starts"
SEEDS=() PIDS=()
base=${FUZZ_SEED:-$(((RANDOM << 30 | RANDOM << 15 | RANDOM) * 1000))}
rm -f $T-rc-* $T-out-*
for ((i = 0; i < NDEV; i++)); do
	SEEDS[i]=$((base + i))
	("$FUZZ" -t "$SECS" -d /dev/edu$i -s "${SEEDS[i]}" >$T-out-$i 2>&1
		echo $? >$T-rc-$i) &
	PIDS[i]=$!
done
echo "# fuzzing for $SECS s; seeds ${SEEDS[*]} (FUZZ_SEED=$base replays)"
t0=$SECONDS
sysfs_fuzz $((SECONDS + SECS)) "${FILES[@]}"
# the fuzzers end at their deadline plus the operation in flight
for ((i = 0; i < NDEV; i++)); do
	wait_for 600 test -f $T-rc-$i
done
echo "# fuzzing took $((SECONDS - t0)) s"

for ((i = 0; i < NDEV; i++)); do
	ok_if "fuzz /dev/edu$i (seed ${SEEDS[i]}): ended in time, no ABI breakage, device answers" \
		fuzz_done $i
	sed 's/^#*/#/' $T-out-$i
done
printf '%s\n' "${!OUTCOME[@]}" | sort | while read -r f err; do
	echo "# sysfs ${f#bus/pci/devices/}: $err ${OUTCOME[$f $err]}"
done
ok_if "kernel log clean during the fuzzing, taint only O/E" log_clean
ok_if "settings written back: dma_timeout_ms, peer, module parameters" settings_restored
ok_if "every device works: liveness, factorial, DMA round trip, netlink dma-test" all_work
ok_if "modprobe -r edu, modprobe edu: devices back and working" reload
ok_if "kernel log still clean" log_clean
rm -f $T-*
edu_unload
tap_done
