# SPDX-License-Identifier: GPL-2.0-only
#
# edu: out-of-tree driver for QEMU's edu PCI device.
#
#   make               build driver/edu.ko (and the tools) for KVER
#   make deps          install (as root) or print what everything needs
#   make check         host checks + guest suite on every matrix kernel
#   make demo          boot a 6.12 guest with two edu devices, show them
#   make matrix        build for every matrix kernel, W=1, warnings = errors
#   make lint          checkpatch --strict, sparse C=2 and W=1 on 6.1 and 6.12
#   make install       install edu.ko for KVER (a user's own machine only)
#
# KVER defaults to the running kernel when its headers exist, else to the
# newest installed Debian 6.12 kernel (build machines: the module is only
# ever loaded inside QEMU guests there). KVER= or KDIR= override.

VERSION := $(shell cat VERSION)
TOP := $(CURDIR)
BUILD := $(TOP)/build

ifeq ($(origin KDIR),undefined)
ifeq ($(origin KVER),undefined)
KVER := $(shell k=$$(uname -r); [ -e /lib/modules/$$k/build/Makefile ] && echo $$k || \
	  tests/vm/kernels 6.12 2>/dev/null)
endif
KDIR := /lib/modules/$(KVER)/build
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(TOP)/driver EDU_VERSION=$(VERSION)

.PHONY: all module tools selftests deps check demo bench matrix lint install clean help

all: module tools

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

bench: deps
	bench/run

demo: deps
	tests/vm/demo

matrix:
	tests/host/build-matrix

lint:
	tests/host/lint

install: module
	$(KMAKE) modules_install

clean:
	-$(KMAKE) clean 2>/dev/null
	$(MAKE) -C tools/eductl clean
	rm -rf $(BUILD)

help:
	@sed -n '3,15s/^# \{0,1\}//p' Makefile
