#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2317 # the checks are functions run by ok_if
#
# The Debian packages as users get them, in a guest: install
# build/deb/edu-dkms_*.deb and edu-tools_*.deb with apt-get (offline), DKMS
# builds and installs the modules for the running kernel, modprobe binds
# the devices, the udev rule gives group edu (mode 0660) and a member of
# the group uses eductl without root, and "apt-get purge" leaves nothing
# behind. With OTHER_KVER=KVER (a kernel with headers), "dkms autoinstall
# -k KVER" builds for it too, what a kernel upgrade runs: another 6 min
# of TCG, so make check leaves it to tests/host/packaging, which runs it
# on private trees. The guest's root is a tmpfs overlay: all of it vanishes
# at poweroff.
#
# Slow under TCG (on one TCG thread, the install with its DKMS build took
# 640 s, the autoinstall 373 s, the purge 141 s), so it is skipped unless
# EDU_TEST_PACKAGING=1. Run it alone, on
# the newest matrix kernel (the rt one: then dpkg builds only for it, as
# dkms's postinst also builds for the newest kernel), without -s:
#
#   make deb
#   tests/vm/vmrun -t 1500 "$(tests/vm/kernels rt)" \
#       env EDU_TEST_PACKAGING=1 tests/selftests/packaging.sh
#
# A module staged by "vmrun -s" is moved out of the way first (dkms will
# not install over the same version) and put back at the end.
. "$(dirname "$0")/lib.sh"

if [ "${EDU_TEST_PACKAGING:-}" != 1 ]; then
	skip "packaging: install, DKMS, udev rule, purge" \
		"slow under TCG: EDU_TEST_PACKAGING=1 runs it (see its header)"
	tap_done
fi

KVER=$(uname -r)
VER=$EDU_VERSION_EXPECTED
DKMS_DEB=$(compgen -G "$TOP/build/deb/edu-dkms_$VER-*_all.deb" | tail -n 1)
TOOLS_DEB=$(compgen -G "$TOP/build/deb/edu-tools_$VER-*_$(dpkg --print-architecture).deb" | tail -n 1)
STAGE=$(cat /run/vm/stage 2>/dev/null)
LOG=/tmp/packaging
mkdir -p "$LOG"
T0=$SECONDS

note() { echo "# $*"; }

# every edu function in the machine is bound to the edu driver
all_bound() {
	local d n=0
	for d in $(edu_pci_devices); do
		n=$((n + 1))
		[ "$d/driver" -ef /sys/bus/pci/drivers/edu ] || fail "$d is not bound to edu"
	done
	[ "$n" -ge 1 ] || fail "no edu device in this guest"
}

prepare() {
	[ -n "$DKMS_DEB" ] || fail "no $TOP/build/deb/edu-dkms_$VER-*_all.deb: run 'make deb'"
	[ -n "$TOOLS_DEB" ] || fail "no $TOP/build/deb/edu-tools_$VER-*.deb: run 'make deb'"
	! dpkg -s edu-dkms >/dev/null 2>&1 || fail "edu-dkms is already installed"
	if [ -d /sys/module/edu ]; then
		modprobe -r edu_selftest edu || fail "cannot unload edu"
	fi
	# dkms refuses to install over the same version: move a staged module
	# (vmrun -s) away; restore_stage puts it back.
	rm -f /lib/modules/"$KVER"/updates/edu.ko /lib/modules/"$KVER"/updates/edu_selftest.ko
	# man-db's trigger rebuilds its index: minutes under TCG, and not what
	# is tested here.
	rm -f /var/lib/man-db/auto-update
	return 0
}

# apt-get as users do; should this apt refuse local .debs offline, dpkg -i
# (the packages are what is tested, and a TAP comment says which ran).
install_debs() {
	local t=$SECONDS
	echo "apt-get install" >"$LOG/method"
	# The guest has no network: every dependency must already be there.
	if ! apt-get install -y "$DKMS_DEB" "$TOOLS_DEB" >"$LOG/install.log" 2>&1; then
		if dpkg -s edu-dkms >/dev/null 2>&1; then
			tail -n 40 "$LOG/install.log"
			fail "apt-get install failed"
		fi
		echo "dpkg -i (apt-get: $(grep '^E: ' "$LOG/install.log" | head -n 1))" >"$LOG/method"
		dpkg -i "$DKMS_DEB" "$TOOLS_DEB" >"$LOG/install.log" 2>&1 ||
			fail "dpkg -i failed: $(tail -n 40 "$LOG/install.log")"
	fi
	echo "install took $((SECONDS - t)) s"
	dpkg -s edu-dkms | grep -qx 'Status: install ok installed' || fail "edu-dkms not installed"
	dpkg -s edu-tools | grep -qx 'Status: install ok installed' || fail "edu-tools not installed"
}

# dkms status line for KVER ("edu/0.1.0, KVER, x86_64: installed")
installed_for() {
	dkms status -m edu -v "$VER" -k "$1" 2>/dev/null | grep -q ': installed'
}

# the module files of KVER: in updates/dkms, built for KVER, version VER
modules_of() {	# KVER
	local k=$1 m f v
	for m in edu edu_selftest; do
		f=$(compgen -G "/lib/modules/$k/updates/dkms/$m.ko*" | head -n 1) ||
			fail "no /lib/modules/$k/updates/dkms/$m.ko"
		v=$(modinfo -F version "$f")
		[ "$v" = "$VER" ] || fail "$f: version $v, expected $VER"
		v=$(modinfo -F vermagic "$f")
		[ "${v%% *}" = "$k" ] || fail "$f: vermagic $v"
	done
}

dkms_running_kernel() {
	dkms status -m edu
	installed_for "$KVER" || fail "not installed for $KVER: $(dkms status -m edu)"
	modules_of "$KVER" || return 1
	grep -qx "PACKAGE_VERSION=\"$VER\"" /usr/src/edu-"$VER"/dkms.conf || fail "dkms.conf version"
	[[ "$(modinfo -n edu)" == "/lib/modules/$KVER/updates/dkms/edu.ko"* ]] ||
		fail "modinfo finds $(modinfo -n edu)"
}

modprobe_binds() {
	modprobe edu || fail "modprobe edu"
	all_bound
	[ -c /dev/edu0 ] || fail "no /dev/edu0"
}

rules_and_group() {
	local rules=/lib/udev/rules.d/60-edu.rules gid
	grep -Eqx 'KERNEL=="edu\[0-9\]\*", SUBSYSTEM=="edu", GROUP="edu", MODE="0660"' "$rules" ||
		fail "$rules: $(cat "$rules")"
	gid=$(getent group edu | cut -d: -f3) || fail "no group edu"
	[ "$gid" -lt 1000 ] || fail "group edu is not a system group (gid $gid)"
}

# node_is FORMAT VALUE: stat -c FORMAT says VALUE for every /dev/eduN
node_is() {
	local n
	for n in /dev/edu[0-9]*; do
		[ "$(stat -c "$1" "$n")" = "$2" ] || return 1
	done
}

# nodes_now: every /dev/eduN with its group and mode
nodes_now() {
	stat -c '%n %G:%a' /dev/edu[0-9]*
}

# udev_add: an "add" event for every edu device, handled by the guest's
# udevd (started here: the guest boots without one) with the rules now
# installed, and waited for
udev_add() {
	udevadm control --reload || return 1
	udevadm trigger --action=add --subsystem-match=edu --settle ||
		fail "udevadm trigger --subsystem-match=edu --settle failed"
}

# The nodes are reset to root, 0600 first, so only what udevd does now
# shows. An add event with 60-edu.rules set aside leaves the group root
# (udevd gives the mode the kernel asks for, 0660), and one with the rule
# back gives group edu and mode 0660: the group that lets members in is
# the rule's work, and nobody else's.
udev_rule_applies() {
	local rules=/lib/udev/rules.d/60-edu.rules
	chgrp root /dev/edu[0-9]* && chmod 0600 /dev/edu[0-9]* || fail "reset the nodes"
	/lib/systemd/systemd-udevd --daemon || fail "systemd-udevd does not start"
	mv "$rules" "$LOG/60-edu.rules" || return 1
	udev_add
	node_is %G root || { mv "$LOG/60-edu.rules" "$rules"; fail "without the rule: $(nodes_now)"; }
	mv "$LOG/60-edu.rules" "$rules" || return 1
	udev_add
	node_is %G:%a edu:660 || fail "udevd with 60-edu.rules: $(nodes_now)"
	nodes_now
}

# stop the udevd udev_rule_applies started
udevd_stop() {
	udevadm control --exit
}

# as nobody, with and without the group edu
as_nobody() {	# GROUPS-OPTION CMD...
	local groups=$1
	shift
	setpriv --reuid=nobody --regid=nogroup "$groups" "$@"
}

member_uses_eductl() {
	local gid out
	gid=$(getent group edu | cut -d: -f3) || fail "no group edu"
	out=$(as_nobody --groups="$gid" eductl list) || fail "eductl list as a member: $out"
	grep -q '^edu0 ' <<<"$out" || fail "eductl list: $out"
	as_nobody --groups="$gid" eductl info || fail "eductl info as a member of edu"
	as_nobody --groups="$gid" eductl factorial 5 || fail "eductl factorial as a member of edu"
	as_nobody --clear-groups eductl info >"$LOG/nogroup" 2>&1 &&
		fail "eductl info works for a non-member: $(cat "$LOG/nogroup")"
	grep -qi 'permission denied' "$LOG/nogroup" || fail "non-member: $(cat "$LOG/nogroup")"
}

autoinstall_other() {	# KVER
	local k=$1 t=$SECONDS
	dkms autoinstall -k "$k" >"$LOG/autoinstall.log" 2>&1 ||
		fail "dkms autoinstall -k $k: $(tail -n 30 "$LOG/autoinstall.log")"
	echo "autoinstall took $((SECONDS - t)) s"
	installed_for "$k" || fail "not installed for $k: $(dkms status -m edu)"
	modules_of "$k"
}

purge() {
	local t=$SECONDS left
	if [ -d /sys/module/edu ]; then
		modprobe -r edu_selftest edu || fail "cannot unload edu"
	fi
	if ! apt-get purge -y edu-dkms edu-tools >"$LOG/purge.log" 2>&1; then
		tail -n 40 "$LOG/purge.log"
		fail "apt-get purge failed"
	fi
	echo "purge took $((SECONDS - t)) s"
	! dpkg -s edu-dkms >/dev/null 2>&1 || fail "edu-dkms still known to dpkg"
	! dpkg -s edu-tools >/dev/null 2>&1 || fail "edu-tools still known to dpkg"
	left=$(ls -d /lib/modules/*/updates/dkms/edu*.ko* /usr/src/edu-"$VER" /var/lib/dkms/edu \
		/lib/udev/rules.d/60-edu.rules /usr/bin/eductl 2>/dev/null)
	[ -z "$left" ] || fail "left behind: $left"
}

# put back what vmrun -s staged, with its module index
restore_stage() {
	[ -n "$STAGE" ] || return 0
	cp "$STAGE/lib/modules/$KVER"/modules.* /lib/modules/"$KVER"/ &&
		cp -r "$STAGE/lib/modules/$KVER/updates" /lib/modules/"$KVER"/
}

ok_if "guest ready: packages built, edu not installed or loaded" prepare
ok_if "apt-get install (offline) edu-dkms and edu-tools" install_debs
note "installed with $(cat "$LOG/method" 2>/dev/null)"
note "dkms after install: $(dkms status -m edu | tr '\n' ';')"
ok_if "DKMS built and installed edu $VER for $KVER (updates/dkms)" dkms_running_kernel
ok_if "modprobe edu binds every edu device" modprobe_binds
ok_if "60-edu.rules installed, system group edu exists" rules_and_group
ok_if "udevd applies 60-edu.rules: /dev/eduN group edu, mode 0660 (group root without it)" \
	udev_rule_applies
ok_if "a member of group edu uses eductl without root; others cannot" member_uses_eductl
ok_if "udevd stopped" udevd_stop
if [ -n "${OTHER_KVER:-}" ]; then
	ok_if "dkms autoinstall -k $OTHER_KVER builds and installs edu there" \
		autoinstall_other "$OTHER_KVER"
else
	skip "dkms autoinstall for a second kernel" \
		"a 6-min TCG build: tests/host/packaging runs it, OTHER_KVER=KVER here"
fi
ok_if "apt-get purge removes modules, sources, rule and tool" purge
ok_if "staged module (vmrun -s) restored" restore_stage
note "packaging: $((SECONDS - T0)) s"
tap_done
