// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - the in-kernel API (include/linux/edu.h), exported GPL-only.
 *
 * Callers hold a reference from edu_get(); each call fences itself
 * against remove the way file operations do.
 */
#include <linux/edu.h>
#include <linux/export.h>
#include <linux/string.h>

#include "edu.h"

/**
 * edu_get() - find a bound device by index
 * @index: N in eduN
 *
 * Return: the device with a reference held (release with edu_put()), or
 * NULL when no device has that index.
 */
struct edu_dev *edu_get(int index)
{
	struct edu_dev *edu;

	guard(mutex)(&edu_devices_lock);
	list_for_each_entry(edu, &edu_devices, node) {
		if (edu->index == index) {
			get_device(&edu->dev);
			return edu;
		}
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(edu_get);

void edu_put(struct edu_dev *edu)
{
	put_device(&edu->dev);
}
EXPORT_SYMBOL_GPL(edu_put);

int edu_index(const struct edu_dev *edu)
{
	return edu->index;
}
EXPORT_SYMBOL_GPL(edu_index);

/* Return: bytes of the device buffer that transfers may use. */
u32 edu_dma_size(void)
{
	return edu_buf_size;
}
EXPORT_SYMBOL_GPL(edu_dma_size);

int edu_compute_factorial(struct edu_dev *edu, u32 n, u32 *result)
{
	guard(rwsem_read)(&edu->unplug_lock);
	if (edu->gone)
		return -ENODEV;
	return edu_factorial(edu, n, false, result);
}
EXPORT_SYMBOL_GPL(edu_compute_factorial);

static int edu_api_dma(struct edu_dev *edu, u32 offset, void *data, u32 len, bool to_dev)
{
	struct edu_dma_buf *buf;
	int ret;

	guard(rwsem_read)(&edu->unplug_lock);
	if (edu->gone)
		return -ENODEV;
	if (!len)
		return -EINVAL;

	buf = edu_dma_buf_alloc(edu, len);
	if (!buf)
		return -ENOMEM;
	if (to_dev)
		memcpy(buf->cpu, data, len);
	ret = edu_dma_transfer(edu, buf, 0, offset, len, to_dev, false);
	if (!ret && !to_dev)
		memcpy(data, buf->cpu, len);
	edu_dma_buf_put(buf);
	return ret;
}

/* Copy @len bytes to the device buffer at @offset by DMA. */
int edu_dma_write(struct edu_dev *edu, u32 offset, const void *data, u32 len)
{
	return edu_api_dma(edu, offset, (void *)data, len, true);
}
EXPORT_SYMBOL_GPL(edu_dma_write);

/* Copy @len bytes from the device buffer at @offset by DMA. */
int edu_dma_read(struct edu_dev *edu, u32 offset, void *data, u32 len)
{
	return edu_api_dma(edu, offset, data, len, false);
}
EXPORT_SYMBOL_GPL(edu_dma_read);
