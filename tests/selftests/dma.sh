#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The DMA engine: its parameters (validated at load and at runtime) and
# the kselftest DMA suite (integrity, EOF, mmap, O_NONBLOCK, poll,
# concurrency, signals). QEMU itself must survive every request.
. "$(dirname "$0")/lib.sh"
BIN=$TOP/build/selftests

refused_at_load() {
	edu_unload
	! modprobe edu "$1" 2>/dev/null || fail "modprobe edu $1 succeeded"
	[ ! -e /sys/module/edu ] || fail "module stayed loaded"
}

# param_refused NAME VALUE: writing VALUE to edu's parameter NAME fails
# and leaves it as it was
param_refused() {
	local p=/sys/module/edu/parameters/$1 before
	before=$(cat "$p")
	! echo "$2" >"$p" 2>/dev/null || fail "$1=$2 accepted"
	[ "$(cat "$p")" = "$before" ] || fail "value changed to $(cat "$p")"
}

# param_accepted NAME VALUE: writing VALUE to NAME takes effect
param_accepted() {
	echo "$2" >"/sys/module/edu/parameters/$1" &&
		[ "$(cat "/sys/module/edu/parameters/$1")" = "$2" ]
}

file_size_follows_buf_size() {
	edu_unload && modprobe edu buf_size=1000 || return 1
	python3 -c "
import os
fd = os.open('/dev/edu0', os.O_RDWR)
assert os.lseek(fd, 0, os.SEEK_END) == 1000
assert len(os.pread(fd, 4096, 0)) == 1000
assert os.pwrite(fd, b'x' * 2000, 500) == 500
" || return 1
	edu_unload && modprobe edu
}

ok_if "buf_size=0 refused at load" refused_at_load buf_size=0
ok_if "buf_size=4097 refused at load" refused_at_load buf_size=4097
ok_if "dma_timeout_ms=5 refused at load" refused_at_load dma_timeout_ms=5
modprobe edu
ok_if "buf_size defaults to 4095 (QEMU 7.2 quirk), read-only" \
	test "$(stat -c %a /sys/module/edu/parameters/buf_size) $(cat /sys/module/edu/parameters/buf_size)" = "444 4095"
ok_if "dma_timeout_ms=9 refused at runtime" param_refused dma_timeout_ms 9
ok_if "dma_timeout_ms=60001 refused at runtime" param_refused dma_timeout_ms 60001
ok_if "dma_timeout_ms=-1 refused at runtime" param_refused dma_timeout_ms -1
ok_if "dma_timeout_ms=1s refused at runtime" param_refused dma_timeout_ms 1s
ok_if "dma_timeout_ms=500 accepted at runtime" param_accepted dma_timeout_ms 500
ok_if "dma_timeout_ms=1000 accepted at runtime" param_accepted dma_timeout_ms 1000
ok_if "dma_bufs_max=0 refused at load" refused_at_load dma_bufs_max=0
modprobe edu
ok_if "dma_bufs_max=0 refused at runtime" param_refused dma_bufs_max 0
ok_if "dma_bufs_max=65537 refused at runtime" param_refused dma_bufs_max 65537
ok_if "dma_bufs_max=-1 refused at runtime" param_refused dma_bufs_max -1
ok_if "dma_bufs_max=2x refused at runtime" param_refused dma_bufs_max 2x
ok_if "dma_bufs_max=65536 accepted at runtime" param_accepted dma_bufs_max 65536
ok_if "dma_bufs_max=256 (the default) accepted at runtime" param_accepted dma_bufs_max 256
ok_if "buf_size=1000: file is 1000 bytes, transfers bounded" file_size_follows_buf_size
for bin in dma_test dma_test_32; do
	ksft "$BIN/$bin"
done
ok_if "device works after the DMA suite" sh -c "head -c 4095 /dev/urandom >/tmp/r && dd if=/tmp/r of=/dev/edu1 bs=4095 status=none && cmp -n 4095 /tmp/r /dev/edu1"
edu_unload
tap_done
