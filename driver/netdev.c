// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - a network interface per edu device.
 *
 * The device has no port: frames stay in host memory and the device's
 * interrupt is the doorbell. Transmit queues a frame on the interface's
 * TX ring and raises interrupt reason EDU_IRQ_NET_TX on its own device;
 * the interrupt schedules NAPI, whose poll completes the TX ring by moving
 * the frames to the peer's RX ring and rings the peer's doorbell
 * (EDU_IRQ_NET_RX); the peer's NAPI delivers them. Two devices are linked
 * like a cable (sysfs "peer", like netdevsim's peer), or one to itself.
 *
 * Peers are RCU-protected: NAPI (a softirq) reads the peer under RCU;
 * linking and unlinking happen under edu_net_link_lock and wait for a
 * grace period before a device goes away, so no frame or doorbell can
 * reach a device after its netdev is unregistered.
 *
 * With an XDP program attached, NAPI runs it on each received frame
 * before building the skb (xdp.c).
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/hrtimer.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>

#include "edu.h"

#define EDU_NET_RING_DEFAULT	256
#define EDU_NET_RING_MIN	16
#define EDU_NET_RING_MAX	4096
#define EDU_NET_USECS_MAX	1000
#define EDU_NET_FRAMES_MAX	256
/* debugfs net_hold_suspend holds a suspend at most this long. */
#define EDU_NET_HOLD_MAX_MS	10000

/* Protects every edu_net's peer pointer (written here, read under RCU). */
static DEFINE_MUTEX(edu_net_link_lock);

/**
 * struct edu_net - the net_device's private data
 * @ndev: the interface
 * @edu: its edu device
 * @napi: polls both rings
 * @peer: where transmitted frames go: NULL (unlinked), itself or another
 * @txq: frames transmitted, waiting for NAPI's TX completion
 * @rxq: frames from the peer, waiting for NAPI to deliver them
 * @tx_ring: TX ring size
 * @rx_ring: RX ring size
 * @tx_usecs: ring the doorbell at most this late (0: at once)
 * @tx_frames: ring the doorbell once this many frames wait
 * @pending: frames queued since the last doorbell (xmit path)
 * @coalesce: timer ringing the doorbell after @tx_usecs
 * @msg_enable: netif_msg_* level
 * @state_lock: serialises ndo_open/ndo_stop with the PM callbacks
 * @opened: ndo_open enabled NAPI, ndo_stop has not disabled it. Not
 *	netif_running(): the core sets that before ndo_open, which then
 *	waits for a runtime suspend that would see it
 * @asleep: suspend detached the opened interface and disabled NAPI;
 *	resume attaches it again and enables NAPI if still @opened (the
 *	core does not open a detached interface)
 * @fenced: suspend closed the doorbells until resume: xmit and
 *	ndo_xdp_xmit read it under the TX queue lock, which writes take;
 *	a peer's TX completion reads it under RCU, which suspend waits for
 * @suspended: suspend is complete: a doorbell now would reach a quiesced
 *	device (a bug, warned about)
 * @tx_syncp: guards the xmit path's counters below; their one writer
 *	holds the TX queue lock (xmit, XDP_TX, ndo_xdp_xmit)
 * @tx_packets: frames accepted for transmission
 * @tx_bytes: their bytes
 * @tx_dropped: frames xmit dropped (TX ring full)
 * @rx_syncp: guards NAPI's counters below; their one writer is our poll
 * @rx_packets: frames delivered
 * @rx_bytes: their bytes
 * @rx_dropped: frames dropped because the RX ring was full
 * @cable_dropped: frames TX completion could not hand over (no peer, the
 *	peer down, its RX ring full); reported within tx_dropped
 * @napi_polls: NAPI polls
 * @doorbells: doorbells rung by this interface (any context)
 * @hold_suspend: debugfs net_hold_suspend: suspend waits before it reads
 *	the interface's state while set
 * @hold_rx: debugfs net_hold_rx: NAPI leaves received frames on @rxq
 *	while set
 * @xdp: XDP program, RX queue info and counters (xdp.c)
 */
struct edu_net {
	struct net_device *ndev;
	struct edu_dev *edu;
	struct napi_struct napi;
	struct edu_net __rcu *peer;
	struct sk_buff_head txq;
	struct sk_buff_head rxq;
	u32 tx_ring;
	u32 rx_ring;
	u32 tx_usecs;
	u32 tx_frames;
	u32 pending;
	struct hrtimer coalesce;
	u32 msg_enable;
	struct mutex state_lock;	/* protects opened, asleep */
	bool opened;
	bool asleep;
	bool fenced;
	bool suspended;

	struct u64_stats_sync tx_syncp;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tx_dropped;
	struct u64_stats_sync rx_syncp;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t rx_dropped;
	u64_stats_t cable_dropped;
	u64_stats_t napi_polls;
	atomic64_t doorbells;
	bool hold_suspend;
	bool hold_rx;
	struct edu_xdp xdp;
};

/* Raise @reason on @target's device, counted as @net's doorbell. */
static void edu_net_doorbell(struct edu_net *net, struct edu_net *target, u32 reason)
{
	/* @fenced keeps every path off a suspended device; one that is not is a bug. */
	if (WARN_ONCE(READ_ONCE(target->suspended), "%s: doorbell on suspended %s\n",
		      netdev_name(net->ndev), netdev_name(target->ndev)))
		return;
	edu_write(target->edu, EDU_REG_IRQ_RAISE, reason);
	atomic64_inc(&net->doorbells);
}

static void edu_net_kick_tx(struct edu_net *net)
{
	net->pending = 0;
	edu_net_doorbell(net, net, EDU_IRQ_NET_TX);
}

static enum hrtimer_restart edu_net_coalesce_fire(struct hrtimer *timer)
{
	struct edu_net *net = container_of(timer, struct edu_net, coalesce);

	edu_net_doorbell(net, net, EDU_IRQ_NET_TX);
	return HRTIMER_NORESTART;
}

/* Caller holds the TX queue lock (all the helpers below too). */
bool edu_net_tx_fenced(struct net_device *ndev)
{
	return ((struct edu_net *)netdev_priv(ndev))->fenced;
}

bool edu_net_tx_room(struct net_device *ndev)
{
	struct edu_net *net = netdev_priv(ndev);

	return skb_queue_len(&net->txq) < net->tx_ring;
}

/* Ring our TX doorbell now. */
void edu_net_tx_kick(struct net_device *ndev)
{
	edu_net_kick_tx(netdev_priv(ndev));
}

/**
 * edu_net_tx_queue() - put a frame on the TX ring, without a doorbell
 * @ndev: the interface
 * @skb: the frame; still the caller's when there is no room
 *
 * Context: the TX queue lock held, BHs off (xmit, XDP_TX, ndo_xdp_xmit).
 * Return: true when queued.
 */
bool edu_net_tx_queue(struct net_device *ndev, struct sk_buff *skb)
{
	struct edu_net *net = netdev_priv(ndev);
	unsigned int len = skb->len;

	if (!edu_net_tx_room(ndev))
		return false;

	/*
	 * BQL first: once queued, NAPI on another CPU may complete the frame,
	 * and completing bytes not yet counted as sent is a BUG in dql.
	 */
	netdev_sent_queue(ndev, len);
	skb_queue_tail(&net->txq, skb);
	u64_stats_update_begin(&net->tx_syncp);
	u64_stats_inc(&net->tx_packets);
	u64_stats_add(&net->tx_bytes, len);
	u64_stats_update_end(&net->tx_syncp);

	if (skb_queue_len(&net->txq) >= net->tx_ring)
		netif_stop_queue(ndev);
	return true;
}

static netdev_tx_t edu_net_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct edu_net *net = netdev_priv(ndev);

	/*
	 * Fenced: suspended, or suspending and a completion woke the queue
	 * after netif_device_detach(). Not reached otherwise; count it.
	 */
	if (unlikely(net->fenced) || !edu_net_tx_queue(ndev, skb)) {
		u64_stats_update_begin(&net->tx_syncp);
		u64_stats_inc(&net->tx_dropped);
		u64_stats_update_end(&net->tx_syncp);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}

	/* Coalesce doorbells: after tx_frames frames, else after tx_usecs. */
	if (++net->pending >= net->tx_frames || netif_queue_stopped(ndev))
		edu_net_kick_tx(net);
	else if (!net->tx_usecs && !netdev_xmit_more())
		edu_net_kick_tx(net);
	/*
	 * Not hrtimer_active(): that stays true while the callback runs, and
	 * a frame queued after its doorbell was handled would wait for the
	 * next transmit. A timer no longer queued has rung or is ringing:
	 * arm it again.
	 */
	else if (net->tx_usecs && !hrtimer_is_queued(&net->coalesce))
		hrtimer_start(&net->coalesce, ns_to_ktime(net->tx_usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL);
	return NETDEV_TX_OK;
}

/*
 * A frame crossing the cable becomes the peer's, as veth's do
 * (__dev_forward_skb()): it may wait on the peer's RX ring after we are
 * unbound and freed, so nothing in it may point at us any more. Frames
 * crossing namespaces lose their old state too.
 */
static void edu_net_rehome(struct sk_buff *skb, struct edu_net *net, struct edu_net *peer)
{
	skb_scrub_packet(skb, !net_eq(dev_net(net->ndev), dev_net(peer->ndev)));
	skb->dev = peer->ndev;
}

/* TX completion: hand the frames to the peer's RX ring, ring its doorbell. */
static void edu_net_tx_complete(struct edu_net *net)
{
	unsigned int pkts = 0, bytes = 0, dropped = 0, passed = 0;
	struct edu_net *peer;
	struct sk_buff *skb;

	rcu_read_lock();
	peer = rcu_dereference(net->peer);
	while ((skb = skb_dequeue(&net->txq))) {
		pkts++;
		bytes += skb->len;
		if (!peer || !netif_running(peer->ndev) ||
		    skb_queue_len(&peer->rxq) >= peer->rx_ring) {
			dev_kfree_skb_any(skb);
			dropped++;
			continue;
		}
		edu_net_rehome(skb, net, peer);
		skb_queue_tail(&peer->rxq, skb);
		passed++;
	}
	/*
	 * Our own poll delivers looped frames; another device needs its
	 * doorbell, unless it is suspending: its resume polls.
	 */
	if (passed && peer != net && !READ_ONCE(peer->fenced))
		edu_net_doorbell(net, peer, EDU_IRQ_NET_RX);
	rcu_read_unlock();

	if (dropped) {
		u64_stats_update_begin(&net->rx_syncp);
		u64_stats_add(&net->cable_dropped, dropped);
		u64_stats_update_end(&net->rx_syncp);
	}
	if (pkts) {
		netdev_completed_queue(net->ndev, pkts, bytes);
		/* Not a queue suspend stopped (xmit's fence covers a race). */
		if (netif_queue_stopped(net->ndev) && netif_device_present(net->ndev))
			netif_wake_queue(net->ndev);
	}
}

static int edu_net_rx(struct edu_net *net, int budget)
{
	struct net_device *ndev = net->ndev;
	unsigned int bytes = 0, delivered = 0;
	bool redirected = false;
	struct bpf_prog *prog;
	struct sk_buff *skb;
	int done = 0;

	if (READ_ONCE(net->hold_rx))
		return 0;
	rcu_read_lock();
	prog = rcu_dereference(net->xdp.prog);
	while (done < budget && (skb = skb_dequeue(&net->rxq))) {
		done++;
		if (prog) {
			/* A fresh skb for XDP_PASS, with no old state. */
			skb = edu_xdp_rx(ndev, &net->xdp, prog, skb, &redirected);
			if (!skb)
				continue;
		}
		skb->protocol = eth_type_trans(skb, ndev);
		bytes += skb->len + ETH_HLEN;
		napi_gro_receive(&net->napi, skb);
		delivered++;
	}
	if (redirected)
		xdp_do_flush();
	rcu_read_unlock();

	u64_stats_update_begin(&net->rx_syncp);
	u64_stats_add(&net->rx_packets, delivered);
	u64_stats_add(&net->rx_bytes, bytes);
	u64_stats_inc(&net->napi_polls);
	u64_stats_update_end(&net->rx_syncp);
	return done;
}

static int edu_net_poll(struct napi_struct *napi, int budget)
{
	struct edu_net *net = container_of(napi, struct edu_net, napi);
	int done;

	edu_net_tx_complete(net);
	done = edu_net_rx(net, budget);

	/*
	 * Re-arm only when NAPI is really done, then look again: a doorbell
	 * rung while we were scheduled did not schedule us once more.
	 */
	if (done < budget && napi_complete_done(napi, done) &&
	    ((!skb_queue_empty(&net->rxq) && !READ_ONCE(net->hold_rx)) ||
	     !skb_queue_empty(&net->txq)))
		napi_schedule(napi);
	return done;
}

/**
 * edu_net_irq() - the device raised a network reason: schedule NAPI
 * @edu: the device
 *
 * Context: hard interrupt (or its forced thread on PREEMPT_RT).
 */
void edu_net_irq(struct edu_dev *edu)
{
	struct net_device *ndev = READ_ONCE(edu->ndev);

	if (ndev)
		napi_schedule(&((struct edu_net *)netdev_priv(ndev))->napi);
}

/* Carrier: up and linked to an interface that is up (or to itself). */
static void edu_net_update_carrier(struct edu_net *net)
{
	struct edu_net *peer = rcu_dereference_protected(net->peer,
							 lockdep_is_held(&edu_net_link_lock));

	if (netif_running(net->ndev) && peer && netif_running(peer->ndev))
		netif_carrier_on(net->ndev);
	else
		netif_carrier_off(net->ndev);
}

static void edu_net_update_carriers(struct edu_net *net)
{
	struct edu_net *peer = rcu_dereference_protected(net->peer,
							 lockdep_is_held(&edu_net_link_lock));

	edu_net_update_carrier(net);
	if (peer && peer != net)
		edu_net_update_carrier(peer);
}

/* An interface that is up keeps its device resumed: doorbells reach it. */
static int edu_net_open(struct net_device *ndev)
{
	struct edu_net *net = netdev_priv(ndev);
	int ret;

	/* Resumed first, not under state_lock: a suspend may be taking it. */
	ret = edu_pm_get(net->edu);
	if (ret)
		return ret;
	netdev_reset_queue(ndev);
	scoped_guard(mutex, &net->state_lock) {
		napi_enable(&net->napi);
		net->opened = true;
		netif_start_queue(ndev);
	}
	guard(mutex)(&edu_net_link_lock);
	edu_net_update_carriers(net);
	return 0;
}

static int edu_net_stop(struct net_device *ndev)
{
	struct edu_net *net = netdev_priv(ndev);

	scoped_guard(mutex, &edu_net_link_lock) {
		netif_carrier_off(ndev);
		edu_net_update_carriers(net);
	}
	scoped_guard(mutex, &net->state_lock) {
		netif_stop_queue(ndev);
		hrtimer_cancel(&net->coalesce);
		/* A kernel close during system sleep: suspend disabled it. */
		if (!net->asleep)
			napi_disable(&net->napi);
		net->opened = false;
	}
	skb_queue_purge(&net->txq);
	skb_queue_purge(&net->rxq);
	edu_pm_put(net->edu);
	return 0;
}

/*
 * debugfs net_hold_suspend: widen the window between the PM core starting
 * a suspend and the callback reading the interface's state, so a test can
 * run "ip link set up" into it. Bounded: a knob left set cannot wedge PM.
 */
static void edu_net_hold_suspend(struct edu_net *net)
{
	unsigned long end = jiffies + msecs_to_jiffies(EDU_NET_HOLD_MAX_MS);

	while (READ_ONCE(net->hold_suspend) && time_before(jiffies, end))
		msleep(20);
}

/* Open or close the doorbells' fence (see @fenced). */
static void edu_net_fence(struct edu_net *net, bool on)
{
	netif_tx_lock_bh(net->ndev);
	WRITE_ONCE(net->fenced, on);
	netif_tx_unlock_bh(net->ndev);
}

/**
 * edu_net_suspend() - system sleep: stop a running interface
 * @edu: the device
 *
 * Frames stay on the rings; a peer may still queue some on ours (its
 * doorbell then finds NAPI disabled): edu_net_resume() polls once.
 * An interface that is down has nothing to stop. Runtime suspend only
 * happens while it is down, but "up" may be on its way: the core marks
 * the interface running before ndo_open, which waits for this suspend
 * under RTNL. So what counts is @opened, under @state_lock.
 *
 * netif_device_detach() stops the queue but waits for nobody, and NAPI
 * or a peer may ring a doorbell meanwhile: the fence (@fenced) closes
 * every doorbell path first, whether the interface is up or not.
 *
 * Context: process (PM callbacks, serialised by the PM core).
 */
void edu_net_suspend(struct edu_dev *edu)
{
	struct net_device *ndev = edu->ndev;
	struct edu_net *net;

	if (!ndev)
		return;
	net = netdev_priv(ndev);
	edu_net_hold_suspend(net);
	guard(mutex)(&net->state_lock);
	edu_net_fence(net, true);
	if (net->opened) {
		netif_device_detach(ndev);
		hrtimer_cancel(&net->coalesce);
		napi_disable(&net->napi);
		net->asleep = true;
	}
	/* A peer's TX completion that saw no fence is done after this. */
	synchronize_net();
	WRITE_ONCE(net->suspended, true);
}

/* Context: process (PM callbacks). */
void edu_net_resume(struct edu_dev *edu)
{
	struct net_device *ndev = edu->ndev;
	struct edu_net *net;

	if (!ndev)
		return;
	net = netdev_priv(ndev);
	guard(mutex)(&net->state_lock);
	WRITE_ONCE(net->suspended, false);
	edu_net_fence(net, false);
	if (!net->asleep)
		return;
	net->asleep = false;
	if (!net->opened) {
		/* Closed meanwhile: NAPI stays disabled until ndo_open. */
		netif_device_attach(ndev);
		return;
	}
	napi_enable(&net->napi);
	netif_device_attach(ndev);
	local_bh_disable();
	napi_schedule(&net->napi);
	local_bh_enable();
}

/* Each u64_stats_sync has one writer: a drop is counted where it happens. */
static void edu_net_get_stats64(struct net_device *ndev, struct rtnl_link_stats64 *s)
{
	struct edu_net *net = netdev_priv(ndev);
	u64 cable_dropped;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&net->tx_syncp);
		s->tx_packets = u64_stats_read(&net->tx_packets);
		s->tx_bytes = u64_stats_read(&net->tx_bytes);
		s->tx_dropped = u64_stats_read(&net->tx_dropped);
	} while (u64_stats_fetch_retry(&net->tx_syncp, start));

	do {
		start = u64_stats_fetch_begin(&net->rx_syncp);
		s->rx_packets = u64_stats_read(&net->rx_packets);
		s->rx_bytes = u64_stats_read(&net->rx_bytes);
		s->rx_dropped = u64_stats_read(&net->rx_dropped);
		cable_dropped = u64_stats_read(&net->cable_dropped);
	} while (u64_stats_fetch_retry(&net->rx_syncp, start));
	s->tx_dropped += cable_dropped;
}

static const struct net_device_ops edu_net_ops = {
	.ndo_open = edu_net_open,
	.ndo_stop = edu_net_stop,
	.ndo_start_xmit = edu_net_xmit,
	.ndo_get_stats64 = edu_net_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
	.ndo_bpf = edu_xdp_bpf,
	.ndo_xdp_xmit = edu_xdp_xmit,
};

struct edu_xdp *edu_net_xdp(struct net_device *ndev)
{
	return &((struct edu_net *)netdev_priv(ndev))->xdp;
}

/* ethtool */

static void edu_net_get_drvinfo(struct net_device *ndev, struct ethtool_drvinfo *info)
{
	struct edu_net *net = netdev_priv(ndev);

	strscpy(info->driver, EDU_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, EDU_VERSION, sizeof(info->version));
	strscpy(info->bus_info, pci_name(net->edu->pdev), sizeof(info->bus_info));
}

static const char edu_net_stat_names[][ETH_GSTRING_LEN] = {
	"rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
	"rx_dropped", "tx_dropped", "doorbells", "napi_polls",
};

static const char edu_net_test_names[][ETH_GSTRING_LEN] = {
	"liveness", "factorial", "dma", "interrupt",
};

static int edu_net_get_sset_count(struct net_device *ndev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return ARRAY_SIZE(edu_net_stat_names) + EDU_XDP_NSTATS;
	case ETH_SS_TEST:
		return ARRAY_SIZE(edu_net_test_names);
	default:
		return -EOPNOTSUPP;
	}
}

static void edu_net_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS) {
		memcpy(data, edu_net_stat_names, sizeof(edu_net_stat_names));
		memcpy(data + sizeof(edu_net_stat_names), edu_xdp_stat_names,
		       sizeof(edu_xdp_stat_names));
	} else if (sset == ETH_SS_TEST) {
		memcpy(data, edu_net_test_names, sizeof(edu_net_test_names));
	}
}

static void edu_net_get_ethtool_stats(struct net_device *ndev, struct ethtool_stats *stats,
				      u64 *data)
{
	struct edu_net *net = netdev_priv(ndev);
	struct rtnl_link_stats64 s;
	unsigned int start;

	edu_net_get_stats64(ndev, &s);
	data[0] = s.rx_packets;
	data[1] = s.rx_bytes;
	data[2] = s.tx_packets;
	data[3] = s.tx_bytes;
	data[4] = s.rx_dropped;
	data[5] = s.tx_dropped;
	data[6] = atomic64_read(&net->doorbells);
	do {
		start = u64_stats_fetch_begin(&net->rx_syncp);
		data[7] = u64_stats_read(&net->napi_polls);
	} while (u64_stats_fetch_retry(&net->rx_syncp, start));
	edu_xdp_read_stats(&net->xdp, data + ARRAY_SIZE(edu_net_stat_names));
}

static void edu_net_get_ringparam(struct net_device *ndev, struct ethtool_ringparam *ring,
				  struct kernel_ethtool_ringparam *kring,
				  struct netlink_ext_ack *extack)
{
	struct edu_net *net = netdev_priv(ndev);

	ring->rx_max_pending = EDU_NET_RING_MAX;
	ring->tx_max_pending = EDU_NET_RING_MAX;
	ring->rx_pending = net->rx_ring;
	ring->tx_pending = net->tx_ring;
}

static int edu_net_set_ringparam(struct net_device *ndev, struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct edu_net *net = netdev_priv(ndev);

	if (ring->rx_pending < EDU_NET_RING_MIN || ring->tx_pending < EDU_NET_RING_MIN) {
		NL_SET_ERR_MSG(extack, "rings hold at least 16 frames");
		return -EINVAL;
	}
	/* The rings are lists: a new size applies to the next frame. */
	WRITE_ONCE(net->rx_ring, ring->rx_pending);
	WRITE_ONCE(net->tx_ring, ring->tx_pending);
	return 0;
}

static int edu_net_get_coalesce(struct net_device *ndev, struct ethtool_coalesce *ec,
				struct kernel_ethtool_coalesce *kec,
				struct netlink_ext_ack *extack)
{
	struct edu_net *net = netdev_priv(ndev);

	ec->tx_coalesce_usecs = net->tx_usecs;
	ec->tx_max_coalesced_frames = net->tx_frames;
	return 0;
}

static int edu_net_set_coalesce(struct net_device *ndev, struct ethtool_coalesce *ec,
				struct kernel_ethtool_coalesce *kec,
				struct netlink_ext_ack *extack)
{
	struct edu_net *net = netdev_priv(ndev);

	if (ec->tx_coalesce_usecs > EDU_NET_USECS_MAX) {
		NL_SET_ERR_MSG(extack, "tx-usecs is at most 1000");
		return -EINVAL;
	}
	if (!ec->tx_max_coalesced_frames || ec->tx_max_coalesced_frames > EDU_NET_FRAMES_MAX) {
		NL_SET_ERR_MSG(extack, "tx-frames is 1..256");
		return -EINVAL;
	}
	/* Changed under the TX lock: the xmit path reads both. */
	netif_tx_lock_bh(ndev);
	net->tx_usecs = ec->tx_coalesce_usecs;
	net->tx_frames = ec->tx_max_coalesced_frames;
	netif_tx_unlock_bh(ndev);
	return 0;
}

static u32 edu_net_get_msglevel(struct net_device *ndev)
{
	return ((struct edu_net *)netdev_priv(ndev))->msg_enable;
}

static void edu_net_set_msglevel(struct net_device *ndev, u32 level)
{
	((struct edu_net *)netdev_priv(ndev))->msg_enable = level;
}

/* ethtool -t: the hardware checks; each result is 0 or a positive errno. */
static void edu_net_self_test(struct net_device *ndev, struct ethtool_test *test, u64 *data)
{
	struct edu_net *net = netdev_priv(ndev);
	int i;

	edu_hw_self_test(net->edu, data);
	for (i = 0; i < ARRAY_SIZE(edu_net_test_names); i++) {
		if (data[i]) {
			test->flags |= ETH_TEST_FL_FAILED;
			netif_info(net, hw, ndev, "self-test %s failed: %llu\n",
				   edu_net_test_names[i], data[i]);
		}
	}
}

static const struct ethtool_ops edu_net_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_TX_USECS | ETHTOOL_COALESCE_TX_MAX_FRAMES,
	.get_drvinfo = edu_net_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = edu_net_get_sset_count,
	.get_strings = edu_net_get_strings,
	.get_ethtool_stats = edu_net_get_ethtool_stats,
	.get_ringparam = edu_net_get_ringparam,
	.set_ringparam = edu_net_set_ringparam,
	.get_coalesce = edu_net_get_coalesce,
	.set_coalesce = edu_net_set_coalesce,
	.get_msglevel = edu_net_get_msglevel,
	.set_msglevel = edu_net_set_msglevel,
	.self_test = edu_net_self_test,
};

/* Linking */

static void edu_net_set_peer(struct edu_net *net, struct edu_net *peer)
{
	rcu_assign_pointer(net->peer, peer);
}

/* Unlink @net and whatever it is linked to. */
static void edu_net_unlink_locked(struct edu_net *net)
{
	struct edu_net *peer = rcu_dereference_protected(net->peer,
							 lockdep_is_held(&edu_net_link_lock));

	if (!peer)
		return;
	edu_net_set_peer(net, NULL);
	edu_net_update_carrier(net);
	if (peer != net) {
		edu_net_set_peer(peer, NULL);
		edu_net_update_carrier(peer);
	}
}

/**
 * edu_net_link() - connect two devices' interfaces, or one to itself
 * @edu: the device
 * @peer: the other device, @edu itself for loopback, NULL to unlink
 *
 * Either end's previous link is undone first.
 *
 * Return: 0, or -ENODEV when a device has no interface.
 */
int edu_net_link(struct edu_dev *edu, struct edu_dev *peer)
{
	struct edu_net *a, *b;

	guard(mutex)(&edu_net_link_lock);
	if (!edu->ndev || (peer && !peer->ndev))
		return -ENODEV;

	a = netdev_priv(edu->ndev);
	edu_net_unlink_locked(a);
	if (!peer)
		return 0;
	b = netdev_priv(peer->ndev);
	edu_net_unlink_locked(b);
	edu_net_set_peer(a, b);
	edu_net_set_peer(b, a);
	edu_net_update_carriers(a);
	return 0;
}

/* Return: the linked device's index, -1 for none (self: @edu's own). */
int edu_net_peer_index(struct edu_dev *edu)
{
	struct edu_net *peer;

	guard(mutex)(&edu_net_link_lock);
	if (!edu->ndev)
		return -1;
	peer = rcu_dereference_protected(((struct edu_net *)netdev_priv(edu->ndev))->peer,
					 lockdep_is_held(&edu_net_link_lock));
	return peer ? peer->edu->index : -1;
}

static void edu_net_destroy(void *data)
{
	struct edu_dev *edu = data;
	struct net_device *ndev = edu->ndev;

	/* Unlinked and unreachable for new links (edu_net_link() checks). */
	scoped_guard(mutex, &edu_net_link_lock) {
		edu_net_unlink_locked(netdev_priv(ndev));
		WRITE_ONCE(edu->ndev, NULL);
	}
	/* No NAPI of a former peer reaches us after this. */
	synchronize_net();

	unregister_netdev(ndev);
	edu_xdp_exit(&((struct edu_net *)netdev_priv(ndev))->xdp);
	netif_napi_del(&((struct edu_net *)netdev_priv(ndev))->napi);
	free_netdev(ndev);
}

static int edu_net_hold_rx_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct edu_net *)data)->hold_rx);
	return 0;
}

/* Released: NAPI delivers what was held. */
static int edu_net_hold_rx_set(void *data, u64 val)
{
	struct edu_net *net = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(net->hold_rx, val);
	if (!val) {
		local_bh_disable();
		napi_schedule(&net->napi);
		local_bh_enable();
	}
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edu_net_hold_rx_fops, edu_net_hold_rx_get, edu_net_hold_rx_set,
			 "%llu\n");

/**
 * edu_net_debugfs_add() - the interface's fault-injection knobs
 * @edu: the device, with its interface
 * @dir: the device's debugfs directory
 *
 * Removed with @dir before the interface goes (edu_debugfs_remove()).
 */
void edu_net_debugfs_add(struct edu_dev *edu, struct dentry *dir)
{
	struct edu_net *net = netdev_priv(edu->ndev);

	debugfs_create_bool("net_hold_suspend", 0600, dir, &net->hold_suspend);
	debugfs_create_file_unsafe("net_hold_rx", 0600, dir, net, &edu_net_hold_rx_fops);
}

/* Remove: take the interface down before the hardware goes away. */
void edu_net_remove(struct edu_dev *edu)
{
	devm_release_action(&edu->pdev->dev, edu_net_destroy, edu);
}

/* A locally administered address from the PCI address: 02:ed:DD:BB:SS:FF. */
static void edu_net_set_mac(struct net_device *ndev, struct pci_dev *pdev)
{
	u8 addr[ETH_ALEN] = {
		0x02, 0xed, pci_domain_nr(pdev->bus) & 0xff, pdev->bus->number,
		PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn),
	};

	eth_hw_addr_set(ndev, addr);
}

/**
 * edu_net_create() - register the device's interface (managed)
 * @edu: the device, with interrupts set up
 *
 * Return: 0 or -errno.
 */
int edu_net_create(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	struct net_device *ndev;
	struct edu_net *net;
	int ret;

	ndev = edu_fault_alloc() ? NULL :
	       alloc_netdev(sizeof(*net), "edu%d", NET_NAME_ENUM, ether_setup);
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, dev);
	ndev->netdev_ops = &edu_net_ops;
	ndev->ethtool_ops = &edu_net_ethtool_ops;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = EDU_NET_MTU_MAX;
	edu_net_set_mac(ndev, edu->pdev);

	net = netdev_priv(ndev);
	net->ndev = ndev;
	net->edu = edu;
	net->tx_ring = EDU_NET_RING_DEFAULT;
	net->rx_ring = EDU_NET_RING_DEFAULT;
	net->tx_frames = 1;
	net->msg_enable = netif_msg_init(-1, NETIF_MSG_DRV | NETIF_MSG_PROBE | NETIF_MSG_LINK);
	mutex_init(&net->state_lock);
	skb_queue_head_init(&net->txq);
	skb_queue_head_init(&net->rxq);
	u64_stats_init(&net->tx_syncp);
	u64_stats_init(&net->rx_syncp);
	hrtimer_init(&net->coalesce, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	net->coalesce.function = edu_net_coalesce_fire;
	netif_napi_add(ndev, &net->napi, edu_net_poll);
	netif_carrier_off(ndev);
	ret = edu_xdp_init(ndev, &net->xdp);
	if (ret) {
		netif_napi_del(&net->napi);
		free_netdev(ndev);
		return ret;
	}

	edu->ndev = ndev;
	ret = register_netdev(ndev);
	if (ret) {
		edu->ndev = NULL;
		edu_xdp_exit(&net->xdp);
		netif_napi_del(&net->napi);
		free_netdev(ndev);
		return dev_err_probe(dev, ret, "cannot register the network interface\n");
	}
	return devm_add_action_or_reset(dev, edu_net_destroy, edu);
}
