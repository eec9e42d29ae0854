// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - the DMA engine: a queue of requests per device with exactly one
 * transfer in flight (the hardware's limit), completed by the device's
 * interrupt (reason EDU_IRQ_DMA) from the interrupt thread.
 *
 * QEMU's edu checks the device-side range wrongly: a transfer of length 0
 * or one not inside the buffer aborts the whole VM (7.2) or corrupts
 * QEMU's memory (later). edu_dma_transfer() is the one gate every request
 * passes: nothing reaches the registers unless it lies inside the usable
 * part of the buffer (buf_size, see below).
 *
 * A request that times out while the device still runs it is failed
 * towards its caller but kept as ->stalled, holding its RAM buffer, until
 * the device stops: a late transfer never writes into freed memory.
 */
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "compat.h"
#include "edu.h"
#include "trace.h"

/*
 * QEMU up to 7.2 also refuses a transfer that ends at the buffer's last
 * byte (its check is off by one, QEMU issue 1254), and the guest cannot
 * tell which QEMU it runs on: by default leave that byte alone.
 */
unsigned int edu_buf_size = EDU_DMA_BUF_SIZE - 1;

static int buf_size_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, EDU_DMA_BUF_SIZE);
}

static const struct kernel_param_ops buf_size_ops = {
	.set = buf_size_set,
	.get = param_get_uint,
};

module_param_cb(buf_size, &buf_size_ops, &edu_buf_size, 0444);
__MODULE_PARM_TYPE(buf_size, "uint");
MODULE_PARM_DESC(buf_size,
		 "Bytes of the device buffer used, 1-4096 (default 4095: QEMU <= 7.2 aborts on a DMA ending at the last byte)");

static unsigned int dma_timeout_ms = 1000;

static int dma_timeout_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, EDU_DMA_TIMEOUT_MIN_MS, EDU_DMA_TIMEOUT_MAX_MS);
}

/* Also the element type of dma_timeouts_ms[]: every element is checked. */
static const struct kernel_param_ops param_ops_edu_timeout = {
	.set = dma_timeout_set,
	.get = param_get_uint,
};

#define param_check_edu_timeout(name, p) __param_check(name, p, unsigned int)

module_param_cb(dma_timeout_ms, &param_ops_edu_timeout, &dma_timeout_ms, 0644);
__MODULE_PARM_TYPE(dma_timeout_ms, "uint");
MODULE_PARM_DESC(dma_timeout_ms,
		 "Time a DMA transfer may take before it fails with ETIMEDOUT, 10-60000 ms, for devices probed later (default 1000; the device needs 100)");

#define EDU_PARAM_DEVICES	8

static unsigned int dma_timeouts_ms[EDU_PARAM_DEVICES];
static unsigned int dma_timeouts_count;
module_param_array_named(dma_timeouts_ms, dma_timeouts_ms, edu_timeout, &dma_timeouts_count, 0444);
MODULE_PARM_DESC(dma_timeouts_ms,
		 "Per-device dma_timeout_ms by index: edu0,edu1,... (up to 8; devices without an entry use dma_timeout_ms)");

static struct kmem_cache *edu_dma_req_cache;

/*
 * The kernel's fault injection (CONFIG_FAULT_INJECTION, debug kernels):
 * debugfs edu/fail_dma_attr/ fails DMA submissions of every device with
 * the usual probability/interval/times knobs. Stock kernels have the
 * per-device fail_dma count instead (and as well).
 */
DECLARE_FAULT_ATTR(edu_fail_dma_attr);

/*
 * debugfs leak_req: a planted leak, so that the tests can prove their
 * leak checks (slab object counts, kmemleak) see one. Armed, the next
 * request released is not freed but kept here with its address
 * inverted: no value in memory points to it, as for a real leak, and
 * kmemleak must report it. Disarming, or unloading, frees it.
 */
static bool edu_dma_leak_armed;
static unsigned long edu_dma_leaked;	/* ~address of the kept request, 0: none */
static DEFINE_SPINLOCK(edu_dma_leak_lock);	/* protects the two above */

/* Context: any but hard interrupt. */
static bool edu_dma_leak(struct edu_dma_req *req)
{
	bool leak;

	spin_lock(&edu_dma_leak_lock);
	leak = edu_dma_leak_armed;
	if (leak) {
		edu_dma_leak_armed = false;
		edu_dma_leaked = ~(unsigned long)req;
	}
	spin_unlock(&edu_dma_leak_lock);
	return leak;
}

/* debugfs leak_req reads 1 while armed, 2 while a request is kept, else 0. */
unsigned int edu_dma_leak_state(void)
{
	unsigned int state;

	spin_lock(&edu_dma_leak_lock);
	state = edu_dma_leaked ? 2 : edu_dma_leak_armed;
	spin_unlock(&edu_dma_leak_lock);
	return state;
}

/* Arm (one request, unless one is kept already) or disarm and free. */
void edu_dma_leak_arm(bool arm)
{
	unsigned long kept;

	spin_lock(&edu_dma_leak_lock);
	kept = arm ? 0 : edu_dma_leaked;
	if (!arm)
		edu_dma_leaked = 0;
	edu_dma_leak_armed = arm && !edu_dma_leaked;
	spin_unlock(&edu_dma_leak_lock);
	if (kept)
		kmem_cache_free(edu_dma_req_cache, (void *)~kept);
}

int edu_dma_module_init(void)
{
	edu_dma_req_cache = KMEM_CACHE(edu_dma_req, 0);
	return edu_dma_req_cache ? 0 : -ENOMEM;
}

void edu_dma_module_exit(void)
{
	edu_dma_leak_arm(false);
	kmem_cache_destroy(edu_dma_req_cache);
}

static unsigned long edu_dma_timeout(struct edu_dev *edu)
{
	return msecs_to_jiffies(READ_ONCE(edu->dma.timeout_ms));
}

/* Context: process; the sysfs store of dma_timeout_ms. */
int edu_dma_set_timeout(struct edu_dev *edu, unsigned int ms)
{
	if (ms < EDU_DMA_TIMEOUT_MIN_MS || ms > EDU_DMA_TIMEOUT_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(edu->dma.timeout_ms, ms);
	return 0;
}

/*
 * The zone to allocate from: the device's mask (28 bits on QEMU's
 * default) may not reach all RAM, and without an IOMMU or bounce buffers
 * mapping a page above it fails. The smallest mask allowed (24 bits)
 * still reaches all of ZONE_DMA.
 */
static gfp_t edu_dma_zone(struct device *dev)
{
	if (!dma_addressing_limited(dev))
		return 0;
	return dma_get_mask(dev) >= DMA_BIT_MASK(32) ? GFP_DMA32 : GFP_DMA;
}

/*
 * Buffers made for users (a file's mmap(), the bounce buffer of each
 * read, write or EDU_IOC_DMA) pin pages of a small zone (ZONE_DMA, 16 MiB,
 * for QEMU's 28-bit default): they are charged to the caller's memory
 * cgroup, and each device holds at most dma_bufs_max of them at once, so
 * that one member of the device's group cannot take the zone from
 * everyone else. Past the bound the request fails with ENOBUFS.
 */
static unsigned int dma_bufs_max = 256;

static int dma_bufs_max_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, EDU_DMA_BUFS_LIMIT);
}

static const struct kernel_param_ops dma_bufs_max_ops = {
	.set = dma_bufs_max_set,
	.get = param_get_uint,
};

module_param_cb(dma_bufs_max, &dma_bufs_max_ops, &dma_bufs_max, 0644);
__MODULE_PARM_TYPE(dma_bufs_max, "uint");
MODULE_PARM_DESC(dma_bufs_max,
		 "DMA buffers (one page each) user files may hold per device at once: mmap()s and transfers in flight, 1-65536 (default 256); past it ENOBUFS");

static struct edu_dma_buf *edu_dma_buf_create(struct edu_dev *edu, size_t size, gfp_t gfp)
{
	struct edu_dma_buf *buf = edu_fault_alloc() ? NULL : kzalloc(sizeof(*buf), gfp);

	if (!buf)
		return NULL;

	gfp |= __GFP_ZERO | edu_dma_zone(&edu->pdev->dev);
	buf->cpu = edu_fault_alloc() ? NULL : alloc_pages_exact(size, gfp);
	if (!buf->cpu)
		goto err_free;
	buf->dma = dma_map_single(&edu->pdev->dev, buf->cpu, size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(&edu->pdev->dev, buf->dma))
		goto err_pages;

	kref_init(&buf->ref);
	buf->size = size;
	buf->edu = edu;
	get_device(&edu->dev);
	spin_lock(&edu->dma.lock);
	list_add(&buf->node, &edu->dma.bufs);
	spin_unlock(&edu->dma.lock);
	return buf;

err_pages:
	free_pages_exact(buf->cpu, size);
err_free:
	kfree(buf);
	return NULL;
}

/**
 * edu_dma_buf_alloc() - memory for the RAM side of the driver's own transfers
 * @edu: the device
 * @size: bytes
 *
 * Zeroed whole pages the device can address, mapped for it until the
 * buffer or the device goes.
 *
 * Context: process; the device is bound (callers hold unplug_lock for
 * reading, or are its PM callbacks).
 * Return: a buffer with one reference, or NULL.
 */
struct edu_dma_buf *edu_dma_buf_alloc(struct edu_dev *edu, size_t size)
{
	return edu_dma_buf_create(edu, size, GFP_KERNEL);
}

/**
 * edu_dma_buf_alloc_user() - a buffer a user's file holds
 * @edu: the device
 * @size: bytes
 *
 * As edu_dma_buf_alloc(), charged to the current task's memory cgroup
 * (mmap() hands the pages to userspace) and counted against the device's
 * dma_bufs_max until the buffer is freed.
 *
 * Context: process; the device is bound (callers hold unplug_lock).
 * Return: a buffer with one reference, ERR_PTR(-ENOBUFS) past the bound,
 * or ERR_PTR(-ENOMEM).
 */
struct edu_dma_buf *edu_dma_buf_alloc_user(struct edu_dev *edu, size_t size)
{
	struct edu_dma *dma = &edu->dma;
	struct edu_dma_buf *buf;
	bool full;

	spin_lock(&dma->lock);
	full = dma->user_bufs >= READ_ONCE(dma_bufs_max);
	if (!full)
		dma->user_bufs++;
	spin_unlock(&dma->lock);
	if (full)
		return ERR_PTR(-ENOBUFS);

	buf = edu_dma_buf_create(edu, size, GFP_KERNEL_ACCOUNT);
	if (buf) {
		buf->user = true;
		return buf;
	}
	spin_lock(&dma->lock);
	dma->user_bufs--;
	spin_unlock(&dma->lock);
	return ERR_PTR(-ENOMEM);
}

/* Take @buf's mapping away from the device; its pages stay. */
static void edu_dma_buf_unmap(struct edu_dev *edu, struct edu_dma_buf *buf)
{
	lockdep_assert_held(&edu->dma.lock);
	if (list_empty(&buf->node))
		return;
	list_del_init(&buf->node);
	dma_unmap_single(&edu->pdev->dev, buf->dma, buf->size, DMA_BIDIRECTIONAL);
}

static void edu_dma_buf_release(struct kref *ref)
{
	struct edu_dma_buf *buf = container_of(ref, struct edu_dma_buf, ref);
	struct edu_dev *edu = buf->edu;

	spin_lock(&edu->dma.lock);
	edu_dma_buf_unmap(edu, buf);
	if (buf->user)
		edu->dma.user_bufs--;
	spin_unlock(&edu->dma.lock);
	free_pages_exact(buf->cpu, buf->size);
	kfree(buf);
	put_device(&edu->dev);
}

/* Context: process or the interrupt thread, not under edu_dma.lock. */
void edu_dma_buf_put(struct edu_dma_buf *buf)
{
	kref_put(&buf->ref, edu_dma_buf_release);
}

static void edu_dma_req_release(struct kref *ref)
{
	struct edu_dma_req *req = container_of(ref, struct edu_dma_req, ref);

	edu_dma_buf_put(req->buf);
	if (!edu_dma_leak(req))
		kmem_cache_free(edu_dma_req_cache, req);
}

static void edu_dma_req_put(struct edu_dma_req *req)
{
	if (req)
		kref_put(&req->ref, edu_dma_req_release);
}

static bool edu_dma_hw_busy(struct edu_dev *edu)
{
	return edu_read(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START;
}

/* Wait, with bus mastering off, until the device runs no transfer. */
static int edu_dma_hw_wait_idle(struct edu_dev *edu)
{
	u32 cmd;

	return readl_poll_timeout(edu->regs + EDU_REG_DMA_CMD, cmd, !(cmd & EDU_DMA_CMD_START),
				  USEC_PER_MSEC, READ_ONCE(edu->dma.timeout_ms) * USEC_PER_MSEC);
}

static void edu_dma_stats_max(atomic64_t *max, u64 val)
{
	u64 old = atomic64_read(max);

	while (old < val) {
		u64 seen = atomic64_cmpxchg(max, old, val);

		if (seen == old)
			break;
		old = seen;
	}
}

/* The engine is done with @req: record @status and wake its waiter. */
static void edu_dma_finish(struct edu_dev *edu, struct edu_dma_req *req, int status)
{
	lockdep_assert_held(&edu->dma.lock);

	trace_edu_dma_done(edu->index, req->to_dev, req->len, status);
	req->status = status;
	/* Pairs with the acquire in edu_dma_wait(): status is visible first. */
	smp_store_release(&req->done, true);
	edu->dma.depth--;

	if (!status) {
		atomic64_add(req->len, &edu->stats.dma_bytes[!req->to_dev]);
		atomic64_inc(&edu->stats.dma_xfers[!req->to_dev]);
	} else if (status == -ETIMEDOUT) {
		atomic64_inc(&edu->stats.dma_timeouts);
	} else if (status != -ECANCELED) {
		atomic64_inc(&edu->stats.dma_errors);
	}
}

/* Start the next queued request if the device is free. */
static void edu_dma_kick(struct edu_dev *edu)
{
	struct edu_dma *dma = &edu->dma;
	struct edu_dma_req *req;
	u64 ram, dev;

	lockdep_assert_held(&dma->lock);
	if (dma->stopped || dma->active || dma->stalled || list_empty(&dma->queue))
		return;

	req = list_first_entry(&dma->queue, struct edu_dma_req, node);
	if (dma->paused && !req->urgent)
		return;
	list_del(&req->node);
	dma->active = req;

	/* Fault injection: leave the device idle, let the watchdog fire. */
	dma->faked = atomic_dec_if_positive(&dma->force_timeout) >= 0;
	if (dma->faked)
		goto arm;

	ram = req->buf->dma + req->buf_off;
	dev = EDU_DMA_BUF_ADDR + req->dev_off;
	writeq(req->to_dev ? ram : dev, edu->regs + EDU_REG_DMA_SRC);
	writeq(req->to_dev ? dev : ram, edu->regs + EDU_REG_DMA_DST);
	writeq(req->len, edu->regs + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ | (req->to_dev ? 0 : EDU_DMA_CMD_TO_RAM),
	       edu->regs + EDU_REG_DMA_CMD);
arm:
	mod_delayed_work(system_wq, &dma->watchdog, edu_dma_timeout(edu));
}

/**
 * edu_dma_irq() - the device raised EDU_IRQ_DMA
 * @edu: the device
 *
 * A transfer ends when the device clears its run bit, then interrupts. A
 * late interrupt (its transfer already failed by the watchdog) can arrive
 * while the next transfer runs: only an idle device completes ->active.
 *
 * Context: the interrupt thread.
 */
void edu_dma_irq(struct edu_dev *edu)
{
	struct edu_dma *dma = &edu->dma;
	struct edu_dma_req *put = NULL;

	spin_lock(&dma->lock);
	if (!edu_dma_hw_busy(edu) && !dma->faked) {
		if (dma->stalled) {
			put = dma->stalled;
			dma->stalled = NULL;
		} else if (dma->active) {
			put = dma->active;
			dma->active = NULL;
			edu_dma_finish(edu, put, 0);
			cancel_delayed_work(&dma->watchdog);
		}
		edu_dma_kick(edu);
	}
	spin_unlock(&dma->lock);
	edu_dma_req_put(put);
}

static void edu_dma_watchdog(struct work_struct *work)
{
	struct edu_dev *edu = container_of(to_delayed_work(work), struct edu_dev, dma.watchdog);
	struct edu_dma *dma = &edu->dma;
	struct edu_dma_req *put = NULL;

	spin_lock(&dma->lock);
	if (dma->active) {
		struct edu_dma_req *req = dma->active;

		dma->active = NULL;
		if (dma->faked) {
			dma->faked = false;
			edu_dma_finish(edu, req, -ETIMEDOUT);
			put = req;
		} else if (edu_dma_hw_busy(edu)) {
			edu_dma_finish(edu, req, -ETIMEDOUT);
			dma->stalled = req;
			dev_warn_ratelimited(&edu->pdev->dev, "DMA of %u bytes timed out\n",
					     req->len);
		} else {
			/* Done; its interrupt is late or was lost. */
			edu_dma_finish(edu, req, 0);
			put = req;
		}
	} else if (dma->stalled && !edu_dma_hw_busy(edu)) {
		put = dma->stalled;
		dma->stalled = NULL;
	}
	if (dma->stalled && !dma->stopped)
		mod_delayed_work(system_wq, &dma->watchdog, edu_dma_timeout(edu));
	edu_dma_kick(edu);
	spin_unlock(&dma->lock);

	edu_dma_req_put(put);
	wake_up_all(&edu->irq_wq);
}

/* Spinlocks are taken without guards: 6.1's sparse cannot follow them. */
static int edu_dma_submit(struct edu_dev *edu, struct edu_dma_req *req, bool nonblock,
			  unsigned int *depth)
{
	struct edu_dma *dma = &edu->dma;
	int ret = 0;

	spin_lock(&dma->lock);
	if (dma->stopped) {
		ret = -ENODEV;
	} else if (nonblock && (dma->depth || dma->stalled)) {
		ret = -EAGAIN;
	} else if (!req->urgent && (atomic_dec_if_positive(&dma->fail_next) >= 0 ||
				    should_fail(&edu_fail_dma_attr, req->len))) {
		/* Fault injection: fail before the device sees anything. */
		atomic64_inc(&edu->stats.dma_errors);
		trace_edu_dma_done(edu->index, req->to_dev, req->len, -EIO);
		ret = -EIO;
	} else {
		kref_get(&req->ref);
		if (req->urgent)
			list_add(&req->node, &dma->queue);
		else
			list_add_tail(&req->node, &dma->queue);
		*depth = ++dma->depth;
		edu_dma_stats_max(&edu->stats.dma_queue_hwm, dma->depth);
		trace_edu_dma_submit(edu->index, req->to_dev, req->dev_off, req->len, *depth);
		edu_dma_kick(edu);
	}
	spin_unlock(&dma->lock);
	if (!ret)
		dev_dbg(&edu->pdev->dev, "DMA %s %u bytes at %u queued (depth %u)\n",
			req->to_dev ? "to_dev" : "from_dev", req->len, req->dev_off, *depth);
	return ret;
}

/* The waiter gives up: withdraw @req unless the device already has it. */
static void edu_dma_cancel(struct edu_dev *edu, struct edu_dma_req *req)
{
	struct edu_dma *dma = &edu->dma;
	bool queued;

	spin_lock(&dma->lock);
	queued = !req->done && req != dma->active && req != dma->stalled;
	if (queued) {
		list_del(&req->node);
		edu_dma_finish(edu, req, -ECANCELED);
	}
	spin_unlock(&dma->lock);
	if (queued)
		edu_dma_req_put(req);
}

static bool edu_dma_req_done(struct edu_dma_req *req)
{
	/* Pairs with the release in edu_dma_finish(): ->status is set first. */
	return smp_load_acquire(&req->done);
}

static int edu_dma_wait(struct edu_dev *edu, struct edu_dma_req *req, unsigned int depth)
{
	/* The engine fails a stuck transfer itself; this bounds the wait twice over. */
	unsigned long timeout = edu_dma_timeout(edu) * 2 * (depth + 1);
	long left;

	left = wait_event_interruptible_timeout(edu->irq_wq,
						edu_dma_req_done(req) || READ_ONCE(edu->gone),
						timeout);
	if (edu_dma_req_done(req))
		return req->status;

	edu_dma_cancel(edu, req);
	if (left < 0)
		return -ERESTARTSYS;
	if (READ_ONCE(edu->gone))
		return -ENODEV;
	return -ETIMEDOUT;
}

/*
 * Queue one transfer and wait for it. The one range check between user
 * input and the device is here; @urgent requests (power management) go
 * to the head of the queue and run while the engine is paused.
 */
static int edu_dma_run(struct edu_dev *edu, struct edu_dma_buf *buf, u32 buf_off, u32 dev_off,
		       u32 len, bool to_dev, bool nonblock, bool urgent)
{
	enum dma_data_direction dir = to_dev ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct edu_dma_req *req;
	unsigned int depth;
	int ret;

	if (!len || len > edu_buf_size || dev_off > edu_buf_size - len ||
	    len > buf->size || buf_off > buf->size - len)
		return -EINVAL;

	req = edu_fault_alloc() ? NULL : kmem_cache_zalloc(edu_dma_req_cache, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	kref_init(&req->ref);
	kref_get(&buf->ref);
	req->buf = buf;
	req->buf_off = buf_off;
	req->dev_off = dev_off;
	req->len = len;
	req->to_dev = to_dev;
	req->urgent = urgent;

	dma_sync_single_range_for_device(&edu->pdev->dev, buf->dma, buf_off, len, dir);
	ret = edu_dma_submit(edu, req, nonblock, &depth);
	if (!ret)
		ret = edu_dma_wait(edu, req, depth);
	/* A transfer that failed may still run: its data is not the CPU's. */
	if (!ret && !to_dev)
		dma_sync_single_range_for_cpu(&edu->pdev->dev, buf->dma, buf_off, len, dir);
	edu_dma_req_put(req);

	if (ret == -EIO || ret == -ETIMEDOUT)
		edu_nl_notify(edu, EDU_CMD_DMA_ERROR_NTF, EDU_A_DMA_ERROR, ret);
	return ret;
}

/**
 * edu_dma_transfer() - move data between RAM and the device buffer
 * @edu: the device
 * @buf: RAM side
 * @buf_off: offset in @buf
 * @dev_off: offset in the device buffer
 * @len: bytes
 * @to_dev: RAM to device, else device to RAM
 * @nonblock: fail with -EAGAIN instead of queueing behind another transfer
 *
 * The device is resumed (runtime PM) for the transfer.
 *
 * Context: process; sleeps until the transfer completes.
 * Return: 0, -EINVAL for a range outside @buf or the usable device buffer,
 * -EAGAIN, -ENOMEM, -ERESTARTSYS, -ETIMEDOUT, -ENODEV, or the error of a
 * failed resume.
 */
int edu_dma_transfer(struct edu_dev *edu, struct edu_dma_buf *buf, u32 buf_off, u32 dev_off,
		     u32 len, bool to_dev, bool nonblock)
{
	int ret = edu_pm_get(edu);

	if (ret)
		return ret;
	ret = edu_dma_run(edu, buf, buf_off, dev_off, len, to_dev, nonblock, false);
	edu_pm_put(edu);
	return ret;
}

/**
 * edu_dma_save_restore() - copy the whole usable device buffer to or from
 *	@buf, while the engine is paused for power management
 * @edu: the device
 * @buf: at least edu_buf_size bytes
 * @restore: @buf to the device, else the device to @buf
 *
 * Context: process, from the PM callbacks (takes no PM reference).
 * Return: 0 or -errno.
 */
int edu_dma_save_restore(struct edu_dev *edu, struct edu_dma_buf *buf, bool restore)
{
	return edu_dma_run(edu, buf, 0, 0, edu_buf_size, restore, false, true);
}

static bool edu_dma_hw_quiet(struct edu_dev *edu)
{
	bool quiet;

	spin_lock(&edu->dma.lock);
	quiet = !edu->dma.active && !edu->dma.stalled;
	spin_unlock(&edu->dma.lock);
	return quiet;
}

/**
 * edu_dma_pause() - start no new transfer, wait for the running one
 * @edu: the device
 *
 * Requests queued meanwhile stay queued until edu_dma_unpause(). A
 * transfer the device still runs ends (or is failed by the watchdog)
 * within twice the DMA timeout.
 *
 * Context: process (PM callbacks).
 * Return: 0, or -EBUSY (the engine is unpaused again) when the device
 * does not stop.
 */
int edu_dma_pause(struct edu_dev *edu)
{
	unsigned long timeout = 2 * edu_dma_timeout(edu) + 1;

	spin_lock(&edu->dma.lock);
	edu->dma.paused = true;
	spin_unlock(&edu->dma.lock);

	if (!wait_event_timeout(edu->irq_wq, edu_dma_hw_quiet(edu), timeout)) {
		edu_dma_unpause(edu);
		return -EBUSY;
	}
	return 0;
}

/* Context: process (PM callbacks). */
void edu_dma_unpause(struct edu_dev *edu)
{
	spin_lock(&edu->dma.lock);
	edu->dma.paused = false;
	edu_dma_kick(edu);
	spin_unlock(&edu->dma.lock);
}

bool edu_dma_idle(struct edu_dev *edu)
{
	bool idle;

	spin_lock(&edu->dma.lock);
	idle = !edu->dma.depth && !edu->dma.stalled;
	spin_unlock(&edu->dma.lock);
	return idle;
}

/**
 * edu_dma_init() - set up the engine; wait out a transfer left running
 * @edu: the device, bus mastering still off
 *
 * The device has no reset: a transfer started before a rebind or a guest
 * reboot may still be pending. It must end before bus mastering is on,
 * or it would write to memory that belongs to someone else now.
 *
 * Return: 0 or -EBUSY.
 */
int edu_dma_init(struct edu_dev *edu)
{
	struct edu_dma *dma = &edu->dma;

	spin_lock_init(&dma->lock);
	INIT_LIST_HEAD(&dma->queue);
	INIT_LIST_HEAD(&dma->bufs);
	INIT_DELAYED_WORK(&dma->watchdog, edu_dma_watchdog);
	dma->timeout_ms = edu->index < dma_timeouts_count ? dma_timeouts_ms[edu->index] :
			  READ_ONCE(dma_timeout_ms);

	if (edu_dma_hw_wait_idle(edu))
		return dev_err_probe(&edu->pdev->dev, -EBUSY,
				     "a DMA transfer left running does not end\n");
	return 0;
}

/**
 * edu_dma_stop() - fail every request and release the engine
 * @edu: the device; users are fenced off and bus mastering is off, so the
 *	device can no longer reach the buffers freed here
 *
 * Buffers that outlive the device (a file's mmap()) lose their mapping
 * here: the driver core unbinds with nothing mapped for the device. A
 * second call does nothing: remove and shutdown stop the engine at their
 * point, and the managed action of probe (edu_start_dma()) stops it after
 * a failed probe and once more after remove.
 *
 * Context: process (remove, shutdown, devres).
 */
void edu_dma_stop(struct edu_dev *edu)
{
	struct edu_dma *dma = &edu->dma;
	struct edu_dma_req *req, *tmp, *active, *stalled;
	struct edu_dma_buf *buf, *next;
	LIST_HEAD(dead);

	spin_lock(&dma->lock);
	if (dma->stopped) {
		/* remove stopped it before its managed action came here. */
		spin_unlock(&dma->lock);
		return;
	}
	dma->stopped = true;
	list_splice_init(&dma->queue, &dead);
	list_for_each_entry(req, &dead, node)
		edu_dma_finish(edu, req, -ENODEV);
	active = dma->active;
	dma->active = NULL;
	if (active)
		edu_dma_finish(edu, active, -ENODEV);
	stalled = dma->stalled;
	dma->stalled = NULL;
	spin_unlock(&dma->lock);
	cancel_delayed_work_sync(&dma->watchdog);
	wake_up_all(&edu->irq_wq);

	/* A transfer still pending in the device ends harmlessly now. */
	if (edu_dma_hw_wait_idle(edu))
		dev_warn(&edu->pdev->dev, "DMA still running at remove\n");

	list_for_each_entry_safe(req, tmp, &dead, node)
		edu_dma_req_put(req);
	edu_dma_req_put(active);
	edu_dma_req_put(stalled);

	spin_lock(&dma->lock);
	list_for_each_entry_safe(buf, next, &dma->bufs, node)
		edu_dma_buf_unmap(edu, buf);
	spin_unlock(&dma->lock);
}

/* debugfs: the engine's state, its mapped buffers and fault-injection counters. */
void edu_dma_show(struct seq_file *m, struct edu_dev *edu)
{
	struct edu_dma *dma = &edu->dma;
	unsigned int depth, bufs = 0, user_bufs;
	bool active, stalled;
	struct list_head *pos;

	spin_lock(&dma->lock);
	depth = dma->depth;
	active = dma->active;
	stalled = dma->stalled;
	list_for_each(pos, &dma->bufs)
		bufs++;
	user_bufs = dma->user_bufs;
	spin_unlock(&dma->lock);

	seq_printf(m, "depth %u\nactive %d\nstalled %d\ntimeout_ms %u\n", depth, active, stalled,
		   READ_ONCE(dma->timeout_ms));
	/* Buffers mapped for the device: a leak check's count (leaks.bash). */
	seq_printf(m, "bufs %u\n", bufs);
	/* Of all buffers, mapped or not, those users hold, and their bound. */
	seq_printf(m, "user_bufs %u\nuser_bufs_max %u\n", user_bufs, READ_ONCE(dma_bufs_max));
	seq_printf(m, "fail_dma %d\nforce_timeout %d\n", atomic_read(&dma->fail_next),
		   atomic_read(&dma->force_timeout));
}
