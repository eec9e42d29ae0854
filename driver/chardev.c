// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - the character devices /dev/eduN: read/write/lseek on the device
 * buffer through DMA (read_iter/write_iter, so also io_uring and AIO),
 * poll, mmap of a DMA buffer, and ioctls.
 *
 * Each open file holds a reference on the edu_dev (through its class
 * device), so the structure outlives a hot-unplug; after remove every
 * call returns -ENODEV and nothing touches the hardware.
 */
#include <linux/bitfield.h>
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
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

/**
 * struct edu_file - an open /dev/eduN
 * @edu: the device (a reference is held)
 * @lock: protects @mmap_buf
 * @mmap_buf: the buffer mmap() gave this file, NULL before
 */
struct edu_file {
	struct edu_dev *edu;
	struct mutex lock;	/* protects mmap_buf */
	struct edu_dma_buf *mmap_buf;
};

static int edu_fop_open(struct inode *inode, struct file *file)
{
	struct edu_dev *edu = container_of(inode->i_cdev, struct edu_dev, cdev);
	struct edu_file *ef;

	guard(rwsem_read)(&edu->unplug_lock);
	if (edu->gone)
		return -ENODEV;

	ef = edu_fault_alloc() ? NULL : kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	ef->edu = edu;
	get_device(&edu->dev);
	file->private_data = ef;
	/*
	 * read_iter/write_iter honour IOCB_NOWAIT: RWF_NOWAIT is allowed and
	 * io_uring tries the request inline before it punts it to io-wq.
	 */
	file->f_mode |= FMODE_NOWAIT;
	return 0;
}

static int edu_fop_release(struct inode *inode, struct file *file)
{
	struct edu_file *ef = file->private_data;

	/* The last mapping is gone too: a VMA holds its file. */
	if (ef->mmap_buf)
		edu_dma_buf_put(ef->mmap_buf);
	put_device(&ef->edu->dev);
	mutex_destroy(&ef->lock);
	kfree(ef);
	return 0;
}

/*
 * The unplug fence, around what reaches the device and never around a
 * user copy: a user page that does not fault in (userfaultfd, FUSE)
 * would otherwise hold up remove for as long as it likes. Return: 0 with
 * the fence held, or -ENODEV.
 */
static int edu_enter(struct edu_dev *edu)
{
	down_read(&edu->unplug_lock);
	if (edu->gone) {
		up_read(&edu->unplug_lock);
		return -ENODEV;
	}
	return 0;
}

static void edu_leave(struct edu_dev *edu)
{
	up_read(&edu->unplug_lock);
}

/*
 * A bounce buffer for a user copy. It is made and mapped for the device
 * inside the fence; once made it is refcounted and stays plain memory
 * after remove, so the copies around the transfer need no fence.
 */
static struct edu_dma_buf *edu_bounce_get(struct edu_dev *edu, u32 len)
{
	struct edu_dma_buf *buf;
	int ret = edu_enter(edu);

	if (ret)
		return ERR_PTR(ret);
	buf = edu_dma_buf_alloc_user(edu, len);
	edu_leave(edu);
	return buf;
}

static int edu_bounce_transfer(struct edu_dev *edu, struct edu_dma_buf *buf, u32 pos, u32 len,
			       bool to_dev, bool nonblock)
{
	int ret = edu_enter(edu);

	if (ret)
		return ret;
	ret = edu_dma_transfer(edu, buf, 0, pos, len, to_dev, nonblock);
	edu_leave(edu);
	return ret;
}

/*
 * EDU_IOC_DMA from a user pointer: move @len bytes between user memory
 * and the device buffer at @pos through a bounce buffer (edu_dma_buf), all
 * or nothing: a partial user copy is -EFAULT and nothing goes to the
 * device.
 * Return: bytes moved or -errno.
 */
static ssize_t edu_dma_copy(struct edu_dev *edu, void __user *ubuf, u32 pos, u32 len,
			    bool to_dev, bool nonblock)
{
	struct edu_dma_buf *buf;
	ssize_t ret;

	buf = edu_bounce_get(edu, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	if (to_dev && copy_from_user(buf->cpu, ubuf, len)) {
		ret = -EFAULT;
		goto out_put;
	}
	ret = edu_bounce_transfer(edu, buf, pos, len, to_dev, nonblock);
	if (ret)
		goto out_put;
	if (!to_dev && copy_to_user(ubuf, buf->cpu, len)) {
		ret = -EFAULT;
		goto out_put;
	}
	ret = len;
out_put:
	edu_dma_buf_put(buf);
	return ret;
}

/* Bytes of a transfer at @pos the usable buffer holds; 0 at or past its end. */
static u32 edu_span(loff_t pos, size_t count)
{
	if (pos >= edu_buf_size)
		return 0;
	return min_t(size_t, count, edu_buf_size - pos);
}

static int edu_rw_alloc(struct edu_dev *edu, u32 len, struct edu_dma_buf **bufp)
{
	struct edu_dma_buf *buf = edu_dma_buf_alloc_user(edu, len);

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	*bufp = buf;
	return 0;
}

/*
 * The checks of a read or write at iocb->ki_pos and its bounce buffer,
 * inside the fence. Nothing blocks before the transfer itself, so
 * IOCB_NOWAIT can answer every request that needs none (errors, EOF,
 * ENOSPC) and fail the others with -EAGAIN before anything is queued:
 * each transfer waits about 100 ms for the device. io_uring then retries
 * from its io-wq worker, where waiting is allowed.
 * Return: 0 with *@bufp, or the call's result (*@bufp is NULL).
 */
static ssize_t edu_rw_begin(struct kiocb *iocb, size_t count, bool to_dev, u32 *len,
			    struct edu_dma_buf **bufp)
{
	struct edu_dev *edu = ((struct edu_file *)iocb->ki_filp->private_data)->edu;
	ssize_t ret = 0;

	*bufp = NULL;
	/* Only a remove in progress holds the lock for writing. */
	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!down_read_trylock(&edu->unplug_lock))
			return -EAGAIN;
	} else {
		down_read(&edu->unplug_lock);
	}

	*len = edu_span(iocb->ki_pos, count);
	if (edu->gone)
		ret = -ENODEV;
	else if (iocb->ki_pos < 0)
		ret = -EINVAL;
	else if (to_dev && !count)
		ret = 0;
	else if (!*len)
		ret = to_dev ? -ENOSPC : 0;
	else if (iocb->ki_flags & IOCB_NOWAIT)
		ret = -EAGAIN;
	else
		ret = edu_rw_alloc(edu, *len, bufp);
	edu_leave(edu);
	return ret;
}

/*
 * A read or write through an iov_iter (user memory from read(), readv(),
 * io_uring or AIO alike), with read()/write() semantics: a partial user
 * copy moves what could be copied. The copies run outside the fence.
 */
static ssize_t edu_rw_iter(struct kiocb *iocb, struct iov_iter *iter, bool to_dev)
{
	struct file *file = iocb->ki_filp;
	struct edu_dev *edu = ((struct edu_file *)file->private_data)->edu;
	struct edu_dma_buf *buf;
	ssize_t ret;
	u32 len;

	ret = edu_rw_begin(iocb, iov_iter_count(iter), to_dev, &len, &buf);
	if (!buf)
		return ret;

	if (to_dev) {
		len = copy_from_iter(buf->cpu, len, iter);
		if (!len) {
			ret = -EFAULT;
			goto out_put;
		}
	}
	/* O_NONBLOCK keeps its meaning: fail rather than queue behind another transfer. */
	ret = edu_bounce_transfer(edu, buf, iocb->ki_pos, len, to_dev, file->f_flags & O_NONBLOCK);
	if (ret)
		goto out_put;
	if (!to_dev) {
		len = copy_to_iter(buf->cpu, len, iter);
		if (!len) {
			ret = -EFAULT;
			goto out_put;
		}
	}
	iocb->ki_pos += len;
	ret = len;
out_put:
	edu_dma_buf_put(buf);
	return ret;
}

static ssize_t edu_fop_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return edu_rw_iter(iocb, to, false);
}

static ssize_t edu_fop_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return edu_rw_iter(iocb, from, true);
}

/* The file is as long as the usable device buffer. */
static loff_t edu_fop_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence, edu_buf_size);
}

/* Readable and writable without blocking when the DMA engine is idle. */
static __poll_t edu_fop_poll(struct file *file, poll_table *wait)
{
	struct edu_dev *edu = ((struct edu_file *)file->private_data)->edu;

	poll_wait(file, &edu->irq_wq, wait);
	if (READ_ONCE(edu->gone))
		return EPOLLERR | EPOLLHUP;
	return edu_dma_idle(edu) ? EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM : 0;
}

#define EDU_MMAP_SIZE	PAGE_ALIGN(EDU_DMA_BUF_SIZE)

/*
 * One buffer per file, the RAM side of EDU_DMA_F_MMAP. Its pages are
 * inserted, not remapped: the mapping holds them, and they stay plain
 * memory when the device goes.
 */
static int edu_mmap_buf(struct edu_file *ef, struct vm_area_struct *vma, unsigned long size)
{
	struct edu_dev *edu = ef->edu;
	unsigned long off;
	int ret;

	if (edu->gone)
		return -ENODEV;

	guard(mutex)(&ef->lock);
	if (!ef->mmap_buf) {
		struct edu_dma_buf *buf = edu_dma_buf_alloc_user(edu, EDU_MMAP_SIZE);

		if (IS_ERR(buf))
			return PTR_ERR(buf);
		ef->mmap_buf = buf;
	}
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *page = virt_to_page(ef->mmap_buf->cpu + off);

		ret = vm_insert_page(vma, vma->vm_start + off, page);
		if (ret)
			return ret;
	}
	return 0;
}

static int edu_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct edu_file *ef = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	int ret;

	/*
	 * MAP_SHARED only (a private mapping's copies would not be the
	 * device's buffer). VM_MAYSHARE, not VM_SHARED: the VFS clears
	 * VM_SHARED for a shared mapping of a file not open for writing,
	 * which may still map the buffer read-only.
	 */
	if (vma->vm_pgoff || size > EDU_MMAP_SIZE || !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/*
	 * mmap_lock is held here: do not wait in it for a remove (lockdep
	 * once saw a cycle through user faults, which no longer happen under
	 * unplug_lock). Only a remove in progress makes the trylock fail,
	 * and then the answer is ENODEV.
	 */
	if (!down_read_trylock(&ef->edu->unplug_lock))
		return -ENODEV;
	ret = edu_mmap_buf(ef, vma, size);
	up_read(&ef->edu->unplug_lock);
	return ret;
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
	int ret = edu_enter(edu);

	if (ret)
		return ret;
	edu_leave(edu);
	strscpy(info.driver_version, EDU_VERSION, sizeof(info.driver_version));
	strscpy(info.pci_addr, pci_name(edu->pdev), sizeof(info.pci_addr));
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * The ioctls below copy their argument in, call the engine inside the
 * fence, and copy the answer out after it (see edu_enter()).
 */
static int edu_ioctl_liveness(struct edu_dev *edu, void __user *uarg)
{
	struct edu_liveness req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;

	ret = edu_enter(edu);
	if (ret)
		return ret;
	ret = edu_liveness(edu, req.value, &req.result);
	edu_leave(edu);
	if (ret)
		return ret;
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

	ret = edu_enter(edu);
	if (ret)
		return ret;
	ret = edu_factorial(edu, req.n, req.flags & EDU_FLAG_POLL, &req.result);
	edu_leave(edu);
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

	ret = edu_enter(edu);
	if (ret)
		return ret;
	ret = edu_raise_irq(edu, req.reasons, req.flags & EDU_FLAG_POLL, &req.latency_ns);
	edu_leave(edu);
	if (ret)
		return ret;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int edu_ioctl_get_stats(struct edu_dev *edu, void __user *uarg)
{
	struct edu_stats *stats __free(kfree) =
		edu_fault_alloc() ? NULL : kzalloc(sizeof(*stats), GFP_KERNEL);
	int ret;

	if (!stats)
		return -ENOMEM;
	ret = edu_enter(edu);
	if (ret)
		return ret;
	edu_stats_read(edu, stats);
	edu_leave(edu);
	return copy_to_user(uarg, stats, sizeof(*stats)) ? -EFAULT : 0;
}

static int edu_ioctl_dma_mmap(struct edu_file *ef, const struct edu_dma_xfer *req,
			      bool to_dev, bool nonblock)
{
	struct edu_dev *edu = ef->edu;
	int ret;

	if (req->addr)
		return -EINVAL;

	/* The fence first, as in mmap(), which takes ef->lock inside it. */
	ret = edu_enter(edu);
	if (ret)
		return ret;
	mutex_lock(&ef->lock);
	if (ef->mmap_buf)
		ret = edu_dma_transfer(edu, ef->mmap_buf, req->mmap_offset, req->dev_offset,
				       req->len, to_dev, nonblock);
	else
		ret = -ENXIO;
	mutex_unlock(&ef->lock);
	edu_leave(edu);
	return ret;
}

/*
 * As read() and write(): a transfer to the device needs a file open for
 * writing, one from it a file open for reading.
 */
static int edu_ioctl_dma(struct file *file, void __user *uarg)
{
	const u32 dirs = EDU_DMA_TO_DEVICE | EDU_DMA_FROM_DEVICE;
	struct edu_file *ef = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	struct edu_dma_xfer req;
	bool to_dev;
	ssize_t ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || (req.flags & ~(dirs | EDU_DMA_F_MMAP)) ||
	    hweight32(req.flags & dirs) != 1)
		return -EINVAL;
	to_dev = req.flags & EDU_DMA_TO_DEVICE;
	if (!(file->f_mode & (to_dev ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	/* Never shortened, unlike read/write: the whole range must fit. */
	if (!req.len || req.len > edu_buf_size || req.dev_offset > edu_buf_size - req.len)
		return -EINVAL;

	if (req.flags & EDU_DMA_F_MMAP)
		return edu_ioctl_dma_mmap(ef, &req, to_dev, nonblock);

	if (req.mmap_offset)
		return -EINVAL;
	ret = edu_dma_copy(ef->edu, u64_to_user_ptr(req.addr), req.dev_offset, req.len, to_dev,
			   nonblock);
	return ret < 0 ? ret : 0;
}

static int edu_ioctl_reset_stats(struct edu_dev *edu)
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = edu_enter(edu);
	if (ret)
		return ret;
	edu_stats_reset(edu);
	edu_leave(edu);
	return 0;
}

/*
 * The commands that change the device's state (registers, interrupts,
 * counters) need a file open for writing, as write() does: a read-only
 * open of the 0660 node must not be a way to drive the device.
 */
static bool edu_ioctl_writes(unsigned int cmd)
{
	switch (cmd) {
	case EDU_IOC_LIVENESS:
	case EDU_IOC_FACTORIAL:
	case EDU_IOC_RAISE_IRQ:
	case EDU_IOC_RESET_STATS:
		return true;
	default:
		return false;
	}
}

static long edu_fop_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_file *ef = file->private_data;
	struct edu_dev *edu = ef->edu;
	void __user *uarg = (void __user *)arg;

	if (edu_ioctl_writes(cmd) && !(file->f_mode & FMODE_WRITE))
		return -EBADF;

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
	case EDU_IOC_DMA:
		return edu_ioctl_dma(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_fop_open,
	.release = edu_fop_release,
	.read_iter = edu_fop_read_iter,
	.write_iter = edu_fop_write_iter,
	.llseek = edu_fop_llseek,
	.poll = edu_fop_poll,
	.mmap = edu_fop_mmap,
	.unlocked_ioctl = edu_fop_ioctl,
	/* Every argument has the same layout for 32-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
};

static void edu_dev_release(struct device *dev)
{
	struct edu_dev *edu = to_edu_dev(dev);

	pci_dev_put(edu->pdev);
	kfree(edu);
}

/**
 * edu_dev_init() - initialise the class device that carries edu's lifetime
 * @edu: zeroed memory from kzalloc(); freed by the last put_device()
 * @pdev: the PCI device; held until then, as buffers allocated for it
 *	may be freed after remove
 */
void edu_dev_init(struct edu_dev *edu, struct pci_dev *pdev)
{
	edu->pdev = pci_dev_get(pdev);
	device_initialize(&edu->dev);
	edu->dev.class = &edu_class;
	edu->dev.parent = &pdev->dev;
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
