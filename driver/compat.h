/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences, 6.1 .. 6.12 and newer.
 *
 * Every #if on LINUX_VERSION_CODE in the driver lives here; the rest of
 * the code calls the edu_compat_* helpers or the newest API name.
 */
#ifndef _EDU_COMPAT_H
#define _EDU_COMPAT_H

#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <net/xdp.h>

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/**
 * edu_compat_iomap_bar() - request and map one BAR, managed
 * @pdev: the PCI device, enabled with pcim_enable_device()
 * @bar: BAR number
 * @name: owner name for the region request
 *
 * 6.11 added pcim_iomap_region() and deprecated pcim_iomap_regions() and
 * pcim_iomap_table(), which are the only managed mapping API on 6.1.
 *
 * Return: the mapping or an ERR_PTR().
 */
static inline void __iomem *edu_compat_iomap_bar(struct pci_dev *pdev, int bar,
						 const char *name)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	return pcim_iomap_region(pdev, bar, name);
#else
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	if (ret)
		return IOMEM_ERR_PTR(ret);
	return pcim_iomap_table(pdev)[bar];
#endif
}

/* struct class's devnode() takes a const device since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define edu_compat_devnode_dev	const struct device
#else
#define edu_compat_devnode_dev	struct device
#endif

/*
 * Without CONFIG_FAULT_INJECTION (Debian's stock kernels), 6.1's
 * <linux/fault-inject.h> declares nothing; later kernels have stubs.
 */
#ifndef DECLARE_FAULT_ATTR
struct fault_attr {
};

#define DECLARE_FAULT_ATTR(name) struct fault_attr name = { }

static inline bool should_fail(struct fault_attr *attr, ssize_t size)
{
	return false;
}

static inline struct dentry *fault_create_debugfs_attr(const char *name,
						       struct dentry *parent,
						       struct fault_attr *attr)
{
	return ERR_PTR(-ENODEV);
}
#endif

/*
 * 6.3 added xdp_features: the XDP a netdev offers, which redirects to it
 * check (NDO_XMIT); before, having ndo_xdp_xmit was enough.
 */
static inline void edu_compat_xdp_set_features(struct net_device *ndev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	xdp_set_features_flag(ndev, NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			      NETDEV_XDP_ACT_NDO_XMIT);
#endif
}

#endif /* _EDU_COMPAT_H */
