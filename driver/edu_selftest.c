// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_selftest - checks every edu device at load through edu's exported
 * API: a factorial and a DMA round trip (which overwrites the first bytes
 * of the device buffer). Loading fails with -ENODEV without devices and
 * -EIO when a device fails; it is a demonstration of a module that
 * depends on edu.ko, so "modprobe edu_selftest" loads edu first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/edu.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

/* edu hands out indices below this. */
#define EDU_SELFTEST_MAX_INDEX	256
#define EDU_SELFTEST_BYTES	256

static int edu_selftest_factorial(struct edu_dev *edu)
{
	u32 result;
	int ret;

	ret = edu_compute_factorial(edu, 10, &result);
	if (!ret && result != 3628800)
		ret = -EIO;
	if (ret)
		pr_err("edu%d: factorial failed (%d, 10! = %u)\n", edu_index(edu), ret, result);
	else
		pr_info("edu%d: factorial ok\n", edu_index(edu));
	return ret;
}

static int edu_selftest_dma(struct edu_dev *edu)
{
	u32 len = min_t(u32, EDU_SELFTEST_BYTES, edu_dma_size());
	u8 *out, *in;
	int ret;

	out = kmalloc(2 * len, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	in = out + len;
	get_random_bytes(out, len);

	ret = edu_dma_write(edu, 0, out, len);
	if (!ret)
		ret = edu_dma_read(edu, 0, in, len);
	if (!ret && memcmp(in, out, len))
		ret = -EIO;
	kfree(out);

	if (ret)
		pr_err("edu%d: dma failed (%d)\n", edu_index(edu), ret);
	else
		pr_info("edu%d: dma ok\n", edu_index(edu));
	return ret;
}

static int __init edu_selftest_init(void)
{
	unsigned int passed = 0, failed = 0;
	struct edu_dev *edu;
	int index;

	for (index = 0; index < EDU_SELFTEST_MAX_INDEX; index++) {
		edu = edu_get(index);
		if (!edu)
			continue;
		if (edu_selftest_factorial(edu) || edu_selftest_dma(edu))
			failed++;
		else
			passed++;
		edu_put(edu);
	}

	if (!passed && !failed) {
		pr_err("no edu device found\n");
		return -ENODEV;
	}
	if (failed) {
		pr_err("%u of %u devices failed\n", failed, passed + failed);
		return -EIO;
	}
	pr_info("%u devices passed\n", passed);
	return 0;
}
module_init(edu_selftest_init);

static void __exit edu_selftest_exit(void)
{
}
module_exit(edu_selftest_exit);

MODULE_AUTHOR("The edu developers");
MODULE_DESCRIPTION("Self-test of edu devices through the edu driver's exported API");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDU_VERSION);
