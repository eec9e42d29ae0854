#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Device lifecycle under load. While a process keeps /dev/edu1 open with
# DMA in flight (read/write and EDU_IOC_DMA on its mmap()ed buffer), a
# ping flood runs over the linked interfaces in two namespaces and
# eductl monitor listens for events, edu1 goes away and comes back:
# through QEMU (QMP device_del/device_add, ACPI hot-plug), through
# /sys/bus/pci/devices/*/remove and rescan, and through unbind/bind 100
# times in a row. Each time the open file gets ENODEV from every call
# (not a hang, not a crash), the monitor sees del and add, and the new
# instance works. Probe failing at each step (debugfs fail_probe) leaves
# no IRQ, node, class device, interface, debugfs or procfs entry, event
# or module reference behind. rmmod while a file is open is refused and
# leaves everything working; after the close, it unloads under traffic.
# The resources counted at the start are all there is at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leaks.bash"
EDUCTL=$TOP/tools/eductl/eductl
DRV=/sys/bus/pci/drivers/edu
DBG=/sys/kernel/debug/edu
NS1=edu-lc1
NS2=edu-lc2
NET=10.78.0
T=/tmp/edu-lc
LOOPS=${LIFECYCLE_LOOPS:-100}
NO_PING=
command -v ping >/dev/null || NO_PING="ping not installed in the guest (iputils-ping)"

# holder DEV: keeps DEV open and moves data through it, round trip after
# round trip, until a stop file appears (prints "stopped after N") or the
# device goes (prints "ENODEV after N", once every other call on the file
# has failed with ENODEV too and its mapping is still plain memory).
# Writes "ready" after the first round trip, progress to $T-progress.
cat >$T-holder.py <<'EOF'
import errno, fcntl, mmap, os, random, select, struct, sys, time
dev, tag = sys.argv[1], sys.argv[2]
INFO = (2 << 30) | (96 << 16) | (0xED << 8) | 0
DMA = (1 << 30) | (32 << 16) | (0xED << 8) | 6
TO_DEV, FROM_DEV, F_MMAP = 1, 2, 4
fd = os.open(dev, os.O_RDWR)
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
progress = os.open(tag + '-progress', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
n = 0
def dma(flags, off, ln):
    fcntl.ioctl(fd, DMA, struct.pack('=QIIIIQ', 0, off, ln, off, flags | F_MMAP, 0))
def enodev(name, f):
    try:
        f()
    except OSError as x:
        if x.errno != errno.ENODEV:
            sys.exit('%s on the removed device: %s' % (name, x))
    else:
        sys.exit('%s on the removed device succeeded' % name)
end = time.monotonic() + 120
try:
    while not os.path.exists(tag + '-stop'):
        if time.monotonic() > end:
            sys.exit('no ENODEV and no stop within 120 s (%d round trips)' % n)
        ln = random.randint(1, 512)
        off = random.randint(0, 4095 - ln)
        data = os.urandom(ln)
        if n % 3 == 2:
            m[off:off + ln] = data
            dma(TO_DEV, off, ln)
            m[off:off + ln] = bytes(ln)
            dma(FROM_DEV, off, ln)
            back = m[off:off + ln]
        else:
            os.pwrite(fd, data, off)
            back = os.pread(fd, ln, off)
        if back != data:
            sys.exit('data differs at %d+%d after %d round trips' % (off, ln, n))
        n += 1
        os.pwrite(progress, b'%d\n' % n, 0)
        if n == 1:
            open(tag + '-ready', 'w').close()
except OSError as e:
    if e.errno != errno.ENODEV:
        sys.exit('round trip %d: %s' % (n + 1, e))
    enodev('ioctl INFO', lambda: fcntl.ioctl(fd, INFO, bytearray(96)))
    enodev('pread', lambda: os.pread(fd, 10, 0))
    enodev('pwrite', lambda: os.pwrite(fd, b'x', 0))
    enodev('EDU_IOC_DMA', lambda: dma(TO_DEV, 0, 1))
    enodev('mmap', lambda: mmap.mmap(fd, 4096, mmap.MAP_SHARED))
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLOUT)
    ev = p.poll(0)
    if not ev or not ev[0][1] & (select.POLLERR | select.POLLHUP):
        sys.exit('poll on the removed device: %s' % ev)
    m[0:4] = b'edu!'
    if m[0:4] != b'edu!':
        sys.exit('the mapping changed under the CPU')
    m.close()
    os.close(fd)
    print('ENODEV after %d round trips' % n)
    sys.exit(0)
m.close()
os.close(fd)
print('stopped after %d round trips' % n)
EOF

# churn DEV: open, write, read, close DEV in a loop while it comes and
# goes, until the stop file appears. Only "not there" errors are fine.
cat >$T-churn.py <<'EOF'
import errno, os, sys, time, collections
dev, tag = sys.argv[1], sys.argv[2]
gone = (errno.ENOENT, errno.ENXIO, errno.ENODEV)
ok, errs = 0, collections.Counter()
while not os.path.exists(tag + '-stop'):
    try:
        fd = os.open(dev, os.O_RDWR)
    except OSError as e:
        if e.errno not in gone:
            sys.exit('open: %s' % e)
        errs['open ' + errno.errorcode[e.errno]] += 1
        time.sleep(0.002)
        continue
    try:
        os.pwrite(fd, b'churn', 100)
        os.pread(fd, 5, 100)
        ok += 1
    except OSError as e:
        if e.errno != errno.ENODEV:
            sys.exit('round trip: %s' % e)
        errs['io ENODEV'] += 1
    os.close(fd)
print('%d round trips; %s' % (ok, ', '.join('%s %d' % kv for kv in sorted(errs.items()))))
EOF

# --- helpers ---

# if_in_init PCI: PCI's interface name in REPLY, if in the initial namespace
if_in_init() {
	local f=(/sys/bus/pci/devices/"$1"/net/*)
	[ -e "${f[0]}" ] && REPLY=${f[0]##*/}
}

# census: what the driver holds, one "key=value" per resource
census() {
	local ns n=0 f
	local -a x
	x=(/sys/class/edu/*)
	[ -e "${x[0]}" ] || x=()
	echo "class=${#x[@]}"
	x=(/dev/edu*)
	[ -e "${x[0]}" ] || x=()
	echo "nodes=${#x[@]}"
	echo "irqs=$(grep -cwE 'edu[0-9]+' /proc/interrupts)"
	for ns in - "$NS1" "$NS2"; do
		if [ "$ns" = - ]; then
			f=$(ip -o link show)
		elif [ -e "/run/netns/$ns" ]; then
			f=$(ip -n "$ns" -o link show)
		else
			continue
		fi
		n=$((n + $(grep -c 'link/ether 02:ed:' <<<"$f")))
	done
	echo "netdevs=$n"
	x=("$DBG"/*)
	[ -e "${x[0]}" ] || x=()
	echo "debugfs=${#x[@]}"
	echo "procfs=$(($(wc -l </proc/driver/edu) - 1))"
	rd /sys/module/edu/refcnt && echo "refcnt=$REPLY"
}

# census_is [DEVICES [REFCNT [busy]]]: the census is the baseline's with
# DEVICES bound instead of all of them, the module's reference count
# REFCNT (default: as at the start); unless "busy" (DMA is meant to be
# running), edu's slab caches hold what they held at the start
# (leaks.bash: counted with every DMA engine idle)
census_is() {
	local want=${1:-$NDEV} refs=${2:-${BASE[refcnt]}} k v d bad=
	local -A now
	while IFS="=" read -r k v; do
		now[$k]=$v
	done < <(census)
	for k in class nodes irqs netdevs debugfs procfs; do
		d=$((${BASE[$k]} - NDEV + want))
		[ "${now[$k]}" = "$d" ] || bad+=" $k=${now[$k]} (expected $d)"
	done
	[ "${now[refcnt]}" = "$refs" ] || bad+=" refcnt=${now[refcnt]} (expected $refs)"
	[ -z "$bad" ] || fail "leak or loss:$bad"
	[ "${3-}" = busy ] || slab_ok
}

# mark / events: the monitor's events since the last mark, as
# "event:name" words
mark_events() {
	wc -l <$T-mon >$T-mon.lines
}
events() {
	local n
	rd $T-mon.lines || return 1
	n=$REPLY
	tail -n +$((n + 1)) $T-mon | jq -r '"\(.event):\(.name)"' | $SORT | tr '\n' ' '
}

# events_are WORDS...: the monitor prints exactly these since the mark
# (in any order with SORT=sort); wait_for's bound, scaled for slow
# kernels, only keeps a missing event from hanging the test
SORT="cat"
events_are() {
	local want
	want="$(printf '%s\n' "$@" | $SORT | tr '\n' ' ')"
	wait_for 50 events_match "$want" ||
		fail "monitor events: '$(events)', expected '$want'; stderr: $(cat $T-mon.err)"
}
events_match() {
	[ "$(events)" = "$1" ]
}

# dead PID
dead() {
	! alive "$1"
}

# bg NAME COMMAND...: COMMAND in the background, its output in $T-NAME.out,
# its status in $T-NAME.rc once it ends; one left by a failed test is
# stopped first
bg() {
	local name=$1
	shift
	bg_stop "$name"
	rm -f "$T-$name"{.out,.rc,-ready,-stop,-progress}
	("$@" >"$T-$name.out" 2>&1 </dev/null
		echo $? >"$T-$name.rc") >/dev/null 2>&1 &
}

# bg_end NAME TENTHS: NAME ended with status 0 within TENTHS
bg_end() {
	wait_for "$2" test -e "$T-$1.rc" || fail "$1 still running after $(($2 / 10)) s: $(cat "$T-$1.out")"
	[ "$(<"$T-$1.rc")" = 0 ] || fail "$1 exited $(<"$T-$1.rc"): $(cat "$T-$1.out")"
	cat "$T-$1.out"
}

# progressed FILE N: FILE holds a number above N
progressed() {
	rd "$1" && ((REPLY > $2))
}

# bg_stop NAME: ask NAME to stop (the stop file) and wait for it
bg_stop() {
	[ -e "$T-$1.out" ] && [ ! -e "$T-$1.rc" ] || return 0
	touch "$T-$1-stop"
	wait_for 150 test -e "$T-$1.rc"
}

holder_start() {
	bg "$1" python3 $T-holder.py "/dev/$2" "$T-$1"
	wait_for 300 test -e "$T-$1-ready" || fail "no round trip on /dev/$2 in 30 s: $(cat "$T-$1.out")"
}

# pair_up: edu0 linked to edu1, edu0's interface in NS1 ($NET.1), edu1's
# in NS2 ($NET.2), up; one ping answered
pair_up() {
	local i p ns ifn
	[ -z "$NO_PING" ] || fail "$NO_PING: the tests would run without their load"
	pci_of edu1 && echo 1 >"/sys/class/edu/edu0/device/peer" || fail "cannot link edu0 to edu1"
	for i in 0 1; do
		pci_of edu$i || fail "no edu$i"
		p=$REPLY ns=$NS1
		[ $i = 0 ] || ns=$NS2
		[ -e "/run/netns/$ns" ] || ip netns add "$ns" || fail "ip netns add $ns"
		if if_in_init "$p"; then
			ifn=$REPLY
			ip link set "$ifn" netns "$ns" || fail "moving $ifn to $ns"
			echo "$ifn" >$T-if$i
		fi
		rd $T-if$i && ifn=$REPLY || fail "edu$i has no interface"
		ip -n "$ns" addr replace "$NET.$((i + 1))/24" dev "$ifn" &&
			ip -n "$ns" link set "$ifn" up || fail "cannot set $ifn up in $ns"
	done
	ip netns exec "$NS1" ping -q -c 1 -w 15 "$NET.2" >$T-ping.out 2>&1 ||
		fail "no ping answer over the pair: $(cat $T-ping.out)"
}

flood_start() {
	[ -z "$NO_PING" ] || fail "$NO_PING: no flood, the test would run without its load"
	flood_stop
	ip netns exec "$NS1" ping -f -q -w 30 "$NET.2" >$T-flood.out 2>&1 </dev/null &
	echo $! >$T-flood.pid
}

flood_stop() {
	local pid
	rd $T-flood.pid 2>/dev/null || return 0
	pid=$REPLY
	rm -f $T-flood.pid
	alive "$pid" && rd "/proc/$pid/comm" && [ "$REPLY" = ping ] && kill "$pid"
	wait_for 50 dead "$pid"
}

# load: DMA on edu1 (holder "h1"), a ping flood over the pair
load() {
	pair_up
	holder_start h1 edu1
	flood_start
	sleep 0.5
}

# gone_under_load: edu1 and its node go within 15 s, the holder ends
# with ENODEV; the flood (into the void now) is stopped
gone_under_load() {
	wait_for 150 test ! -e /dev/edu1 || fail "/dev/edu1 still there after 15 s"
	[ ! -e /sys/class/edu/edu1 ] || fail "/sys/class/edu/edu1 still there"
	bg_end h1 150
	grep -q '^ENODEV after [1-9]' $T-h1.out || fail "holder: $(cat $T-h1.out)"
	flood_stop
}

# back N: edu1 back and bound within N tenths of a second
back() {
	wait_for "$1" test -e /dev/edu1 || fail "/dev/edu1 not back"
	pci_of edu1 || fail "no edu1"
	echo "edu1 is $REPLY"
}

# new_works: the new edu1: factorial, DMA round trip, ping over its interface
new_works() {
	local out
	out=$("$EDUCTL" -d edu1 factorial 12 2>&1) || fail "factorial 12: $out"
	[[ $out == *479001600* ]] || fail "factorial 12: $out"
	head -c 1000 /dev/urandom >$T-data
	dd if=$T-data of=/dev/edu1 bs=1000 status=none || fail "DMA write failed"
	cmp -n 1000 $T-data /dev/edu1 || fail "DMA data read back differs"
	pair_up
	census_is
}

# --- scenarios ---

qmp_unplug() {
	load
	mark_events
	vm-qmp '{"execute":"device_del","arguments":{"id":"edu1"}}' || fail "device_del refused"
	gone_under_load
	events_are del:edu1
}

qmp_plug() {
	mark_events
	vm-qmp --gone edu1 || fail "QEMU did not finish unplugging edu1"
	vm-qmp "$(qmp_edu_add edu1)" ||
		fail "device_add refused"
	back 100
	events_are add:edu1
}

sysfs_remove() {
	local p
	pci_of edu1 && p=$REPLY || fail "no edu1"
	echo "$p" >$T-p1
	load
	mark_events
	echo 1 >"/sys/bus/pci/devices/$p/remove" || fail "remove failed"
	[ ! -e "/sys/bus/pci/devices/$p" ] || fail "$p still on the bus"
	gone_under_load
	events_are del:edu1
}

sysfs_rescan() {
	mark_events
	echo 1 >/sys/bus/pci/rescan || fail "rescan failed"
	back 100
	rd $T-p1
	pci_of edu1
	[ "$REPLY" = "$(<$T-p1)" ] || fail "edu1 came back at $REPLY, not $(<$T-p1)"
	events_are add:edu1
}

# LOOPS unbind/bind of edu1 while a churner opens and uses /dev/edu1
rebind_loop() {
	local p i t0 t1 w=()
	pci_of edu1 && p=$REPLY || fail "no edu1"
	mark_events
	bg churn python3 $T-churn.py /dev/edu1 "$T-churn"
	sleep 0.5
	t0=${EPOCHREALTIME/./}
	for ((i = 0; i < LOOPS; i++)); do
		echo "$p" >$DRV/unbind || fail "unbind $i failed"
		echo "$p" >$DRV/bind || fail "bind $i failed"
	done
	t1=${EPOCHREALTIME/./}
	touch $T-churn-stop
	echo "$LOOPS unbind/bind: $(((t1 - t0) / 1000)) ms, $(((t1 - t0) / 1000 / LOOPS)) ms each" |
		tee $T-loop-time
	bg_end churn 300
	for ((i = 0; i < LOOPS; i++)); do
		w+=(del:edu1 add:edu1)
	done
	events_are "${w[@]}"
	pci_of edu1 && [ "$REPLY" = "$p" ] || fail "edu1 is not $p"
}

rebind_works() {
	rm -f $T-if1
	new_works
}

# fail_probe_clean N: with probe step N failing, the bind fails and
# leaves nothing; no event but the unbind's; the next bind works
fail_probe_clean() {
	local n=$1 p out
	pci_of edu1 && p=$REPLY || fail "no edu1"
	mark_events
	echo "$p" >$DRV/unbind || fail "unbind"
	echo "$n" >$DBG/fail_probe || fail "fail_probe=$n refused"
	! echo "$p" 2>/dev/null >$DRV/bind || fail "bind worked with fail_probe=$n"
	rd $DBG/fail_probe && [ "$REPLY" = 0 ] || fail "fail_probe still $REPLY"
	[ ! -e "/sys/bus/pci/devices/$p/driver" ] || fail "bound after a failed probe"
	[ ! -e "/sys/bus/pci/devices/$p/net" ] || fail "an interface remains"
	census_is $((NDEV - 1))
	events_are del:edu1
	echo "$p" >$DRV/bind || fail "the next bind failed"
	pci_of edu1 && [ "$REPLY" = "$p" ] || fail "edu1 is not $p"
	census_is
	events_are del:edu1 add:edu1
	out=$("$EDUCTL" -d edu1 liveness 2>&1) || fail "liveness: $out"
}

# rmmod with /dev/edu0 open and busy: refused (the kernel says EAGAIN,
# kmod's rmmod and modprobe -r check the reference count first and say
# "in use"); the file, its DMA and the traffic go on
rmmod_busy() {
	local before out refs
	load
	holder_start h0 edu0
	rd /sys/module/edu/refcnt && refs=$REPLY
	((refs > ${BASE[refcnt]})) || fail "refcnt $refs with two files open"
	out=$(python3 -c '
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
nr = {"x86_64": 176, "aarch64": 106}[os.uname().machine]
if libc.syscall(nr, b"edu", os.O_NONBLOCK) == 0:
    sys.exit("delete_module(edu) succeeded")
print(errno.errorcode[ctypes.get_errno()])' 2>&1) || fail "$out"
	[ "$out" = EAGAIN ] || fail "delete_module: $out, expected EAGAIN (EWOULDBLOCK)"
	! out=$(rmmod edu 2>&1) || fail "rmmod edu succeeded"
	[[ $out == *"in use"* ]] || fail "rmmod: $out"
	! out=$(modprobe -r edu 2>&1) || fail "modprobe -r edu succeeded"
	[[ $out == *"in use"* ]] || fail "modprobe -r: $out"
	[ -e /sys/module/edu ] || fail "the module went"
	rd $T-h0-progress && before=$REPLY
	wait_for 100 progressed $T-h0-progress "$before" || fail "DMA on edu0 stopped"
	alive "$(<$T-flood.pid)" || fail "the flood stopped: $(cat $T-flood.out)"
	census_is "$NDEV" "$refs" busy
}

# close the files: rmmod then works during the flood, the monitor sees
# both devices go
rmmod_after_close() {
	local out
	mark_events
	touch $T-h0-stop $T-h1-stop
	bg_end h0 100
	bg_end h1 100
	rd /sys/module/edu/refcnt && [ "$REPLY" = 0 ] || fail "refcnt $REPLY after the close"
	slab_ok
	out=$(rmmod edu 2>&1) || fail "rmmod: $out"
	[ ! -e /sys/module/edu ] || fail "/sys/module/edu remains"
	SORT="sort" events_are del:edu0 del:edu1
	flood_stop
	out=$(census)
	[[ $out == *"class=0"*"nodes=0"*"irqs=0"*"netdevs=0"* ]] || fail "left behind: $out"
}

reloaded() {
	modprobe edu || fail "modprobe edu"
	wait_for 50 test -e /dev/edu$((NDEV - 1)) || fail "not all devices back"
	census_is
	rm -f $T-if0 $T-if1
	new_works
}

# --- setup: the state to come back to, the census to compare with ---

cleanup() {
	local pid
	bg_stop h0
	bg_stop h1
	bg_stop churn
	flood_stop
	rd $T-mon.pid 2>/dev/null && pid=$REPLY && alive "$pid" && kill "$pid"
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	[ -e $DBG/fail_probe ] && echo 0 >$DBG/fail_probe
	sleep 0.5
	rm -f $T-*
}

monitor_start() {
	local i n0
	n0=$(awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l)
	"$EDUCTL" -j monitor >$T-mon 2>$T-mon.err </dev/null &
	echo $! >$T-mon.pid
	for ((i = 0; i < 100; i++)); do
		(($(awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l) > n0)) && return 0
		sleep 0.1
	done
	echo "# eductl monitor did not join a group within 10 s"
}

trap cleanup EXIT
[ -d /sys/module/edu ] && loaded_at_start=1 || loaded_at_start=
ip netns del "$NS1" 2>/dev/null
ip netns del "$NS2" 2>/dev/null
NDEV=$(edu_pci_devices | wc -l)
ok_if "modprobe edu: /dev/edu0../dev/edu$((NDEV - 1))" eval \
	'modprobe edu && wait_for 50 test -e /dev/edu$((NDEV - 1))'
[ -e /dev/edu$((NDEV - 1)) ] || tap_done
declare -A BASE
while IFS="=" read -r k v; do
	BASE[$k]=$v
done < <(census)
slab_baseline
echo "# $NDEV devices; census: $(census | tr '\n' ' ')slab: ${SLAB[*]@K}"
if ((NDEV < 2)) || [ ! -e $DBG/fail_probe ]; then
	skip "lifecycle" "needs two edu devices and debugfs"
	tap_done
fi
monitor_start

t=$SECONDS
ok_if "QMP device_del edu1 under load: node gone, holder ENODEV on every call, monitor del" \
	qmp_unplug
ok_if "QMP device_add edu1: a new edu1, monitor add" qmp_plug
ok_if "the new edu1 works: factorial, DMA round trip, ping; nothing leaked" new_works
echo "# QMP: $((SECONDS - t)) s"

t=$SECONDS
ok_if "sysfs remove of edu1 under load: node gone, holder ENODEV on every call, monitor del" \
	sysfs_remove
ok_if "sysfs rescan: edu1 back at the same address, monitor add" sysfs_rescan
ok_if "edu1 after rescan works: factorial, DMA round trip, ping; nothing leaked" new_works
echo "# remove/rescan: $((SECONDS - t)) s"

t=$SECONDS
ok_if "unbind/bind edu1 $LOOPS times while /dev/edu1 is opened and used: $LOOPS del+add events" \
	rebind_loop
[ -e $T-loop-time ] && echo "# $(<$T-loop-time); churn: $(cat $T-churn.out)"
ok_if "edu1 after $LOOPS rebinds works; no IRQ, node, interface, debugfs, slab growth" rebind_works
echo "# unbind/bind: $((SECONDS - t)) s"

t=$SECONDS
n=1
while echo $n 2>/dev/null >$DBG/fail_probe; do
	echo 0 >$DBG/fail_probe
	n=$((n + 1))
done
for ((i = 1; i < n; i++)); do
	ok_if "fail_probe=$i: no IRQ, node, interface, debugfs, procfs, event or reference left; rebind" \
		fail_probe_clean $i
done
echo "# fail_probe: $((SECONDS - t)) s"

t=$SECONDS
ok_if "rmmod with /dev/edu0 busy: EAGAIN, rmmod/modprobe -r 'in use'; DMA and traffic go on" \
	rmmod_busy
ok_if "files closed: rmmod during the flood works, monitor sees both del, nothing left" \
	rmmod_after_close
ok_if "modprobe edu: every device back and working, census as at the start" reloaded
echo "# rmmod: $((SECONDS - t)) s"

cleanup
trap - EXIT
# As found: every device bound (the QMP test re-created its device), the
# module as it was.
for d in $(edu_pci_devices); do
	[ -e "$d/driver" ] || echo "${d##*/}" >$DRV/bind
done
if [ -n "$loaded_at_start" ]; then
	edu_unload && modprobe edu
else
	edu_unload
fi
tap_done
