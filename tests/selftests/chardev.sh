#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# /dev/eduN lifetime: nodes appear and vanish with the devices, an open
# file pins the module, and a file kept open across unbind or hot-unplug
# gets ENODEV instead of reaching freed memory or absent hardware. A
# read, write or ioctl whose user page never faults in does not hold up
# unbind.
. "$(dirname "$0")/lib.sh"

# py CODE: run python3 with fd helpers; info(fd) does EDU_IOC_INFO.
py() {
	python3 -c "
import errno, fcntl, os, sys, time
EDU_IOC_INFO = (2 << 30) | (96 << 16) | (0xED << 8) | 0
def info(fd):
    fcntl.ioctl(fd, EDU_IOC_INFO, bytearray(96))
def expect_errno(e, f, *a):
    try:
        f(*a)
    except OSError as x:
        if x.errno != e:
            sys.exit('expected %s, got %s' % (errno.errorcode[e], x))
    else:
        sys.exit('expected %s, call succeeded' % errno.errorcode[e])
$1"
}

nodes_match_devices() {
	local n i major
	n=$(edu_pci_devices | wc -l)
	major=$(awk '$2 == "edu" { print $1 }' /proc/devices)
	[ -n "$major" ] || fail "no edu in /proc/devices"
	for ((i = 0; i < n; i++)); do
		[ -c /dev/edu$i ] || fail "/dev/edu$i missing"
		[ "$(stat -c '%a %U %G %t' /dev/edu$i)" = "660 root root $(printf %x "$major")" ] ||
			fail "/dev/edu$i: $(stat -c '%a %U %G major %t' /dev/edu$i)"
		[ -e "/sys/class/edu/edu$i/device" ] || fail "no device link for edu$i"
	done
	[ ! -e /dev/edu$n ] || fail "/dev/edu$n exists with only $n devices"
}

nodes_gone_after_unload() {
	edu_unload || return 1
	! ls /dev/edu* 2>/dev/null || fail "nodes remain"
	[ ! -e /sys/class/edu ] || fail "/sys/class/edu remains"
	modprobe edu
}

open_file_pins_module() {
	exec 3</dev/edu0
	if modprobe -r edu 2>/dev/null; then
		exec 3<&-
		fail "module unloaded under an open file"
	fi
	exec 3<&-
	modprobe -r edu && modprobe edu
}

enodev_after_unbind() {
	local pci
	pci=$(basename "$(readlink /sys/class/edu/edu0/device)")
	py "
fd = os.open('/dev/edu0', os.O_RDWR)
info(fd)
open('/sys/bus/pci/drivers/edu/unbind', 'w').write('$pci')
expect_errno(errno.ENODEV, info, fd)
os.close(fd)
expect_errno(errno.ENOENT, os.open, '/dev/edu0', os.O_RDWR)
open('/sys/bus/pci/drivers/edu/bind', 'w').write('$pci')
fd = os.open('/dev/edu0', os.O_RDWR)
info(fd)
"
}

# QEMU's ACPI hot-plug: device_del reaches the guest as a PCI remove.
enodev_after_hot_unplug() {
	ADD=$(qmp_edu_add edu1) py "
import subprocess
fd = os.open('/dev/edu1', os.O_RDWR)
info(fd)
subprocess.run(['vm-qmp', '{\"execute\":\"device_del\",\"arguments\":{\"id\":\"edu1\"}}'], check=True)
# Bounds, not timings: a debug kernel under TCG needs tens of seconds.
for _ in range(600):
    if not os.path.exists('/dev/edu1'):
        break
    time.sleep(0.1)
else:
    sys.exit('/dev/edu1 still there 60 s after device_del')
expect_errno(errno.ENODEV, info, fd)
os.close(fd)
subprocess.run(['vm-qmp', '--gone', 'edu1'], check=True)
subprocess.run(['vm-qmp', os.environ['ADD']], check=True)
for _ in range(600):
    if os.path.exists('/dev/edu1'):
        break
    time.sleep(0.1)
else:
    sys.exit('/dev/edu1 did not come back 60 s after device_add')
fd = os.open('/dev/edu1', os.O_RDWR)
info(fd)
"
}

modprobe edu
ok_if "/dev/eduN per device: mode 0660 root:root, class edu" nodes_match_devices
ok_if "nodes and class vanish on unload" nodes_gone_after_unload
ok_if "an open /dev/edu0 pins the module" open_file_pins_module
ok_if "open file after unbind: ENODEV; rebind works" enodev_after_unbind
ok_if "open file after hot-unplug (QMP device_del): ENODEV; device_add works" \
	enodev_after_hot_unplug
ok_if "all devices bound again" nodes_match_devices
# A user page that never faults in (userfaultfd) against unbind.
ksft "$TOP/build/selftests/uffd_test"
ok_if "all devices bound after the userfaultfd tests" nodes_match_devices
edu_unload
tap_done
