// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - driver for QEMU's "edu" educational PCI device
 *
 * This file holds module init/exit, module parameters and the pci_driver.
 * Probe checks the device's identity and liveness before anything else
 * touches it, and every resource it takes is managed (pcim_/devm_), so
 * remove only has to fence off users and quiesce the hardware.
 *
 * Lifetime: struct edu_dev is refcounted through its class device. Probe
 * registers the action that drops its own reference first, so devres
 * runs it last, after the IRQ is freed and the BAR unmapped; open files
 * keep the structure (not the hardware) alive after that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "compat.h"
#include "edu.h"

/*
 * dma_bits: the RAM address bits the device decodes (QEMU's dma_mask
 * property, which the guest cannot read). 0 derives it: QEMU's default of
 * 28 bits where the platform can place DMA buffers that low, else 32.
 */
#define EDU_DMA_BITS_AUTO	0
#define EDU_DMA_BITS_MIN	24
#define EDU_DMA_BITS_MAX	64
/* What a platform whose RAM starts above 256 MiB needs (arm64 virt: 1 GiB). */
#define EDU_DMA_BITS_WIDE	32

static unsigned int dma_bits = EDU_DMA_BITS_AUTO;

static int dma_bits_set(const char *val, const struct kernel_param *kp)
{
	unsigned int bits;
	int ret;

	ret = kstrtouint(val, 0, &bits);
	if (ret)
		return ret;
	if (bits != EDU_DMA_BITS_AUTO && (bits < EDU_DMA_BITS_MIN || bits > EDU_DMA_BITS_MAX))
		return -EINVAL;
	*(unsigned int *)kp->arg = bits;
	return 0;
}

static const struct kernel_param_ops dma_bits_ops = {
	.set = dma_bits_set,
	.get = param_get_uint,
};

module_param_cb(dma_bits, &dma_bits_ops, &dma_bits, 0444);
__MODULE_PARM_TYPE(dma_bits, "uint");
MODULE_PARM_DESC(dma_bits,
		 "RAM address bits the device decodes; must match QEMU's -device edu,dma_mask= (24-64; default 0: 28, QEMU's default, where the platform allows it, else 32)");

/* Hands out N in eduN; the lowest free index is reused after a remove. */
static DEFINE_IDA(edu_ida);

/* Bound devices in index order, for procfs and edu_get(). */
LIST_HEAD(edu_devices);
DEFINE_MUTEX(edu_devices_lock);	/* protects edu_devices */

static void edu_index_release(void *data)
{
	struct edu_dev *edu = data;

	ida_free(&edu_ida, edu->index);
}

static int edu_index_alloc(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	int index, ret;

	index = edu_fault_alloc() ? -ENOMEM :
		ida_alloc_max(&edu_ida, EDU_MAX_DEVICES - 1, GFP_KERNEL);
	if (index < 0)
		return dev_err_probe(dev, index, "no free device index\n");

	ret = devm_add_action_or_reset(dev, edu_index_release, edu);
	if (ret)
		return ret;
	return edu_dev_set_index(edu, index);
}

static int edu_map_bar(struct edu_dev *edu)
{
	struct pci_dev *pdev = edu->pdev;
	struct device *dev = &pdev->dev;

	if (!(pci_resource_flags(pdev, EDU_BAR) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, EDU_BAR) < EDU_BAR_MIN_SIZE)
		return dev_err_probe(dev, -ENODEV,
				     "BAR%d is not a memory BAR of at least %#x bytes\n",
				     EDU_BAR, EDU_BAR_MIN_SIZE);

	edu->regs = edu_compat_iomap_bar(pdev, EDU_BAR, EDU_DRV_NAME);
	if (IS_ERR(edu->regs))
		return dev_err_probe(dev, PTR_ERR(edu->regs), "cannot map BAR%d\n", EDU_BAR);
	return 0;
}

static void edu_put(void *data)
{
	struct edu_dev *edu = data;

	put_device(&edu->dev);
}

static int edu_enable(struct edu_dev *edu)
{
	int ret = pcim_enable_device(edu->pdev);

	if (ret)
		return dev_err_probe(&edu->pdev->dev, ret, "cannot enable device\n");
	return 0;
}

static int edu_try_dma_bits(struct edu_dev *edu, unsigned int bits)
{
	int ret = dma_set_mask_and_coherent(&edu->pdev->dev, DMA_BIT_MASK(bits));

	if (!ret)
		edu->dma_bits = bits;
	return ret;
}

/*
 * The device masks RAM addresses to its dma_mask without any error, so a
 * mask wider than the device's corrupts memory: never guess wider than
 * needed. A platform that cannot use the mask asked for (its RAM is out
 * of reach) fails the probe, saying what to change.
 */
static int edu_set_dma_mask(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	unsigned int bits = dma_bits;
	int ret;

	if (bits == EDU_DMA_BITS_AUTO) {
		if (!edu_try_dma_bits(edu, EDU_DMA_BITS_DEFAULT))
			return 0;
		/* No RAM below 256 MiB: a default device cannot work here. */
		bits = EDU_DMA_BITS_WIDE;
	}
	ret = edu_try_dma_bits(edu, bits);
	if (ret)
		return dev_err_probe(dev, ret,
				     "%u-bit DMA cannot reach this machine's RAM: start QEMU with a wider -device edu,dma_mask= and load edu with dma_bits= to match (e.g. 0xffffffff and 32)\n",
				     bits);
	if (bits != dma_bits)
		dev_notice(dev,
			   "RAM is out of reach of QEMU's default 28-bit edu: using 32-bit DMA, which needs -device edu,dma_mask=0xffffffff (dma_bits= sets another width)\n");
	return 0;
}

/*
 * From probe step 8 on, DMA can run (ethtool -t once the netdev is
 * registered): any later failure must stop the engine before the
 * structure goes, as remove does. The device's interrupts and bus
 * mastering go off first, so a transfer the device still runs no longer
 * reaches the buffers.
 */
static void edu_stop_dma(void *data)
{
	struct edu_dev *edu = data;

	edu_hw_quiesce(edu);
	pci_clear_master(edu->pdev);
	edu_dma_stop(edu);
}

/* The device has no reset: start from a quiet one, then allow DMA. */
static int edu_start_dma(struct edu_dev *edu)
{
	int ret;

	edu_hw_quiesce(edu);
	ret = edu_dma_init(edu);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&edu->pdev->dev, edu_stop_dma, edu);
	if (ret)
		return ret;
	pci_set_master(edu->pdev);
	return 0;
}

static int edu_start_irq(struct edu_dev *edu)
{
	int ret = edu_irq_init(edu);

	if (ret)
		return ret;
	edu_hw_start(edu);
	return 0;
}

/*
 * Probe in steps, each managed so a failure needs no unwinding here.
 * Step 1 is the allocation in edu_probe(); debugfs's fail_probe can fail
 * any step (EDU_PROBE_STEPS) to test that nothing is left behind.
 */
static int (* const edu_probe_steps[])(struct edu_dev *edu) = {
	edu_enable,			/* 2 */
	edu_map_bar,			/* 3 */
	edu_hw_check_identity,		/* 4 */
	edu_hw_check_liveness,		/* 5 */
	edu_set_dma_mask,		/* 6 */
	edu_index_alloc,		/* 7 */
	edu_start_dma,			/* 8 */
	edu_start_irq,			/* 9 */
	edu_net_create,			/* 10 */
	edu_cdev_add,			/* 11 */
};

static_assert(ARRAY_SIZE(edu_probe_steps) + 1 == EDU_PROBE_STEPS);

static int edu_probe_step(struct device *dev, unsigned int step)
{
	dev_dbg(dev, "probe step %u\n", step);
	return edu_debugfs_probe_fault(dev, step);
}

/* Visible to procfs and edu_get() in index order, once fully set up. */
static void edu_register(struct edu_dev *edu)
{
	struct edu_dev *pos;

	guard(mutex)(&edu_devices_lock);
	list_for_each_entry(pos, &edu_devices, node) {
		if (pos->index > edu->index)
			break;
	}
	list_add_tail(&edu->node, &pos->node);
}

static void edu_unregister(struct edu_dev *edu)
{
	guard(mutex)(&edu_devices_lock);
	list_del(&edu->node);
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_dev *edu;
	unsigned int i;
	int ret;

	ret = edu_probe_step(dev, 1);
	if (ret)
		return ret;
	edu = edu_fault_alloc() ? NULL : kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu_dev_init(edu, pdev);
	pci_set_drvdata(pdev, edu);
	/* First action registered, so the last one run: see the top. */
	ret = devm_add_action_or_reset(dev, edu_put, edu);
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(edu_probe_steps); i++) {
		ret = edu_probe_step(dev, i + 2);
		if (!ret)
			ret = edu_probe_steps[i](edu);
		if (ret)
			return ret;
	}

	edu_pm_init(edu);
	edu_debugfs_add(edu);
	edu_register(edu);
	edu_nl_notify(edu, EDU_CMD_DEV_ADD_NTF, 0, 0);
	dev_info(dev, "%s: hardware version %u.%u, %s IRQ %d, %u-bit DMA\n", dev_name(&edu->dev),
		 (u32)FIELD_GET(EDU_ID_MAJOR_MASK, edu->hw_id),
		 (u32)FIELD_GET(EDU_ID_MINOR_MASK, edu->hw_id),
		 edu->irq_mode == EDU_IRQ_MODE_MSI ? "MSI" : "INTx", edu->irq, edu->dma_bits);
	return 0;
}

/*
 * Fence off users: wake every waiter (their conditions test ->gone), then
 * wait for the file operations in flight to leave. After this nothing
 * reaches the registers, which devres unmaps once remove returns.
 */
static void edu_unplug(struct edu_dev *edu)
{
	WRITE_ONCE(edu->gone, true);
	wake_up_all(&edu->irq_wq);
	down_write(&edu->unplug_lock);
	up_write(&edu->unplug_lock);
}

/*
 * Bus mastering goes off before the DMA engine lets go of its buffers: a
 * transfer the device still runs can then no longer reach them.
 */
static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *edu = pci_get_drvdata(pdev);

	edu_pm_remove(edu);
	edu_nl_notify(edu, EDU_CMD_DEV_DEL_NTF, 0, 0);
	edu_unregister(edu);
	edu_debugfs_remove(edu);
	edu_net_remove(edu);
	edu_unplug(edu);
	edu_stop_dma(edu);
}

/* Stop the device from raising interrupts or doing DMA across kexec. */
static void edu_shutdown(struct pci_dev *pdev)
{
	edu_remove(pdev);
}

static const struct pci_device_id edu_pci_ids[] = {
	{ PCI_DEVICE(EDU_PCI_VENDOR_ID, EDU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_pci_ids);

static struct pci_driver edu_pci_driver = {
	.name		= EDU_DRV_NAME,
	.id_table	= edu_pci_ids,
	.probe		= edu_probe,
	.remove		= edu_remove,
	.shutdown	= edu_shutdown,
	.dev_groups	= edu_dev_groups,
	.driver.pm	= pm_ptr(&edu_pm_ops),
};

static int __init edu_init(void)
{
	int ret;

	ret = edu_dma_module_init();
	if (ret)
		return ret;

	ret = edu_chardev_init();
	if (ret)
		goto err_dma_exit;

	ret = edu_procfs_init();
	if (ret)
		goto err_chardev_exit;

	ret = edu_nl_init();
	if (ret)
		goto err_procfs_exit;

	edu_debugfs_init();
	ret = pci_register_driver(&edu_pci_driver);
	if (ret)
		goto err_debugfs_exit;
	return 0;

err_debugfs_exit:
	edu_debugfs_exit();
	edu_nl_exit();
err_procfs_exit:
	edu_procfs_exit();
err_chardev_exit:
	edu_chardev_exit();
err_dma_exit:
	edu_dma_module_exit();
	return ret;
}
module_init(edu_init);

static void __exit edu_exit(void)
{
	pci_unregister_driver(&edu_pci_driver);
	edu_debugfs_exit();
	edu_nl_exit();
	edu_procfs_exit();
	edu_chardev_exit();
	edu_dma_module_exit();
}
module_exit(edu_exit);

MODULE_AUTHOR("The edu developers");
MODULE_DESCRIPTION("Driver for QEMU's edu educational PCI device");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDU_VERSION);
