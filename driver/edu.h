/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edu - private types and prototypes shared by the driver's files.
 */
#ifndef _EDU_H
#define _EDU_H

#include <linux/io.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "edu_hw.h"

#define EDU_DRV_NAME		"edu"
/* Upper bound on device indices (eduN); the IDA never hands out more. */
#define EDU_MAX_DEVICES		256

/**
 * struct edu_dev - one bound edu PCI function
 * @pdev: the PCI device
 * @regs: BAR0 mapping (managed)
 * @index: N in eduN, stable while the device is bound
 * @hw_id: EDU_REG_ID as read at probe
 */
struct edu_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	int index;
	u32 hw_id;
};

static inline u32 edu_read(struct edu_dev *edu, unsigned int reg)
{
	return readl(edu->regs + reg);
}

static inline void edu_write(struct edu_dev *edu, unsigned int reg, u32 val)
{
	writel(val, edu->regs + reg);
}

#endif /* _EDU_H */
