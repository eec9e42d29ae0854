// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - debugfs: /sys/kernel/debug/edu/<pci address>/ with a register
 * dump, the DMA engine's state and fault-injection knobs, and
 * module-wide knobs in /sys/kernel/debug/edu/: fail_probe fails a probe
 * at a chosen step, fail_alloc fails a chosen one of the driver's own
 * allocations (inside a probe step, a file operation, a DMA transfer or
 * a PM save) and leak_req plants a leak for the leak checks to find.
 * The knobs work on stock kernels (no CONFIG_FAULT_INJECTION needed); the
 * tests use them to drive every error path. With CONFIG_FAULT_INJECTION,
 * edu/fail_dma_attr/ is the kernel's own fault_attr for DMA submissions. As debugfs asks, creation
 * errors are ignored: the driver works without it.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "edu.h"

static struct dentry *edu_debugfs_root;
static atomic_t edu_fail_probe = ATOMIC_INIT(0);
/* fail_alloc: edu_fault_alloc() calls left until the one that fails, 0 off */
static atomic_t edu_fail_alloc = ATOMIC_INIT(0);

/* Only the 32-bit registers that are safe to read (no write-only ones). */
static const struct debugfs_reg32 edu_debugfs_regs[] = {
	{ .name = "id", .offset = EDU_REG_ID },
	{ .name = "liveness", .offset = EDU_REG_LIVENESS },
	{ .name = "factorial", .offset = EDU_REG_FACTORIAL },
	{ .name = "status", .offset = EDU_REG_STATUS },
	{ .name = "irq_status", .offset = EDU_REG_IRQ_STATUS },
};

static int fail_probe_get(void *data, u64 *val)
{
	*val = atomic_read(&edu_fail_probe);
	return 0;
}

static int fail_probe_set(void *data, u64 val)
{
	if (val > EDU_PROBE_STEPS)
		return -EINVAL;
	atomic_set(&edu_fail_probe, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_probe_fops, fail_probe_get, fail_probe_set, "%llu\n");

/**
 * edu_debugfs_probe_fault() - fail this probe step if fail_probe says so
 * @dev: the PCI device being probed
 * @step: 1..EDU_PROBE_STEPS
 *
 * One shot: the knob returns to 0 when it fires.
 *
 * Return: 0 or -ENOMEM.
 */
int edu_debugfs_probe_fault(struct device *dev, unsigned int step)
{
	if (atomic_cmpxchg(&edu_fail_probe, step, 0) != step)
		return 0;
	dev_err(dev, "injected probe failure at step %u\n", step);
	return -ENOMEM;
}

static int fail_alloc_get(void *data, u64 *val)
{
	*val = atomic_read(&edu_fail_alloc);
	return 0;
}

static int fail_alloc_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&edu_fail_alloc, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_alloc_fops, fail_alloc_get, fail_alloc_set, "%llu\n");

/**
 * edu_fault_alloc() - fail this allocation if fail_alloc says so
 *
 * fail_alloc N lets N - 1 of the driver's own allocations succeed, fails
 * the Nth and returns to 0, so writing 1, 2, 3... before the same
 * operation walks through its allocations one at a time. Failslab
 * (debug kernels only) cannot single out one call site of one module;
 * this works on every kernel. Each allocation the driver makes itself
 * asks first: the device structure, its index and interface (probe), a
 * file's state, DMA buffers (bounce, mmap, PM save) and requests, and
 * statistics snapshots.
 *
 * Return: true when the caller must fail as if out of memory.
 */
bool edu_fault_alloc(void)
{
	return atomic_dec_if_positive(&edu_fail_alloc) == 0;
}

static int leak_req_get(void *data, u64 *val)
{
	*val = edu_dma_leak_state();
	return 0;
}

static int leak_req_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	edu_dma_leak_arm(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(leak_req_fops, leak_req_get, leak_req_set, "%llu\n");

static int edu_queue_show(struct seq_file *m, void *unused)
{
	edu_dma_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu_queue);

void edu_debugfs_add(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	struct debugfs_regset32 *regset;
	struct dentry *dir;

	dir = debugfs_create_dir(pci_name(edu->pdev), edu_debugfs_root);
	edu->debugfs = dir;

	regset = devm_kzalloc(dev, sizeof(*regset), GFP_KERNEL);
	if (regset) {
		regset->regs = edu_debugfs_regs;
		regset->nregs = ARRAY_SIZE(edu_debugfs_regs);
		regset->base = edu->regs;
		debugfs_create_regset32("regs", 0400, dir, regset);
	}
	debugfs_create_file("queue", 0400, dir, edu, &edu_queue_fops);
	debugfs_create_atomic_t("fail_dma", 0600, dir, &edu->dma.fail_next);
	debugfs_create_atomic_t("force_timeout", 0600, dir, &edu->dma.force_timeout);
	debugfs_create_bool("pm_lose_state", 0600, dir, &edu->pm_lose_state);
	debugfs_create_atomic_t("pm_wipes", 0400, dir, &edu->pm_wipes);
	edu_net_debugfs_add(edu, dir);
}

/* Waits for readers: nothing here reads the registers once it returns. */
void edu_debugfs_remove(struct edu_dev *edu)
{
	debugfs_remove_recursive(edu->debugfs);
	edu->debugfs = NULL;
}

void edu_debugfs_init(void)
{
	edu_debugfs_root = debugfs_create_dir(EDU_DRV_NAME, NULL);
	debugfs_create_file_unsafe("fail_probe", 0600, edu_debugfs_root, NULL, &fail_probe_fops);
	debugfs_create_file_unsafe("fail_alloc", 0600, edu_debugfs_root, NULL, &fail_alloc_fops);
	debugfs_create_file_unsafe("leak_req", 0600, edu_debugfs_root, NULL, &leak_req_fops);
	/* An ERR_PTR without CONFIG_FAULT_INJECTION_DEBUG_FS: no directory. */
	fault_create_debugfs_attr("fail_dma_attr", edu_debugfs_root, &edu_fail_dma_attr);
}

void edu_debugfs_exit(void)
{
	debugfs_remove_recursive(edu_debugfs_root);
}
