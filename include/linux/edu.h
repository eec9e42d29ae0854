/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edu - in-kernel API of the edu driver for other modules.
 *
 * A module that calls these depends on edu.ko through its symbols, so
 * depmod records the dependency and "modprobe <module>" loads edu first.
 * Every function sleeps; all return 0 or a negative errno, and -ENODEV
 * once the device has been removed (the reference stays valid).
 */
#ifndef _LINUX_EDU_H
#define _LINUX_EDU_H

#include <linux/types.h>

struct edu_dev;

struct edu_dev *edu_get(int index);
void edu_put(struct edu_dev *edu);
int edu_index(const struct edu_dev *edu);
u32 edu_dma_size(void);
int edu_compute_factorial(struct edu_dev *edu, u32 n, u32 *result);
int edu_dma_write(struct edu_dev *edu, u32 offset, const void *data, u32 len);
int edu_dma_read(struct edu_dev *edu, u32 offset, void *data, u32 len);

#endif /* _LINUX_EDU_H */
