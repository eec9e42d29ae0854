/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edu - private types and prototypes shared by the driver's files.
 */
#ifndef _EDU_H
#define _EDU_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/linux/edu.h>

#include "edu_hw.h"

#define EDU_DRV_NAME		"edu"
/* Upper bound on device indices (eduN); also the number of minors. */
#define EDU_MAX_DEVICES		256

/* How long a caller waits for the device's interrupt. */
#define EDU_IRQ_TIMEOUT_MS	1000
/* EDU_FACTORIAL_MAX iterations take ~0.5 s in QEMU under load. */
#define EDU_FACT_TIMEOUT_MS	5000

/**
 * struct edu_counters - statistics, updated from any context
 * @irqs: interrupts with a reason pending (ours)
 * @irqs_spurious: interrupts without one (shared INTx) or from a dead device
 * @reasons: per reason bit, times the interrupt thread saw it
 * @factorials: factorials completed
 * @timeouts: waits for the device that timed out
 */
struct edu_counters {
	atomic64_t irqs;
	atomic64_t irqs_spurious;
	atomic64_t reasons[EDU_IRQ_REASONS];
	atomic64_t factorials;
	atomic64_t timeouts;
};

/**
 * struct edu_dev - one bound edu PCI function
 * @dev: the class device "eduN"; its refcount is this structure's
 *	lifetime: probe holds one reference until the device's managed
 *	resources are gone, every open file holds one
 * @cdev: /dev/eduN
 * @pdev: the PCI device
 * @regs: BAR0 mapping (managed: valid until just after remove)
 * @index: N in eduN, stable while the device is bound
 * @hw_id: EDU_REG_ID as read at probe
 * @dma_bits: width of the DMA mask set at probe
 * @irq: Linux interrupt number
 * @irq_mode: EDU_IRQ_MODE_MSI or EDU_IRQ_MODE_INTX
 * @unplug_lock: held for reading by every file operation that touches
 *	the hardware, for writing by remove once @gone is set: after that
 *	nothing reaches @regs
 * @gone: the device was removed; protected by @unplug_lock (and read
 *	locklessly by wait conditions, which remove wakes)
 * @hw_lock: serialises register sequences that must not interleave
 *	(liveness write + read)
 * @fact_lock: serialises factorials (one computation in the device)
 * @raise_lock: serialises software-raised interrupts
 * @irq_wq: woken by the interrupt thread and by remove
 * @irq_pending: reasons acked by the hard handler, not yet seen by the
 *	thread
 * @user_seen: user reasons (EDU_IRQ_REASONS_USER) seen by the thread
 * @stats: counters
 */
struct edu_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	int index;
	u32 hw_id;
	unsigned int dma_bits;
	int irq;
	enum edu_irq_mode irq_mode;

	struct rw_semaphore unplug_lock;	/* protects gone */
	bool gone;
	struct mutex hw_lock;		/* protects liveness register sequences */
	struct mutex fact_lock;		/* protects the factorial engine */
	struct mutex raise_lock;	/* protects user_seen for one raiser */

	wait_queue_head_t irq_wq;
	atomic_t irq_pending;
	atomic_t user_seen;

	struct edu_counters stats;
};

static inline struct edu_dev *to_edu_dev(struct device *dev)
{
	return container_of(dev, struct edu_dev, dev);
}

static inline u32 edu_read(struct edu_dev *edu, unsigned int reg)
{
	return readl(edu->regs + reg);
}

static inline void edu_write(struct edu_dev *edu, unsigned int reg, u32 val)
{
	writel(val, edu->regs + reg);
}

/* hw.c: device operations */
int edu_hw_check_identity(struct edu_dev *edu);
int edu_hw_check_liveness(struct edu_dev *edu);
void edu_hw_start(struct edu_dev *edu);
void edu_hw_quiesce(struct edu_dev *edu);
u32 edu_liveness(struct edu_dev *edu, u32 value);
int edu_factorial(struct edu_dev *edu, u32 n, bool poll, u32 *result);
int edu_raise_irq(struct edu_dev *edu, u32 reasons, bool poll, u64 *latency_ns);
void edu_stats_read(struct edu_dev *edu, struct edu_stats *stats);
void edu_stats_reset(struct edu_dev *edu);

/* irq.c */
int edu_irq_init(struct edu_dev *edu);
const char *edu_irq_mode_name(enum edu_irq_mode mode);

/* chardev.c */
int edu_chardev_init(void);
void edu_chardev_exit(void);
int edu_cdev_add(struct edu_dev *edu);
void edu_dev_init(struct edu_dev *edu, struct device *parent);
int edu_dev_set_index(struct edu_dev *edu, int index);

#endif /* _EDU_H */
