// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz - throw random input at one edu device for a bounded time:
 * ioctls with random command numbers and argument contents, read/write/
 * pread/pwrite/lseek/mmap/poll with random offsets, lengths, pointers and
 * flags, open/close churn, and raw generic netlink requests to the "edu"
 * family with random commands, flags and attributes.
 *
 *   fuzz [-s SEED] [-t SECONDS] [-d /dev/eduN] [-N] [-v]
 *
 * -s replays a run (the seed is printed first; results that depend on
 * timing, such as EAGAIN, can still differ), -N leaves netlink out, -v
 * prints every operation before it runs (to find the one that hangs).
 * Error returns are the point, not failures: the kernel's health is what
 * the caller (fuzz.sh, the guest's health check) judges. The summary is
 * printed as TAP comments. Exit status: 0, or 1 when the device cannot be
 * opened, a result breaks the ABI (e.g. a read longer than asked) or the
 * device no longer answers at the end; 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/edu.h>
#include <linux/fs.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest.h"

#define PAGE		4096UL
#define MAX_FDS		6
#define MAX_MAPS	4
#define GOOD_SIZE	(64 * 1024)
#define NL_BUF_SIZE	(64 * 1024)

/* --- PRNG: splitmix64, reproducible from the seed --- */

static __u64 rng_state;

static __u64 rnd64(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0..n-1 */
static __u32 rnd(__u32 n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static void rnd_fill(void *p, size_t len)
{
	unsigned char *c = p;

	while (len--)
		*c++ = rnd64();
}

/* Values at and around the limits the driver checks. */
static const __u32 interesting32[] = {
	0, 1, 2, 3, 4, 7, 8, 12, 33, 34, 100, 255, 256, 1000, 4094, 4095, 4096, 4097, 8192,
	60000, 60001, 65535, 65536, 100000000, 100000001, 0x7fffffff, 0x80000000, 0xfffffffe,
	0xffffffff, 0x10000, 0xffff0000, 0x100, EDU_FLAG_POLL,
};

static __u32 rnd32(void)
{
	switch (rnd(4)) {
	case 0:
		return rnd64();
	case 1:
		return rnd(16);
	default:
		return interesting32[rnd(ARRAY_SIZE(interesting32))];
	}
}

/* Factorials of large n keep the device busy for a long time: rarely. */
static __u32 rnd_fact_n(void)
{
	if (chance(2))
		return 100000000;
	return chance(70) ? rnd(40) : rnd32();
}

/* --- statistics --- */

enum kind {
	K_IOCTL, K_IOCTL_EDU, K_READ, K_WRITE, K_PREAD, K_PWRITE, K_LSEEK, K_MMAP, K_MMAP_USE,
	K_POLL, K_OPEN, K_CLOSE, K_FCNTL, K_NL_SEND, K_NL_REPLY, K_NL_SOCKET, K_KINDS
};

static const char * const kind_names[K_KINDS] = {
	"ioctl-random", "ioctl-edu", "read", "write", "pread", "pwrite", "lseek", "mmap",
	"mmap-use", "poll", "open", "close", "fcntl", "nl-send", "nl-reply", "nl-socket",
};

#define MAX_ERRNO	256
static unsigned long counts[K_KINDS][MAX_ERRNO];
static unsigned long suspicious;
static bool verbose;

/* count KIND's result: 0 or an errno */
static void count(enum kind k, int err)
{
	counts[k][err >= 0 && err < MAX_ERRNO ? err : MAX_ERRNO - 1]++;
}

/* count a syscall's return value: errno when it is -1 */
static long result(enum kind k, long ret)
{
	count(k, ret < 0 ? errno : 0);
	return ret;
}

static __printf(1, 2) void suspect(const char *fmt, ...)
{
	va_list ap;

	if (suspicious++ < 20) {
		va_start(ap, fmt);
		printf("# suspicious: ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

static __printf(1, 2) void trace(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- memory the arguments point at --- */

static unsigned char *good;	/* GOOD_SIZE bytes, read-write */
static unsigned char *edge;	/* a read-write page followed by an inaccessible one */
static unsigned char *ro;	/* a read-only page */
static unsigned char *none;	/* a PROT_NONE page */
static unsigned char *unmapped;	/* a page that was unmapped */

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void arena_init(void)
{
	good = map_anon(GOOD_SIZE, PROT_READ | PROT_WRITE);
	edge = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	mprotect(edge + PAGE, PAGE, PROT_NONE);
	ro = map_anon(PAGE, PROT_READ | PROT_WRITE);
	memset(ro, 0x5a, PAGE);
	mprotect(ro, PAGE, PROT_READ);
	none = map_anon(PAGE, PROT_NONE);
	unmapped = map_anon(PAGE, PROT_READ);
	munmap(unmapped, PAGE);
}

static const __u64 kernel_addrs[] = {
	0xffffffff81000000ULL, 0xffff888000000000ULL, 0xffffc90000000000ULL,
	0xfffffffffffff000ULL, 0xffffffffffffffffULL, 0x8000000000000000ULL,
	0x00007ffffffff000ULL,
};

/* A pointer for @len bytes: mostly good, sometimes anything but. */
static void *rnd_ptr(size_t len)
{
	size_t off;

	switch (rnd(12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)kernel_addrs[rnd(ARRAY_SIZE(kernel_addrs))];
	case 2:
		return unmapped + rnd(PAGE);
	case 3:
		return none;
	case 4:
		return ro + (len < PAGE ? rnd(PAGE - len + 1) : 0);
	case 5:
		/* straddles the end of the accessible page */
		return edge + PAGE - rnd(len < 64 ? len + 1 : 64);
	case 6:
		return (void *)(uintptr_t)rnd(0x10000);
	default:
		off = len < GOOD_SIZE ? rnd(GOOD_SIZE - len + 1) : 0;
		return good + off;
	}
}

static bool is_kernel_ptr(const void *p)
{
	return (uintptr_t)p >= 0x800000000000ULL;
}

/* --- the files --- */

static const char *dev_path = "/dev/edu0";
static int fds[MAX_FDS];
static int nfds;

static int open_flags(void)
{
	static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	int f = acc[rnd(ARRAY_SIZE(acc))];

	if (chance(30))
		f |= O_NONBLOCK;
	if (chance(10))
		f |= O_APPEND;
	if (chance(5))
		f |= O_DIRECT;
	if (chance(5))
		f |= O_TRUNC;
	return f | O_CLOEXEC;
}

static void op_open(void)
{
	int fd;

	if (nfds == MAX_FDS)
		return;
	fd = result(K_OPEN, open(dev_path, open_flags()));
	if (fd >= 0)
		fds[nfds++] = fd;
}

static void op_close(void)
{
	unsigned int i;

	if (nfds <= 1) {
		op_open();
		return;
	}
	i = rnd(nfds);
	result(K_CLOSE, close(fds[i]));
	fds[i] = fds[--nfds];
}

/* One of the files, now and then a descriptor that is not one. */
static int rnd_fd(void)
{
	if (chance(2))
		return chance(50) ? -1 : 1000;
	if (!nfds)
		op_open();
	return nfds ? fds[rnd(nfds)] : -1;
}

static void op_fcntl(void)
{
	int fd = rnd_fd(), fl;

	if (chance(50)) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			result(K_FCNTL, fcntl(fd, F_SETFL, fl ^ O_NONBLOCK));
		else
			count(K_FCNTL, errno);
	} else if (nfds < MAX_FDS) {
		fl = result(K_FCNTL, fcntl(fd, F_DUPFD_CLOEXEC, 0));
		if (fl >= 0)
			fds[nfds++] = fl;
	}
}

/* --- ioctls --- */

static const unsigned int edu_cmds[] = {
	EDU_IOC_INFO, EDU_IOC_LIVENESS, EDU_IOC_FACTORIAL, EDU_IOC_RAISE_IRQ,
	EDU_IOC_GET_STATS, EDU_IOC_RESET_STATS, EDU_IOC_DMA,
};

/* Plausible-looking contents for a known command: mostly valid fields. */
static void fill_arg(unsigned int cmd, void *p, size_t len)
{
	union {
		struct edu_liveness l;
		struct edu_factorial f;
		struct edu_irq_raise r;
		struct edu_dma_xfer d;
	} u;
	size_t n = sizeof(u);

	memset(&u, 0, sizeof(u));
	switch (cmd) {
	case EDU_IOC_LIVENESS:
		u.l.value = rnd32();
		u.l.flags = chance(80) ? 0 : rnd32();
		u.l.reserved = chance(80) ? 0 : rnd32();
		n = sizeof(u.l);
		break;
	case EDU_IOC_FACTORIAL:
		u.f.n = rnd_fact_n();
		u.f.flags = chance(80) ? rnd(2) : rnd32();
		u.f.reserved = chance(80) ? 0 : rnd32();
		n = sizeof(u.f);
		break;
	case EDU_IOC_RAISE_IRQ:
		u.r.reasons = chance(60) ? (__u32)rnd(0x10000) << 16 : rnd32();
		u.r.flags = chance(80) ? rnd(2) : rnd32();
		n = sizeof(u.r);
		break;
	case EDU_IOC_DMA:
		/* room for any length below: the kernel may fill all of it */
		u.d.addr = chance(70) ? (uintptr_t)rnd_ptr(2 * PAGE) :
			   chance(50) ? 0 : kernel_addrs[rnd(ARRAY_SIZE(kernel_addrs))];
		u.d.dev_offset = chance(50) ? rnd(4100) : rnd32();
		u.d.len = chance(50) ? rnd(4100) : rnd32();
		u.d.mmap_offset = chance(70) ? 0 : chance(50) ? rnd(4100) : rnd32();
		u.d.flags = chance(80) ? rnd(8) : rnd32();
		u.d.reserved = chance(90) ? 0 : rnd64();
		n = sizeof(u.d);
		break;
	default:
		rnd_fill(p, len);
		return;
	}
	memcpy(p, &u, n < len ? n : len);
}

/* A command number: an edu one, one with edu's magic, or any. */
static unsigned int rnd_cmd(bool *known)
{
	unsigned int cmd;

	*known = false;
	switch (rnd(5)) {
	case 0:
	case 1:
		*known = true;
		return edu_cmds[rnd(ARRAY_SIZE(edu_cmds))];
	case 2:
		/* a known number with another size or direction */
		cmd = edu_cmds[rnd(ARRAY_SIZE(edu_cmds))];
		return _IOC(rnd(4), EDU_IOC_MAGIC, _IOC_NR(cmd),
			    chance(50) ? rnd(512) : _IOC_SIZE(cmd) ^ (1u << rnd(14)));
	case 3:
		return _IOC(rnd(4), EDU_IOC_MAGIC, rnd(chance(80) ? 16 : 256), rnd(1u << 14));
	default:
		do {
			cmd = rnd64();
		/* freezing the filesystem /dev lives on is not edu's business */
		} while (cmd == FIFREEZE || cmd == FITHAW);
		return cmd;
	}
}

static void op_ioctl(void)
{
	bool known;
	unsigned int cmd = rnd_cmd(&known);
	size_t len = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 64;
	unsigned long arg;
	void *p;
	long ret;

	if (chance(15)) {
		arg = chance(50) ? rnd64() : kernel_addrs[rnd(ARRAY_SIZE(kernel_addrs))];
	} else {
		p = rnd_ptr(len);
		if (p >= (void *)good && p < (void *)(good + GOOD_SIZE))
			fill_arg(cmd, p, len);
		else if (p >= (void *)edge && p < (void *)(edge + PAGE))
			fill_arg(cmd, p, edge + PAGE - (unsigned char *)p);
		arg = (uintptr_t)p;
	}
	trace("ioctl cmd=%#x arg=%#lx", cmd, arg);
	ret = result(known ? K_IOCTL_EDU : K_IOCTL, ioctl(rnd_fd(), cmd, arg));
	if (ret == 0 && known && cmd != EDU_IOC_RESET_STATS && is_kernel_ptr((void *)arg))
		suspect("ioctl %#x with kernel pointer %#lx succeeded", cmd, arg);
}

/* --- data path --- */

static const __u64 interesting_len[] = {
	0, 1, 2, 100, 4094, 4095, 4096, 4097, 8192, GOOD_SIZE, 0x7ffff000, SSIZE_MAX,
	(__u64)SSIZE_MAX + 1, SIZE_MAX,
};

static const __s64 interesting_off[] = {
	0, 1, 100, 4094, 4095, 4096, 4097, -1, -4096, LLONG_MAX, LLONG_MIN, INT_MAX,
	(__s64)INT_MAX + 1,
};

static size_t rnd_len(void)
{
	return chance(50) ? rnd(4200) : interesting_len[rnd(ARRAY_SIZE(interesting_len))];
}

static off_t rnd_off(void)
{
	return chance(50) ? rnd(4200) : interesting_off[rnd(ARRAY_SIZE(interesting_off))];
}

static void check_rw(const char *what, ssize_t ret, size_t len, const void *p)
{
	if (ret < 0)
		return;
	if ((size_t)ret > len || ret > EDU_DMA_BUF_SIZE)
		suspect("%s of %zu bytes returned %zd", what, len, ret);
	if (ret > 0 && is_kernel_ptr(p))
		suspect("%s of %zu bytes at kernel pointer %p returned %zd", what, len, p, ret);
}

static void op_rw(void)
{
	size_t len = rnd_len();
	/* Room for all the kernel may write: min(len, the device buffer). */
	void *p = rnd_ptr(len < GOOD_SIZE ? len : GOOD_SIZE);
	off_t off = rnd_off();
	int fd = rnd_fd();
	ssize_t ret;

	if (p >= (void *)good && p < (void *)(good + GOOD_SIZE) && chance(50))
		rnd_fill(p, len < (size_t)(good + GOOD_SIZE - (unsigned char *)p) ?
			 len : (size_t)(good + GOOD_SIZE - (unsigned char *)p));
	switch (rnd(4)) {
	case 0:
		trace("read fd=%d len=%zu p=%p", fd, len, p);
		ret = result(K_READ, read(fd, p, len));
		check_rw("read", ret, len, p);
		break;
	case 1:
		trace("write fd=%d len=%zu p=%p", fd, len, p);
		ret = result(K_WRITE, write(fd, p, len));
		check_rw("write", ret, len, p);
		break;
	case 2:
		trace("pread fd=%d len=%zu off=%lld p=%p", fd, len, (long long)off, p);
		ret = result(K_PREAD, pread(fd, p, len, off));
		check_rw("pread", ret, len, p);
		break;
	default:
		trace("pwrite fd=%d len=%zu off=%lld p=%p", fd, len, (long long)off, p);
		ret = result(K_PWRITE, pwrite(fd, p, len, off));
		check_rw("pwrite", ret, len, p);
		break;
	}
}

static void op_lseek(void)
{
	int whence = chance(80) ? (int)rnd(5) : (int)rnd32();
	off_t off = rnd_off(), ret;

	trace("lseek off=%lld whence=%d", (long long)off, whence);
	ret = result(K_LSEEK, lseek(rnd_fd(), off, whence));
	if (ret != -1 && (ret < 0 || ret > EDU_DMA_BUF_SIZE))
		suspect("lseek(%lld, %d) returned %lld", (long long)off, whence, (long long)ret);
}

static void op_poll(void)
{
	struct pollfd p[3];
	unsigned int i, n = 1 + rnd(3);

	for (i = 0; i < n; i++) {
		p[i].fd = rnd_fd();
		p[i].events = chance(50) ? POLLIN | POLLOUT : rnd(0x10000);
		p[i].revents = 0;
	}
	result(K_POLL, poll(p, n, chance(70) ? 0 : rnd(20)));
}

/* --- mmap --- */

struct map {
	unsigned char *p;
	size_t len;
	int prot;
	int fd;
};

static struct map maps[MAX_MAPS];
static unsigned int nmaps;

static void map_drop(unsigned int i)
{
	munmap(maps[i].p, maps[i].len);
	maps[i] = maps[--nmaps];
}

/* EDU_IOC_DMA between the file's mapped buffer and the device buffer */
static void dma_mmap(int fd)
{
	struct edu_dma_xfer x = {
		.dev_offset = chance(70) ? rnd(4000) : rnd32(),
		.len = chance(70) ? 1 + rnd(96) : rnd32(),
		.mmap_offset = chance(70) ? rnd(4000) : rnd32(),
		.flags = (chance(50) ? EDU_DMA_TO_DEVICE : EDU_DMA_FROM_DEVICE) | EDU_DMA_F_MMAP,
	};

	result(K_IOCTL_EDU, ioctl(fd, EDU_IOC_DMA, &x));
}

static void op_mmap(void)
{
	static const size_t lens[] = { 0, 1, 100, 4095, 4096, 4097, 8192, 1 << 20 };
	static const int flags[] = { MAP_SHARED, MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE };
	size_t len = lens[rnd(ARRAY_SIZE(lens))];
	int prot = rnd(8), fd = rnd_fd(), f = flags[rnd(ARRAY_SIZE(flags))];
	off_t off = chance(70) ? 0 : chance(50) ? (off_t)PAGE * rnd(4) : rnd_off();
	struct map *m;
	void *p;

	if (chance(10))
		f |= (MAP_POPULATE | MAP_LOCKED | MAP_NORESERVE) & rnd32();
	if (nmaps == MAX_MAPS || chance(20)) {
		if (nmaps)
			map_drop(rnd(nmaps));
		return;
	}
	trace("mmap len=%zu prot=%d flags=%#x off=%lld", len, prot, f, (long long)off);
	p = mmap(NULL, len, prot, f, fd, off);
	count(K_MMAP, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	m = &maps[nmaps++];
	*m = (struct map){ .p = p, .len = len, .prot = prot, .fd = fd };

	/* Use it: the CPU side, the DMA side, mremap, a partial munmap. */
	if ((prot & PROT_WRITE) && len)
		memset(p, rnd(256), len < PAGE ? len : PAGE);
	if ((prot & PROT_READ) && len)
		(void)__atomic_load_n((unsigned char *)p, __ATOMIC_RELAXED);
	switch (rnd(4)) {
	case 0:
		dma_mmap(fd);
		break;
	case 1:
		p = mremap(m->p, m->len, m->len * 2 + PAGE, chance(50) ? MREMAP_MAYMOVE : 0);
		count(K_MMAP_USE, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			m->p = p;
			m->len = m->len * 2 + PAGE;
		}
		break;
	case 2:
		count(K_MMAP_USE, mprotect(m->p, PAGE, rnd(8)) ? errno : 0);
		m->prot = 0;
		break;
	default:
		break;
	}
}

/* --- generic netlink --- */

static int nl_sock = -1;
static __u16 nl_family;
static __u32 nl_events_group;
static __u32 nl_seq;
static unsigned char *nl_buf;

static struct nlattr *nla_put(unsigned char *msg, size_t *pos, __u16 type, const void *data,
			      size_t len)
{
	struct nlattr *a = (struct nlattr *)(msg + *pos);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy(msg + *pos + NLA_HDRLEN, data, len);
	*pos += NLA_ALIGN(NLA_HDRLEN + len);
	return a;
}

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int s, one = 1, big = 1 << 20;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (chance(80))
		setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (chance(50))
		setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (chance(30))
		setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

/*
 * Read replies until the one that ends the exchange (an error/ack or the
 * end of a dump) or until nothing comes for @ms. Multicast notifications
 * (sequence 0) are counted and skipped. Return: true when it ended.
 */
static bool nl_drain(__u32 seq, int ms)
{
	struct pollfd p = { .fd = nl_sock, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t n;

	while (poll(&p, 1, ms) > 0) {
		n = recv(nl_sock, nl_buf, NL_BUF_SIZE, MSG_DONTWAIT);
		if (n < 0) {
			count(K_NL_REPLY, errno);
			if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
				continue;
			return false;
		}
		for (h = (struct nlmsghdr *)nl_buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				count(K_NL_REPLY, h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ?
					  -e->error : MAX_ERRNO - 1);
				return true;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				count(K_NL_REPLY, 0);
				return true;
			}
		}
	}
	return false;
}

/* CTRL_CMD_GETFAMILY "edu": its id and its events group. */
static int nl_resolve(void)
{
	unsigned char *msg = nl_buf;
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a, *grp, *ga;
	size_t pos = NLMSG_LENGTH(GENL_HDRLEN);
	ssize_t n;
	int left, gl, gal;

	memset(msg, 0, 64);
	nla_put(msg, &pos, CTRL_ATTR_FAMILY_NAME, EDU_GENL_NAME, sizeof(EDU_GENL_NAME));
	h->nlmsg_len = pos;
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++nl_seq;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (send(nl_sock, msg, pos, 0) < 0)
		return -1;
	n = recv(nl_sock, nl_buf, NL_BUF_SIZE, 0);
	if (n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (a = (struct nlattr *)((unsigned char *)g + GENL_HDRLEN); left >= NLA_HDRLEN &&
	     a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
	     left -= NLA_ALIGN(a->nla_len), a = (void *)a + NLA_ALIGN(a->nla_len)) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			memcpy(&nl_family, a + 1, 2);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		/* nest of nests: { CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID } */
		gl = a->nla_len - NLA_HDRLEN;
		for (grp = a + 1; gl >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN;
		     gl -= NLA_ALIGN(grp->nla_len), grp = (void *)grp + NLA_ALIGN(grp->nla_len)) {
			gal = grp->nla_len - NLA_HDRLEN;
			for (ga = grp + 1; gal >= NLA_HDRLEN && ga->nla_len >= NLA_HDRLEN;
			     gal -= NLA_ALIGN(ga->nla_len),
			     ga = (void *)ga + NLA_ALIGN(ga->nla_len))
				if ((ga->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&nl_events_group, ga + 1, 4);
		}
	}
	nl_drain(nl_seq, 100);
	return nl_family ? 0 : -1;
}

/* Random attributes at @pos, nested ones down to @depth more levels. */
static void nl_attrs(unsigned char *msg, size_t *pos, size_t room, unsigned int depth)
{
	unsigned int i, n = rnd(chance(90) ? 5 : 20);
	struct nlattr *a;
	__u16 type;
	__u32 v;
	size_t len, start;

	for (i = 0; i < n && *pos + 64 < room; i++) {
		type = chance(80) ? rnd(EDU_A_MAX + 3) : rnd(0x4000);
		if (chance(10))
			type |= NLA_F_NESTED;
		if (chance(5))
			type |= NLA_F_NET_BYTEORDER;
		if (depth && chance(15)) {
			start = *pos;
			a = nla_put(msg, pos, type | (chance(80) ? NLA_F_NESTED : 0), NULL, 0);
			nl_attrs(msg, pos, room, depth - 1);
			a->nla_len = *pos - start;
			continue;
		}
		switch (rnd(4)) {
		case 0: case 1:
			/* u32, the type of almost every edu attribute */
			v = type == EDU_A_FACT_N ? rnd_fact_n() :
			    type == EDU_A_DEV_INDEX && chance(70) ? rnd(4) : rnd32();
			nla_put(msg, pos, type, &v, 4);
			break;
		case 2:
			len = rnd(chance(90) ? 17 : 600);
			len = len < room - *pos - NLA_HDRLEN ? len : 0;
			a = nla_put(msg, pos, type, NULL, len);
			rnd_fill(a + 1, len);
			break;
		default:
			/* a header that lies about the length */
			a = nla_put(msg, pos, type, NULL, 4);
			rnd_fill(a + 1, 4);
			a->nla_len = chance(50) ? rnd(NLA_HDRLEN) : rnd(0x10000);
			break;
		}
	}
}

/* The attributes @cmd takes, with values mostly in range. */
static void nl_plausible(unsigned char *msg, size_t *pos, unsigned int cmd)
{
	__u32 v = chance(80) ? rnd(3) : rnd32();

	if (cmd != EDU_CMD_DEV_GET || chance(50))
		nla_put(msg, pos, EDU_A_DEV_INDEX, &v, 4);
	switch (cmd) {
	case EDU_CMD_DEV_SET:
		v = chance(70) ? 10 + rnd(3000) : rnd32();
		nla_put(msg, pos, EDU_A_DEV_DMA_TIMEOUT_MS, &v, 4);
		break;
	case EDU_CMD_FACTORIAL:
		v = rnd_fact_n();
		nla_put(msg, pos, EDU_A_FACT_N, &v, 4);
		break;
	case EDU_CMD_DMA_TEST:
		if (chance(80)) {
			v = chance(70) ? rnd(4100) : rnd32();
			nla_put(msg, pos, EDU_A_DMA_TEST_LEN, &v, 4);
		}
		break;
	default:
		break;
	}
}

static void op_netlink(void)
{
	static const __u16 dump_flags[] = { 0, NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH };
	unsigned char *msg = good;
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t pos, room = chance(95) ? 2048 : GOOD_SIZE - 64, len;
	bool sane = true, ctrl = chance(5);
	__u32 grp;
	ssize_t ret;

	if (nl_sock < 0 || chance(1)) {
		/* socket churn: a fresh socket, pending replies left behind */
		if (nl_sock >= 0)
			close(nl_sock);
		nl_sock = nl_open();
		count(K_NL_SOCKET, nl_sock < 0 ? errno : 0);
		if (nl_sock < 0)
			return;
	}
	if (chance(2) && nl_events_group) {
		grp = chance(80) ? nl_events_group : rnd(64);
		count(K_NL_SOCKET, setsockopt(nl_sock, SOL_NETLINK, chance(70) ?
				  NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
				  &grp, sizeof(grp)) ? errno : 0);
	}

	memset(msg, 0, 64);
	pos = NLMSG_LENGTH(GENL_HDRLEN);
	if (!ctrl && chance(50)) {
		/* plausible: a real command with its attributes, random values */
		g->cmd = 1 + rnd(EDU_CMD_DMA_TEST);
		nl_plausible(msg, &pos, g->cmd);
		if (chance(20))
			nl_attrs(msg, &pos, room, 1);
	} else {
		g->cmd = ctrl ? (chance(50) ? CTRL_CMD_GETFAMILY : CTRL_CMD_GETPOLICY) :
			 chance(90) ? rnd(EDU_CMD_MAX + 3) : rnd(256);
		nl_attrs(msg, &pos, room, 3);
	}
	h->nlmsg_type = ctrl ? GENL_ID_CTRL : nl_family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | dump_flags[rnd(ARRAY_SIZE(dump_flags))];
	if (chance(10))
		h->nlmsg_flags ^= 1u << rnd(16);
	h->nlmsg_seq = ++nl_seq;
	g->version = chance(90) ? EDU_GENL_VERSION : rnd(256);
	g->reserved = chance(95) ? 0 : rnd(0x10000);
	len = pos;
	h->nlmsg_len = len;
	switch (rnd(20)) {
	case 0:
		/* truncated: shorter than its headers say */
		len = rnd(pos);
		sane = false;
		break;
	case 1:
		h->nlmsg_len = chance(50) ? rnd(NLMSG_HDRLEN + GENL_HDRLEN) : pos + rnd(4096);
		sane = false;
		break;
	case 2:
		/* two requests in one datagram */
		if (2 * pos < GOOD_SIZE) {
			memcpy(msg + NLMSG_ALIGN(pos), msg, pos);
			len = NLMSG_ALIGN(pos) + pos;
		}
		break;
	default:
		break;
	}
	if (!(h->nlmsg_flags & NLM_F_REQUEST) || !(h->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)))
		sane = false;
	trace("netlink type=%u flags=%#x cmd=%u len=%zu", h->nlmsg_type, h->nlmsg_flags, g->cmd,
	      len);
	ret = send(nl_sock, msg, len, 0);
	count(K_NL_SEND, ret < 0 ? errno : 0);
	if (ret < 0)
		return;
	/* Factorials and DMA tests take a while under TCG: a generous bound. */
	if (!nl_drain(h->nlmsg_seq, sane ? 5000 : 50) && sane)
		count(K_NL_REPLY, ETIME);
}

/* --- the run --- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void summary(unsigned long ops, double secs)
{
	unsigned int k, e;
	unsigned long total;
	char line[1024];
	int n;

	printf("# %lu operations in %.1f s, %lu suspicious\n", ops, secs, suspicious);
	for (k = 0; k < K_KINDS; k++) {
		total = 0;
		n = 0;
		for (e = 0; e < MAX_ERRNO; e++) {
			if (!counts[k][e])
				continue;
			total += counts[k][e];
			n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
				      e ? strerrorname_np(e) ?: "?" : "ok", counts[k][e]);
			if (n >= (int)sizeof(line))
				n = sizeof(line) - 1;
		}
		if (total)
			printf("# %-12s %6lu:%s\n", kind_names[k], total, line);
	}
}

/* The device still answers: liveness and a small factorial. */
static bool device_alive(void)
{
	struct edu_liveness l = { .value = 0x12345678 };
	struct edu_factorial f = { .n = 5 };
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0) {
		printf("# %s: open: %m\n", dev_path);
		return false;
	}
	ok = !ioctl(fd, EDU_IOC_LIVENESS, &l) && l.result == ~0x12345678u &&
	     !ioctl(fd, EDU_IOC_FACTORIAL, &f) && f.result == 120;
	if (!ok)
		printf("# %s: liveness %#x, 5! = %u (%m)\n", dev_path, l.result, f.result);
	close(fd);
	return ok;
}

static void print_usage(void)
{
	fprintf(stderr, "usage: fuzz [-s SEED] [-t SECONDS] [-d /dev/eduN] [-N] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed;
	unsigned long ops = 0;
	double secs = 10, t0, end;
	bool use_nl = true;
	char *e;
	int c;

	seed = (unsigned long long)time(NULL) * 1000003 ^ getpid();
	while ((c = getopt(argc, argv, "s:t:d:Nv")) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			seed = strtoull(optarg, &e, 0);
			if (errno || *e || e == optarg)
				print_usage();
			break;
		case 't':
			secs = strtod(optarg, &e);
			if (*e || e == optarg || secs <= 0 || secs > 86400)
				print_usage();
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'N':
			use_nl = false;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc)
		print_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# fuzz %s for %.0f s, seed %llu (-s %llu to replay)\n", dev_path, secs, seed, seed);
	rng_state = seed;
	arena_init();
	nl_buf = map_anon(NL_BUF_SIZE, PROT_READ | PROT_WRITE);

	fds[0] = open(dev_path, O_RDWR | O_CLOEXEC);
	if (fds[0] < 0) {
		printf("# %s: %m\n", dev_path);
		return 1;
	}
	nfds = 1;
	if (use_nl) {
		nl_sock = nl_open();
		if (nl_sock < 0 || nl_resolve()) {
			printf("# no generic netlink family %s: netlink left out\n", EDU_GENL_NAME);
			use_nl = false;
		}
	}

	t0 = now();
	end = t0 + secs;
	while (now() < end) {
		unsigned int r = rnd(100);

		ops++;
		if (r < 28)
			op_ioctl();
		else if (r < 42)
			op_rw();
		else if (r < 50)
			op_lseek();
		else if (r < 58)
			op_mmap();
		else if (r < 62)
			op_poll();
		else if (r < 66)
			chance(50) ? op_open() : op_close();
		else if (r < 70)
			op_fcntl();
		else if (use_nl)
			op_netlink();
		else
			op_ioctl();
	}
	while (nmaps)
		map_drop(0);
	while (nfds)
		close(fds[--nfds]);
	if (nl_sock >= 0)
		close(nl_sock);
	summary(ops, now() - t0);
	if (!device_alive())
		return 1;
	return suspicious ? 1 : 0;
}
