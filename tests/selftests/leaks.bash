#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# leaks.bash - the leak check of lifecycle.sh and faults.sh (sourced
# after lib.sh; not a test: run-guest and check.sh take *.sh).
#
# What it counts: the objects really allocated from edu's own slab
# caches (edu_dma_req), and the DMA buffers (kmalloc'ed, so not in a
# cache of edu's) every device still maps: the "bufs" line of its
# debugfs queue file, read from the driver's list of them. The guests boot with slab_nomerge:
# without it SLUB merges edu_dma_req into a kernel cache of the same
# size and the count would be everyone's, so a missing cache fails.
# Two things make /proc/slabinfo's "active_objs" larger than what is
# allocated, and both are taken out first:
#  - SLUB counts every object of a per-CPU slab and of the per-CPU
#    partial slabs as in use, free or not, and KASAN keeps freed objects
#    in its quarantine, still allocated as far as the slab knows.
#    Writing 1 to /sys/kernel/slab/NAME/shrink flushes the per-CPU slabs
#    to the node lists (whose free objects slabinfo does subtract) and
#    drains the cache's share of the quarantine (kmem_cache_shrink()).
#  - requests legitimately alive: a transfer queued or running, or one
#    whose waiter has not yet dropped its reference. The check waits for
#    every engine to be idle, then for the count to come back to the
#    baseline: a leak never does.
# So counted while DMA runs, a cache shows hundreds of objects "in use"
# (the sanitizer lane once saw 276 edu_dma_req during lifecycle.sh's busy
# rmmod, with 0 leaked): objects freed since the last shrink and the
# whole per-CPU slabs. lifecycle.sh checks only when its holders stopped.

# edu_slab_caches: the names of edu's own slab caches
edu_slab_caches() {
	echo edu_dma_req
}

# edu_slab_count NAME: objects allocated from NAME in REPLY, shrunk first
edu_slab_count() {
	local name=$1 n
	REPLY=
	[ -e "/sys/kernel/slab/$name/shrink" ] || {
		echo "no /sys/kernel/slab/$name: merged into another cache (boot with slab_nomerge)" >&2
		return 1
	}
	# Fails (EINVAL) when slabs remain, which is the normal case.
	echo 1 2>/dev/null >"/sys/kernel/slab/$name/shrink"
	n=$(awk -v n="$name" '$1 == n { print $2 }' /proc/slabinfo)
	[ -n "$n" ] || { echo "$name is not in /proc/slabinfo" >&2; return 1; }
	REPLY=$n
}

# edu_dma_bufs: the buffers every bound device maps, summed, in REPLY
edu_dma_bufs() {
	local q n
	REPLY=0
	for q in /sys/kernel/debug/edu/*/queue; do
		[ -e "$q" ] || continue
		n=$(awk '$1 == "bufs" { print $2 }' "$q")
		[ -n "$n" ] || { echo "no bufs line in $q" >&2; return 1; }
		REPLY=$((REPLY + n))
	done
}

# edu_dma_idle: no device's DMA engine has a request queued, running or
# stalled (debugfs queue)
edu_dma_idle() {
	local q depth stalled
	for q in /sys/kernel/debug/edu/*/queue; do
		[ -e "$q" ] || continue
		depth=$(awk '$1 == "depth" { print $2 }' "$q")
		stalled=$(awk '$1 == "stalled" { print $2 }' "$q")
		[ "$depth" = 0 ] && [ "$stalled" = 0 ] || return 1
	done
}

# slab_baseline: SLAB[name] = objects allocated now, SLAB[bufs] = DMA
# buffers mapped now, for slab_ok
declare -A SLAB
slab_baseline() {
	local name
	wait_for 50 edu_dma_idle || fail "the DMA engines do not become idle: $(cat /sys/kernel/debug/edu/*/queue)"
	for name in $(edu_slab_caches); do
		edu_slab_count "$name" || fail "slab baseline: $name"
		SLAB[$name]=$REPLY
	done
	edu_dma_bufs || fail "DMA buffer baseline"
	SLAB[bufs]=$REPLY
}

# slab_at_baseline: every cache holds as many objects, the devices map as
# many buffers as at the baseline
slab_at_baseline() {
	local name
	for name in $(edu_slab_caches); do
		edu_slab_count "$name" && [ "$REPLY" = "${SLAB[$name]}" ] || return 1
	done
	edu_dma_bufs && [ "$REPLY" = "${SLAB[bufs]}" ]
}

# slab_ok: once every engine is idle, edu's caches and mapped buffers
# come back to their baseline within 2 s; otherwise fail with the
# difference (a leak). Files that hold an mmap() buffer must be closed.
slab_ok() {
	local name
	[ ${#SLAB[@]} != 0 ] || fail "slab_ok before slab_baseline"
	wait_for 50 edu_dma_idle || fail "the DMA engines do not become idle: $(cat /sys/kernel/debug/edu/*/queue)"
	wait_for 20 slab_at_baseline && return 0
	for name in $(edu_slab_caches); do
		edu_slab_count "$name" || fail "slab: $name"
		[ "$REPLY" = "${SLAB[$name]}" ] ||
			fail "slab $name: $((REPLY - SLAB[$name])) more object(s) allocated than at the start ($REPLY, was ${SLAB[$name]}) with every DMA engine idle: leaked"
	done
	edu_dma_bufs || fail "DMA buffers"
	[ "$REPLY" = "${SLAB[bufs]}" ] ||
		fail "DMA buffers: $((REPLY - SLAB[bufs])) more mapped than at the start ($REPLY, was ${SLAB[bufs]}) with every engine idle and no file open: leaked"
}
