# SPDX-License-Identifier: GPL-2.0-only
#
# edu: out-of-tree driver for QEMU's edu PCI device.
#
#   make               build driver/edu.ko (and the tools) for KVER
#   make deps          install (as root) or print what everything needs
#   make check         host checks + guest suite on every matrix kernel
#   make check-debug   guest suite on a KASAN/lockdep/kmemleak debug kernel (built once;
#                      EDU_DEBUG_SHARD=1 or 2 runs one half of the suite, as CI does)
#   make demo          boot a 6.12 guest with two edu devices, show them
#   make matrix        build for every matrix kernel (amd64, arm64), W=1, -Werror
#   make ARCH=arm64    cross-build edu.ko for Debian's arm64 6.12 (KVER= for 6.1)
#   make lint          checkpatch --strict, sparse C=2 and W=1 on 6.1 and 6.12
#   make docs          Documentation/*.rst through docutils, eductl.8 through groff
#   make install       install edu.ko for KVER (a user's own machine only)
#   make dkms-install  (root) sources to /usr/src/edu-VERSION, dkms add/build/install for KVER
#   make dkms-remove   (root) dkms remove --all, delete /usr/src/edu-VERSION
#   make dist          build/dist/edu-VERSION.tar.gz (git's files, or the tree's)
#   make deb           build/deb/edu-dkms_*.deb, edu-tools_*.deb (dpkg-buildpackage -b)
#   make rpm           build/rpm/RPMS/*/edu-{dkms,tools}-*.rpm (rpmbuild -bb)
#   make packages      deb and rpm
#
# KVER defaults to the running kernel when its headers exist, else to the
# newest installed Debian 6.12 kernel (build machines: the module is only
# ever loaded inside QEMU guests there). KVER= or KDIR= override.

VERSION := $(shell cat VERSION)
TOP := $(CURDIR)
BUILD := $(TOP)/build

# make ARCH=arm64 on another architecture cross-builds the module against
# Debian's arm64 headers, which "make deps" keeps in a private cache
# (tests/vm/arm64-deps): KVER defaults to its 6.12 kernel.
ifeq ($(ARCH)-$(filter aarch64 arm64,$(shell uname -m)),arm64-)
CROSS_COMPILE ?= aarch64-linux-gnu-
export CROSS_COMPILE
ifeq ($(origin KDIR),undefined)
ifeq ($(origin KVER),undefined)
KVER := $(shell tests/vm/arm64-deps 6.12 | cut -d' ' -f2)
endif
KDIR := $(shell tests/vm/arm64-deps | awk '$$2 == "$(KVER)" { print $$1 }')/lib/modules/$(KVER)/build
endif
EDU_CROSS := 1
endif

ifeq ($(origin KDIR),undefined)
ifeq ($(origin KVER),undefined)
KVER := $(shell k=$$(uname -r); [ -e /lib/modules/$$k/build/Makefile ] && echo $$k || \
	  tests/vm/kernels 6.12 2>/dev/null)
endif
KDIR := /lib/modules/$(KVER)/build
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(TOP)/driver EDU_VERSION=$(VERSION)

.PHONY: all module tools selftests deps check check-debug demo bench matrix lint docs install clean help \
	dkms-install dkms-remove dist deb rpm packages

# A cross build makes the module only: eductl would need the target's libnl.
all: module $(if $(EDU_CROSS),,tools)

module:
	@test -n "$(KVER)$(filter-out /lib/modules//build,$(KDIR))" || \
		{ echo "no kernel headers found: run 'make deps' or set KVER="; exit 1; }
	$(KMAKE) modules

tools:
	$(MAKE) -C tools/eductl VERSION=$(VERSION)

# Test and benchmark programs that run inside the guests.
selftests:
	$(MAKE) -C tests/selftests
	$(MAKE) -C bench

deps:
	tests/vm/deps.sh

check: deps
	tests/check.sh

check-debug: deps
	tests/check-debug.sh

bench: deps
	bench/run

demo: deps
	tests/vm/demo

matrix:
	tests/host/build-matrix

lint:
	tests/host/lint

docs:
	tests/host/docs

install: module
	$(KMAKE) modules_install

# ---- packaging ----

# What DKMS builds: the driver (never Kbuild's generated *.mod.c), the
# headers, VERSION, and dkms.conf with #MODULE_VERSION# replaced.
DKMS_DRIVER_FILES = $(filter-out %.mod.c,$(wildcard driver/*.c driver/*.h)) driver/Kbuild
# DKMS_SRCTREE and DKMS_FLAGS (e.g. --sourcetree/--dkmstree/--installtree
# --no-depmod) let dkms-install and dkms-remove work on a private tree.
DKMS_SRCTREE ?= /usr/src
DKMS_FLAGS ?=
DKMS_KVER = $(or $(KVER),$(shell uname -r))
DKMS_DIR = $(DKMS_SRCTREE)/edu-$(VERSION)
DKMS_ADDED = dkms status -m edu -v $(VERSION) $(DKMS_FLAGS) 2>/dev/null | grep -q .

dkms-install:
	@! $(DKMS_ADDED) || { echo "dkms-install: removing edu/$(VERSION) first"; \
		dkms remove -m edu -v $(VERSION) --all $(DKMS_FLAGS); }
	rm -rf $(DKMS_DIR)
	install -d $(DKMS_DIR)/driver
	install -m 0644 $(DKMS_DRIVER_FILES) $(DKMS_DIR)/driver/
	cp -R include $(DKMS_DIR)/
	install -m 0644 VERSION $(DKMS_DIR)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_DIR)/dkms.conf
	dkms add -m edu -v $(VERSION) $(DKMS_FLAGS)
	dkms build -m edu -v $(VERSION) -k $(DKMS_KVER) $(DKMS_FLAGS)
	dkms install -m edu -v $(VERSION) -k $(DKMS_KVER) $(DKMS_FLAGS)

dkms-remove:
	! $(DKMS_ADDED) || dkms remove -m edu -v $(VERSION) --all $(DKMS_FLAGS)
	rm -rf $(DKMS_DIR)

# The files of the source tree: git's (tracked and new, not ignored) when
# this is the top of a git checkout, else every file but build/ and build
# products (an unpacked tarball, a copy inside another checkout's build/).
PKG_FILES = if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ]; then \
		git ls-files -z -co --exclude-standard; \
	else \
		find . \( -path ./build -o -path ./.git \) -prune -o -type f \
			! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
			! -name '*.cmd' ! -name '.*.cmd' ! -name '*.order' ! -name Module.symvers \
			! -path ./tools/eductl/eductl ! -path ./tools/eductl/eductl32 -printf '%P\0'; \
	fi
DIST = $(BUILD)/dist/edu-$(VERSION)
DIST_TAR = $(DIST).tar.gz

dist:
	rm -rf $(DIST) $(DIST_TAR)
	mkdir -p $(DIST)
	{ $(PKG_FILES); } | xargs -0 sh -c 'for f; do [ -f "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar -cf - --null --no-recursion -T - | tar -xf - -C $(DIST)
	tar -czf $(DIST_TAR) --owner=0 --group=0 --sort=name -C $(BUILD)/dist edu-$(VERSION)
	@echo "dist: $(DIST_TAR)"

# dpkg-buildpackage writes beside the source tree: build a copy in build/deb.
deb: dist
	@v=$$(dpkg-parsechangelog -l debian/changelog -SVersion); v=$${v#*:}; v=$${v%-*}; \
	[ "$$v" = "$(VERSION)" ] || { echo "deb: debian/changelog is at $$v but VERSION is" \
		"$(VERSION): add a changelog entry (dch -v $(VERSION)-1)" >&2; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb
	tar -xzf $(DIST_TAR) -C $(BUILD)/deb
	cd $(BUILD)/deb/edu-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb

rpm: dist
	rm -rf $(BUILD)/rpm
	mkdir -p $(BUILD)/rpm/SOURCES $(BUILD)/rpm/SPECS $(BUILD)/rpm/tmp
	cp $(DIST_TAR) $(BUILD)/rpm/SOURCES/
	sed 's/@VERSION@/$(VERSION)/g' rpm/edu.spec >$(BUILD)/rpm/SPECS/edu.spec
	rpmbuild -bb --nodeps --define "_topdir $(BUILD)/rpm" \
		--define "_tmppath $(BUILD)/rpm/tmp" $(BUILD)/rpm/SPECS/edu.spec
	@ls $(BUILD)/rpm/RPMS/*/*.rpm

packages: deb rpm

clean:
	-$(KMAKE) clean 2>/dev/null
	$(MAKE) -C tools/eductl clean
	rm -rf $(BUILD)

help:
	@sed -n '3,25s/^# \{0,1\}//p' Makefile
