// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - native XDP on the edu interfaces.
 *
 * Memory model. Frames reach an interface's RX ring as the skbs its peer
 * transmitted (see netdev.c): they belong to the sender's stack, may be
 * cloned, non-linear or short of headroom, so a program cannot be run on
 * them in place. With a program attached, NAPI copies each frame into a
 * page of its own (MEM_TYPE_PAGE_SHARED), at XDP_PACKET_HEADROOM, with the
 * tail of the page left for skb_shared_info. The program then owns a
 * buffer it may grow, shrink or rewrite; XDP_PASS and XDP_TX wrap the page
 * in an skb without a second copy; XDP_REDIRECT hands it on as an
 * xdp_frame, which whoever transmits it returns with page_frag_free().
 * Without a program nothing changes and frames are not copied.
 *
 * A frame must therefore fit one page: attaching a program lowers the
 * interface's max_mtu to EDU_XDP_MTU_MAX (refused while the MTU is above),
 * and a longer frame from a peer with a larger MTU is dropped and counted.
 *
 * Frames redirected to an edu interface (ndo_xdp_xmit) are copied into
 * skbs and queued on its TX ring like the stack's frames, under the TX
 * queue's lock, which also serialises them with the stack's xmit.
 *
 * The program pointer is written under RTNL and read once per NAPI poll
 * under RCU; bpf_prog_put() frees a replaced program only after a grace
 * period, so a poll still running the old one is safe.
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/xdp.h>

#include "compat.h"
#include "edu.h"

/* ethtool -S names, in enum edu_xdp_stat order. */
const char edu_xdp_stat_names[EDU_XDP_NSTATS][ETH_GSTRING_LEN] = {
	[EDU_XDP_PASS] = "xdp_pass",
	[EDU_XDP_DROP] = "xdp_drop",
	[EDU_XDP_TX] = "xdp_tx",
	[EDU_XDP_REDIRECT] = "xdp_redirect",
	[EDU_XDP_ABORTED] = "xdp_aborted",
	[EDU_XDP_TX_ERRORS] = "xdp_tx_errors",
	[EDU_XDP_REDIRECT_ERRORS] = "xdp_redirect_errors",
	[EDU_XDP_RX_ERRORS] = "xdp_rx_errors",
	[EDU_XDP_XMIT] = "xdp_xmit",
	[EDU_XDP_XMIT_ERRORS] = "xdp_xmit_errors",
};

/* Counted by NAPI (@rx_syncp) or by ndo_xdp_xmit under the TX lock (@xmit_syncp). */
static void edu_xdp_count(struct u64_stats_sync *syncp, u64_stats_t *stat, unsigned int n)
{
	u64_stats_update_begin(syncp);
	u64_stats_add(stat, n);
	u64_stats_update_end(syncp);
}

static void edu_xdp_count_rx(struct edu_xdp *x, enum edu_xdp_stat stat)
{
	edu_xdp_count(&x->rx_syncp, &x->stats[stat], 1);
}

/**
 * edu_xdp_read_stats() - the counters, in edu_xdp_stat_names order
 * @x: the interface's XDP state
 * @data: EDU_XDP_NSTATS values
 */
void edu_xdp_read_stats(struct edu_xdp *x, u64 *data)
{
	unsigned int start;
	int i;

	do {
		start = u64_stats_fetch_begin(&x->rx_syncp);
		for (i = 0; i < EDU_XDP_XMIT; i++)
			data[i] = u64_stats_read(&x->stats[i]);
	} while (u64_stats_fetch_retry(&x->rx_syncp, start));
	do {
		start = u64_stats_fetch_begin(&x->xmit_syncp);
		for (i = EDU_XDP_XMIT; i < EDU_XDP_NSTATS; i++)
			data[i] = u64_stats_read(&x->stats[i]);
	} while (u64_stats_fetch_retry(&x->xmit_syncp, start));
}

/* A page holding a copy of @skb at XDP_PACKET_HEADROOM, or NULL. */
static struct page *edu_xdp_copy(struct sk_buff *skb)
{
	struct page *page;

	if (skb->len > EDU_XDP_FRAME_MAX)
		return NULL;
	page = dev_alloc_page();
	if (!page)
		return NULL;
	if (skb_copy_bits(skb, 0, page_address(page) + XDP_PACKET_HEADROOM, skb->len)) {
		put_page(page);
		return NULL;
	}
	return page;
}

/* The skb around @xdp's page, without copying; NULL when out of memory. */
static struct sk_buff *edu_xdp_build_skb(struct xdp_buff *xdp)
{
	unsigned int meta = xdp->data - xdp->data_meta;
	struct sk_buff *skb;

	skb = napi_build_skb(xdp->data_hard_start, xdp->frame_sz);
	if (!skb)
		return NULL;
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	if (meta)
		skb_metadata_set(skb, meta);
	return skb;
}

/* Queue @skb on @ndev's TX ring from any context with BHs off. */
static bool edu_xdp_queue_tx(struct net_device *ndev, struct sk_buff *skb)
{
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, 0);
	bool queued;

	__netif_tx_lock(txq, smp_processor_id());
	queued = edu_net_tx_queue(ndev, skb);
	__netif_tx_unlock(txq);
	return queued;
}

/* XDP_TX: back out of the interface it came in on; false if not sent. */
static bool edu_xdp_tx(struct net_device *ndev, struct xdp_buff *xdp)
{
	struct sk_buff *skb = edu_xdp_build_skb(xdp);

	if (!skb)
		return false;
	skb->dev = ndev;
	if (edu_xdp_queue_tx(ndev, skb))
		return true;
	/* The page went with the skb. */
	kfree_skb(skb);
	xdp->data_hard_start = NULL;
	return false;
}

/* Run @prog on @xdp; returns the skb to deliver for XDP_PASS, else NULL. */
static struct sk_buff *edu_xdp_act(struct net_device *ndev, struct edu_xdp *x,
				   struct bpf_prog *prog, struct xdp_buff *xdp, bool *redirected)
{
	struct sk_buff *skb;
	u32 act;

	act = bpf_prog_run_xdp(prog, xdp);
	switch (act) {
	case XDP_PASS:
		skb = edu_xdp_build_skb(xdp);
		if (skb) {
			edu_xdp_count_rx(x, EDU_XDP_PASS);
			return skb;
		}
		edu_xdp_count_rx(x, EDU_XDP_RX_ERRORS);
		break;
	case XDP_TX:
		if (edu_xdp_tx(ndev, xdp)) {
			edu_xdp_count_rx(x, EDU_XDP_TX);
			return NULL;
		}
		trace_xdp_exception(ndev, prog, act);
		edu_xdp_count_rx(x, EDU_XDP_TX_ERRORS);
		break;
	case XDP_REDIRECT:
		/* xdp_do_redirect() traces its own failures. */
		if (!xdp_do_redirect(ndev, xdp, prog)) {
			*redirected = true;
			edu_xdp_count_rx(x, EDU_XDP_REDIRECT);
			return NULL;
		}
		edu_xdp_count_rx(x, EDU_XDP_REDIRECT_ERRORS);
		break;
	default:
		bpf_warn_invalid_xdp_action(ndev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(ndev, prog, act);
		edu_xdp_count_rx(x, EDU_XDP_ABORTED);
		break;
	case XDP_DROP:
		edu_xdp_count_rx(x, EDU_XDP_DROP);
		break;
	}
	if (xdp->data_hard_start)
		put_page(virt_to_page(xdp->data_hard_start));
	return NULL;
}

/**
 * edu_xdp_rx() - run the attached program on a received frame
 * @ndev: the receiving interface
 * @x: its XDP state
 * @prog: its program, read once per poll
 * @skb: the frame, consumed
 * @redirected: set when a frame was redirected (xdp_do_flush() is due)
 *
 * Context: NAPI poll, under rcu_read_lock().
 * Return: the frame to hand to the stack (XDP_PASS), or NULL.
 */
struct sk_buff *edu_xdp_rx(struct net_device *ndev, struct edu_xdp *x, struct bpf_prog *prog,
			   struct sk_buff *skb, bool *redirected)
{
	struct xdp_buff xdp;
	struct page *page;
	unsigned int len = skb->len;

	page = edu_xdp_copy(skb);
	consume_skb(skb);
	if (!page) {
		edu_xdp_count_rx(x, EDU_XDP_RX_ERRORS);
		return NULL;
	}
	xdp_init_buff(&xdp, PAGE_SIZE, &x->rxq);
	xdp_prepare_buff(&xdp, page_address(page), XDP_PACKET_HEADROOM, len, true);
	return edu_xdp_act(ndev, x, prog, &xdp, redirected);
}

/* An skb holding a copy of @frame, or NULL when out of memory. */
static struct sk_buff *edu_xdp_frame_to_skb(struct net_device *ndev, struct xdp_frame *frame)
{
	struct sk_buff *skb = netdev_alloc_skb(ndev, frame->len);

	if (skb)
		skb_put_data(skb, frame->data, frame->len);
	return skb;
}

/**
 * edu_xdp_xmit() - ndo_xdp_xmit: send frames redirected to this interface
 * @ndev: the interface
 * @n: number of frames
 * @frames: the frames; the first ones sent are ours, the caller frees the rest
 * @flags: XDP_XMIT_FLUSH or 0
 *
 * Context: softirq (a redirecting NAPI poll's xdp_do_flush()).
 * Return: frames sent, or -errno.
 */
int edu_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames, u32 flags)
{
	struct edu_xdp *x = edu_net_xdp(ndev);
	struct netdev_queue *txq;
	struct sk_buff *skb;
	int sent = 0;

	if (flags & ~XDP_XMIT_FLAGS_MASK)
		return -EINVAL;
	/* dev_close() clears "running", then waits for RCU readers like us. */
	if (!netif_running(ndev) || !netif_carrier_ok(ndev))
		return -ENETDOWN;

	txq = netdev_get_tx_queue(ndev, 0);
	__netif_tx_lock(txq, smp_processor_id());
	/* Running and with carrier, but suspending: no doorbell (netdev.c). */
	if (edu_net_tx_fenced(ndev)) {
		__netif_tx_unlock(txq);
		return -ENETDOWN;
	}
	for (; sent < n; sent++) {
		if (!edu_net_tx_room(ndev))
			break;
		skb = edu_xdp_frame_to_skb(ndev, frames[sent]);
		if (!skb)
			break;
		/* Room was checked under the lock: this cannot fail. */
		edu_net_tx_queue(ndev, skb);
		xdp_return_frame(frames[sent]);
	}
	if (sent)
		edu_net_tx_kick(ndev);
	edu_xdp_count(&x->xmit_syncp, &x->stats[EDU_XDP_XMIT], sent);
	edu_xdp_count(&x->xmit_syncp, &x->stats[EDU_XDP_XMIT_ERRORS], n - sent);
	__netif_tx_unlock(txq);
	return sent;
}

static int edu_xdp_setup(struct net_device *ndev, struct edu_xdp *x, struct bpf_prog *prog,
			 struct netlink_ext_ack *extack)
{
	struct bpf_prog *old;

	ASSERT_RTNL();
	if (prog && ndev->mtu > EDU_XDP_MTU_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "MTU too large for XDP: a frame must fit one page");
		return -ERANGE;
	}
	old = rcu_replace_pointer(x->prog, prog, lockdep_rtnl_is_held());
	/* dev_set_mtu() now refuses what a program could not receive. */
	ndev->max_mtu = prog ? EDU_XDP_MTU_MAX : EDU_NET_MTU_MAX;
	if (old)
		bpf_prog_put(old);
	return 0;
}

/**
 * edu_xdp_bpf() - ndo_bpf: attach or detach a program
 * @ndev: the interface
 * @bpf: the command
 *
 * The core passes a reference to the new program and keeps none to the
 * old one: that one is ours to put.
 *
 * Context: process, RTNL held.
 * Return: 0 or -errno.
 */
int edu_xdp_bpf(struct net_device *ndev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return edu_xdp_setup(ndev, edu_net_xdp(ndev), bpf->prog, bpf->extack);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * edu_xdp_init() - set up an interface's XDP state before it is registered
 * @ndev: the interface
 * @x: its XDP state
 *
 * Return: 0 or -errno.
 */
int edu_xdp_init(struct net_device *ndev, struct edu_xdp *x)
{
	int ret;

	u64_stats_init(&x->rx_syncp);
	u64_stats_init(&x->xmit_syncp);
	ret = xdp_rxq_info_reg(&x->rxq, ndev, 0, 0);
	if (ret)
		return ret;
	ret = xdp_rxq_info_reg_mem_model(&x->rxq, MEM_TYPE_PAGE_SHARED, NULL);
	if (ret) {
		xdp_rxq_info_unreg(&x->rxq);
		return ret;
	}
	edu_compat_xdp_set_features(ndev);
	return 0;
}

/* Once the interface is unregistered (which detached the program). */
void edu_xdp_exit(struct edu_xdp *x)
{
	xdp_rxq_info_unreg(&x->rxq);
}
