#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Allocation failures inside the driver's operations, and the leak
# checks themselves. debugfs fail_alloc=N fails the Nth of the driver's
# own allocations from now (then returns to 0): writing 1, 2, 3... before
# the same operation walks through each of its allocations. Each one
# must fail the operation with ENOMEM (probe: the bind), change nothing
# (data, bound state, interface, IRQ, node) and leave nothing allocated;
# the operation then works. leak_req plants one leaked request: the slab
# check of leaks.bash (lifecycle.sh's too) must fail on it, and so must
# kmemleak-scan on a kernel with kmemleak. Works on every kernel: the
# knobs need no CONFIG_FAULT_INJECTION.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leaks.bash"
DRV=/sys/bus/pci/drivers/edu
DBG=/sys/kernel/debug/edu
KMEMLEAK_SCAN=$TOP/tests/vm/kmemleak-scan
T=/tmp/edu-faults

# The walks through file operations, in one Python process (each start
# costs seconds under TCG): prints "NAME: N allocations" per operation.
cat >$T-walk.py <<'EOF'
import ctypes, errno, fcntl, mmap, os, struct, sys
KNOB = '/sys/kernel/debug/edu/fail_alloc'
DMA = (1 << 30) | (32 << 16) | (0xED << 8) | 6
GET_STATS = (2 << 30) | (352 << 16) | (0xED << 8) | 4
TO_DEV, FROM_DEV, F_MMAP = 1, 2, 4
dev = sys.argv[1]

def knob(n=None):
    if n is None:
        with open(KNOB) as f:
            return int(f.read())
    with open(KNOB, 'w') as f:
        f.write('%d' % n)

def walk(name, op, unchanged=lambda: None):
    """fail_alloc=1, 2, ... before op until it works: each run before
    must fail with ENOMEM, use up the knob and leave unchanged() true."""
    for n in range(1, 9):
        knob(n)
        try:
            op()
        except OSError as e:
            left = knob()
            knob(0)
            if e.errno != errno.ENOMEM:
                sys.exit('%s, fail_alloc=%d: %s, expected ENOMEM' % (name, n, e))
            if left:
                sys.exit('%s, fail_alloc=%d: failed with %d allocations to go' % (name, n, left))
            unchanged()
            continue
        left = knob()
        knob(0)
        if left != 1:
            sys.exit('%s worked with fail_alloc=%d, which it left at %d: a failed allocation was ignored'
                     % (name, n, left))
        if n == 1:
            sys.exit('%s allocated nothing' % name)
        print('%s: %d allocations, each ENOMEM' % (name, n - 1))
        return
    sys.exit('%s still fails with fail_alloc=8' % name)

old = os.urandom(512)
new = os.urandom(512)
fd = os.open(dev, os.O_RDWR)
assert os.pwrite(fd, old, 100) == 512

def same():
    back = os.pread(fd, 512, 100)
    if back != old:
        sys.exit('the device buffer changed after a failed transfer')

def xfer(flags, addr, off=100, ln=512):
    moff = off if flags & F_MMAP else 0
    fcntl.ioctl(fd, DMA, struct.pack('=QIIIIQ', addr, off, ln, moff, flags, 0))

walk('open', lambda: os.close(os.open(dev, os.O_RDWR)))
walk('pread', lambda: os.pread(fd, 512, 100))
walk('pwrite', lambda: os.pwrite(fd, new, 100), same)
os.pwrite(fd, old, 100)
ubuf = ctypes.create_string_buffer(new, 512)
walk('EDU_IOC_DMA from user memory', lambda: xfer(TO_DEV, ctypes.addressof(ubuf)), same)
os.pwrite(fd, old, 100)
walk('EDU_IOC_DMA to user memory', lambda: xfer(FROM_DEV, ctypes.addressof(ubuf)))
if ubuf.raw != old:
    sys.exit('EDU_IOC_DMA to user memory: wrong data')
maps = []
walk('mmap', lambda: maps.append(mmap.mmap(fd, 4096, mmap.MAP_SHARED)))
m = maps[0]
m[100:612] = new
walk('EDU_IOC_DMA on the mmap() buffer', lambda: xfer(TO_DEV | F_MMAP, 0), same)
if os.pread(fd, 512, 100) != new:
    sys.exit('EDU_IOC_DMA on the mmap() buffer: the device did not get the data')
walk('EDU_IOC_GET_STATS', lambda: fcntl.ioctl(fd, GET_STATS, bytearray(352)))
m.close()
os.close(fd)
EOF

# nothing_of PCI: no driver, interface, debugfs directory or IRQ of PCI's
# left, and one class device and node fewer than with it bound
nothing_of() {
	local p=$1 x irqs
	[ ! -e "/sys/bus/pci/devices/$p/driver" ] || fail "bound after a failed probe"
	[ ! -e "/sys/bus/pci/devices/$p/net" ] || fail "an interface remains"
	[ ! -e "$DBG/$p" ] || fail "its debugfs directory remains"
	x=(/sys/class/edu/*)
	((${#x[@]} == NDEV - 1)) || fail "${#x[@]} class devices, expected $((NDEV - 1))"
	x=(/dev/edu*)
	((${#x[@]} == NDEV - 1)) || fail "${#x[@]} nodes, expected $((NDEV - 1))"
	irqs=$(grep -cwE 'edu[0-9]+' /proc/interrupts)
	((irqs == NDEV - 1)) || fail "$irqs edu interrupts, expected $((NDEV - 1))"
}

# probe_walk: bind edu1 with fail_alloc=1, 2, ... until the bind works:
# each failing bind says ENOMEM and leaves nothing; at least the device
# structure, its index and its interface are walked through
probe_walk() {
	local p n out
	pci_of edu1 && p=$REPLY || fail "no edu1"
	echo "$p" >$DRV/unbind || fail "unbind"
	for ((n = 1; n <= 20; n++)); do
		echo $n >$DBG/fail_alloc || fail "fail_alloc=$n refused"
		if out=$(echo "$p" 2>&1 >$DRV/bind); then
			break
		fi
		[[ $out == *"Cannot allocate memory"* ]] || fail "bind with fail_alloc=$n: $out, expected ENOMEM"
		reads $DBG/fail_alloc 0 || fail "bind failed with fail_alloc=$n left at $(<$DBG/fail_alloc)"
		nothing_of "$p"
	done
	reads $DBG/fail_alloc 1 || fail "bind worked with fail_alloc=$n, left at $(<$DBG/fail_alloc)"
	echo 0 >$DBG/fail_alloc
	((n > 3)) || fail "probe walked through $((n - 1)) allocations, expected 3 or more"
	echo "probe: $((n - 1)) allocations, each ENOMEM and nothing left"
	pci_of edu1 && [ "$REPLY" = "$p" ] || fail "edu1 is not $p after the bind"
	out=$("$TOP/tools/eductl/eductl" -d edu1 liveness 2>&1) || fail "liveness: $out"
	slab_ok
}

file_walks() {
	python3 $T-walk.py /dev/edu0 || fail "see above"
	slab_ok
}

# pm_save_walk: edu1 runtime-suspends with pm_lose_state (save, then
# wipe): fail_alloc=1, 2 fail the save's allocations; each suspend is
# refused (the device stays active, no suspend counted, no wipe), the
# kernel says why; then a suspend saves, wipes, and the data comes back
pm_save_walk() {
	local p e n s0 w0 out
	pci_of edu1 && p=$REPLY e=/sys/bus/pci/devices/$REPLY || fail "no edu1"
	head -c 4095 /dev/urandom >$T-pm
	dd if=$T-pm of=/dev/edu1 bs=4095 status=none || fail "DMA write"
	echo 0 >$e/power/autosuspend_delay_ms && echo Y >$DBG/$p/pm_lose_state || fail "setup"
	for n in 1 2; do
		rd $e/stats/pm_suspends && s0=$REPLY
		rd $DBG/$p/pm_wipes && w0=$REPLY
		mark "pm_save_walk $n"
		echo $n >$DBG/fail_alloc && echo auto >$e/power/control || fail "fail_alloc=$n, auto"
		wait_for 50 reads $DBG/fail_alloc 0 || fail "fail_alloc=$n: no suspend tried"
		echo on >$e/power/control
		reads $e/stats/pm_suspends "$s0" || fail "fail_alloc=$n: the suspend went on"
		reads $DBG/$p/pm_wipes "$w0" || fail "fail_alloc=$n: wiped without a save"
		out=$(since_mark)
		[[ $out == *"cannot suspend: saving the device buffer failed (-12)"* ]] ||
			fail "fail_alloc=$n: no 'cannot suspend' message: $out"
	done
	echo auto >$e/power/control
	wait_for 50 reads $e/power/runtime_status suspended || fail "no suspend without fail_alloc"
	echo on >$e/power/control
	rd $DBG/$p/pm_wipes && ((REPLY > w0)) || fail "suspended without a wipe"
	echo N >$DBG/$p/pm_lose_state && echo 1000 >$e/power/autosuspend_delay_ms
	cmp -n 4095 $T-pm /dev/edu1 || fail "the buffer was not restored"
	slab_ok
}

# failslab_req: the kernel's failslab (debug kernels), limited to
# edu_dma_req by its cache filter, fails a read's request: ENOMEM, then
# reads work and nothing leaked
FS=/sys/kernel/debug/failslab
failslab_req() {
	local out
	echo 1 >/sys/kernel/slab/edu_dma_req/failslab || fail "edu_dma_req/failslab refused"
	echo Y >$FS/cache-filter && echo N >$FS/ignore-gfp-wait && echo 0 >$FS/verbose &&
		echo 0 >$FS/space && echo 1 >$FS/interval && echo 1 >$FS/times &&
		echo 100 >$FS/probability || fail "failslab setup"
	out=$(dd if=/dev/edu0 of=/dev/null bs=100 count=1 2>&1) && fail "a read worked with failslab on"
	reads $FS/times 0 || fail "failslab did not fire (times $(<$FS/times))"
	failslab_off
	[[ $out == *"Cannot allocate memory"* ]] || fail "read: $out, expected ENOMEM"
	dd if=/dev/edu0 of=/dev/null bs=100 count=1 status=none || fail "the next read failed"
	slab_ok
}
failslab_off() {
	[ -e $FS/probability ] || return 0
	echo 0 >$FS/probability
	echo N >$FS/cache-filter
	echo 0 >/sys/kernel/slab/edu_dma_req/failslab
}

# planted_leak_slab: with one request leaked (leak_req), slab_ok fails
# and names edu_dma_req; once it is freed, slab_ok passes
planted_leak_slab() {
	local out rc
	echo 1 >$DBG/leak_req || fail "leak_req=1 refused"
	head -c 100 /dev/urandom | dd of=/dev/edu0 bs=100 status=none || fail "DMA write"
	reads $DBG/leak_req 2 || fail "leak_req reads $(<$DBG/leak_req): no request kept"
	out=$( (slab_ok) 2>&1)
	rc=$?
	# Freed before any verdict: a failure must not leave it to the next test.
	echo 0 >$DBG/leak_req || fail "leak_req=0 refused"
	reads $DBG/leak_req 0 || fail "leak_req reads $(<$DBG/leak_req) after 0"
	[ $rc != 0 ] || fail "the slab check passed with a request leaked"
	[[ $out == *"slab edu_dma_req: 1 more object(s) "* ]] || fail "slab check: $out"
	echo "$out"
	slab_ok
}

# edu_dma_leaks FILE: the leaks kmemleak-scan attributes to edu with an
# edu_dma_run frame, in REPLY
edu_dma_leaks() {
	REPLY=$("$KMEMLEAK_SCAN" attribute "$1" | grep -c '^leak .*: edu .*edu_dma_run')
}

# planted_leak_kmemleak: kmemleak-scan fails on the planted leak and
# names edu for it (other suspects, from earlier tests, are the final
# scan's business: this one does not clear them)
planted_leak_kmemleak() {
	local before i rc
	"$KMEMLEAK_SCAN" scan $T-km0 >$T-km0.tap
	edu_dma_leaks $T-km0
	before=$REPLY
	echo 1 >$DBG/leak_req || fail "leak_req=1 refused"
	head -c 100 /dev/urandom | dd of=/dev/edu0 bs=100 status=none || fail "DMA write"
	reads $DBG/leak_req 2 || fail "no request kept"
	# kmemleak reports objects older than 5 s; a stale copy of the
	# pointer (a stack) can hide it for a scan or two.
	sleep 6
	for ((i = 0; i < 3; i++)); do
		"$KMEMLEAK_SCAN" scan $T-km1 >$T-km1.tap
		rc=$?
		edu_dma_leaks $T-km1
		((REPLY == before)) || break
	done
	# Freed before any verdict: a failure must not leave it to the next test.
	echo 0 >$DBG/leak_req
	[ $rc != 0 ] || fail "kmemleak-scan passed: $(cat $T-km1.tap)"
	((REPLY == before + 1)) ||
		fail "kmemleak-scan: $REPLY edu_dma_run leaks, $before before the planted one: $(cat $T-km1.tap)"
	grep '^#' $T-km1.tap | head -n 5
}

# kconfig SYMBOL: the running kernel is built with SYMBOL=y (then what it
# provides must be there: the test runs, and fails without it)
kconfig() {
	grep -qsx "$1=y" "/boot/config-$(uname -r)" "/lib/modules/$(uname -r)/build/.config"
}

cleanup() {
	failslab_off 2>/dev/null
	[ -e $DBG/fail_alloc ] && echo 0 >$DBG/fail_alloc
	[ -e $DBG/leak_req ] && echo 0 >$DBG/leak_req
	for f in $DBG/*/pm_lose_state; do [ -e "$f" ] && echo N >"$f"; done
	rm -f $T-*
}
trap cleanup EXIT

NDEV=$(edu_pci_devices | wc -l)
ok_if "modprobe edu: /dev/edu0../dev/edu$((NDEV - 1)), debugfs fail_alloc and leak_req" eval \
	'modprobe edu && wait_for 50 test -e /dev/edu$((NDEV - 1)) &&
	test -e $DBG/fail_alloc -a -e $DBG/leak_req -a $NDEV -ge 2'
[ -e /dev/edu1 ] && [ -e $DBG/fail_alloc ] || tap_done
ok_if "edu_dma_req is a slab cache of its own (slab_nomerge), counted" edu_slab_count edu_dma_req
edu_slab_count edu_dma_req 2>/dev/null || tap_done
slab_baseline
echo "# slab at the start: ${SLAB[*]@K}"

ok_if "fail_alloc through probe: each allocation fails the bind with ENOMEM, leaves nothing; then it binds" \
	probe_walk
ok_if "fail_alloc through open, read, write, EDU_IOC_DMA, mmap, GET_STATS: ENOMEM, data intact, nothing leaked" \
	file_walks
ok_if "fail_alloc through PM save: runtime suspend refused (-12 logged), no wipe; then saved and restored" \
	pm_save_walk
ok_if "fail_alloc rejects -1 and 2^31 (EINVAL)" eval \
	'! echo -1 2>/dev/null >$DBG/fail_alloc && ! echo 2147483648 2>/dev/null >$DBG/fail_alloc &&
	reads $DBG/fail_alloc 0'
ok_if "leak_req rejects 2 (EINVAL)" eval '! echo 2 2>/dev/null >$DBG/leak_req && reads $DBG/leak_req 0'
# The kernel's own fault injection where it is built in (the debug kernel).
if kconfig CONFIG_FAILSLAB; then
	ok_if "failslab on edu_dma_req only (cache-filter): a read fails with ENOMEM, nothing leaked" \
		failslab_req
else
	echo "# failslab: not in this kernel; fail_alloc covers its sites"
fi
ok_if "planted leak (leak_req): the slab check fails on one edu_dma_req, passes once it is freed" \
	planted_leak_slab
if kconfig CONFIG_DEBUG_KMEMLEAK; then
	ok_if "planted leak (leak_req): kmemleak-scan fails and attributes it to edu" planted_leak_kmemleak
else
	echo "# kmemleak: not in this kernel; the planted leak's kmemleak check runs in make check-debug"
fi
ok_if "after the faults: edu0 and edu1 work, nothing leaked" eval \
	'for d in edu0 edu1; do "$TOP/tools/eductl/eductl" -d $d liveness >/dev/null || exit 1; done; slab_ok'
edu_unload
tap_done
