/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netlink.h - eductl's generic netlink client for the "edu" family.
 *
 * libnl stays inside netlink.c: a request is a command and a few u32
 * attributes, and every message the kernel sends back (replies, dump parts,
 * notifications) reaches the caller decoded and type-checked in a struct
 * ednl_msg. The functions report their failures themselves (on stderr, in
 * eductl's "eductl: Error: ..." form, kernel errors with the kernel's
 * extended ACK message) and return -1; the caller only maps that to exit 1.
 *
 * Built with EDUCTL_NO_NETLINK (eductl32: no 32-bit libnl), the interface
 * stays and ednl_open() fails, saying why.
 */
#ifndef EDUCTL_NETLINK_H
#define EDUCTL_NETLINK_H

#include <assert.h>
#include <stdbool.h>

#include <linux/edu.h>

/* An open generic netlink socket, the "edu" family resolved. */
struct ednl;

#define EDNL_MAX_ATTRS	4

/**
 * struct ednl_request - one request to the family
 * @what: what it does, for errors: "<what> failed: ..."
 * @cmd: enum edu_cmd
 * @dump: a dump (NLM_F_DUMP) rather than a doit
 * @nattrs: attributes used in @attrs
 * @attrs: u32 attributes, in this order
 */
struct ednl_request {
	const char *what;
	__u8 cmd;
	bool dump;
	unsigned int nattrs;
	struct {
		__u16 type;
		__u32 value;
	} attrs[EDNL_MAX_ATTRS];
};

static inline void ednl_add_u32(struct ednl_request *req, __u16 type, __u32 value)
{
	assert(req->nattrs < EDNL_MAX_ATTRS);
	req->attrs[req->nattrs].type = type;
	req->attrs[req->nattrs].value = value;
	req->nattrs++;
}

/**
 * struct ednl_msg - a message of the family, decoded
 * @cmd: enum edu_cmd
 * @has: which attributes (enum edu_attr) it carries
 * @u32: the values of the u32 attributes; s32 ones (EDU_A_DMA_ERROR) are
 *	read as (__s32)
 * @str: the strings (EDU_A_DEV_NAME, EDU_A_DEV_PCI), NUL-terminated,
 *	valid while the handler runs
 * @has_stat: which counters (enum edu_stat_attr) the EDU_A_STATS nest has
 * @stat: their values
 *
 * Attributes the kernel may add later are not decoded; the known ones were
 * checked against their types (a short integer or an unterminated string
 * makes the message malformed, reported as an error).
 */
struct ednl_msg {
	__u8 cmd;
	bool has[EDU_A_MAX + 1];
	__u32 u32[EDU_A_MAX + 1];
	const char *str[EDU_A_MAX + 1];
	bool has_stat[EDU_A_STAT_MAX + 1];
	__u64 stat[EDU_A_STAT_MAX + 1];
};

/*
 * Called for each message: returns 0 to go on, 1 to stop (done: success),
 * -1 to stop on a failure it reported itself (or one writing stdout).
 */
typedef int (*ednl_handler)(const struct ednl_msg *msg, void *arg);

/* The socket, or NULL with the failure reported (family not found, ...). */
struct ednl *ednl_open(void);
void ednl_close(struct ednl *nl);

/*
 * Send @req and wait for its end (the ACK, or NLMSG_DONE of a dump),
 * @handler (may be NULL) seeing every reply. 0, or -1 with the kernel's
 * error (and its extack message) reported as "@req->what failed: ...".
 */
int ednl_request(struct ednl *nl, const struct ednl_request *req, ednl_handler handler,
		 void *arg);

/*
 * Join the multicast group "events" and pass each notification to
 * @handler until it returns 1 or -1, or SIGINT/SIGTERM arrives. 0 when
 * ended by the handler's 1 or by the signal, else -1 (reported).
 */
int ednl_monitor(struct ednl *nl, ednl_handler handler, void *arg);

#endif /* EDUCTL_NETLINK_H */
