// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - /proc/driver/edu: one line per bound device, in index order.
 * The device list lock is held from start to stop of each read chunk,
 * so devices that come and go between chunks are seen or not, never half.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "edu.h"

static void *edu_proc_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&edu_devices_lock);
	return seq_list_start_head(&edu_devices, *pos);
}

static void *edu_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &edu_devices, pos);
}

static void edu_proc_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&edu_devices_lock);
}

static int edu_proc_show(struct seq_file *m, void *v)
{
	struct edu_dev *edu;
	struct edu_stats *st;

	if (v == &edu_devices) {
		seq_puts(m, "index pci irq_mode irq irqs factorials dma_xfers dma_bytes dma_errors\n");
		return 0;
	}

	edu = list_entry(v, struct edu_dev, node);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	edu_stats_read(edu, st);
	seq_printf(m, "%d %s %s %d %llu %llu %llu %llu %llu\n", edu->index, pci_name(edu->pdev),
		   edu_irq_mode_name(edu->irq_mode), edu->irq, st->irqs, st->factorials,
		   st->dma_xfers_to_dev + st->dma_xfers_from_dev,
		   st->dma_bytes_to_dev + st->dma_bytes_from_dev, st->dma_errors);
	kfree(st);
	return 0;
}

static const struct seq_operations edu_proc_seq_ops = {
	.start = edu_proc_start,
	.next = edu_proc_next,
	.stop = edu_proc_stop,
	.show = edu_proc_show,
};

int edu_procfs_init(void)
{
	return proc_create_seq("driver/" EDU_DRV_NAME, 0444, NULL, &edu_proc_seq_ops) ? 0 : -ENOMEM;
}

void edu_procfs_exit(void)
{
	remove_proc_entry("driver/" EDU_DRV_NAME, NULL);
}
