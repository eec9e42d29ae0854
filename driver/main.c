// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - driver for QEMU's "edu" educational PCI device
 *
 * This file holds module init/exit, module parameters and the pci_driver:
 * probe checks the device's identity and liveness before anything else
 * touches it, and every resource it takes is managed (pcim_/devm_), so
 * remove only has to quiesce the hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/random.h>

#include "compat.h"
#include "edu.h"
#include "edu_hw.h"

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

/*
 * The device has no reset: a previous driver (or a guest reboot) may have
 * left the factorial interrupt enabled or reasons raised. Disable and ack
 * everything so a stale level-triggered INTx cannot fire at us.
 */
static void edu_hw_quiesce(struct edu_dev *edu)
{
	edu_write(edu, EDU_REG_STATUS, 0);
	edu_write(edu, EDU_REG_IRQ_ACK, EDU_IRQ_ALL);
}

static int edu_hw_check_identity(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	u32 id = edu_read(edu, EDU_REG_ID);

	if (PCI_POSSIBLE_ERROR(id))
		return dev_err_probe(dev, -ENODEV, "device does not respond (ID 0x%08x)\n", id);

	if (FIELD_GET(EDU_ID_MAGIC_MASK, id) != EDU_ID_MAGIC ||
	    FIELD_GET(EDU_ID_MAJOR_MASK, id) != EDU_ID_MAJOR_SUPPORTED)
		return dev_err_probe(dev, -ENODEV,
				     "unsupported hardware ID 0x%08x, expected 0x%02xxx00%02x\n",
				     id, EDU_ID_MAJOR_SUPPORTED, EDU_ID_MAGIC);

	edu->hw_id = id;
	return 0;
}

/* A live device answers each write to the liveness register with its NOT. */
static int edu_hw_check_liveness(struct edu_dev *edu)
{
	u32 patterns[] = { get_random_u32(), 0x55555555, 0xaaaaaaaa };
	unsigned int i;
	u32 got;

	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		edu_write(edu, EDU_REG_LIVENESS, patterns[i]);
		got = edu_read(edu, EDU_REG_LIVENESS);
		if (got != ~patterns[i])
			return dev_err_probe(&edu->pdev->dev, -EIO,
					     "liveness check failed: wrote 0x%08x, read 0x%08x, expected 0x%08x\n",
					     patterns[i], got, ~patterns[i]);
	}
	return 0;
}

static void edu_index_release(void *data)
{
	struct edu_dev *edu = data;

	ida_free(&edu_ida, edu->index);
}

static int edu_index_alloc(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	int index;

	index = ida_alloc_max(&edu_ida, EDU_MAX_DEVICES - 1, GFP_KERNEL);
	if (index < 0)
		return dev_err_probe(dev, index, "no free device index\n");
	edu->index = index;

	return devm_add_action_or_reset(dev, edu_index_release, edu);
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

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_dev *edu;
	int ret;

	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;

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

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return dev_err_probe(dev, ret, "%u-bit DMA is not supported here (dma_bits=)\n",
				     dma_bits);

	ret = edu_index_alloc(edu);
	if (ret)
		return ret;

	edu_hw_quiesce(edu);
	pci_set_master(pdev);
	pci_set_drvdata(pdev, edu);

	dev_info(dev, "edu%d: hardware version %u.%u, %u-bit DMA\n", edu->index,
		 (u32)FIELD_GET(EDU_ID_MAJOR_MASK, edu->hw_id),
		 (u32)FIELD_GET(EDU_ID_MINOR_MASK, edu->hw_id), dma_bits);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *edu = pci_get_drvdata(pdev);

	edu_hw_quiesce(edu);
	pci_clear_master(pdev);
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
module_pci_driver(edu_pci_driver);

MODULE_AUTHOR("The edu developers");
MODULE_DESCRIPTION("Driver for QEMU's edu educational PCI device");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDU_VERSION);
