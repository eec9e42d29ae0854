// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - interrupts: MSI with INTx fallback, a hard handler that only
 * reads and acks the device, and a threaded handler that does the work.
 *
 * The hard handler must ack: INTx is level-triggered and stays asserted
 * until every raised reason is cleared. It hands the reasons to the
 * thread through edu->irq_pending; the thread counts them and wakes the
 * waiters. On PREEMPT_RT both run in threads; nothing here spins.
 */
#include <linux/bitops.h>
#include <linux/interrupt.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "edu.h"
#include "trace.h"

enum edu_irq_mode_param {
	EDU_IRQ_PARAM_AUTO,
	EDU_IRQ_PARAM_MSI,
	EDU_IRQ_PARAM_INTX,
};

static const char * const edu_irq_mode_names[] = {
	[EDU_IRQ_PARAM_AUTO] = "auto",
	[EDU_IRQ_PARAM_MSI] = "msi",
	[EDU_IRQ_PARAM_INTX] = "intx",
};

static int irq_mode = EDU_IRQ_PARAM_AUTO;

static int irq_mode_set(const char *val, const struct kernel_param *kp)
{
	int mode = sysfs_match_string(edu_irq_mode_names, val);

	if (mode < 0)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, mode);
	return 0;
}

static int irq_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", edu_irq_mode_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops irq_mode_ops = {
	.set = irq_mode_set,
	.get = irq_mode_get,
};

module_param_cb(irq_mode, &irq_mode_ops, &irq_mode, 0644);
__MODULE_PARM_TYPE(irq_mode, "charp");
MODULE_PARM_DESC(irq_mode,
		 "Interrupt type for devices probed from now on: auto (MSI, else INTx), msi or intx");

static void edu_irq_count(struct edu_dev *edu, unsigned long reasons)
{
	unsigned int bit;

	for_each_set_bit(bit, &reasons, EDU_IRQ_REASONS)
		atomic64_inc(&edu->stats.reasons[bit]);
}

static irqreturn_t edu_irq_hard(int irq, void *data)
{
	struct edu_dev *edu = data;
	u32 status = edu_read(edu, EDU_REG_IRQ_STATUS);

	/* Nothing raised (another device on a shared line), or no device. */
	if (!status || PCI_POSSIBLE_ERROR(status)) {
		atomic64_inc(&edu->stats.irqs_spurious);
		return IRQ_NONE;
	}

	edu_write(edu, EDU_REG_IRQ_ACK, status);
	trace_edu_irq(edu->index, status);
	atomic64_inc(&edu->stats.irqs);

	/* The netdev's doorbells need no thread: NAPI does the work. */
	if (status & EDU_IRQ_NET) {
		edu_irq_count(edu, status & EDU_IRQ_NET);
		edu_net_irq(edu);
		status &= ~EDU_IRQ_NET;
		if (!status)
			return IRQ_HANDLED;
	}
	atomic_or(status, &edu->irq_pending);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t edu_irq_thread(int irq, void *data)
{
	struct edu_dev *edu = data;
	u32 reasons = atomic_xchg(&edu->irq_pending, 0);

	edu_irq_count(edu, reasons);

	if (reasons & EDU_IRQ_REASONS_USER)
		atomic_or(reasons & EDU_IRQ_REASONS_USER, &edu->user_seen);

	if (reasons & EDU_IRQ_DMA)
		edu_dma_irq(edu);

	/* Factorial waiters re-read the status register when woken. */
	wake_up_all(&edu->irq_wq);

	/*
	 * Even with nothing left to do (an earlier run took the reasons)
	 * this was our interrupt: IRQ_NONE would feed "nobody cared".
	 */
	return IRQ_HANDLED;
}

static unsigned int edu_irq_types(int mode)
{
	switch (mode) {
	case EDU_IRQ_PARAM_MSI:
		return PCI_IRQ_MSI;
	case EDU_IRQ_PARAM_INTX:
		return PCI_IRQ_INTX;
	default:
		return PCI_IRQ_MSI | PCI_IRQ_INTX;
	}
}

/**
 * edu_irq_init() - allocate the device's interrupt and request it
 * @edu: the device, with its class device named
 *
 * The vector and the handler are managed: released after remove.
 *
 * Return: 0 or -errno.
 */
int edu_irq_init(struct edu_dev *edu)
{
	struct pci_dev *pdev = edu->pdev;
	struct device *dev = &pdev->dev;
	int mode = READ_ONCE(irq_mode);
	unsigned long flags = 0;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, edu_irq_types(mode));
	if (ret < 0)
		return dev_err_probe(dev, ret, "no %s interrupt available\n",
				     mode == EDU_IRQ_PARAM_AUTO ? "MSI or INTx" :
				     edu_irq_mode_names[mode]);

	edu->irq = pci_irq_vector(pdev, 0);
	if (pdev->msi_enabled) {
		edu->irq_mode = EDU_IRQ_MODE_MSI;
	} else {
		edu->irq_mode = EDU_IRQ_MODE_INTX;
		flags = IRQF_SHARED;
	}

	ret = devm_request_threaded_irq(dev, edu->irq, edu_irq_hard, edu_irq_thread, flags,
					dev_name(&edu->dev), edu);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request IRQ %d\n", edu->irq);
	return 0;
}

const char *edu_irq_mode_name(enum edu_irq_mode mode)
{
	return mode == EDU_IRQ_MODE_MSI ? "msi" : "intx";
}
