// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - sysfs attributes of the PCI device, registered by the driver core
 * through the pci_driver's dev_groups: they exist exactly while the device
 * is bound, and the driver core removes them (waiting for readers and
 * writers) before remove runs. Documented in
 * Documentation/ABI/testing/sysfs-driver-edu.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/edu.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "edu.h"

static struct edu_dev *dev_to_edu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t hw_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%08x\n", dev_to_edu(dev)->hw_id);
}
static DEVICE_ATTR_RO(hw_id);

static ssize_t hw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 id = dev_to_edu(dev)->hw_id;

	return sysfs_emit(buf, "%u.%u\n", (u32)FIELD_GET(EDU_ID_MAJOR_MASK, id),
			  (u32)FIELD_GET(EDU_ID_MINOR_MASK, id));
}
static DEVICE_ATTR_RO(hw_version);

static ssize_t irq_mode_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", edu_irq_mode_name(dev_to_edu(dev)->irq_mode));
}
static DEVICE_ATTR_RO(irq_mode);

static ssize_t irq_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)atomic64_read(&dev_to_edu(dev)->stats.irqs));
}
static DEVICE_ATTR_RO(irq_count);

static ssize_t liveness_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%08x\n", READ_ONCE(dev_to_edu(dev)->sysfs_liveness));
}

static ssize_t liveness_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct edu_dev *edu = dev_to_edu(dev);
	u32 value, result;
	int ret;

	ret = kstrtou32(buf, 0, &value);
	if (ret)
		return ret;
	ret = edu_liveness(edu, value, &result);
	if (ret)
		return ret;
	WRITE_ONCE(edu->sysfs_liveness, result);
	return count;
}
static DEVICE_ATTR_RW(liveness);

static ssize_t factorial_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_edu(dev)->sysfs_factorial));
}

static ssize_t factorial_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct edu_dev *edu = dev_to_edu(dev);
	u32 n, result;
	int ret;

	ret = kstrtou32(buf, 0, &n);
	if (ret)
		return ret;
	ret = edu_factorial(edu, n, false, &result);
	if (ret)
		return ret;
	WRITE_ONCE(edu->sysfs_factorial, result);
	return count;
}
static DEVICE_ATTR_RW(factorial);

static ssize_t dma_timeout_ms_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_edu(dev)->dma.timeout_ms));
}

static ssize_t dma_timeout_ms_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t count)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (ret)
		return -EINVAL;
	ret = edu_dma_set_timeout(dev_to_edu(dev), ms);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(dma_timeout_ms);

static ssize_t peer_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_dev *edu = dev_to_edu(dev);
	int index = edu_net_peer_index(edu);

	if (index < 0)
		return sysfs_emit(buf, "none\n");
	if (index == edu->index)
		return sysfs_emit(buf, "self\n");
	return sysfs_emit(buf, EDU_DRV_NAME "%d\n", index);
}

/*
 * The network interface's peer (the PCI device's "link" name is taken by
 * the PCIe link attributes): "N" links to device N like a cable, "self"
 * loops back, "none" unlinks.
 */
static ssize_t peer_store(struct device *dev, struct device_attribute *attr, const char *buf,
			  size_t count)
{
	struct edu_dev *edu = dev_to_edu(dev);
	struct edu_dev *peer;
	unsigned int index;
	int ret;

	if (sysfs_streq(buf, "none"))
		return edu_net_link(edu, NULL) ?: count;
	if (sysfs_streq(buf, "self"))
		return edu_net_link(edu, edu) ?: count;
	if (kstrtouint(buf, 10, &index))
		return -EINVAL;

	peer = edu_get(index);
	if (!peer)
		return -ENODEV;
	ret = edu_net_link(edu, peer);
	edu_put(peer);
	return ret ?: count;
}
static DEVICE_ATTR_RW(peer);

static struct attribute *edu_attrs[] = {
	&dev_attr_hw_id.attr,
	&dev_attr_hw_version.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_irq_count.attr,
	&dev_attr_liveness.attr,
	&dev_attr_factorial.attr,
	&dev_attr_dma_timeout_ms.attr,
	&dev_attr_peer.attr,
	NULL
};

static const struct attribute_group edu_group = {
	.attrs = edu_attrs,
};

/* stats/: one counter per file: EDU_IOC_GET_STATS's, and the PM transitions. */
#define EDU_STAT_ATTR(_name, _counter)						\
static ssize_t _name##_show(struct device *dev, struct device_attribute *attr,	\
			    char *buf)						\
{										\
	return sysfs_emit(buf, "%llu\n",					\
			  (u64)atomic64_read(&dev_to_edu(dev)->stats._counter));	\
}										\
static DEVICE_ATTR_RO(_name)

EDU_STAT_ATTR(irqs, irqs);
EDU_STAT_ATTR(irqs_spurious, irqs_spurious);
EDU_STAT_ATTR(factorials, factorials);
EDU_STAT_ATTR(timeouts, timeouts);
EDU_STAT_ATTR(dma_bytes_to_dev, dma_bytes[0]);
EDU_STAT_ATTR(dma_bytes_from_dev, dma_bytes[1]);
EDU_STAT_ATTR(dma_xfers_to_dev, dma_xfers[0]);
EDU_STAT_ATTR(dma_xfers_from_dev, dma_xfers[1]);
EDU_STAT_ATTR(dma_errors, dma_errors);
EDU_STAT_ATTR(dma_timeouts, dma_timeouts);
EDU_STAT_ATTR(dma_queue_hwm, dma_queue_hwm);
EDU_STAT_ATTR(pm_suspends, pm_suspends);
EDU_STAT_ATTR(pm_resumes, pm_resumes);

static ssize_t reset_store(struct device *dev, struct device_attribute *attr, const char *buf,
			   size_t count)
{
	unsigned int val;

	if (kstrtouint(buf, 0, &val) || val != 1)
		return -EINVAL;
	edu_stats_reset(dev_to_edu(dev));
	return count;
}
static DEVICE_ATTR_WO(reset);

static struct attribute *edu_stats_attrs[] = {
	&dev_attr_irqs.attr,
	&dev_attr_irqs_spurious.attr,
	&dev_attr_factorials.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_dma_bytes_to_dev.attr,
	&dev_attr_dma_bytes_from_dev.attr,
	&dev_attr_dma_xfers_to_dev.attr,
	&dev_attr_dma_xfers_from_dev.attr,
	&dev_attr_dma_errors.attr,
	&dev_attr_dma_timeouts.attr,
	&dev_attr_dma_queue_hwm.attr,
	&dev_attr_pm_suspends.attr,
	&dev_attr_pm_resumes.attr,
	&dev_attr_reset.attr,
	NULL
};

static const struct attribute_group edu_stats_group = {
	.name = "stats",
	.attrs = edu_stats_attrs,
};

const struct attribute_group *edu_dev_groups[] = {
	&edu_group,
	&edu_stats_group,
	NULL
};
