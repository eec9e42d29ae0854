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

/* QEMU's edu_instance_init() masks RAM addresses to 28 bits by default. */
#define EDU_DMA_BITS_MIN	24
#define EDU_DMA_BITS_MAX	64

static unsigned int dma_bits = EDU_DMA_BITS_DEFAULT;

static int dma_bits_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, EDU_DMA_BITS_MIN, EDU_DMA_BITS_MAX);
}

static const struct kernel_param_ops dma_bits_ops = {
	.set = dma_bits_set,
	.get = param_get_uint,
};

module_param_cb(dma_bits, &dma_bits_ops, &dma_bits, 0444);
__MODULE_PARM_TYPE(dma_bits, "uint");
MODULE_PARM_DESC(dma_bits,
		 "RAM address bits the device decodes; must match QEMU's -device edu,dma_mask= (default 28, range 24-64)");

/* Hands out N in eduN; the lowest free index is reused after a remove. */
static DEFINE_IDA(edu_ida);

static void edu_index_release(void *data)
{
	struct edu_dev *edu = data;

	ida_free(&edu_ida, edu->index);
}

static int edu_index_alloc(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	int index, ret;

	index = ida_alloc_max(&edu_ida, EDU_MAX_DEVICES - 1, GFP_KERNEL);
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

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_dev *edu;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu_dev_init(edu, pdev);
	/* First action registered, so the last one run: see the top. */
	ret = devm_add_action_or_reset(dev, edu_put, edu);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable device\n");

	ret = edu_map_bar(edu);
	if (ret)
		return ret;

	ret = edu_hw_check_identity(edu);
	if (ret)
		return ret;

	ret = edu_hw_check_liveness(edu);
	if (ret)
		return ret;

	edu->dma_bits = dma_bits;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(edu->dma_bits));
	if (ret)
		return dev_err_probe(dev, ret, "%u-bit DMA is not supported here (dma_bits=)\n",
				     edu->dma_bits);

	ret = edu_index_alloc(edu);
	if (ret)
		return ret;

	edu_hw_quiesce(edu);
	ret = edu_dma_init(edu);
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = edu_irq_init(edu);
	if (ret)
		return ret;
	edu_hw_start(edu);

	pci_set_drvdata(pdev, edu);
	ret = edu_cdev_add(edu);
	if (ret)
		return ret;

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

	edu_unplug(edu);
	edu_hw_quiesce(edu);
	pci_clear_master(pdev);
	edu_dma_stop(edu);
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

	ret = pci_register_driver(&edu_pci_driver);
	if (ret)
		goto err_chardev_exit;
	return 0;

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
	edu_chardev_exit();
	edu_dma_module_exit();
}
module_exit(edu_exit);

MODULE_AUTHOR("The edu developers");
MODULE_DESCRIPTION("Driver for QEMU's edu educational PCI device");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDU_VERSION);
