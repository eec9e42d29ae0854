// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - the generic netlink family "edu" (include/uapi/linux/edu.h,
 * Documentation/netlink/specs/edu.yaml): strict per-operation policies,
 * doit and dumpit for devices, extack messages pointing at the offending
 * attribute, and notifications on the "events" multicast group.
 *
 * Operations reach devices through the same refcounted API as other
 * modules (edu_get() and friends), so a device removed meanwhile answers
 * -ENODEV instead of disappearing under the request.
 *
 * The family is parallel_ops: a request waiting for the device (a
 * factorial, a DMA round trip: seconds) must not hold genl_mutex, which
 * every other family without parallel_ops (nlctrl, that every client
 * resolves family ids through, among them) needs. Nothing here relied on
 * it: devices are found and pinned under edu_devices_lock, the engine
 * serialises what it must (fact_lock, the DMA queue), links change under
 * the netdev's link lock, and the DMA timeout is one WRITE_ONCE.
 *
 * Who may do what: reading (dev-get, stats-get) is open to everyone, as
 * sysfs is; every operation that drives the device or changes a setting
 * needs CAP_NET_ADMIN (EPERM otherwise), so /dev/eduN's group cannot be
 * bypassed through netlink.
 */
#include <linux/edu.h>
#include <linux/pm_runtime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "edu.h"

static struct genl_family edu_genl_family;

enum edu_nl_mcgrp {
	EDU_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group edu_nl_mcgrps[] = {
	[EDU_NL_MCGRP_EVENTS] = { .name = EDU_GENL_MCGRP_EVENTS },
};

/* Ranges wider than the s16 a plain policy holds (6.1 takes no const). */
static struct netlink_range_validation edu_nl_timeout_range = {
	.min = EDU_DMA_TIMEOUT_MIN_MS,
	.max = EDU_DMA_TIMEOUT_MAX_MS,
};

static struct netlink_range_validation edu_nl_fact_range = {
	.max = EDU_FACTORIAL_MAX,
};

#define EDU_NL_DEV_INDEX_POLICY	NLA_POLICY_MAX(NLA_U32, EDU_MAX_DEVICES - 1)

/* EDU_PEER_NONE is no device index: the peer range is indices + 1. */
static_assert(EDU_MAX_DEVICES <= EDU_PEER_NONE);

static const struct nla_policy edu_nl_dev_policy[EDU_A_DEV_INDEX + 1] = {
	[EDU_A_DEV_INDEX] = EDU_NL_DEV_INDEX_POLICY,
};

static const struct nla_policy edu_nl_dev_set_policy[EDU_A_DEV_PEER + 1] = {
	[EDU_A_DEV_INDEX] = EDU_NL_DEV_INDEX_POLICY,
	[EDU_A_DEV_DMA_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &edu_nl_timeout_range),
	[EDU_A_DEV_PEER] = NLA_POLICY_MAX(NLA_U32, EDU_PEER_NONE),
};

static const struct nla_policy edu_nl_factorial_policy[EDU_A_FACT_N + 1] = {
	[EDU_A_DEV_INDEX] = EDU_NL_DEV_INDEX_POLICY,
	[EDU_A_FACT_N] = NLA_POLICY_FULL_RANGE(NLA_U32, &edu_nl_fact_range),
};

static const struct nla_policy edu_nl_dma_test_policy[EDU_A_DMA_TEST_LEN + 1] = {
	[EDU_A_DEV_INDEX] = EDU_NL_DEV_INDEX_POLICY,
	[EDU_A_DMA_TEST_LEN] = NLA_POLICY_RANGE(NLA_U32, 1, EDU_DMA_BUF_SIZE),
};

/*
 * A required attribute: missing means -EINVAL, the attribute named in the
 * extack and @msg (a string literal, as NL_SET_ERR_MSG() wants) with it.
 */
#define edu_nl_require(info, attr, msg) ({				\
	struct genl_info *__edu_info = (info);			\
	int __ret = 0;							\
									\
	if (GENL_REQ_ATTR_CHECK(__edu_info, attr)) {		\
		NL_SET_ERR_MSG(__edu_info->extack, msg);		\
		__ret = -EINVAL;					\
	}								\
	__ret;								\
})

/* Return: the device EDU_A_DEV_INDEX names, with a reference, or ERR_PTR. */
static struct edu_dev *edu_nl_get_dev(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[EDU_A_DEV_INDEX];
	struct edu_dev *edu;
	int ret;

	ret = edu_nl_require(info, EDU_A_DEV_INDEX, "device index (dev-index) is required");
	if (ret)
		return ERR_PTR(ret);
	edu = edu_get(nla_get_u32(attr));
	if (!edu) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such edu device");
		return ERR_PTR(-ENODEV);
	}
	return edu;
}

/* A netlink request cannot be restarted transparently: report EINTR. */
static int edu_nl_errno(int ret)
{
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

static int edu_nl_put_id(struct sk_buff *skb, struct edu_dev *edu)
{
	if (nla_put_u32(skb, EDU_A_DEV_INDEX, edu->index) ||
	    nla_put_string(skb, EDU_A_DEV_NAME, dev_name(&edu->dev)) ||
	    nla_put_string(skb, EDU_A_DEV_PCI, pci_name(edu->pdev)))
		return -EMSGSIZE;
	return 0;
}

/* The peer as EDU_A_DEV_PEER encodes it. */
static u32 edu_nl_peer(struct edu_dev *edu)
{
	int index = edu_net_peer_index(edu);

	return index < 0 ? EDU_PEER_NONE : index;
}

/* Reading the state must not resume the device: no pm_runtime_get here. */
static u32 edu_nl_pm_state(struct edu_dev *edu)
{
	return pm_runtime_suspended(&edu->pdev->dev) ? EDU_PM_SUSPENDED : EDU_PM_ACTIVE;
}

static int edu_nl_fill_dev(struct sk_buff *skb, struct edu_dev *edu, u32 portid, u32 seq,
			   int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &edu_genl_family, flags, EDU_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (edu_nl_put_id(skb, edu) ||
	    nla_put_u32(skb, EDU_A_DEV_HW_ID, edu->hw_id) ||
	    nla_put_u32(skb, EDU_A_DEV_IRQ_MODE, edu->irq_mode) ||
	    nla_put_u32(skb, EDU_A_DEV_IRQ, edu->irq) ||
	    nla_put_u32(skb, EDU_A_DEV_DMA_BITS, edu->dma_bits) ||
	    nla_put_u32(skb, EDU_A_DEV_BUF_SIZE, edu_buf_size) ||
	    nla_put_u32(skb, EDU_A_DEV_DMA_TIMEOUT_MS, READ_ONCE(edu->dma.timeout_ms)) ||
	    nla_put_u32(skb, EDU_A_DEV_PM_STATE, edu_nl_pm_state(edu)) ||
	    nla_put_u32(skb, EDU_A_DEV_PEER, edu_nl_peer(edu))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int edu_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edu_dev *edu = edu_nl_get_dev(info);
	struct sk_buff *msg;
	int ret;

	if (IS_ERR(edu))
		return PTR_ERR(edu);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	ret = msg ? edu_nl_fill_dev(msg, edu, info->snd_portid, info->snd_seq, 0) : -ENOMEM;
	edu_put(edu);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the lowest index not dumped yet, so a dump resumes there. */
static int edu_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct edu_dev *edu;
	int ret = 0;

	mutex_lock(&edu_devices_lock);
	list_for_each_entry(edu, &edu_devices, node) {
		if (edu->index < cb->args[0])
			continue;
		ret = edu_nl_fill_dev(skb, edu, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				      NLM_F_MULTI);
		if (ret)
			break;
		cb->args[0] = edu->index + 1;
	}
	mutex_unlock(&edu_devices_lock);

	/*
	 * Full: send what fits and come back; nothing fits: an error. All
	 * dumped: 0, so NLMSG_DONE shares this datagram (no extra round trip).
	 */
	if (!ret)
		return 0;
	return skb->len ?: ret;
}

/* Link @edu's interface as EDU_A_DEV_PEER (@attr) says, as sysfs "peer" does. */
static int edu_nl_set_peer(struct genl_info *info, struct edu_dev *edu, struct nlattr *attr)
{
	u32 index = nla_get_u32(attr);
	struct edu_dev *peer = NULL;
	int ret;

	if (index != EDU_PEER_NONE) {
		/* @edu's own index gives @edu again: loopback. */
		peer = edu_get(index);
		if (!peer) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such edu device to link to");
			return -ENODEV;
		}
	}
	ret = edu_net_link(edu, peer);
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a device has no network interface (going away)");
	if (peer)
		edu_put(peer);
	return ret;
}

/*
 * All or nothing: the policy has checked every value, and the link, the
 * only step that can still fail, goes first; the timeout cannot fail after
 * the policy's range check (the same as edu_dma_set_timeout()'s).
 */
static int edu_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *timeout = info->attrs[EDU_A_DEV_DMA_TIMEOUT_MS];
	struct nlattr *peer = info->attrs[EDU_A_DEV_PEER];
	struct edu_dev *edu;
	int ret = 0;

	if (!timeout && !peer) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give dev-dma-timeout-ms or dev-peer");
		return -EINVAL;
	}
	edu = edu_nl_get_dev(info);
	if (IS_ERR(edu))
		return PTR_ERR(edu);
	if (peer)
		ret = edu_nl_set_peer(info, edu, peer);
	if (!ret && timeout)
		ret = edu_dma_set_timeout(edu, nla_get_u32(timeout));
	edu_put(edu);
	return ret;
}

static int edu_nl_put_stats(struct sk_buff *skb, struct edu_dev *edu)
{
	struct edu_stats *st __free(kfree) = kzalloc(sizeof(*st), GFP_KERNEL);
	const struct { int attr; u64 val; } *c, counters[] = {
		{ EDU_A_STAT_IRQS, 0 }, { EDU_A_STAT_IRQS_SPURIOUS, 0 },
		{ EDU_A_STAT_FACTORIALS, 0 }, { EDU_A_STAT_TIMEOUTS, 0 },
		{ EDU_A_STAT_DMA_BYTES_TO_DEV, 0 }, { EDU_A_STAT_DMA_BYTES_FROM_DEV, 0 },
		{ EDU_A_STAT_DMA_XFERS_TO_DEV, 0 }, { EDU_A_STAT_DMA_XFERS_FROM_DEV, 0 },
		{ EDU_A_STAT_DMA_ERRORS, 0 }, { EDU_A_STAT_DMA_TIMEOUTS, 0 },
		{ EDU_A_STAT_DMA_QUEUE_HWM, 0 },
	};
	struct nlattr *nest;
	u64 vals[ARRAY_SIZE(counters)];
	unsigned int i;

	if (!st)
		return -ENOMEM;
	edu_stats_read(edu, st);
	vals[0] = st->irqs;
	vals[1] = st->irqs_spurious;
	vals[2] = st->factorials;
	vals[3] = st->timeouts;
	vals[4] = st->dma_bytes_to_dev;
	vals[5] = st->dma_bytes_from_dev;
	vals[6] = st->dma_xfers_to_dev;
	vals[7] = st->dma_xfers_from_dev;
	vals[8] = st->dma_errors;
	vals[9] = st->dma_timeouts;
	vals[10] = st->dma_queue_hwm;

	nest = nla_nest_start(skb, EDU_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0, c = counters; i < ARRAY_SIZE(counters); i++, c++) {
		if (nla_put_u64_64bit(skb, c->attr, vals[i], EDU_A_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Reply to @info with the device's index and what @put adds. */
static int edu_nl_reply(struct genl_info *info, struct edu_dev *edu, u8 cmd,
			int (*put)(struct sk_buff *skb, struct edu_dev *edu, u32 val), u32 val)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &edu_genl_family, 0, cmd);
	ret = hdr ? nla_put_u32(msg, EDU_A_DEV_INDEX, edu->index) : -EMSGSIZE;
	if (!ret)
		ret = put(msg, edu, val);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int edu_nl_put_stats_val(struct sk_buff *skb, struct edu_dev *edu, u32 unused)
{
	return edu_nl_put_stats(skb, edu);
}

static int edu_nl_put_fact(struct sk_buff *skb, struct edu_dev *edu, u32 result)
{
	return nla_put_u32(skb, EDU_A_FACT_RESULT, result);
}

static int edu_nl_put_dma_len(struct sk_buff *skb, struct edu_dev *edu, u32 len)
{
	return nla_put_u32(skb, EDU_A_DMA_TEST_LEN, len);
}

static int edu_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edu_dev *edu = edu_nl_get_dev(info);
	int ret;

	if (IS_ERR(edu))
		return PTR_ERR(edu);
	ret = edu_nl_reply(info, edu, EDU_CMD_STATS_GET, edu_nl_put_stats_val, 0);
	edu_put(edu);
	return ret;
}

static int edu_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edu_dev *edu = edu_nl_get_dev(info);

	if (IS_ERR(edu))
		return PTR_ERR(edu);
	edu_stats_reset(edu);
	edu_put(edu);
	return 0;
}

static int edu_nl_factorial_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edu_dev *edu;
	u32 result;
	int ret;

	ret = edu_nl_require(info, EDU_A_FACT_N, "fact-n is required");
	if (ret)
		return ret;
	edu = edu_nl_get_dev(info);
	if (IS_ERR(edu))
		return PTR_ERR(edu);
	ret = edu_compute_factorial(edu, nla_get_u32(info->attrs[EDU_A_FACT_N]), &result);
	if (!ret)
		ret = edu_nl_reply(info, edu, EDU_CMD_FACTORIAL, edu_nl_put_fact, result);
	edu_put(edu);
	return edu_nl_errno(ret);
}

/* Write random bytes to the device buffer by DMA, read them back, compare. */
static int edu_nl_dma_round_trip(struct edu_dev *edu, u32 len, struct netlink_ext_ack *extack)
{
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
	if (ret)
		NL_SET_ERR_MSG(extack, "DMA transfer failed");
	else if (memcmp(in, out, len))
		ret = -EIO;
	if (ret == -EIO)
		NL_SET_ERR_MSG(extack, "data read back by DMA differs from what was written");
	kfree(out);
	return ret;
}

static int edu_nl_dma_test_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[EDU_A_DMA_TEST_LEN];
	u32 len = attr ? nla_get_u32(attr) : edu_buf_size;
	struct edu_dev *edu;
	int ret;

	if (len > edu_buf_size) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "longer than the usable device buffer (module parameter buf_size)");
		return -EINVAL;
	}
	edu = edu_nl_get_dev(info);
	if (IS_ERR(edu))
		return PTR_ERR(edu);
	ret = edu_nl_dma_round_trip(edu, len, info->extack);
	if (!ret)
		ret = edu_nl_reply(info, edu, EDU_CMD_DMA_TEST, edu_nl_put_dma_len, len);
	edu_put(edu);
	return edu_nl_errno(ret);
}

static const struct genl_ops edu_nl_ops[] = {
	{
		.cmd = EDU_CMD_DEV_GET,
		.doit = edu_nl_dev_get_doit,
		.dumpit = edu_nl_dev_get_dumpit,
		.policy = edu_nl_dev_policy,
		.maxattr = ARRAY_SIZE(edu_nl_dev_policy) - 1,
	},
	{
		.cmd = EDU_CMD_DEV_SET,
		.doit = edu_nl_dev_set_doit,
		.policy = edu_nl_dev_set_policy,
		.maxattr = ARRAY_SIZE(edu_nl_dev_set_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EDU_CMD_STATS_GET,
		.doit = edu_nl_stats_get_doit,
		.policy = edu_nl_dev_policy,
		.maxattr = ARRAY_SIZE(edu_nl_dev_policy) - 1,
	},
	{
		.cmd = EDU_CMD_STATS_RESET,
		.doit = edu_nl_stats_reset_doit,
		.policy = edu_nl_dev_policy,
		.maxattr = ARRAY_SIZE(edu_nl_dev_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EDU_CMD_FACTORIAL,
		.doit = edu_nl_factorial_doit,
		.policy = edu_nl_factorial_policy,
		.maxattr = ARRAY_SIZE(edu_nl_factorial_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EDU_CMD_DMA_TEST,
		.doit = edu_nl_dma_test_doit,
		.policy = edu_nl_dma_test_policy,
		.maxattr = ARRAY_SIZE(edu_nl_dma_test_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family edu_genl_family __ro_after_init = {
	.name = EDU_GENL_NAME,
	.version = EDU_GENL_VERSION,
	.module = THIS_MODULE,
	.parallel_ops = true,
	.ops = edu_nl_ops,
	.n_ops = ARRAY_SIZE(edu_nl_ops),
	.mcgrps = edu_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(edu_nl_mcgrps),
};

/**
 * edu_nl_notify() - multicast an event about @edu to the "events" group
 * @edu: the device
 * @cmd: EDU_CMD_*_NTF
 * @attr: an extra u32/s32 attribute, or 0
 * @val: its value
 *
 * Context: process.
 */
void edu_nl_notify(struct edu_dev *edu, u8 cmd, int attr, u32 val)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&edu_genl_family, &init_net, EDU_NL_MCGRP_EVENTS))
		return;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &edu_genl_family, 0, cmd);
	if (!hdr || edu_nl_put_id(msg, edu) || (attr && nla_put_u32(msg, attr, val))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&edu_genl_family, msg, 0, EDU_NL_MCGRP_EVENTS, GFP_KERNEL);
}

int edu_nl_init(void)
{
	return genl_register_family(&edu_genl_family);
}

void edu_nl_exit(void)
{
	genl_unregister_family(&edu_genl_family);
}
