/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register map of QEMU's "edu" educational PCI device (hw/misc/edu.c).
 *
 * This is the only file that knows register offsets and bit layouts.
 * Offsets below 0x80 take 32-bit accesses only; 0x80 and up are 64-bit
 * registers.
 */
#ifndef _EDU_HW_H
#define _EDU_HW_H

#include <linux/bits.h>

#define EDU_PCI_VENDOR_ID	0x1234
#define EDU_PCI_DEVICE_ID	0x11e8

#define EDU_BAR			0
/* Smallest BAR0 that holds every register below (QEMU exposes 1 MiB). */
#define EDU_BAR_MIN_SIZE	0x100

/* 32-bit registers */
#define EDU_REG_ID		0x00	/* RO: major.minor.0xed */
#define EDU_REG_LIVENESS	0x04	/* RW: reads back ~(last write) */
#define EDU_REG_FACTORIAL	0x08	/* RW: write n, read n! (u32 wrap) */
#define EDU_REG_STATUS		0x20	/* RW: see EDU_STATUS_* */
#define EDU_REG_IRQ_STATUS	0x24	/* RO: raised interrupt reasons */
#define EDU_REG_IRQ_RAISE	0x60	/* WO: OR reasons in, assert IRQ */
#define EDU_REG_IRQ_ACK		0x64	/* WO: clear reasons, deassert at 0 */

/* 64-bit registers */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

/* EDU_REG_ID */
#define EDU_ID_MAGIC_MASK	GENMASK(7, 0)
#define EDU_ID_MAGIC		0xed
#define EDU_ID_MINOR_MASK	GENMASK(23, 16)
#define EDU_ID_MAJOR_MASK	GENMASK(31, 24)
#define EDU_ID_MAJOR_SUPPORTED	1

/* EDU_REG_STATUS */
#define EDU_STATUS_COMPUTING	BIT(0)	/* RO: factorial in progress */
#define EDU_STATUS_IRQ_FACT	BIT(7)	/* raise EDU_IRQ_FACTORIAL when done */

/* Interrupt reasons (EDU_REG_IRQ_STATUS/RAISE/ACK) */
#define EDU_IRQ_FACTORIAL	BIT(0)
#define EDU_IRQ_DMA		BIT(8)
#define EDU_IRQ_ALL		GENMASK(31, 0)

/* EDU_REG_DMA_CMD */
#define EDU_DMA_CMD_START	BIT(0)	/* also reads as "running" */
#define EDU_DMA_CMD_TO_RAM	BIT(1)	/* 0: RAM -> device, 1: device -> RAM */
#define EDU_DMA_CMD_IRQ		BIT(2)	/* raise EDU_IRQ_DMA at completion */

/* Device-side DMA buffer */
#define EDU_DMA_BUF_ADDR	0x40000
#define EDU_DMA_BUF_SIZE	4096

/* Address bits QEMU's device decodes by default (its dma_mask property). */
#define EDU_DMA_BITS_DEFAULT	28

#endif /* _EDU_HW_H */
