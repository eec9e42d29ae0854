// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - eductl's generic netlink client for the "edu" family of
 * <linux/edu.h>, on libnl-genl-3 the way iw uses it: one socket, extended
 * ACKs on, every request waited for until its ACK or NLMSG_DONE, kernel
 * errors reported with the message the kernel attached. See netlink.h.
 */
#include <stdio.h>

#include "netlink.h"

#define PROG			"eductl"
#define report_error(fmt, ...) \
	fprintf(stderr, PROG ": Error: " fmt "\n", ##__VA_ARGS__)

#ifdef EDUCTL_NO_NETLINK

/* eductl32: the ioctl commands only (no 32-bit libnl to link with). */
struct ednl *ednl_open(void)
{
	report_error("this " PROG " was built without generic netlink (EDUCTL_NO_NETLINK)");
	return NULL;
}

void ednl_close(struct ednl *nl)
{
	(void)nl;
}

int ednl_request(struct ednl *nl, const struct ednl_request *req, ednl_handler handler,
		 void *arg)
{
	(void)nl;
	(void)req;
	(void)handler;
	(void)arg;
	return -1;
}

int ednl_monitor(struct ednl *nl, ednl_handler handler, void *arg)
{
	(void)nl;
	(void)handler;
	(void)arg;
	return -1;
}

#else /* !EDUCTL_NO_NETLINK */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct ednl {
	struct nl_sock *sk;
	int family;
};

/* The types the header gives; what is not listed here is not decoded. */
static const struct nla_policy attr_policy[EDU_A_MAX + 1] = {
	[EDU_A_DEV_INDEX]		= { .type = NLA_U32 },
	[EDU_A_DEV_NAME]		= { .type = NLA_STRING },
	[EDU_A_DEV_PCI]			= { .type = NLA_STRING },
	[EDU_A_DEV_HW_ID]		= { .type = NLA_U32 },
	[EDU_A_DEV_IRQ_MODE]		= { .type = NLA_U32 },
	[EDU_A_DEV_IRQ]			= { .type = NLA_U32 },
	[EDU_A_DEV_DMA_BITS]		= { .type = NLA_U32 },
	[EDU_A_DEV_BUF_SIZE]		= { .type = NLA_U32 },
	[EDU_A_DEV_DMA_TIMEOUT_MS]	= { .type = NLA_U32 },
	[EDU_A_DEV_PM_STATE]		= { .type = NLA_U32 },
	[EDU_A_STATS]			= { .type = NLA_NESTED },
	[EDU_A_FACT_N]			= { .type = NLA_U32 },
	[EDU_A_FACT_RESULT]		= { .type = NLA_U32 },
	[EDU_A_DMA_TEST_LEN]		= { .type = NLA_U32 },
	[EDU_A_DMA_ERROR]		= { .type = NLA_U32 },	/* s32: the same size */
	[EDU_A_DEV_PEER]		= { .type = NLA_U32 },
};

static const struct nla_policy stat_policy[EDU_A_STAT_MAX + 1] = {
	[EDU_A_STAT_IRQS ... EDU_A_STAT_MAX] = { .type = NLA_U64 },
};

/* For error messages: attribute names as in the YNL spec, edu.yaml. */
static const char *const attr_names[EDU_A_MAX + 1] = {
	[EDU_A_UNSPEC]			= "unspec",
	[EDU_A_PAD]			= "pad",
	[EDU_A_DEV_INDEX]		= "dev-index",
	[EDU_A_DEV_NAME]		= "dev-name",
	[EDU_A_DEV_PCI]			= "dev-pci",
	[EDU_A_DEV_HW_ID]		= "dev-hw-id",
	[EDU_A_DEV_IRQ_MODE]		= "dev-irq-mode",
	[EDU_A_DEV_IRQ]			= "dev-irq",
	[EDU_A_DEV_DMA_BITS]		= "dev-dma-bits",
	[EDU_A_DEV_BUF_SIZE]		= "dev-buf-size",
	[EDU_A_DEV_DMA_TIMEOUT_MS]	= "dev-dma-timeout-ms",
	[EDU_A_DEV_PM_STATE]		= "dev-pm-state",
	[EDU_A_STATS]			= "stats",
	[EDU_A_FACT_N]			= "fact-n",
	[EDU_A_FACT_RESULT]		= "fact-result",
	[EDU_A_DMA_TEST_LEN]		= "dma-test-len",
	[EDU_A_DMA_ERROR]		= "dma-error",
	[EDU_A_DEV_PEER]		= "dev-peer",
};

struct ednl *ednl_open(void)
{
	struct ednl *nl;
	int one = 1, err;

	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->sk = nl_socket_alloc();
	if (!nl || !nl->sk) {
		report_error("out of memory");
		free(nl);
		return NULL;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		report_error("cannot open a generic netlink socket: %s", nl_geterror(err));
		goto fail;
	}
	/* Before Linux 4.12 this fails: errors then come without a message. */
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
			 sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, EDU_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		report_error("generic netlink family \"" EDU_GENL_NAME
			     "\" not found: is the module loaded? try: modprobe edu");
		goto fail;
	}
	if (nl->family < 0) {
		report_error("resolving generic netlink family \"" EDU_GENL_NAME "\" failed: %s",
			     nl_geterror(nl->family));
		goto fail;
	}
	return nl;
fail:
	nl_socket_free(nl->sk);
	free(nl);
	return NULL;
}

void ednl_close(struct ednl *nl)
{
	if (nl) {
		nl_socket_free(nl->sk);
		free(nl);
	}
}

/* A message of the family into *@m: 0, or a negative libnl error. */
static int decode(struct nlmsghdr *nlh, struct ednl_msg *m)
{
	struct nlattr *tb[EDU_A_MAX + 1], *stb[EDU_A_STAT_MAX + 1];
	int err, i;

	memset(m, 0, sizeof(*m));
	err = genlmsg_parse(nlh, 0, tb, EDU_A_MAX, attr_policy);
	if (err < 0)
		return err;
	m->cmd = genlmsg_hdr(nlh)->cmd;
	for (i = 0; i <= EDU_A_MAX; i++) {
		if (!tb[i])
			continue;
		switch (attr_policy[i].type) {
		case NLA_U32:
			m->u32[i] = nla_get_u32(tb[i]);
			break;
		case NLA_STRING:
			m->str[i] = nla_get_string(tb[i]);
			break;
		case NLA_NESTED:
			break;
		default:
			continue;	/* padding */
		}
		m->has[i] = true;
	}
	if (!tb[EDU_A_STATS])
		return 0;
	err = nla_parse_nested(stb, EDU_A_STAT_MAX, tb[EDU_A_STATS], stat_policy);
	if (err < 0)
		return err;
	for (i = 0; i <= EDU_A_STAT_MAX; i++) {
		if (stb[i] && stat_policy[i].type == NLA_U64) {
			m->has_stat[i] = true;
			m->stat[i] = nla_get_u64(stb[i]);
		}
	}
	return 0;
}

/* ---- requests ---- */

struct request_state {
	const struct ednl_request *req;
	struct nl_msg *msg;		/* as sent: extack offsets point into it */
	ednl_handler handler;
	void *arg;
	int state;			/* 0 waiting, 1 done, -1 failed (reported) */
};

static const char *attr_name(unsigned int type, char *buf, size_t size)
{
	if (type < ARRAY_SIZE(attr_names) && attr_names[type])
		return attr_names[type];
	snprintf(buf, size, "#%u", type);
	return buf;
}

/* The type of the top-level attribute @offset bytes into the request, or -1. */
static int request_attr_at(struct nl_msg *msg, __u32 offset)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *nla;
	int rem;

	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		if ((char *)nla - (char *)nlh == (ptrdiff_t)offset)
			return nla_type(nla);
	}
	return -1;
}

/* Append a "; "-separated part to @buf of @size bytes, *@len used so far. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len && *len < size)
		*len += snprintf(buf + *len, size - *len, "; ");
	if (*len >= size)
		return;
	va_start(ap, fmt);
	*len += vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
}

/*
 * The kernel's @error (negative errno) for the request, with what the
 * extended ACK TLVs @tlv_off bytes into @nlh say: the message, the offending
 * attribute (found in the request as sent, so NLM_F_CAPPED does not
 * matter) and a missing attribute.
 */
static void report_kernel_error(const struct request_state *st, int error,
				struct nlmsghdr *nlh, size_t tlv_off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	char says[512], name[16];
	const char *hint = "";
	size_t len = 0;
	int type;

	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && nlh->nlmsg_len > tlv_off)
		nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + tlv_off),
			  nlh->nlmsg_len - tlv_off, NULL);
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		const char *msg = nla_data(tb[NLMSGERR_ATTR_MSG]);

		append(says, sizeof(says), &len, "%.*s",
		       (int)strnlen(msg, nla_len(tb[NLMSGERR_ATTR_MSG])), msg);
	}
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4) {
		type = request_attr_at(st->msg, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
		if (type >= 0)
			append(says, sizeof(says), &len, "bad attribute %s",
			       attr_name(type, name, sizeof(name)));
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
		type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		/* In a nest the type is not an enum edu_attr; requests have none. */
		if (tb[NLMSGERR_ATTR_MISS_NEST])
			append(says, sizeof(says), &len, "missing attribute #%d in a nest", type);
		else
			append(says, sizeof(says), &len, "missing attribute %s",
			       attr_name(type, name, sizeof(name)));
	}
	if (len) {
		report_error("%s failed: %s (kernel says: %s)", st->req->what, strerror(-error),
			     says);
		return;
	}
	if (error == -EPERM)
		hint = " (needs CAP_NET_ADMIN: run as root)";
	else if (error == -EOPNOTSUPP)
		hint = " (the loaded edu module lacks this command: is it older than " PROG "?)";
	report_error("%s failed: %s%s", st->req->what, strerror(-error), hint);
}

/* A reply, or one part of a dump. */
static int on_reply(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;
	struct ednl_msg m;
	int err;

	err = decode(nlmsg_hdr(msg), &m);
	if (err < 0) {
		report_error("%s failed: the kernel's reply is malformed: %s", st->req->what,
			     nl_geterror(err));
		st->state = -1;
		return NL_STOP;
	}
	if (st->handler && st->handler(&m, st->arg) < 0) {
		st->state = -1;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * NLMSG_ERROR with a nonzero error: struct nlmsgerr, the request's header
 * and (unless NLM_F_CAPPED) its payload, then the extack TLVs.
 */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct request_state *st = arg;
	size_t tlv_off = NLMSG_HDRLEN + sizeof(*e);

	(void)nla;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		tlv_off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	report_kernel_error(st, e->error, nlh, tlv_off);
	st->state = -1;
	return NL_STOP;
}

/* The ACK (NLMSG_ERROR with error 0) ending a doit. */
static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;

	(void)msg;
	st->state = 1;
	return NL_STOP;
}

/* NLMSG_DONE ending a dump: an int error, then the extack TLVs. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request_state *st = arg;
	int error = 0;

	if (nlmsg_datalen(nlh) >= (int)sizeof(error))
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0) {
		report_kernel_error(st, error, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(error)));
		st->state = -1;
	} else {
		st->state = 1;
	}
	return NL_STOP;
}

static struct nl_msg *build_request(const struct ednl *nl, const struct ednl_request *req)
{
	struct nl_msg *msg = nlmsg_alloc();
	unsigned int i;

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 req->dump ? NLM_F_DUMP : 0, req->cmd, EDU_GENL_VERSION))
		goto fail;
	for (i = 0; i < req->nattrs; i++)
		if (nla_put_u32(msg, req->attrs[i].type, req->attrs[i].value) < 0)
			goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

int ednl_request(struct ednl *nl, const struct ednl_request *req, ednl_handler handler,
		 void *arg)
{
	struct request_state st = { .req = req, .handler = handler, .arg = arg };
	struct nl_cb *cb;
	int err;

	st.msg = build_request(nl, req);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!st.msg || !cb) {
		report_error("out of memory");
		st.state = -1;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &st);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &st);

	/* nl_send_auto() asks for the ACK (NLM_F_ACK) that ends a doit. */
	err = nl_send_auto(nl->sk, st.msg);
	if (err < 0) {
		report_error("%s failed: sending the request: %s", req->what, nl_geterror(err));
		st.state = -1;
	}
	while (!st.state) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !st.state) {
			report_error("%s failed: %s", req->what, nl_geterror(err));
			st.state = -1;
		}
	}
out:
	nl_cb_put(cb);
	nlmsg_free(st.msg);
	return st.state > 0 ? 0 : -1;
}

/* ---- notifications ---- */

struct monitor_state {
	ednl_handler handler;
	void *arg;
	int state;			/* 0 listening, 1 done, -1 failed */
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor_state *st = arg;
	struct ednl_msg m;
	int err;

	err = decode(nlmsg_hdr(msg), &m);
	if (err < 0) {
		/* One bad event must not end the monitor. */
		report_error("skipping a malformed event: %s", nl_geterror(err));
		return NL_SKIP;
	}
	st->state = st->handler(&m, st->arg);
	return st->state ? NL_STOP : NL_OK;
}

/*
 * SIGINT and SIGTERM are blocked and read from a signalfd: one arriving
 * while an event is handled ends the loop after it, never in the middle of
 * a line. (Blocked, they arrive even where the shell ignores SIGINT, as for
 * a background job of a script.)
 */
static int listen_events(struct ednl *nl, struct monitor_state *st)
{
	struct pollfd pfd[2] = {
		{ .fd = nl_socket_get_fd(nl->sk), .events = POLLIN },
		{ .fd = -1, .events = POLLIN },
	};
	sigset_t stop_set;
	int err, rc = -1;

	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop_set, NULL) == 0)
		pfd[1].fd = signalfd(-1, &stop_set, SFD_CLOEXEC);
	if (pfd[1].fd < 0) {
		report_error("cannot catch SIGINT and SIGTERM: %s", strerror(errno));
		return -1;
	}
	while (!st->state) {
		if (poll(pfd, ARRAY_SIZE(pfd), -1) < 0) {
			if (errno == EINTR)
				continue;
			report_error("waiting for events failed: %s", strerror(errno));
			goto out;
		}
		if (pfd[1].revents) {
			rc = 0;		/* interrupted: the normal end */
			goto out;
		}
		if (!pfd[0].revents)
			continue;
		err = nl_recvmsgs_default(nl->sk);
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the socket buffer overflowed. Go on, as ip monitor does. */
			report_error("receiving events: %s: some were lost", nl_geterror(err));
		} else if (err < 0 && !st->state) {
			report_error("receiving events failed: %s", nl_geterror(err));
			goto out;
		}
	}
	rc = st->state < 0 ? -1 : 0;
out:
	close(pfd[1].fd);
	return rc;
}

int ednl_monitor(struct ednl *nl, ednl_handler handler, void *arg)
{
	struct monitor_state st = { .handler = handler, .arg = arg };
	int group, err;

	group = genl_ctrl_resolve_grp(nl->sk, EDU_GENL_NAME, EDU_GENL_MCGRP_EVENTS);
	if (group < 0) {
		report_error("generic netlink family \"" EDU_GENL_NAME
			     "\" has no multicast group \"" EDU_GENL_MCGRP_EVENTS "\": %s",
			     nl_geterror(group));
		return -1;
	}
	err = nl_socket_add_membership(nl->sk, group);
	if (err < 0) {
		report_error("joining multicast group \"" EDU_GENL_MCGRP_EVENTS "\" failed: %s",
			     nl_geterror(err));
		return -1;
	}
	/* Notifications are not answers to anything: sequence number 0. */
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &st);
	return listen_events(nl, &st);
}

#endif /* EDUCTL_NO_NETLINK */
