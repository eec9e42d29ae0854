/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edu - private types and prototypes shared by the driver's files.
 */
#ifndef _EDU_H
#define _EDU_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/skbuff.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/xdp.h>

#include <uapi/linux/edu.h>

#include "edu_hw.h"

#define EDU_DRV_NAME		"edu"
/* Probe steps debugfs's fail_probe can fail (see edu_probe()). */
#define EDU_PROBE_STEPS		11
/* Interrupt reasons the driver raises itself: the netdev's doorbells. */
#define EDU_IRQ_NET_TX		BIT(9)
#define EDU_IRQ_NET_RX		BIT(10)
#define EDU_IRQ_NET		(EDU_IRQ_NET_TX | EDU_IRQ_NET_RX)

/* Upper bound on device indices (eduN); also the number of minors. */
#define EDU_MAX_DEVICES		256

/* How long a caller waits for the device's interrupt. */
#define EDU_IRQ_TIMEOUT_MS	1000
/* EDU_FACTORIAL_MAX iterations take ~0.5 s in QEMU under load. */
#define EDU_FACT_TIMEOUT_MS	5000

/**
 * struct edu_counters - statistics, updated from any context
 * @irqs: interrupts with a reason pending (ours)
 * @irqs_spurious: interrupts without one (shared INTx) or from a dead device
 * @reasons: per reason bit, times the interrupt thread saw it
 * @factorials: factorials completed
 * @timeouts: factorial and interrupt waits that timed out
 * @dma_bytes: bytes moved by DMA, [0] to the device, [1] from it
 * @dma_xfers: transfers completed, same order
 * @dma_errors: transfers failed
 * @dma_timeouts: transfers the device did not complete in time
 * @dma_queue_hwm: most transfers queued or in flight at once
 * @pm_suspends: runtime and system suspends
 * @pm_resumes: runtime and system resumes
 */
struct edu_counters {
	atomic64_t irqs;
	atomic64_t irqs_spurious;
	atomic64_t reasons[EDU_IRQ_REASONS];
	atomic64_t factorials;
	atomic64_t timeouts;
	atomic64_t dma_bytes[2];
	atomic64_t dma_xfers[2];
	atomic64_t dma_errors;
	atomic64_t dma_timeouts;
	atomic64_t dma_queue_hwm;
	atomic64_t pm_suspends;
	atomic64_t pm_resumes;
};

/**
 * struct edu_dma_buf - RAM side of transfers: whole pages with a
 *	streaming DMA mapping (bidirectional, synced around each transfer)
 * @ref: held by its owner (a file's mmap, a copy) and by each request
 *	using it, so memory the device may still write is never freed
 * @node: in edu_dma.bufs while the mapping exists
 * @edu: device the memory is mapped for (a reference is held)
 * @cpu: kernel address
 * @dma: bus address, valid while on edu_dma.bufs
 * @size: bytes
 * @user: a user's (edu_dma_buf_alloc_user()): counted in edu_dma.user_bufs
 *
 * The pages live as long as the buffer, the mapping only as long as the
 * driver is bound: a file's mmap() may outlive the device, and remove
 * (edu_dma_stop()) takes the mapping of every buffer left, so nothing
 * stays mapped for an unbound device.
 */
struct edu_dma_buf {
	struct kref ref;
	struct list_head node;
	struct edu_dev *edu;
	void *cpu;
	dma_addr_t dma;
	size_t size;
	bool user;
};

/**
 * struct edu_dma_req - one transfer, from the driver's kmem_cache
 * @node: in edu_dma.queue while queued
 * @ref: one for the submitter, one for the engine while queued/active
 * @buf: RAM side (a reference is held)
 * @buf_off: offset in @buf
 * @dev_off: offset in the device buffer
 * @len: bytes
 * @to_dev: direction
 * @urgent: power management's own transfer: first in the queue, runs
 *	while the engine is paused
 * @status: 0 or -errno, valid once @done
 * @done: the engine is finished with the request (set under edu_dma.lock)
 */
struct edu_dma_req {
	struct list_head node;
	struct kref ref;
	struct edu_dma_buf *buf;
	u32 buf_off;
	u32 dev_off;
	u32 len;
	bool to_dev;
	bool urgent;
	int status;
	bool done;
};

/**
 * struct edu_dma - the device's DMA engine: one transfer at a time
 * @lock: protects every other field
 * @queue: requests waiting for the engine
 * @active: the request the device is executing
 * @stalled: a request that timed out while the device still ran it; its
 *	buffer stays alive until the device stops
 * @bufs: every buffer still mapped for the device
 * @depth: requests queued or active
 * @user_bufs: buffers users hold (mapped or not), bounded by dma_bufs_max
 * @watchdog: fails @active after @timeout_ms, then waits out @stalled
 * @stopped: no new requests (remove)
 * @paused: start no queued request but urgent ones (power management)
 * @faked: @active was not started (fault injection)
 * @timeout_ms: per-device DMA timeout (lockless: READ_ONCE/WRITE_ONCE)
 * @fail_next: debugfs fail_dma: fail this many submissions with -EIO
 * @force_timeout: debugfs force_timeout: do not start this many transfers
 */
struct edu_dma {
	spinlock_t lock;	/* protects the engine's state below, to @faked */
	struct list_head queue;
	struct edu_dma_req *active;
	struct edu_dma_req *stalled;
	struct list_head bufs;
	unsigned int depth;
	unsigned int user_bufs;
	struct delayed_work watchdog;
	bool stopped;
	bool paused;
	bool faked;
	unsigned int timeout_ms;
	atomic_t fail_next;
	atomic_t force_timeout;
};

/**
 * struct edu_dev - one bound edu PCI function
 * @dev: the class device "eduN"; its refcount is this structure's
 *	lifetime: probe holds one reference until the device's managed
 *	resources are gone, every open file holds one
 * @cdev: /dev/eduN
 * @pdev: the PCI device
 * @regs: BAR0 mapping (managed: valid until just after remove)
 * @index: N in eduN, stable while the device is bound
 * @hw_id: EDU_REG_ID as read at probe
 * @dma_bits: width of the DMA mask set at probe
 * @irq: Linux interrupt number
 * @irq_mode: EDU_IRQ_MODE_MSI or EDU_IRQ_MODE_INTX
 * @unplug_lock: held for reading by every file operation that touches
 *	the hardware, for writing by remove once @gone is set: after that
 *	nothing reaches @regs
 * @gone: the device was removed; protected by @unplug_lock (and read
 *	locklessly by wait conditions, which remove wakes)
 * @hw_lock: serialises register sequences that must not interleave
 *	(liveness write + read)
 * @fact_lock: serialises factorials (one computation in the device)
 * @raise_lock: serialises software-raised interrupts
 * @irq_wq: woken by the interrupt thread, the DMA engine and remove
 * @irq_pending: reasons acked by the hard handler, not yet seen by the
 *	thread
 * @user_seen: user reasons (EDU_IRQ_REASONS_USER) seen by the thread
 * @dma: the DMA engine
 * @stats: counters
 * @sysfs_liveness: last answer to a liveness write through sysfs
 * @sysfs_factorial: last result of a factorial write through sysfs
 * @node: in the list of bound devices (edu_devices_lock)
 * @debugfs: the device's debugfs directory
 * @ndev: the device's network interface (see netdev.c for its locking)
 * @pm_saved: the device buffer saved by suspend, until resume
 *	(only the PM callbacks, which the PM core serialises, touch it)
 * @pm_lose_state: debugfs: any suspend saves, then wipes the device
 *	buffer (a power cut)
 * @pm_wipes: debugfs: buffers wiped by @pm_lose_state, for the tests to
 *	see that the wipe they rely on happened
 */
struct edu_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	int index;
	u32 hw_id;
	unsigned int dma_bits;
	int irq;
	enum edu_irq_mode irq_mode;

	struct rw_semaphore unplug_lock;	/* protects gone */
	bool gone;
	struct mutex hw_lock;		/* protects liveness register sequences */
	struct mutex fact_lock;		/* protects the factorial engine */
	struct mutex raise_lock;	/* protects user_seen for one raiser */

	wait_queue_head_t irq_wq;
	atomic_t irq_pending;
	atomic_t user_seen;

	struct edu_dma dma;
	struct edu_counters stats;

	u32 sysfs_liveness;
	u32 sysfs_factorial;
	struct list_head node;
	struct dentry *debugfs;
	struct net_device *ndev;
	struct edu_dma_buf *pm_saved;
	bool pm_lose_state;
	atomic_t pm_wipes;
};

static inline struct edu_dev *to_edu_dev(struct device *dev)
{
	return container_of(dev, struct edu_dev, dev);
}

static inline u32 edu_read(struct edu_dev *edu, unsigned int reg)
{
	return readl(edu->regs + reg);
}

static inline void edu_write(struct edu_dev *edu, unsigned int reg, u32 val)
{
	writel(val, edu->regs + reg);
}

/* main.c: the bound devices, in index order */
extern struct list_head edu_devices;
extern struct mutex edu_devices_lock;

/* pm.c */
extern const struct dev_pm_ops edu_pm_ops;
void edu_pm_init(struct edu_dev *edu);
void edu_pm_remove(struct edu_dev *edu);
int edu_pm_get(struct edu_dev *edu);
void edu_pm_put(struct edu_dev *edu);

/* netdev.c */
#define EDU_NET_MTU_MAX		9000
int edu_net_create(struct edu_dev *edu);
void edu_net_suspend(struct edu_dev *edu);
void edu_net_resume(struct edu_dev *edu);
void edu_net_remove(struct edu_dev *edu);
void edu_net_irq(struct edu_dev *edu);
int edu_net_link(struct edu_dev *edu, struct edu_dev *peer);
int edu_net_peer_index(struct edu_dev *edu);
struct edu_xdp *edu_net_xdp(struct net_device *ndev);
bool edu_net_tx_fenced(struct net_device *ndev);
bool edu_net_tx_room(struct net_device *ndev);
bool edu_net_tx_queue(struct net_device *ndev, struct sk_buff *skb);
void edu_net_tx_kick(struct net_device *ndev);
void edu_net_debugfs_add(struct edu_dev *edu, struct dentry *dir);

/* xdp.c: a frame and its headroom fit one page (see xdp.c's memory model) */
#define EDU_XDP_FRAME_MAX	(SKB_WITH_OVERHEAD(PAGE_SIZE) - XDP_PACKET_HEADROOM)
#define EDU_XDP_MTU_MAX		(EDU_XDP_FRAME_MAX - VLAN_ETH_HLEN)

/* XDP counters: NAPI's first, then ndo_xdp_xmit's from EDU_XDP_XMIT on. */
enum edu_xdp_stat {
	EDU_XDP_PASS,
	EDU_XDP_DROP,
	EDU_XDP_TX,
	EDU_XDP_REDIRECT,
	EDU_XDP_ABORTED,
	EDU_XDP_TX_ERRORS,
	EDU_XDP_REDIRECT_ERRORS,
	EDU_XDP_RX_ERRORS,
	EDU_XDP_XMIT,
	EDU_XDP_XMIT_ERRORS,
	EDU_XDP_NSTATS
};

/**
 * struct edu_xdp - an interface's XDP state
 * @prog: the attached program: written under RTNL, read by NAPI under RCU
 * @rxq: the RX queue's registration (memory model MEM_TYPE_PAGE_SHARED)
 * @rx_syncp: guards the counters NAPI writes (before EDU_XDP_XMIT)
 * @xmit_syncp: guards those ndo_xdp_xmit writes under the TX queue lock
 * @stats: per-action counters, enum edu_xdp_stat order
 */
struct edu_xdp {
	struct bpf_prog __rcu *prog;
	struct xdp_rxq_info rxq;
	struct u64_stats_sync rx_syncp;
	struct u64_stats_sync xmit_syncp;
	u64_stats_t stats[EDU_XDP_NSTATS];
};

extern const char edu_xdp_stat_names[EDU_XDP_NSTATS][ETH_GSTRING_LEN];
int edu_xdp_init(struct net_device *ndev, struct edu_xdp *x);
void edu_xdp_exit(struct edu_xdp *x);
int edu_xdp_bpf(struct net_device *ndev, struct netdev_bpf *bpf);
int edu_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames, u32 flags);
struct sk_buff *edu_xdp_rx(struct net_device *ndev, struct edu_xdp *x, struct bpf_prog *prog,
			   struct sk_buff *skb, bool *redirected);
void edu_xdp_read_stats(struct edu_xdp *x, u64 *data);

/* netlink.c */
int edu_nl_init(void);
void edu_nl_exit(void);
void edu_nl_notify(struct edu_dev *edu, u8 cmd, int attr, u32 val);

/* sysfs.c */
extern const struct attribute_group *edu_dev_groups[];

/* procfs.c */
int edu_procfs_init(void);
void edu_procfs_exit(void);

/* debugfs.c */
void edu_debugfs_init(void);
void edu_debugfs_exit(void);
void edu_debugfs_add(struct edu_dev *edu);
void edu_debugfs_remove(struct edu_dev *edu);
int edu_debugfs_probe_fault(struct device *dev, unsigned int step);
bool edu_fault_alloc(void);

/* hw.c: device operations */
int edu_hw_check_identity(struct edu_dev *edu);
int edu_hw_check_liveness(struct edu_dev *edu);
void edu_hw_start(struct edu_dev *edu);
void edu_hw_quiesce(struct edu_dev *edu);
int edu_liveness(struct edu_dev *edu, u32 value, u32 *result);
int edu_factorial(struct edu_dev *edu, u32 n, bool poll, u32 *result);
int edu_raise_irq(struct edu_dev *edu, u32 reasons, bool poll, u64 *latency_ns);
void edu_stats_read(struct edu_dev *edu, struct edu_stats *stats);
void edu_hw_self_test(struct edu_dev *edu, u64 *results);
void edu_stats_reset(struct edu_dev *edu);

/* irq.c */
int edu_irq_init(struct edu_dev *edu);
const char *edu_irq_mode_name(enum edu_irq_mode mode);

/* dma.c */
#define EDU_DMA_TIMEOUT_MIN_MS	10
#define EDU_DMA_TIMEOUT_MAX_MS	60000
#define EDU_DMA_BUFS_LIMIT	65536
struct seq_file;
struct fault_attr;
extern unsigned int edu_buf_size;
extern struct fault_attr edu_fail_dma_attr;
int edu_dma_set_timeout(struct edu_dev *edu, unsigned int ms);
void edu_dma_show(struct seq_file *m, struct edu_dev *edu);
int edu_dma_module_init(void);
void edu_dma_module_exit(void);
unsigned int edu_dma_leak_state(void);
void edu_dma_leak_arm(bool arm);
int edu_dma_init(struct edu_dev *edu);
void edu_dma_stop(struct edu_dev *edu);
void edu_dma_irq(struct edu_dev *edu);
bool edu_dma_idle(struct edu_dev *edu);
struct edu_dma_buf *edu_dma_buf_alloc(struct edu_dev *edu, size_t size);
struct edu_dma_buf *edu_dma_buf_alloc_user(struct edu_dev *edu, size_t size);
void edu_dma_buf_put(struct edu_dma_buf *buf);
int edu_dma_transfer(struct edu_dev *edu, struct edu_dma_buf *buf, u32 buf_off, u32 dev_off,
		     u32 len, bool to_dev, bool nonblock);
int edu_dma_save_restore(struct edu_dev *edu, struct edu_dma_buf *buf, bool restore);
int edu_dma_pause(struct edu_dev *edu);
void edu_dma_unpause(struct edu_dev *edu);

/* chardev.c */
int edu_chardev_init(void);
void edu_chardev_exit(void);
int edu_cdev_add(struct edu_dev *edu);
void edu_dev_init(struct edu_dev *edu, struct pci_dev *pdev);
int edu_dev_set_index(struct edu_dev *edu, int index);

#endif /* _EDU_H */
