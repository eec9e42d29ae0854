/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edu - userspace API of the driver for QEMU's edu PCI device.
 *
 * Each bound device is a character device /dev/eduN. Its ioctls take
 * structures made of fixed-width fields only, with explicit padding, so
 * the layout is identical for 32-bit and 64-bit processes (the driver's
 * compat_ioctl is compat_ptr_ioctl). Every "flags" and "reserved" field
 * a caller passes in must be zero, or the call fails with EINVAL: that
 * leaves room to extend the structures later.
 *
 * Errors common to every ioctl:
 *   ENOTTY  unknown command (including a known number with another size)
 *   EFAULT  the argument pointer is not readable/writable
 *   EINVAL  nonzero flags/reserved, or a field out of range
 *   ENODEV  the device was removed (hot-unplug, unbind) while open
 *   EBADF   the file's open mode does not allow the command: those that
 *           change the device's state need it open for writing, as
 *           write() does (marked "needs FMODE_WRITE" below)
 *   EINTR   interrupted by a signal while waiting for the device
 *   ETIMEDOUT the device did not interrupt in time
 *
 * Magic 0xED is free in Documentation/userspace-api/ioctl/ioctl-number.rst.
 *
 * Data: read(), write(), pread(), pwrite() and lseek() on /dev/eduN address
 * the device's DMA buffer, which the driver moves data to and from by DMA,
 * one transfer at a time per device (requests queue). The file's size is
 * the part of the buffer the device can really reach (the module parameter
 * buf_size, 4095 bytes by default: QEMU up to 7.2 aborts on a transfer
 * that ends at the buffer's last byte). Reads at or past the end return 0,
 * writes there fail with ENOSPC, transfers crossing the end are shortened,
 * negative offsets are EINVAL. With O_NONBLOCK a transfer that would wait
 * for another one fails with EAGAIN; poll() reports POLLIN | POLLOUT when
 * the DMA engine is idle. Each transfer in flight holds a bounce buffer:
 * see ENOBUFS below.
 *
 * Zero copy: mmap() of up to EDU_DMA_BUF_SIZE bytes at offset 0
 * (MAP_SHARED) gives the file a DMA buffer; EDU_IOC_DMA with
 * EDU_DMA_F_MMAP moves data between it and the device buffer without
 * copying. Without EDU_DMA_F_MMAP, EDU_IOC_DMA copies from/to the user
 * pointer in @addr instead. A writable mapping needs a file open for
 * writing (EACCES).
 *
 * The mapped buffers and the bounce buffers of transfers in flight pin
 * pages the device can reach (a small zone); they are charged to the
 * caller's memory cgroup, and a device gives files at most the module
 * parameter dma_bufs_max of them at once: past it mmap(), read(),
 * write() and EDU_IOC_DMA fail with ENOBUFS until a file lets one go.
 */
#ifndef _UAPI_LINUX_EDU_H
#define _UAPI_LINUX_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDU_IOC_MAGIC		0xED

/**
 * enum edu_irq_mode - interrupt delivery of a device
 * @EDU_IRQ_MODE_INTX: legacy INTx (level triggered, possibly shared)
 * @EDU_IRQ_MODE_MSI: message-signalled interrupt
 */
enum edu_irq_mode {
	EDU_IRQ_MODE_INTX = 1,
	EDU_IRQ_MODE_MSI = 2,
};

/* Interrupt reasons: bit N of the device's interrupt status register. */
#define EDU_IRQ_REASON_FACTORIAL	0x00000001u	/* factorial done */
#define EDU_IRQ_REASON_DMA		0x00000100u	/* DMA transfer done */
/* Reasons userspace may raise with EDU_IOC_RAISE_IRQ. */
#define EDU_IRQ_REASONS_USER		0xffff0000u
#define EDU_IRQ_REASONS			32

/* Size of the device's DMA buffer; what is reachable may be less. */
#define EDU_DMA_BUF_SIZE		4096

#define EDU_VERSION_LEN			16
#define EDU_PCI_ADDR_LEN		16

/**
 * struct edu_info - EDU_IOC_INFO: what the device and driver are
 * @hw_id: identification register (0x010000ed: version 1.0)
 * @hw_major: hardware major version (bits 31:24 of @hw_id)
 * @hw_minor: hardware minor version (bits 23:16 of @hw_id)
 * @index: N in /dev/eduN
 * @irq_mode: enum edu_irq_mode in use
 * @irq_vector: Linux interrupt number (as in /proc/interrupts)
 * @dma_bits: RAM address bits the device reaches (its DMA mask)
 * @reserved0: zero
 * @driver_version: NUL-terminated driver version, e.g. "0.2.0"
 * @pci_addr: NUL-terminated PCI address, e.g. "0000:00:04.0"
 * @reserved: zero
 */
struct edu_info {
	__u32 hw_id;
	__u32 hw_major;
	__u32 hw_minor;
	__u32 index;
	__u32 irq_mode;
	__u32 irq_vector;
	__u32 dma_bits;
	__u32 reserved0;
	char driver_version[EDU_VERSION_LEN];
	char pci_addr[EDU_PCI_ADDR_LEN];
	__u64 reserved[4];
};

/**
 * struct edu_liveness - EDU_IOC_LIVENESS: write @value to the liveness
 * register and read it back; a live device answers with its bitwise NOT
 * @value: in: any value
 * @result: out: what the device answered (~@value when alive)
 * @flags: in: zero
 * @reserved: in: zero
 */
struct edu_liveness {
	__u32 value;
	__u32 result;
	__u32 flags;
	__u32 reserved;
};

/* Largest n EDU_IOC_FACTORIAL accepts: the device loops n times. */
#define EDU_FACTORIAL_MAX	100000000u
/*
 * struct edu_factorial and edu_irq_raise flag: busy-poll for the result
 * instead of sleeping until the interrupt thread wakes the caller. Costs
 * a CPU; exists as the baseline the interrupt path is benchmarked against.
 */
#define EDU_FLAG_POLL		0x1u

/**
 * struct edu_factorial - EDU_IOC_FACTORIAL: n! computed by the device,
 * modulo 2^32 (so 0 for n >= 34), completed by its interrupt. One
 * computation runs at a time per device; callers queue.
 * @n: in: 0..EDU_FACTORIAL_MAX (larger: EINVAL)
 * @result: out: n! mod 2^32
 * @flags: in: 0 or EDU_FLAG_POLL
 * @reserved: in: zero
 */
struct edu_factorial {
	__u32 n;
	__u32 result;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct edu_irq_raise - EDU_IOC_RAISE_IRQ: make the device raise an
 * interrupt with the given reasons and wait until the driver's interrupt
 * thread has seen them all
 * @reasons: in: nonzero, only bits of EDU_IRQ_REASONS_USER
 * @flags: in: 0 or EDU_FLAG_POLL
 * @latency_ns: out: time from the raise to the wake-up of the caller
 */
struct edu_irq_raise {
	__u32 reasons;
	__u32 flags;
	__u64 latency_ns;
};

/**
 * struct edu_stats - EDU_IOC_GET_STATS: device counters since probe or
 * the last EDU_IOC_RESET_STATS
 * @irqs: interrupts handled (the device had a reason pending)
 * @irqs_spurious: interrupts that were not ours (shared INTx)
 * @irq_reasons: per reason bit, how often the interrupt thread saw it
 * @factorials: factorials completed
 * @timeouts: factorial and interrupt waits that timed out
 * @dma_bytes_to_dev: bytes moved from RAM to the device by DMA
 * @dma_bytes_from_dev: bytes moved from the device to RAM
 * @dma_xfers_to_dev: transfers to the device completed
 * @dma_xfers_from_dev: transfers from the device completed
 * @dma_errors: transfers failed (device removed, injected faults)
 * @dma_timeouts: transfers the device did not complete in dma_timeout_ms
 * @dma_queue_hwm: most transfers queued or in flight at once
 * @reserved: zero
 */
struct edu_stats {
	__u64 irqs;
	__u64 irqs_spurious;
	__u64 irq_reasons[EDU_IRQ_REASONS];
	__u64 factorials;
	__u64 timeouts;
	__u64 dma_bytes_to_dev;
	__u64 dma_bytes_from_dev;
	__u64 dma_xfers_to_dev;
	__u64 dma_xfers_from_dev;
	__u64 dma_errors;
	__u64 dma_timeouts;
	__u64 dma_queue_hwm;
	__u64 reserved;
};

/* struct edu_dma_xfer.flags: exactly one direction, optionally MMAP. */
#define EDU_DMA_TO_DEVICE	0x1u	/* RAM -> device buffer */
#define EDU_DMA_FROM_DEVICE	0x2u	/* device buffer -> RAM */
#define EDU_DMA_F_MMAP		0x4u	/* RAM side: this file's mmap()ed buffer */

/**
 * struct edu_dma_xfer - EDU_IOC_DMA: one DMA transfer
 * @addr: RAM side without EDU_DMA_F_MMAP: a user pointer to @len bytes;
 *	with it: zero
 * @dev_offset: offset in the device buffer
 * @len: bytes, 1..buf_size; @dev_offset + @len <= buf_size (else EINVAL:
 *	unlike read/write, an explicit transfer is never shortened)
 * @mmap_offset: with EDU_DMA_F_MMAP, offset in the mapped buffer
 *	(@mmap_offset + @len <= its size); otherwise zero
 * @flags: EDU_DMA_TO_DEVICE or EDU_DMA_FROM_DEVICE, | EDU_DMA_F_MMAP
 * @reserved: zero
 *
 * Errors: EINVAL as above; EBADF for EDU_DMA_TO_DEVICE on a file not
 * open for writing, or EDU_DMA_FROM_DEVICE on one not open for reading;
 * ENOBUFS past dma_bufs_max; ENXIO for EDU_DMA_F_MMAP before mmap();
 * EFAULT when @len bytes at @addr cannot all be read (nothing is sent to
 * the device) or written (the transfer happened); EAGAIN with O_NONBLOCK when the engine is busy;
 * ETIMEDOUT when the device does not complete the transfer.
 */
struct edu_dma_xfer {
	__u64 addr;
	__u32 dev_offset;
	__u32 len;
	__u32 mmap_offset;
	__u32 flags;
	__u64 reserved;
};

/* Any open file. */
#define EDU_IOC_INFO		_IOR(EDU_IOC_MAGIC, 0x00, struct edu_info)
/* Needs FMODE_WRITE (EBADF otherwise): it writes a register. */
#define EDU_IOC_LIVENESS	_IOWR(EDU_IOC_MAGIC, 0x01, struct edu_liveness)
/* Needs FMODE_WRITE (EBADF otherwise). */
#define EDU_IOC_FACTORIAL	_IOWR(EDU_IOC_MAGIC, 0x02, struct edu_factorial)
/* Needs FMODE_WRITE (EBADF otherwise). */
#define EDU_IOC_RAISE_IRQ	_IOWR(EDU_IOC_MAGIC, 0x03, struct edu_irq_raise)
/* Any open file. */
#define EDU_IOC_GET_STATS	_IOR(EDU_IOC_MAGIC, 0x04, struct edu_stats)
/* Needs FMODE_WRITE (EBADF), then CAP_SYS_ADMIN (EPERM). */
#define EDU_IOC_RESET_STATS	_IO(EDU_IOC_MAGIC, 0x05)
/* EDU_DMA_TO_DEVICE needs FMODE_WRITE, EDU_DMA_FROM_DEVICE FMODE_READ (EBADF). */
#define EDU_IOC_DMA		_IOW(EDU_IOC_MAGIC, 0x06, struct edu_dma_xfer)

/*
 * Generic netlink family "edu", version 1 (Documentation/netlink/specs/
 * edu.yaml is its YNL spec). Every request is strictly validated; errors
 * carry an extack message pointing at the offending attribute. Devices
 * are named by EDU_A_DEV_INDEX. Commands marked admin need CAP_NET_ADMIN
 * (EPERM otherwise): every command that drives the device or changes a
 * setting, so that netlink gives no way around /dev/eduN's permissions;
 * the others only read what the driver already knows.
 *
 *   EDU_CMD_DEV_GET      doit: one device; dumpit: every device
 *   EDU_CMD_DEV_SET      admin: set EDU_A_DEV_DMA_TIMEOUT_MS and/or
 *                        EDU_A_DEV_PEER (all or nothing)
 *   EDU_CMD_STATS_GET    doit: EDU_A_DEV_INDEX + EDU_A_STATS (nest)
 *   EDU_CMD_STATS_RESET  admin
 *   EDU_CMD_FACTORIAL    admin: EDU_A_FACT_N -> EDU_A_FACT_RESULT
 *   EDU_CMD_DMA_TEST     admin: DMA round trip of EDU_A_DMA_TEST_LEN
 *                        bytes (default: the whole usable buffer; it
 *                        overwrites the device buffer) -> EDU_A_DMA_TEST_LEN
 *
 * Multicast group "events" (EDU_GENL_MCGRP_EVENTS) carries notifications
 * with EDU_A_DEV_INDEX and EDU_A_DEV_PCI: EDU_CMD_DEV_ADD_NTF,
 * EDU_CMD_DEV_DEL_NTF, EDU_CMD_DMA_ERROR_NTF (+ EDU_A_DMA_ERROR, a
 * negative errno), EDU_CMD_PM_NTF (+ EDU_A_DEV_PM_STATE).
 */
#define EDU_GENL_NAME		"edu"
#define EDU_GENL_VERSION	1
#define EDU_GENL_MCGRP_EVENTS	"events"

enum edu_cmd {
	EDU_CMD_UNSPEC,
	EDU_CMD_DEV_GET,
	EDU_CMD_DEV_SET,
	EDU_CMD_STATS_GET,
	EDU_CMD_STATS_RESET,
	EDU_CMD_FACTORIAL,
	EDU_CMD_DMA_TEST,
	EDU_CMD_DEV_ADD_NTF,
	EDU_CMD_DEV_DEL_NTF,
	EDU_CMD_DMA_ERROR_NTF,
	EDU_CMD_PM_NTF,

	__EDU_CMD_MAX,
	EDU_CMD_MAX = __EDU_CMD_MAX - 1
};

/**
 * enum edu_pm_state - EDU_A_DEV_PM_STATE
 * @EDU_PM_ACTIVE: powered and usable
 * @EDU_PM_SUSPENDED: runtime or system suspended
 */
enum edu_pm_state {
	EDU_PM_ACTIVE,
	EDU_PM_SUSPENDED,
};

/*
 * EDU_A_DEV_PEER: what the device's network interface is linked to, like
 * sysfs "peer". The index of another device: a cable between the two
 * (both ends at once; either end's previous link is undone); the device's
 * own index: loopback; EDU_PEER_NONE: unlinked (both ends). Indices are
 * below EDU_PEER_NONE, so the value range is 0..EDU_PEER_NONE.
 */
#define EDU_PEER_NONE		256

enum edu_attr {
	EDU_A_UNSPEC,
	EDU_A_PAD,
	EDU_A_DEV_INDEX,		/* u32: N in eduN */
	EDU_A_DEV_NAME,			/* string: "eduN" */
	EDU_A_DEV_PCI,			/* string: PCI address */
	EDU_A_DEV_HW_ID,		/* u32: identification register */
	EDU_A_DEV_IRQ_MODE,		/* u32: enum edu_irq_mode */
	EDU_A_DEV_IRQ,			/* u32: Linux interrupt number */
	EDU_A_DEV_DMA_BITS,		/* u32 */
	EDU_A_DEV_BUF_SIZE,		/* u32: usable device buffer bytes */
	EDU_A_DEV_DMA_TIMEOUT_MS,	/* u32: 10..60000 */
	EDU_A_DEV_PM_STATE,		/* u32: enum edu_pm_state */
	EDU_A_STATS,			/* nest: enum edu_stat_attr */
	EDU_A_FACT_N,			/* u32: 0..EDU_FACTORIAL_MAX */
	EDU_A_FACT_RESULT,		/* u32 */
	EDU_A_DMA_TEST_LEN,		/* u32: 1..buf_size */
	EDU_A_DMA_ERROR,		/* s32: negative errno */
	EDU_A_DEV_PEER,			/* u32: peer index or EDU_PEER_NONE */

	__EDU_A_MAX,
	EDU_A_MAX = __EDU_A_MAX - 1
};

/* Inside EDU_A_STATS, all u64, the same counters as struct edu_stats. */
enum edu_stat_attr {
	EDU_A_STAT_UNSPEC,
	EDU_A_STAT_PAD,
	EDU_A_STAT_IRQS,
	EDU_A_STAT_IRQS_SPURIOUS,
	EDU_A_STAT_FACTORIALS,
	EDU_A_STAT_TIMEOUTS,
	EDU_A_STAT_DMA_BYTES_TO_DEV,
	EDU_A_STAT_DMA_BYTES_FROM_DEV,
	EDU_A_STAT_DMA_XFERS_TO_DEV,
	EDU_A_STAT_DMA_XFERS_FROM_DEV,
	EDU_A_STAT_DMA_ERRORS,
	EDU_A_STAT_DMA_TIMEOUTS,
	EDU_A_STAT_DMA_QUEUE_HWM,

	__EDU_A_STAT_MAX,
	EDU_A_STAT_MAX = __EDU_A_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_EDU_H */
