// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - the character devices /dev/eduN and their ioctls.
 *
 * Each open file holds a reference on the edu_dev (through its class
 * device), so the structure outlives a hot-unplug; after remove every
 * call returns -ENODEV and nothing touches the hardware.
 */
#include <linux/bitfield.h>
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "edu.h"

static dev_t edu_devt;

static char *edu_devnode(edu_compat_devnode_dev *dev, umode_t *mode)
{
	/* Access is the node's group; packaging ships the udev rule. */
	if (mode)
		*mode = 0660;
	return NULL;
}

static struct class edu_class = {
	.name = EDU_DRV_NAME,
	.devnode = edu_devnode,
};

static int edu_open(struct inode *inode, struct file *file)
{
	struct edu_dev *edu = container_of(inode->i_cdev, struct edu_dev, cdev);

	guard(rwsem_read)(&edu->unplug_lock);
	if (edu->gone)
		return -ENODEV;

	get_device(&edu->dev);
	file->private_data = edu;
	return nonseekable_open(inode, file);
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct edu_dev *edu = file->private_data;

	put_device(&edu->dev);
	return 0;
}

static int edu_ioctl_info(struct edu_dev *edu, void __user *uarg)
{
	struct edu_info info = {
		.hw_id = edu->hw_id,
		.hw_major = FIELD_GET(EDU_ID_MAJOR_MASK, edu->hw_id),
		.hw_minor = FIELD_GET(EDU_ID_MINOR_MASK, edu->hw_id),
		.index = edu->index,
		.irq_mode = edu->irq_mode,
		.irq_vector = edu->irq,
		.dma_bits = edu->dma_bits,
	};

	strscpy(info.driver_version, EDU_VERSION, sizeof(info.driver_version));
	strscpy(info.pci_addr, pci_name(edu->pdev), sizeof(info.pci_addr));
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int edu_ioctl_liveness(struct edu_dev *edu, void __user *uarg)
{
	struct edu_liveness req;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;

	req.result = edu_liveness(edu, req.value);
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int edu_ioctl_factorial(struct edu_dev *edu, void __user *uarg)
{
	struct edu_factorial req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~EDU_FLAG_POLL) || req.reserved)
		return -EINVAL;

	ret = edu_factorial(edu, req.n, req.flags & EDU_FLAG_POLL, &req.result);
	if (ret)
		return ret;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int edu_ioctl_raise_irq(struct edu_dev *edu, void __user *uarg)
{
	struct edu_irq_raise req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~EDU_FLAG_POLL)
		return -EINVAL;

	ret = edu_raise_irq(edu, req.reasons, req.flags & EDU_FLAG_POLL, &req.latency_ns);
	if (ret)
		return ret;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int edu_ioctl_get_stats(struct edu_dev *edu, void __user *uarg)
{
	struct edu_stats *stats __free(kfree) = kzalloc(sizeof(*stats), GFP_KERNEL);

	if (!stats)
		return -ENOMEM;
	edu_stats_read(edu, stats);
	return copy_to_user(uarg, stats, sizeof(*stats)) ? -EFAULT : 0;
}

static int edu_ioctl_reset_stats(struct edu_dev *edu)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	edu_stats_reset(edu);
	return 0;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_dev *edu = file->private_data;
	void __user *uarg = (void __user *)arg;

	guard(rwsem_read)(&edu->unplug_lock);
	if (edu->gone)
		return -ENODEV;

	switch (cmd) {
	case EDU_IOC_INFO:
		return edu_ioctl_info(edu, uarg);
	case EDU_IOC_LIVENESS:
		return edu_ioctl_liveness(edu, uarg);
	case EDU_IOC_FACTORIAL:
		return edu_ioctl_factorial(edu, uarg);
	case EDU_IOC_RAISE_IRQ:
		return edu_ioctl_raise_irq(edu, uarg);
	case EDU_IOC_GET_STATS:
		return edu_ioctl_get_stats(edu, uarg);
	case EDU_IOC_RESET_STATS:
		return edu_ioctl_reset_stats(edu);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	/* Every argument has the same layout for 32-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
};

static void edu_dev_release(struct device *dev)
{
	kfree(to_edu_dev(dev));
}

/**
 * edu_dev_init() - initialise the class device that carries edu's lifetime
 * @edu: zeroed memory from kzalloc(); freed by the last put_device()
 * @parent: the PCI device
 */
void edu_dev_init(struct edu_dev *edu, struct device *parent)
{
	device_initialize(&edu->dev);
	edu->dev.class = &edu_class;
	edu->dev.parent = parent;
	edu->dev.release = edu_dev_release;
	init_rwsem(&edu->unplug_lock);
	mutex_init(&edu->hw_lock);
	mutex_init(&edu->fact_lock);
	mutex_init(&edu->raise_lock);
	init_waitqueue_head(&edu->irq_wq);
}

/* Name the device eduN and give it minor N: before anything uses its name. */
int edu_dev_set_index(struct edu_dev *edu, int index)
{
	edu->index = index;
	edu->dev.devt = MKDEV(MAJOR(edu_devt), index);
	return dev_set_name(&edu->dev, EDU_DRV_NAME "%d", index);
}

static void edu_cdev_del(void *data)
{
	struct edu_dev *edu = data;

	cdev_device_del(&edu->cdev, &edu->dev);
}

/**
 * edu_cdev_add() - make /dev/eduN appear; it goes away after remove
 * @edu: a fully working device
 *
 * Return: 0 or -errno.
 */
int edu_cdev_add(struct edu_dev *edu)
{
	struct device *parent = &edu->pdev->dev;
	int ret;

	cdev_init(&edu->cdev, &edu_fops);
	edu->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&edu->cdev, &edu->dev);
	if (ret)
		return dev_err_probe(parent, ret, "cannot add /dev/%s\n", dev_name(&edu->dev));
	return devm_add_action_or_reset(parent, edu_cdev_del, edu);
}

int edu_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&edu_devt, 0, EDU_MAX_DEVICES, EDU_DRV_NAME);
	if (ret)
		return ret;

	ret = class_register(&edu_class);
	if (ret)
		unregister_chrdev_region(edu_devt, EDU_MAX_DEVICES);
	return ret;
}

void edu_chardev_exit(void)
{
	class_unregister(&edu_class);
	unregister_chrdev_region(edu_devt, EDU_MAX_DEVICES);
}
