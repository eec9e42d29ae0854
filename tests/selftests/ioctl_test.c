// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl ABI of /dev/eduN (include/uapi/linux/edu.h), with the
 * kselftest harness.
 *
 * Runs as root in a guest where the driver is bound to two edu devices,
 * /dev/edu0 and /dev/edu1; the tests of a missing node are skipped. The
 * tests run one at a time and assume nobody else uses the devices
 * meanwhile: the statistics checks count exactly.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/edu.h>

#include "kselftest_harness.h"
#include "edu_hold.h"

/* The layout is part of the ABI and must not depend on -m32. */
static_assert(sizeof(struct edu_info) == 96, "struct edu_info is 96 bytes");
static_assert(sizeof(struct edu_liveness) == 16, "struct edu_liveness is 16 bytes");
static_assert(sizeof(struct edu_factorial) == 16, "struct edu_factorial is 16 bytes");
static_assert(sizeof(struct edu_irq_raise) == 16, "struct edu_irq_raise is 16 bytes");
static_assert(sizeof(struct edu_stats) == 352, "struct edu_stats is 352 bytes");
static_assert(offsetof(struct edu_info, driver_version) == 32, "edu_info.driver_version");
static_assert(offsetof(struct edu_info, pci_addr) == 48, "edu_info.pci_addr");
static_assert(offsetof(struct edu_info, reserved) == 64, "edu_info.reserved");
static_assert(offsetof(struct edu_irq_raise, latency_ns) == 8, "edu_irq_raise.latency_ns");
static_assert(offsetof(struct edu_stats, irq_reasons) == 16, "edu_stats.irq_reasons");
static_assert(offsetof(struct edu_stats, factorials) == 272, "edu_stats.factorials");
static_assert(offsetof(struct edu_stats, timeouts) == 280, "edu_stats.timeouts");
static_assert(offsetof(struct edu_stats, dma_bytes_to_dev) == 288, "edu_stats.dma_bytes_to_dev");
static_assert(offsetof(struct edu_stats, reserved) == 344, "edu_stats.reserved");

#define EDU_HW_ID		0x010000edu
#define EDU_DMA_BITS_DEFAULT	28u
#define EDU_NOBODY		65534
#define ARRAY_LEN(a)		(sizeof(a) / sizeof((a)[0]))

struct edu_ioc_case {
	const char *name;
	unsigned long cmd;
};

#define EDU_CMD(c) { #c, c }

/* The commands that take a structure. */
static const struct edu_ioc_case edu_struct_cmds[] = {
	EDU_CMD(EDU_IOC_INFO),
	EDU_CMD(EDU_IOC_LIVENESS),
	EDU_CMD(EDU_IOC_FACTORIAL),
	EDU_CMD(EDU_IOC_RAISE_IRQ),
	EDU_CMD(EDU_IOC_GET_STATS),
};

/* ioctl(): 0 or -errno. */
static int edu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* An fd on /dev/eduN, or -errno. */
static int edu_open(unsigned int index)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/edu%u", index);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int edu_fact(int fd, __u32 n, __u32 *result)
{
	struct edu_factorial req = { .n = n };
	int ret;

	ret = edu_ioctl(fd, EDU_IOC_FACTORIAL, &req);
	if (!ret)
		*result = req.result;
	return ret;
}

/* Pre-filled with garbage: the driver must write every byte. */
static int edu_get_stats(int fd, struct edu_stats *stats)
{
	memset(stats, 0xa5, sizeof(*stats));
	return edu_ioctl(fd, EDU_IOC_GET_STATS, stats);
}

static int edu_get_info(int fd, struct edu_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return edu_ioctl(fd, EDU_IOC_INFO, info);
}

/* n! mod 2^32, as the device computes it. */
static __u32 fact32(__u32 n)
{
	__u32 r = 1;

	while (n)
		r *= n--;
	return r;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The first line of a (sysfs) file, without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		ret = -EIO;
	fclose(f);
	return ret;
}

/* Interrupt number of the /proc/interrupts line naming @name, or -1. */
static int proc_interrupts_irq(const char *name)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char *line = NULL, *tok, *end, *save;
	size_t cap = 0;
	int irq = -1;
	long n;

	if (!f)
		return -1;
	while (irq < 0 && getline(&line, &cap, f) > 0) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok)
			continue;
		n = strtol(tok, &end, 10);
		if (end == tok || *end != ':')
			continue;
		/* Shared lines list their handlers as "edu0, edu1". */
		while ((tok = strtok_r(NULL, " \t\n,", &save)))
			if (!strcmp(tok, name))
				irq = n;
	}
	free(line);
	fclose(f);
	return irq;
}

/* Bytes from the first NUL to the end of @s are all NUL (no leak). */
static bool nul_padded(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	if (!nul)
		return false;
	for (; nul < s + len; nul++)
		if (*nul)
			return false;
	return true;
}

/* Offset of the first nonzero byte of @p, or -1: reserved fields are zero. */
static int nonzero_at(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return i;
	return -1;
}

/*
 * The first reason bit, from @first on, whose count did not grow by
 * exactly @delta between two reads of the statistics, or -1.
 */
static int reasons_not_grown(const struct edu_stats *before, const struct edu_stats *after,
			     unsigned int first, __u64 delta)
{
	unsigned int i;

	for (i = first; i < EDU_IRQ_REASONS; i++)
		if (after->irq_reasons[i] != before->irq_reasons[i] + delta)
			return i;
	return -1;
}

/*
 * Wait (up to 2 s) until the statistics have counted reason @bit @count
 * times: a factorial's interrupt may be handled after its result is in.
 */
static bool reason_counted(int fd, unsigned int bit, __u64 count)
{
	struct edu_stats stats;
	int i;

	for (i = 0; i < 2000; i++) {
		if (edu_get_stats(fd, &stats))
			return false;
		if (stats.irq_reasons[bit] >= count)
			return true;
		sleep_us(1000);
	}
	return false;
}

/* Both devices open (0), or -errno of the first that is not. */
static int edu_open_both(int fds[2])
{
	fds[0] = edu_open(0);
	fds[1] = edu_open(1);
	if (fds[0] >= 0 && fds[1] >= 0)
		return 0;
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return fds[0] < 0 ? fds[0] : fds[1];
}

/* Run fn(fd) in a child process: its exit status, 0 when all went well. */
static int run_in_child(int (*fn)(int fd), int fd)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(fd));
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Without CAP_SYS_ADMIN: no reset, but the open fd keeps working. */
static int unprivileged_checks(int fd)
{
	struct edu_liveness live = { .value = 0x1234 };
	struct edu_stats stats;
	int ret;

	ret = edu_ioctl(fd, EDU_IOC_RESET_STATS, NULL);
	if (ret != -EPERM) {
		fprintf(stderr, "# unprivileged EDU_IOC_RESET_STATS: %s, expected EPERM\n",
			ret ? strerror(-ret) : "success");
		return 1;
	}
	ret = edu_get_stats(fd, &stats);
	if (ret) {
		fprintf(stderr, "# unprivileged EDU_IOC_GET_STATS: %s\n", strerror(-ret));
		return 2;
	}
	ret = edu_ioctl(fd, EDU_IOC_LIVENESS, &live);
	if (ret || live.result != ~0x1234u) {
		fprintf(stderr, "# unprivileged EDU_IOC_LIVENESS: %s, result 0x%08x\n",
			strerror(-ret), live.result);
		return 3;
	}
	return 0;
}

/* Child: drop CAP_SYS_ADMIN from every set, stay uid 0. */
static int child_without_cap_sys_admin(int fd)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_SYS_ADMIN);
	__u32 mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, "# capget: %s\n", strerror(errno));
		return 10;
	}
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data)) {
		fprintf(stderr, "# capset: %s\n", strerror(errno));
		return 11;
	}
	return unprivileged_checks(fd);
}

/* Child: become nobody (which drops every capability). */
static int child_as_nobody(int fd)
{
	if (setgroups(0, NULL) || setresgid(EDU_NOBODY, EDU_NOBODY, EDU_NOBODY) ||
	    setresuid(EDU_NOBODY, EDU_NOBODY, EDU_NOBODY)) {
		fprintf(stderr, "# cannot become uid %d: %s\n", EDU_NOBODY, strerror(errno));
		return 10;
	}
	return unprivileged_checks(fd);
}

FIXTURE(edu) {
	int fd;
	char path[32];
};

FIXTURE_VARIANT(edu) {
	unsigned int index;
};

FIXTURE_VARIANT_ADD(edu, edu0) {
	.index = 0,
};

FIXTURE_VARIANT_ADD(edu, edu1) {
	.index = 1,
};

FIXTURE_SETUP(edu)
{
	snprintf(self->path, sizeof(self->path), "/dev/edu%u", variant->index);
	self->fd = edu_open(variant->index);
	if (self->fd == -ENOENT)
		SKIP(return, "%s does not exist", self->path);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", self->path, strerror(-self->fd));
}

FIXTURE_TEARDOWN(edu)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(edu, info)
{
	char want[PATH_MAX], name[16];
	unsigned long dma_bits;
	struct edu_info info;

	ASSERT_EQ(0, edu_get_info(self->fd, &info));
	EXPECT_EQ(EDU_HW_ID, info.hw_id);
	EXPECT_EQ(1u, info.hw_major);
	EXPECT_EQ(0u, info.hw_minor);
	EXPECT_EQ(info.hw_id >> 24, info.hw_major);
	EXPECT_EQ((info.hw_id >> 16) & 0xff, info.hw_minor);
	EXPECT_EQ(variant->index, info.index);
	EXPECT_TRUE(info.irq_mode == EDU_IRQ_MODE_MSI || info.irq_mode == EDU_IRQ_MODE_INTX)
		TH_LOG("irq_mode %u", info.irq_mode);
	EXPECT_LT(0u, info.irq_vector);
	EXPECT_EQ(0u, info.reserved0);
	EXPECT_EQ(-1, nonzero_at(info.reserved, sizeof(info.reserved)));

	/*
	 * The dma_bits parameter (0444) is what every device was probed with;
	 * 0 derives it: 28 bits, or 32 where RAM starts above 256 MiB (arm64).
	 */
	dma_bits = 0;
	if (!read_line("/sys/module/edu/parameters/dma_bits", want, sizeof(want)))
		dma_bits = strtoul(want, NULL, 10);
	if (dma_bits) {
		EXPECT_EQ(dma_bits, (unsigned long)info.dma_bits);
	} else {
		EXPECT_TRUE(info.dma_bits == EDU_DMA_BITS_DEFAULT || info.dma_bits == 32)
			TH_LOG("derived dma_bits %u", info.dma_bits);
	}

	ASSERT_TRUE(nul_padded(info.driver_version, sizeof(info.driver_version)))
		TH_LOG("driver_version not NUL-terminated or garbage after the NUL");
	EXPECT_NE(0, info.driver_version[0]);
	/* MODULE_VERSION(), when sysfs shows it, cut as strscpy() does. */
	if (read_line("/sys/module/edu/version", want, sizeof(want)))
		snprintf(want, sizeof(want), "%s", info.driver_version);
	want[EDU_VERSION_LEN - 1] = '\0';
	EXPECT_STREQ(want, info.driver_version);

	ASSERT_TRUE(nul_padded(info.pci_addr, sizeof(info.pci_addr)))
		TH_LOG("pci_addr not NUL-terminated or garbage after the NUL");
	ASSERT_EQ(0, edu_pci_addr(variant->index, want, sizeof(want)));
	EXPECT_STREQ(want, info.pci_addr);

	snprintf(name, sizeof(name), "edu%u", variant->index);
	EXPECT_EQ(proc_interrupts_irq(name), (int)info.irq_vector)
		TH_LOG("irq_vector vs /proc/interrupts");
}

TEST_F(edu, liveness)
{
	__u32 values[] = {
		0, 0xffffffff, 0x55555555, 0xaaaaaaaa, 1, 0x80000000, 0x010000ed,
		(__u32)random(), (__u32)random() << 1, (__u32)random() ^ 0xdeadbeef,
	};
	struct edu_liveness req;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(values); i++) {
		memset(&req, 0, sizeof(req));
		req.value = values[i];
		req.result = 0x5a5a5a5a;
		ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_LIVENESS, &req))
			TH_LOG("value 0x%08x", values[i]);
		EXPECT_EQ(~values[i], req.result) TH_LOG("value 0x%08x", values[i]);
		EXPECT_EQ(values[i], req.value);
		EXPECT_EQ(0u, req.flags);
		EXPECT_EQ(0u, req.reserved);
	}
}

TEST_F(edu, liveness_rejects_flags_and_reserved)
{
	static const struct edu_liveness bad[] = {
		{ .flags = 1 },
		{ .flags = 0x80000000 },
		{ .reserved = 1 },
		{ .value = 5, .flags = 0xffffffff, .reserved = 0xffffffff },
	};
	struct edu_liveness req;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = bad[i];
		EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_LIVENESS, &req))
			TH_LOG("flags 0x%x reserved 0x%x", bad[i].flags, bad[i].reserved);
	}
}

TEST_F(edu, factorial_exact)
{
	static const __u32 want[] = {
		1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600,
	};
	struct edu_factorial req;
	__u32 n;

	for (n = 0; n < ARRAY_LEN(want); n++) {
		memset(&req, 0, sizeof(req));
		req.n = n;
		req.result = 0xdeadbeef;
		ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, &req)) TH_LOG("n = %u", n);
		EXPECT_EQ(want[n], req.result) TH_LOG("%u!", n);
		EXPECT_EQ(n, req.n);
		EXPECT_EQ(0u, req.flags);
		EXPECT_EQ(0u, req.reserved);
	}
}

/* EDU_FLAG_POLL (the benchmark baseline) gives the same results. */
TEST_F(edu, factorial_and_raise_by_polling)
{
	struct edu_factorial fact;
	struct edu_irq_raise raise;
	__u32 n;

	for (n = 0; n <= 40; n++) {
		memset(&fact, 0, sizeof(fact));
		fact.n = n;
		fact.flags = EDU_FLAG_POLL;
		ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, &fact)) TH_LOG("n = %u", n);
		EXPECT_EQ(fact32(n), fact.result) TH_LOG("%u! polled", n);
	}
	memset(&raise, 0, sizeof(raise));
	raise.reasons = 0x00020000;
	raise.flags = EDU_FLAG_POLL;
	ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &raise));
	EXPECT_LT(0ull, raise.latency_ns);
}

TEST_F(edu, factorial_wraps)
{
	__u32 n, result;

	/* The reference itself: 13! = 6227020800 wraps, 34! has 2^32 as a factor. */
	ASSERT_EQ(1932053504u, fact32(13));
	ASSERT_NE(0u, fact32(33));
	ASSERT_EQ(0u, fact32(34));

	for (n = 0; n <= 40; n++) {
		result = 0xdeadbeef;
		ASSERT_EQ(0, edu_fact(self->fd, n, &result)) TH_LOG("n = %u", n);
		EXPECT_EQ(fact32(n), result) TH_LOG("%u! mod 2^32", n);
	}
}

TEST_F_TIMEOUT(edu, factorial_range, 60)
{
	static const struct edu_factorial bad[] = {
		{ .n = EDU_FACTORIAL_MAX + 1 },
		{ .n = 0xffffffff },
		{ .n = 5, .flags = 2 },
		{ .n = 5, .flags = 0x80000000 },
		{ .n = 5, .reserved = 1 },
	};
	struct edu_factorial req;
	__u32 result = 0xdeadbeef;
	long long t0 = now_ns();
	unsigned int i;

	ASSERT_EQ(0, edu_fact(self->fd, EDU_FACTORIAL_MAX, &result));
	EXPECT_EQ(0u, result);
	TH_LOG("%u! took %lld ms", EDU_FACTORIAL_MAX, (now_ns() - t0) / 1000000);

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = bad[i];
		EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, &req))
			TH_LOG("n %u flags 0x%x reserved 0x%x", bad[i].n, bad[i].flags,
			       bad[i].reserved);
	}

	ASSERT_EQ(0, edu_fact(self->fd, 5, &result));
	EXPECT_EQ(120u, result);
}

TEST_F(edu, raise_irq)
{
	static const __u32 reasons[] = {
		0x00010000, 0x80000000, 0xffff0000, 0x00ff0000, 0x12340000,
	};
	struct edu_irq_raise req;
	struct edu_stats before;
	unsigned int i, bit;

	for (i = 0; i < ARRAY_LEN(reasons); i++) {
		memset(&req, 0, sizeof(req));
		req.reasons = reasons[i];
		ASSERT_EQ(0, edu_get_stats(self->fd, &before));
		/* A wait the interrupt does not end fails with ETIMEDOUT. */
		ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &req))
			TH_LOG("reasons 0x%08x", reasons[i]);
		/* It was the interrupt: the thread saw each reason raised. */
		for (bit = 0; bit < EDU_IRQ_REASONS; bit++)
			if (reasons[i] & 1u << bit)
				EXPECT_TRUE(reason_counted(self->fd, bit,
							   before.irq_reasons[bit] + 1))
					TH_LOG("reasons 0x%08x: bit %u not seen", reasons[i], bit);
		EXPECT_LT(0ull, req.latency_ns) TH_LOG("reasons 0x%08x", reasons[i]);
		EXPECT_EQ(reasons[i], req.reasons);
		EXPECT_EQ(0u, req.flags);
	}
}

TEST_F(edu, raise_irq_rejects_bad_reasons_and_flags)
{
	static const struct edu_irq_raise bad[] = {
		{ .reasons = 0 },
		{ .reasons = EDU_IRQ_REASON_FACTORIAL },
		{ .reasons = EDU_IRQ_REASON_DMA },
		{ .reasons = 0x00008000 },
		{ .reasons = 0x0000ffff },
		{ .reasons = 0x00010001 },
		{ .reasons = 0x80008000 },
		{ .reasons = 0xffffffff },
		{ .reasons = 0x00010000, .flags = 2 },
		{ .reasons = 0x00010000, .flags = 0x80000000 },
	};
	struct edu_stats before, after;
	struct edu_irq_raise req;
	unsigned int i;

	ASSERT_EQ(0, edu_get_stats(self->fd, &before));
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = bad[i];
		EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &req))
			TH_LOG("reasons 0x%08x flags 0x%x", bad[i].reasons, bad[i].flags);
	}
	/* Nothing was raised. */
	ASSERT_EQ(0, edu_get_stats(self->fd, &after));
	EXPECT_EQ(-1, reasons_not_grown(&before, &after, 16, 0));
}

TEST_F(edu, raise_irq_counted)
{
	struct edu_irq_raise req = { .reasons = 0x00010000 };
	struct edu_stats before, mid, after;
	const unsigned int k = 8;
	unsigned int i;

	ASSERT_EQ(0, edu_get_stats(self->fd, &before));
	for (i = 0; i < k; i++) {
		req.latency_ns = 0;
		ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &req)) TH_LOG("raise %u", i);
	}
	ASSERT_EQ(0, edu_get_stats(self->fd, &mid));
	EXPECT_EQ(before.irq_reasons[16] + k, mid.irq_reasons[16]);
	EXPECT_EQ(-1, reasons_not_grown(&before, &mid, 17, 0));
	/* Each raise waits for its interrupt: none can share one. */
	EXPECT_LE(before.irqs + k, mid.irqs);

	req.reasons = EDU_IRQ_REASONS_USER;
	ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &req));
	ASSERT_EQ(0, edu_get_stats(self->fd, &after));
	EXPECT_EQ(-1, reasons_not_grown(&mid, &after, 16, 1));
	EXPECT_LT(mid.irqs, after.irqs);
}

TEST_F(edu, stats_count_factorials)
{
	struct edu_factorial bad = { .n = EDU_FACTORIAL_MAX + 1 };
	struct edu_stats before, after;
	unsigned int done = 0;
	__u32 n, result;

	ASSERT_EQ(0, edu_get_stats(self->fd, &before));
	EXPECT_EQ(0ull, before.reserved);

	for (n = 0; n <= 20; n++) {
		ASSERT_EQ(0, edu_fact(self->fd, n, &result)) TH_LOG("n = %u", n);
		done++;
	}
	/* Refused calls do not count. */
	EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, &bad));
	bad.n = 3;
	bad.flags = 2;
	EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, &bad));

	ASSERT_EQ(0, edu_get_stats(self->fd, &after));
	EXPECT_EQ(before.factorials + done, after.factorials);
	EXPECT_EQ(before.timeouts, after.timeouts);
	EXPECT_LE(before.irqs, after.irqs);
	EXPECT_EQ(0ull, after.reserved);
}

TEST_F(edu, reset_stats)
{
	struct edu_irq_raise raise = { .reasons = 0x00010000 };
	struct edu_stats stats;
	struct edu_info info;
	__u32 result;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, edu_get_info(self->fd, &info));

	/*
	 * Something to reset, and no interrupt still on its way that the
	 * reset could miss: the raise waits for its own.
	 */
	ASSERT_EQ(0, edu_get_stats(self->fd, &stats));
	ASSERT_EQ(0, edu_fact(self->fd, 4, &result));
	ASSERT_TRUE(reason_counted(self->fd, 0, stats.irq_reasons[0] + 1))
		TH_LOG("the factorial's interrupt was never counted");
	ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, &raise));
	ASSERT_EQ(0, edu_get_stats(self->fd, &stats));
	ASSERT_LT(0ull, stats.factorials);
	ASSERT_LT(0ull, stats.irq_reasons[16]);

	/* An _IO command: the argument is not used. */
	ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RESET_STATS, NULL));
	ASSERT_EQ(0, edu_get_stats(self->fd, &stats));
	EXPECT_EQ(0ull, stats.irqs);
	/* A shared INTx line may bring other devices' interrupts any time. */
	EXPECT_EQ(0ull, info.irq_mode == EDU_IRQ_MODE_MSI ? stats.irqs_spurious : 0);
	EXPECT_EQ(-1, nonzero_at(stats.irq_reasons, sizeof(stats.irq_reasons)));
	EXPECT_EQ(0ull, stats.factorials);
	EXPECT_EQ(0ull, stats.timeouts);
	EXPECT_EQ(0ull, stats.reserved);

	/* Counting goes on from zero. */
	ASSERT_EQ(0, edu_fact(self->fd, 4, &result));
	EXPECT_EQ(24u, result);
	ASSERT_EQ(0, edu_get_stats(self->fd, &stats));
	EXPECT_EQ(1ull, stats.factorials);
}

TEST_F(edu, reset_stats_needs_cap_sys_admin)
{
	struct edu_stats before, after;
	__u32 result;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, edu_fact(self->fd, 3, &result));
	ASSERT_EQ(0, edu_get_stats(self->fd, &before));
	ASSERT_LT(0ull, before.factorials);

	/* Children, so this process keeps its privileges. */
	EXPECT_EQ(0, run_in_child(child_without_cap_sys_admin, self->fd))
		TH_LOG("uid 0 without CAP_SYS_ADMIN");
	EXPECT_EQ(0, run_in_child(child_as_nobody, self->fd))
		TH_LOG("uid %d", EDU_NOBODY);

	/* The refused resets reset nothing. */
	ASSERT_EQ(0, edu_get_stats(self->fd, &after));
	EXPECT_EQ(before.factorials, after.factorials);
}

TEST_F(edu, bad_pointers)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ptrs[] = { NULL, (void *)1, none };
	const struct edu_ioc_case *c;
	unsigned int i;
	void *p;

	ASSERT_NE(MAP_FAILED, none);
	for (i = 0; i < ARRAY_LEN(edu_struct_cmds) * ARRAY_LEN(ptrs); i++) {
		c = &edu_struct_cmds[i / ARRAY_LEN(ptrs)];
		p = ptrs[i % ARRAY_LEN(ptrs)];
		EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, c->cmd, p)) TH_LOG("%s(%p)", c->name, p);
	}
	munmap(none, 4096);
}

/* A structure that runs into an unmapped page, or sits in a read-only one. */
TEST_F(edu, partial_and_read_only_buffers)
{
	long page = sysconf(_SC_PAGESIZE);
	struct edu_liveness *live;
	struct edu_factorial *fact;
	struct edu_irq_raise *raise;
	unsigned int i, size;
	char *map, *ro;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	for (i = 0; i < ARRAY_LEN(edu_struct_cmds); i++) {
		size = _IOC_SIZE(edu_struct_cmds[i].cmd);
		memset(map + page - size / 2, 0, size / 2);
		EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, edu_struct_cmds[i].cmd,
					     map + page - size / 2))
			TH_LOG("%s, last %u bytes unmapped", edu_struct_cmds[i].name, size / 2);
	}

	/* Valid requests the driver carries out, then cannot answer. */
	ro = map;
	live = (void *)ro;
	fact = (void *)(ro + 64);
	raise = (void *)(ro + 128);
	memset(ro, 0, page);
	live->value = 1;
	fact->n = 5;
	raise->reasons = 0x00010000;
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_INFO, ro + 256));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_GET_STATS, ro + 256));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_LIVENESS, live));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_FACTORIAL, fact));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_RAISE_IRQ, raise));
	munmap(map, 2 * page);
}

TEST_F(edu, unknown_commands)
{
	static const struct edu_ioc_case bad[] = {
		EDU_CMD(_IO(EDU_IOC_MAGIC, 0x7f)),
		EDU_CMD(_IOWR(EDU_IOC_MAGIC, 0x06, struct edu_factorial)),
		EDU_CMD(_IOWR(EDU_IOC_MAGIC, 0xff, struct edu_factorial)),
		EDU_CMD(_IOR('x', 0, int)),
		EDU_CMD(_IOWR(0xEE, 0x02, struct edu_factorial)),
		/* Known numbers with another size or direction. */
		EDU_CMD(_IOWR(EDU_IOC_MAGIC, 0x02, __u64)),
		EDU_CMD(_IOW(EDU_IOC_MAGIC, 0x02, struct edu_factorial)),
		EDU_CMD(_IOR(EDU_IOC_MAGIC, 0x02, struct edu_factorial)),
		EDU_CMD(_IO(EDU_IOC_MAGIC, 0x00)),
		EDU_CMD(_IOR(EDU_IOC_MAGIC, 0x00, struct edu_liveness)),
		EDU_CMD(_IOWR(EDU_IOC_MAGIC, 0x01, struct edu_info)),
		EDU_CMD(_IOWR(EDU_IOC_MAGIC, 0x03, __u32)),
		EDU_CMD(_IOR(EDU_IOC_MAGIC, 0x04, struct edu_info)),
		EDU_CMD(_IOR(EDU_IOC_MAGIC, 0x05, __u32)),
	};
	static char buf[4096];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(-ENOTTY, edu_ioctl(self->fd, bad[i].cmd, buf))
			TH_LOG("%s = 0x%08lx", bad[i].name, bad[i].cmd);
		EXPECT_EQ(-ENOTTY, edu_ioctl(self->fd, bad[i].cmd, NULL))
			TH_LOG("%s = 0x%08lx, NULL", bad[i].name, bad[i].cmd);
	}
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

struct signal_run {
	int stop;
	unsigned int calls;
	unsigned int completed;
	unsigned int interrupted;
	unsigned int failed;
	unsigned int wrong;
	int last_error;
};

/* Child: the longest factorials, until told to stop. */
static void signalled_loop(int fd, struct signal_run *run)
{
	__u32 result;
	int ret;

	while (!__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE)) {
		result = 0xdeadbeef;
		ret = edu_fact(fd, EDU_FACTORIAL_MAX, &result);
		run->calls++;
		if (!ret) {
			run->completed++;
			run->wrong += result != 0;
		} else if (ret == -EINTR) {
			run->interrupted++;
		} else {
			run->failed++;
			run->last_error = -ret;
		}
	}
}

TEST_F_TIMEOUT(edu, signal_during_wait, 60)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */
	struct signal_run *run;
	unsigned int signals = 0;
	long long start;
	__u32 result;
	int status;
	pid_t pid;

	run = mmap(NULL, sizeof(*run), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, run);
	memset(run, 0, sizeof(*run));
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		signalled_loop(self->fd, run);
		_exit(0);
	}

	start = now_ns();
	while (now_ns() - start < 1000000000LL) {
		if (kill(pid, SIGUSR1))
			break;
		signals++;
		sleep_us(1000 + random() % 9000);
	}
	__atomic_store_n(&run->stop, 1, __ATOMIC_RELEASE);
	kill(pid, SIGUSR1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) TH_LOG("child status 0x%x", status);

	TH_LOG("%u signals: %u calls, %u completed, %u interrupted (EINTR)",
	       signals, run->calls, run->completed, run->interrupted);
	EXPECT_LT(0u, run->calls);
	/* What the test is for: some wait was interrupted, and said so. */
	EXPECT_LT(0u, run->interrupted);
	EXPECT_EQ(0u, run->failed) TH_LOG("last error: %s", strerror(run->last_error));
	EXPECT_EQ(0u, run->wrong);

	/* The device is still usable. */
	ASSERT_EQ(0, edu_fact(self->fd, 10, &result));
	EXPECT_EQ(3628800u, result);
	munmap(run, sizeof(*run));
}

struct fact_waiter {
	pthread_t thread;
	int fd;
	pid_t tid;
	int state;		/* 0: not yet, 1: about to call, 2: returned */
	int ret;
	struct edu_factorial req;
};

static void *fact_waiter(void *arg)
{
	struct fact_waiter *w = arg;

	w->tid = syscall(SYS_gettid);
	__atomic_store_n(&w->state, 1, __ATOMIC_RELEASE);
	w->ret = edu_ioctl(w->fd, EDU_IOC_FACTORIAL, &w->req);
	__atomic_store_n(&w->state, 2, __ATOMIC_RELEASE);
	return NULL;
}

/* Scheduler state of a thread of ours ('R', 'S', 'D'...), or 0. */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to 5 s) until the thread sleeps in its ioctl or is done. */
static bool waiter_blocked(struct fact_waiter *w)
{
	char state;
	int i;

	for (i = 0; i < 5000; i++) {
		switch (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE)) {
		case 2:
			return true;
		case 1:
			state = task_state(w->tid);
			if (state == 'S' || state == 'D')
				return true;
		}
		sleep_us(1000);
	}
	return false;
}

/*
 * close() every fd of a file while two threads wait in its factorial
 * ioctl (one computing, one queued behind it): the file goes away when
 * they return, normally or with EINTR.
 */
TEST_F_TIMEOUT(edu, close_while_waiting, 60)
{
	struct fact_waiter w[2];
	unsigned int i;
	__u32 result;
	int fd;

	fd = edu_open(variant->index);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_LEN(w); i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = dup(fd);
		ASSERT_LE(0, w[i].fd);
		w[i].req.n = EDU_FACTORIAL_MAX;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, fact_waiter, &w[i]));
		ASSERT_TRUE(waiter_blocked(&w[i])) TH_LOG("thread %u never blocked", i);
	}
	for (i = 0; i < ARRAY_LEN(w); i++) {
		if (__atomic_load_n(&w[i].state, __ATOMIC_ACQUIRE) == 2)
			TH_LOG("thread %u returned before close()", i);
		EXPECT_EQ(0, close(w[i].fd));
	}
	EXPECT_EQ(0, close(fd));

	for (i = 0; i < ARRAY_LEN(w); i++) {
		ASSERT_EQ(0, pthread_join(w[i].thread, NULL));
		EXPECT_TRUE(w[i].ret == 0 || w[i].ret == -EINTR)
			TH_LOG("thread %u: %s", i, strerror(-w[i].ret));
		/* MAX! is 0; an interrupted call leaves the field alone. */
		EXPECT_EQ(0u, w[i].req.result);
	}

	ASSERT_EQ(0, edu_fact(self->fd, 10, &result));
	EXPECT_EQ(3628800u, result);
}

TEST(devices_distinct)
{
	struct edu_info info[2];
	int fds[2], ret;
	unsigned int i;

	ret = edu_open_both(fds);
	if (ret == -ENOENT)
		SKIP(return, "needs /dev/edu0 and /dev/edu1");
	ASSERT_EQ(0, ret) TH_LOG("open: %s", strerror(-ret));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edu_get_info(fds[i], &info[i]));
		EXPECT_EQ(i, info[i].index);
	}
	EXPECT_STRNE(info[0].pci_addr, info[1].pci_addr);
	EXPECT_STREQ(info[0].driver_version, info[1].driver_version);
	close(fds[0]);
	close(fds[1]);
}

TEST(stats_per_device)
{
	struct edu_stats before[2], after[2];
	__u32 result;
	int fds[2], ret;
	unsigned int i;

	ret = edu_open_both(fds);
	if (ret == -ENOENT)
		SKIP(return, "needs /dev/edu0 and /dev/edu1");
	ASSERT_EQ(0, ret) TH_LOG("open: %s", strerror(-ret));
	ASSERT_EQ(0, edu_get_stats(fds[0], &before[0]));
	ASSERT_EQ(0, edu_get_stats(fds[1], &before[1]));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, edu_fact(fds[0], i, &result));
		EXPECT_EQ(fact32(i), result);
	}
	ASSERT_EQ(0, edu_fact(fds[1], 7, &result));
	EXPECT_EQ(5040u, result);
	ASSERT_EQ(0, edu_get_stats(fds[0], &after[0]));
	ASSERT_EQ(0, edu_get_stats(fds[1], &after[1]));
	EXPECT_EQ(before[0].factorials + 5, after[0].factorials);
	EXPECT_EQ(before[1].factorials + 1, after[1].factorials);
	close(fds[0]);
	close(fds[1]);
}

#define WORKERS_PER_DEVICE	4
#define WORKER_CALLS		200

struct fact_worker {
	pthread_t thread;
	pthread_barrier_t *start;
	int fd;
	unsigned int id;
	unsigned int completed;
	unsigned int errors;
	unsigned int wrong;
	int first_error;
	__u32 bad_n;
	__u32 bad_result;
};

static void *fact_worker(void *arg)
{
	struct fact_worker *w = arg;
	__u32 n, result;
	unsigned int i;
	int ret;

	pthread_barrier_wait(w->start);
	for (i = 0; i < WORKER_CALLS; i++) {
		/* Every n in 0..40, each worker in its own order. */
		n = (i * 7 + w->id * 13) % 41;
		ret = edu_fact(w->fd, n, &result);
		if (ret) {
			if (!w->errors++)
				w->first_error = -ret;
			continue;
		}
		w->completed++;
		if (result != fact32(n) && !w->wrong++) {
			w->bad_n = n;
			w->bad_result = result;
		}
	}
	return NULL;
}

TEST(concurrent_factorials)
{
	struct fact_worker w[2 * WORKERS_PER_DEVICE];
	struct edu_stats before[2], after[2];
	pthread_barrier_t start;
	long long t0;
	int fds[2], ret;
	unsigned int i;

	ret = edu_open_both(fds);
	if (ret == -ENOENT)
		SKIP(return, "needs /dev/edu0 and /dev/edu1");
	ASSERT_EQ(0, ret) TH_LOG("open: %s", strerror(-ret));
	ASSERT_EQ(0, edu_get_stats(fds[0], &before[0]));
	ASSERT_EQ(0, edu_get_stats(fds[1], &before[1]));
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, ARRAY_LEN(w) + 1));
	for (i = 0; i < ARRAY_LEN(w); i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].start = &start;
		w[i].fd = fds[i % 2];
		w[i].id = i;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, fact_worker, &w[i]));
	}
	t0 = now_ns();
	pthread_barrier_wait(&start);
	for (i = 0; i < ARRAY_LEN(w); i++) {
		ASSERT_EQ(0, pthread_join(w[i].thread, NULL));
		EXPECT_EQ(0u, w[i].errors)
			TH_LOG("edu%u thread %u: first error %s", i % 2, i,
			       strerror(w[i].first_error));
		EXPECT_EQ(0u, w[i].wrong)
			TH_LOG("edu%u thread %u: %u! = %u, expected %u", i % 2, i,
			       w[i].bad_n, w[i].bad_result, fact32(w[i].bad_n));
		EXPECT_EQ((unsigned int)WORKER_CALLS, w[i].completed);
	}
	TH_LOG("%zu threads x %d factorials: %lld ms", ARRAY_LEN(w), WORKER_CALLS,
	       (now_ns() - t0) / 1000000);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edu_get_stats(fds[i], &after[i]));
		EXPECT_EQ(before[i].factorials + WORKERS_PER_DEVICE * WORKER_CALLS,
			  after[i].factorials) TH_LOG("edu%u", i);
		EXPECT_EQ(before[i].timeouts, after[i].timeouts) TH_LOG("edu%u", i);
	}
	close(fds[0]);
	close(fds[1]);
}

/* An fd on /dev/eduN opened with @flags, or -errno. */
static int edu_open_mode(unsigned int index, int flags)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/edu%u", index);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int edu_dma_xfer(int fd, __u32 flags, void *addr, __u32 len)
{
	struct edu_dma_xfer x = { .addr = (uintptr_t)addr, .len = len, .flags = flags };

	return edu_ioctl(fd, EDU_IOC_DMA, &x);
}

/*
 * The open mode bounds the ioctls as it bounds read() and write(): what
 * changes the device's state (its registers, buffer, interrupts,
 * counters) needs a file open for writing, a DMA from the device one
 * open for reading; otherwise EBADF, as write(2) on an O_RDONLY fd.
 * Nothing refused reaches the device: the counters do not move.
 */
TEST(open_mode_bounds_ioctls)
{
	struct edu_liveness live = { .value = 0x12345678 };
	struct edu_factorial fact = { .n = 5 };
	struct edu_irq_raise raise = { .reasons = 0x10000 };
	struct edu_stats before, after;
	struct edu_info info;
	char data[16] = "read-only?";
	long psize = sysconf(_SC_PAGESIZE);
	int ro, wo, rw;
	void *map;

	ro = edu_open_mode(0, O_RDONLY);
	if (ro == -ENOENT)
		SKIP(return, "no /dev/edu0");
	ASSERT_LE(0, ro);
	wo = edu_open_mode(0, O_WRONLY);
	ASSERT_LE(0, wo);
	rw = edu_open_mode(0, O_RDWR);
	ASSERT_LE(0, rw);

	/* What only reads works on a read-only file. */
	EXPECT_EQ(0, edu_get_info(ro, &info));
	ASSERT_EQ(0, edu_get_stats(ro, &before));
	EXPECT_EQ(0, edu_dma_xfer(ro, EDU_DMA_FROM_DEVICE, data, sizeof(data)));

	EXPECT_EQ(-EBADF, edu_ioctl(ro, EDU_IOC_LIVENESS, &live));
	EXPECT_EQ(-EBADF, edu_ioctl(ro, EDU_IOC_FACTORIAL, &fact));
	EXPECT_EQ(-EBADF, edu_ioctl(ro, EDU_IOC_RAISE_IRQ, &raise));
	EXPECT_EQ(-EBADF, edu_ioctl(ro, EDU_IOC_RESET_STATS, NULL));
	EXPECT_EQ(-EBADF, edu_dma_xfer(ro, EDU_DMA_TO_DEVICE, data, sizeof(data)));

	/* The VFS refuses a writable shared mapping; a readable one is not for writing. */
	map = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EACCES, errno);
	map = mmap(NULL, psize, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-EBADF, edu_dma_xfer(ro, EDU_DMA_TO_DEVICE | EDU_DMA_F_MMAP, NULL, 16));
	EXPECT_EQ(0, edu_dma_xfer(ro, EDU_DMA_FROM_DEVICE | EDU_DMA_F_MMAP, NULL, 16));
	munmap(map, psize);

	/* A write-only file changes the device but does not read its buffer. */
	EXPECT_EQ(-EBADF, edu_dma_xfer(wo, EDU_DMA_FROM_DEVICE, data, sizeof(data)));
	EXPECT_EQ(0, edu_ioctl(wo, EDU_IOC_LIVENESS, &live));
	EXPECT_EQ(~0x12345678u, live.result);

	/* Only the write-only file's liveness and the reads reached the device. */
	ASSERT_EQ(0, edu_get_stats(rw, &after));
	EXPECT_EQ(before.factorials, after.factorials);
	EXPECT_EQ(before.irq_reasons[16], after.irq_reasons[16]);
	EXPECT_EQ(before.dma_xfers_to_dev, after.dma_xfers_to_dev);
	EXPECT_EQ(before.dma_xfers_from_dev + 2, after.dma_xfers_from_dev);

	/* The same requests on a read-write file work. */
	EXPECT_EQ(0, edu_ioctl(rw, EDU_IOC_FACTORIAL, &fact));
	EXPECT_EQ(120u, fact.result);
	EXPECT_EQ(0, edu_ioctl(rw, EDU_IOC_RAISE_IRQ, &raise));
	EXPECT_EQ(0, edu_dma_xfer(rw, EDU_DMA_TO_DEVICE, data, sizeof(data)));
	close(ro);
	close(wo);
	close(rw);
}

static void __attribute__((constructor)) seed_random(void)
{
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
}

TEST_HARNESS_MAIN
