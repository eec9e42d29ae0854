// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA data path of /dev/eduN (include/uapi/linux/edu.h), with the
 * kselftest harness: read(), write(), pread(), pwrite() and lseek() on the
 * device buffer, EDU_IOC_DMA from a user pointer and from the file's
 * mmap()ed buffer, O_NONBLOCK and poll(), signals and close() during a
 * transfer (held in flight by the debugfs knob force_timeout), and the
 * DMA statistics.
 *
 * Runs as root in a guest where the driver is bound to two edu devices,
 * /dev/edu0 and /dev/edu1; the tests of a missing node are skipped. The
 * tests run one at a time and assume nobody else uses the devices
 * meanwhile: buffer contents and statistics are checked exactly. Each
 * transfer takes about 100 ms in QEMU, so the size and offset matrix
 * runs on edu0 only and the tests run on both devices move little.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/edu.h>

#include "kselftest_harness.h"
#include "edu_hold.h"

/* The layout is part of the ABI and must not depend on -m32. */
static_assert(sizeof(struct edu_dma_xfer) == 32, "struct edu_dma_xfer is 32 bytes");
static_assert(offsetof(struct edu_dma_xfer, dev_offset) == 8, "edu_dma_xfer.dev_offset");
static_assert(offsetof(struct edu_dma_xfer, len) == 12, "edu_dma_xfer.len");
static_assert(offsetof(struct edu_dma_xfer, mmap_offset) == 16, "edu_dma_xfer.mmap_offset");
static_assert(offsetof(struct edu_dma_xfer, flags) == 20, "edu_dma_xfer.flags");
static_assert(offsetof(struct edu_dma_xfer, reserved) == 24, "edu_dma_xfer.reserved");
static_assert(sizeof(struct edu_stats) == 352, "struct edu_stats is 352 bytes");
static_assert(offsetof(struct edu_stats, dma_bytes_to_dev) == 288, "edu_stats.dma_bytes_to_dev");
static_assert(offsetof(struct edu_stats, dma_queue_hwm) == 336, "edu_stats.dma_queue_hwm");
static_assert(offsetof(struct edu_stats, reserved) == 344, "edu_stats.reserved");

/* What the driver reaches by default: QEMU up to 7.2 aborts on the last byte. */
#define EDU_BUF_SIZE_DEFAULT	4095
#define EDU_MAP_SIZE		EDU_DMA_BUF_SIZE
/* The tests use offsets up to about 1000 in the device buffer. */
#define EDU_MIN_SIZE		1024
#define EDU_IRQ_BIT_DMA		8
static_assert(EDU_IRQ_REASON_DMA == 1u << EDU_IRQ_BIT_DMA, "DMA interrupt reason bit");

#define TO_DEV			EDU_DMA_TO_DEVICE
#define FROM_DEV		EDU_DMA_FROM_DEVICE
/* No user process can have this address: the kernel's half. */
#define KERNEL_ADDR		0xffffffffffff0000ull
#define POLL_MASK		(POLLIN | POLLOUT | POLLERR | POLLHUP | POLLNVAL)
#define ARRAY_LEN(a)		(sizeof(a) / sizeof((a)[0]))

/* ioctl(): 0 or -errno. */
static int edu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* An fd on /dev/eduN, opened O_RDWR | @flags, or -errno. */
static int edu_open_flags(unsigned int index, int flags)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/edu%u", index);
	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

static int edu_open(unsigned int index)
{
	return edu_open_flags(index, 0);
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

/* pread(), pwrite(), read(), write(), lseek(): the result, or -errno. */
static ssize_t edu_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t edu_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t edu_read(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t edu_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static off_t edu_lseek(int fd, off_t off, int whence)
{
	off_t pos = lseek(fd, off, whence);

	return pos < 0 ? -errno : pos;
}

/* EDU_IOC_DMA between @addr and the device buffer: 0 or -errno. */
static int edu_dma(int fd, __u32 flags, const void *addr, __u32 dev_offset, __u32 len)
{
	struct edu_dma_xfer req = {
		.addr = (uintptr_t)addr,
		.dev_offset = dev_offset,
		.len = len,
		.flags = flags,
	};

	return edu_ioctl(fd, EDU_IOC_DMA, &req);
}

/* EDU_IOC_DMA between the file's mapping and the device buffer. */
static int edu_dma_mmap(int fd, __u32 flags, __u32 mmap_offset, __u32 dev_offset, __u32 len)
{
	struct edu_dma_xfer req = {
		.dev_offset = dev_offset,
		.len = len,
		.mmap_offset = mmap_offset,
		.flags = flags | EDU_DMA_F_MMAP,
	};

	return edu_ioctl(fd, EDU_IOC_DMA, &req);
}

/* mmap() of the device that is expected to fail: -errno, or 0 if it did not. */
static int edu_mmap_errno(int fd, size_t len, int flags, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/* Pre-filled with garbage: the driver must write every byte. */
static int edu_get_stats(int fd, struct edu_stats *stats)
{
	memset(stats, 0xa5, sizeof(*stats));
	return edu_ioctl(fd, EDU_IOC_GET_STATS, stats);
}

static __u32 crc32_table[256];

static void __attribute__((constructor)) crc32_init(void)
{
	__u32 c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
}

/* CRC-32 of IEEE 802.3 (zlib's crc32()) of @len bytes. */
static __u32 edu_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	__u32 c = 0xffffffffu;

	while (len--)
		c = crc32_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

/* @len pseudo-random bytes (xorshift32), reproducible from @seed. */
static void fill_random(void *buf, size_t len, __u32 seed)
{
	unsigned char *p = buf;
	__u32 x = seed | 1;

	while (len--) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*p++ = x >> 24;
	}
}

static __u32 new_seed(void)
{
	return (__u32)random();
}

/* Offset of the first byte where @a and @b differ, or -1. */
static int first_diff(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

/* Offset of the first byte of @p that is not @byte, or -1. */
static int first_not(const void *p, unsigned char byte, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != byte)
			return i;
	return -1;
}

/* Offset of the first nonzero byte of @p, or -1: reserved fields are zero. */
static int nonzero_at(const void *p, size_t len)
{
	return first_not(p, 0, len);
}

/* Bytes a transfer of @len at @off moves in a @size byte file. */
static ssize_t span(off_t off, size_t len, int size)
{
	if (off >= size)
		return 0;
	return len < (size_t)(size - off) ? (ssize_t)len : size - off;
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

/* B, the file size: the buf_size parameter, the default without it. */
static int edu_buf_size(void)
{
	char line[32];

	if (read_line("/sys/module/edu/parameters/buf_size", line, sizeof(line)))
		return EDU_BUF_SIZE_DEFAULT;
	return strtol(line, NULL, 10);
}

/*
 * Wait (up to 2 s) until the statistics have counted reason @bit @count
 * times: an interrupt may be accounted after its waiter woke up.
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

/* poll() for POLLIN | POLLOUT: what poll() returned (or -errno), and revents. */
static int poll_inout(int fd, int timeout_ms, short *revents)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	int ret = poll(&pfd, 1, timeout_ms);

	*revents = pfd.revents;
	return ret < 0 ? -errno : ret;
}

/* A pread() or pwrite() of @len bytes at offset 0, in a thread of its own. */
struct xfer_thread {
	pthread_t thread;
	int fd;
	bool write;
	void *buf;
	size_t len;
	ssize_t ret;		/* read after pthread_join() */
};

static void *xfer_thread(void *arg)
{
	struct xfer_thread *t = arg;

	if (t->write)
		t->ret = edu_pwrite(t->fd, t->buf, t->len, 0);
	else
		t->ret = edu_pread(t->fd, t->buf, t->len, 0);
	return NULL;
}

static int xfer_start(struct xfer_thread *t, int fd, bool write, void *buf, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->write = write;
	t->buf = buf;
	t->len = len;
	return pthread_create(&t->thread, NULL, xfer_thread, t);
}

/* Fixture setup: B, and an fd on /dev/eduN or -errno. */
static void edu_open_setup(unsigned int index, int *fd, int *size)
{
	*size = edu_buf_size();
	*fd = edu_open(index);
}

/* Tests that move little, on each device. */
FIXTURE(edu) {
	int fd;
	int size;
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
	edu_open_setup(variant->index, &self->fd, &self->size);
	if (self->fd == -ENOENT)
		SKIP(return, "/dev/edu%u does not exist", variant->index);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/edu%u: %s", variant->index, strerror(-self->fd));
	ASSERT_GE(EDU_DMA_BUF_SIZE, self->size) TH_LOG("buf_size %d", self->size);
	if (self->size < EDU_MIN_SIZE)
		SKIP(return, "buf_size %d: these tests need %d bytes", self->size, EDU_MIN_SIZE);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The long ones, on edu0 only. */
FIXTURE(edu0) {
	int fd;
	int size;
};

FIXTURE_SETUP(edu0)
{
	edu_open_setup(0, &self->fd, &self->size);
	if (self->fd == -ENOENT)
		SKIP(return, "/dev/edu0 does not exist");
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/edu0: %s", strerror(-self->fd));
	ASSERT_GE(EDU_DMA_BUF_SIZE, self->size) TH_LOG("buf_size %d", self->size);
	if (self->size < EDU_MIN_SIZE)
		SKIP(return, "buf_size %d: these tests need %d bytes", self->size, EDU_MIN_SIZE);
}

FIXTURE_TEARDOWN(edu0)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The reference the data checks rely on. */
TEST(crc32_reference)
{
	unsigned char buf[4] = { 0 };

	EXPECT_EQ(0xcbf43926u, edu_crc32("123456789", 9));
	EXPECT_EQ(0u, edu_crc32(buf, 0));
	EXPECT_EQ(0x2144df1cu, edu_crc32(buf, 4));
}

/* Sizes of the matrix: around 512-byte boundaries and the whole buffer. */
static const size_t matrix_sizes[] = { 1, 2, 3, 511, 512, 1024, 1025, 2048, 4095, 4096 };

/* Offsets of the matrix, each once: 0, 1, B - 1, then at and past the end. */
static unsigned int matrix_offsets(int size, off_t *offs)
{
	const off_t all[] = {
		0, 1, size - 1, size, size + 1, EDU_DMA_BUF_SIZE - 1, EDU_DMA_BUF_SIZE,
		0x7fffffff,
	};
	unsigned int i, j, n = 0;

	for (i = 0; i < ARRAY_LEN(all); i++) {
		for (j = 0; j < n && offs[j] != all[i]; j++)
			;
		if (j == n)
			offs[n++] = all[i];
	}
	return n;
}

/*
 * Random data written and read back at every size and offset, the
 * transfers crossing the end shortened, those at or past it refused
 * (writes) or empty (reads). After each write the whole buffer is read
 * and compared with a shadow copy: nothing outside the written range
 * changes.
 */
TEST_F_TIMEOUT(edu0, integrity_matrix, 120)
{
	static unsigned char shadow[EDU_DMA_BUF_SIZE], wbuf[EDU_DMA_BUF_SIZE];
	static unsigned char rbuf[EDU_DMA_BUF_SIZE], whole[EDU_DMA_BUF_SIZE + 16];
	off_t offs[8], off;
	int size = self->size;
	unsigned int i, j, noffs, cases = 0;
	ssize_t n, want;
	long long t0 = now_ns();
	__u32 seed;
	size_t len;

	noffs = matrix_offsets(size, offs);
	seed = new_seed();
	fill_random(shadow, size, seed);
	ASSERT_EQ(size, edu_pwrite(self->fd, shadow, size, 0)) TH_LOG("background");

	for (i = 0; i < noffs; i++) {
		for (j = 0; j < ARRAY_LEN(matrix_sizes); j++) {
			off = offs[i];
			len = matrix_sizes[j];
			want = span(off, len, size);
			seed = new_seed();
			fill_random(wbuf, len, seed);
			cases++;

			n = edu_pwrite(self->fd, wbuf, len, off);
			EXPECT_EQ(want ? want : -ENOSPC, n)
				TH_LOG("pwrite %zu at %jd (seed 0x%08x)", len, (intmax_t)off, seed);
			if (n > 0 && off < size)
				memcpy(shadow + off, wbuf, span(off, n, size));

			memset(rbuf, 0x5a, sizeof(rbuf));
			n = edu_pread(self->fd, rbuf, len, off);
			EXPECT_EQ(want, n)
				TH_LOG("pread %zu at %jd (seed 0x%08x)", len, (intmax_t)off, seed);
			EXPECT_EQ(edu_crc32(wbuf, want), edu_crc32(rbuf, want))
				TH_LOG("%zd bytes at %jd (seed 0x%08x): first difference at %d",
				       want, (intmax_t)off, seed, first_diff(wbuf, rbuf, want));
			EXPECT_EQ(-1, first_not(rbuf + want, 0x5a, len - want))
				TH_LOG("pread %zu at %jd wrote past the %zd bytes it returned",
				       len, (intmax_t)off, want);
			if (off >= size)
				continue;

			/* More than the file: the whole of it. */
			n = edu_pread(self->fd, whole, sizeof(whole), 0);
			EXPECT_EQ(size, n)
				TH_LOG("whole buffer after %zu at %jd", len, (intmax_t)off);
			EXPECT_EQ(edu_crc32(shadow, size), edu_crc32(whole, size))
				TH_LOG("after %zu at %jd (seed 0x%08x): whole buffer differs at %d",
				       len, (intmax_t)off, seed, first_diff(shadow, whole, size));
			/* One failure should not fail every later case. */
			if (n == size)
				memcpy(shadow, whole, size);
		}
	}

	/* The refused writes past the end changed nothing. */
	ASSERT_EQ(size, edu_pread(self->fd, whole, size, 0));
	EXPECT_EQ(edu_crc32(shadow, size), edu_crc32(whole, size))
		TH_LOG("first difference at %d", first_diff(shadow, whole, size));
	TH_LOG("%u cases, B = %d: %lld ms", cases, size, (now_ns() - t0) / 1000000);
}

/* Buffers the kernel cannot copy from or to: EFAULT, and nothing changes. */
TEST_F(edu0, rw_bad_buffers)
{
	static unsigned char pat[EDU_DMA_BUF_SIZE], got[EDU_DMA_BUF_SIZE];
	void *hole, *none, *ro;
	int size = self->size;

	/* Not accessible, read-only, and (mapped last) nothing mapped. */
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, 4096));
	fill_random(pat, size, new_seed());
	ASSERT_EQ(size, edu_pwrite(self->fd, pat, size, 0));

	EXPECT_EQ(-EFAULT, edu_pwrite(self->fd, hole, 16, 0));
	EXPECT_EQ(-EFAULT, edu_pwrite(self->fd, none, 16, 0));
	EXPECT_EQ(-EFAULT, edu_pread(self->fd, hole, 16, 0));
	EXPECT_EQ(-EFAULT, edu_pread(self->fd, none, 16, 0));
	EXPECT_EQ(-EFAULT, edu_pread(self->fd, ro, 16, 0));

	ASSERT_EQ(size, edu_pread(self->fd, got, size, 0));
	EXPECT_EQ(edu_crc32(pat, size), edu_crc32(got, size))
		TH_LOG("first difference at %d", first_diff(pat, got, size));
	munmap(none, 4096);
	munmap(ro, 4096);
}

/*
 * The statistics count what moved, in bytes and transfers per direction,
 * whatever the path; what moves nothing counts nothing.
 */
TEST_F(edu0, stats_count_transfers)
{
	static unsigned char buf[EDU_DMA_BUF_SIZE];
	struct edu_stats before, after;
	int fd = self->fd, size = self->size;
	unsigned char *map;

	map = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap: %s", strerror(errno));
	fill_random(buf, sizeof(buf), new_seed());
	memset(map, 0x3c, EDU_MAP_SIZE);
	/* From zero: the high-water mark then says what this test queued. */
	ASSERT_EQ(0, edu_ioctl(fd, EDU_IOC_RESET_STATS, NULL));
	ASSERT_EQ(0, edu_get_stats(fd, &before));
	EXPECT_EQ(0ull, before.reserved);

	ASSERT_EQ(100, edu_pwrite(fd, buf, 100, 0));
	ASSERT_EQ(300, edu_pread(fd, buf, 300, 0));
	ASSERT_EQ(0, edu_dma(fd, TO_DEV, buf, 10, 7));
	ASSERT_EQ(0, edu_dma(fd, FROM_DEV, buf, 10, 9));
	ASSERT_EQ(1, edu_pwrite(fd, buf, 10, size - 1));
	ASSERT_EQ(2, edu_pread(fd, buf, 10, size - 2));
	ASSERT_EQ(0, edu_dma_mmap(fd, TO_DEV, 0, 0, 50));
	ASSERT_EQ(0, edu_dma_mmap(fd, FROM_DEV, 100, 0, 60));

	EXPECT_EQ(0, edu_pread(fd, buf, 10, size));
	EXPECT_EQ(-ENOSPC, edu_pwrite(fd, buf, 10, size));
	EXPECT_EQ(0, edu_pread(fd, buf, 0, 0));
	EXPECT_EQ(0, edu_pwrite(fd, buf, 0, 0));
	EXPECT_EQ(-EINVAL, edu_dma(fd, TO_DEV, buf, 0, 0));
	EXPECT_EQ(-EINVAL, edu_dma(fd, FROM_DEV, buf, size, 1));

	ASSERT_EQ(0, edu_get_stats(fd, &after));
	EXPECT_EQ(before.dma_bytes_to_dev + 100 + 7 + 1 + 50, after.dma_bytes_to_dev);
	EXPECT_EQ(before.dma_xfers_to_dev + 4, after.dma_xfers_to_dev);
	EXPECT_EQ(before.dma_bytes_from_dev + 300 + 9 + 2 + 60, after.dma_bytes_from_dev);
	EXPECT_EQ(before.dma_xfers_from_dev + 4, after.dma_xfers_from_dev);
	EXPECT_EQ(before.dma_errors, after.dma_errors);
	EXPECT_EQ(before.dma_timeouts, after.dma_timeouts);
	/* One transfer at a time: never more than one queued. */
	EXPECT_EQ(1ull, after.dma_queue_hwm);
	EXPECT_EQ(before.factorials, after.factorials);
	EXPECT_EQ(0ull, after.reserved);
	/* Each transfer ends with a DMA interrupt. */
	EXPECT_TRUE(reason_counted(fd, EDU_IRQ_BIT_DMA, before.irq_reasons[EDU_IRQ_BIT_DMA] + 8))
		TH_LOG("DMA interrupts: %llu before", before.irq_reasons[EDU_IRQ_BIT_DMA]);
	munmap(map, EDU_MAP_SIZE);
}

TEST_F(edu, lseek_and_eof)
{
	unsigned char wbuf[16], rbuf[16];
	off_t end = self->size;
	int fd = self->fd;
	ssize_t n;

	fill_random(wbuf, sizeof(wbuf), new_seed());
	/* The size is B: seeks reach the end but not past it, nor below 0. */
	EXPECT_EQ(end, edu_lseek(fd, 0, SEEK_END));
	EXPECT_EQ(end - 1, edu_lseek(fd, -1, SEEK_END));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, 1, SEEK_END));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, -end - 1, SEEK_END));
	/* A refused seek does not move. */
	EXPECT_EQ(end - 1, edu_lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(0, edu_lseek(fd, -end, SEEK_END));
	EXPECT_EQ(end, edu_lseek(fd, end, SEEK_SET));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, end + 1, SEEK_SET));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, EDU_DMA_BUF_SIZE + 1, SEEK_SET));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, 0x7fffffff, SEEK_SET));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(end, edu_lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(10, edu_lseek(fd, 10, SEEK_SET));
	EXPECT_EQ(15, edu_lseek(fd, 5, SEEK_CUR));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, -16, SEEK_CUR));
	EXPECT_EQ(-EINVAL, edu_lseek(fd, end, SEEK_CUR));
	EXPECT_EQ(15, edu_lseek(fd, 0, SEEK_CUR));

	/* Negative offsets. */
	EXPECT_EQ(-EINVAL, edu_pread(fd, rbuf, 1, -1));
	EXPECT_EQ(-EINVAL, edu_pwrite(fd, wbuf, 1, -1));

	/* At and past the end: reads are empty, writes have no room. */
	EXPECT_EQ(0, edu_pread(fd, rbuf, sizeof(rbuf), end));
	EXPECT_EQ(0, edu_pread(fd, rbuf, sizeof(rbuf), end + 1));
	EXPECT_EQ(0, edu_pread(fd, rbuf, sizeof(rbuf), 0x7fffffff));
	EXPECT_EQ(-ENOSPC, edu_pwrite(fd, wbuf, sizeof(wbuf), end));
	EXPECT_EQ(-ENOSPC, edu_pwrite(fd, wbuf, sizeof(wbuf), end + 1));
	EXPECT_EQ(-ENOSPC, edu_pwrite(fd, wbuf, sizeof(wbuf), 0x7fffffff));

	/* Zero bytes: nothing to do. */
	EXPECT_EQ(0, edu_pread(fd, rbuf, 0, 0));
	EXPECT_EQ(0, edu_pread(fd, NULL, 0, end - 1));
	EXPECT_EQ(0, edu_pwrite(fd, wbuf, 0, 0));
	EXPECT_EQ(0, edu_pwrite(fd, NULL, 0, end - 1));
	n = edu_pwrite(fd, wbuf, 0, end);
	EXPECT_TRUE(n == 0 || n == -ENOSPC) TH_LOG("pwrite of 0 bytes at the end: %zd", n);
	/* None of that moved the position. */
	EXPECT_EQ(15, edu_lseek(fd, 0, SEEK_CUR));

	/* write() and read() at the file position: shortened at the end. */
	ASSERT_EQ(end - 3, edu_lseek(fd, -3, SEEK_END));
	EXPECT_EQ(3, edu_write(fd, wbuf, sizeof(wbuf)));
	EXPECT_EQ(end, edu_lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(-ENOSPC, edu_write(fd, wbuf, sizeof(wbuf)));
	EXPECT_EQ(0, edu_read(fd, rbuf, sizeof(rbuf)));
	EXPECT_EQ(end, edu_lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(end - 3, edu_lseek(fd, -3, SEEK_END));
	memset(rbuf, 0, sizeof(rbuf));
	EXPECT_EQ(3, edu_read(fd, rbuf, sizeof(rbuf)));
	EXPECT_EQ(edu_crc32(wbuf, 3), edu_crc32(rbuf, 3));
	EXPECT_EQ(end, edu_lseek(fd, 0, SEEK_CUR));

	/* Consecutive read()s go on where the last one ended. */
	ASSERT_EQ(0, edu_lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(16, edu_write(fd, wbuf, sizeof(wbuf)));
	EXPECT_EQ(16, edu_lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(0, edu_lseek(fd, 0, SEEK_SET));
	memset(rbuf, 0, sizeof(rbuf));
	EXPECT_EQ(8, edu_read(fd, rbuf, 8));
	EXPECT_EQ(8, edu_read(fd, rbuf + 8, 8));
	EXPECT_EQ(16, edu_lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(edu_crc32(wbuf, sizeof(wbuf)), edu_crc32(rbuf, sizeof(rbuf)));
}

/* EDU_IOC_DMA from and to user memory; the device buffer is the file's. */
TEST_F(edu, dma_ioctl_round_trip)
{
	static unsigned char src[EDU_DMA_BUF_SIZE], dst[EDU_DMA_BUF_SIZE];
	int fd = self->fd, size = self->size;
	struct edu_dma_xfer req, copy;
	unsigned char part[200], c;

	fill_random(src, size, new_seed());
	memset(dst, 0xa5, sizeof(dst));
	req = (struct edu_dma_xfer){ .addr = (uintptr_t)src, .len = size, .flags = TO_DEV };
	copy = req;
	ASSERT_EQ(0, edu_ioctl(fd, EDU_IOC_DMA, &req));
	/* _IOW: the request is not written back. */
	EXPECT_EQ(-1, first_diff(&copy, &req, sizeof(req)));
	ASSERT_EQ(0, edu_dma(fd, FROM_DEV, dst, 0, size));
	EXPECT_EQ(edu_crc32(src, size), edu_crc32(dst, size))
		TH_LOG("first difference at %d", first_diff(src, dst, size));
	EXPECT_EQ(-1, first_not(dst + size, 0xa5, sizeof(dst) - size));

	/* The ioctl and pread() address the same bytes. */
	fill_random(part, sizeof(part), new_seed());
	ASSERT_EQ(0, edu_dma(fd, TO_DEV, part, 100, sizeof(part)));
	memcpy(src + 100, part, sizeof(part));
	ASSERT_EQ(size, edu_pread(fd, dst, size, 0));
	EXPECT_EQ(edu_crc32(src, size), edu_crc32(dst, size))
		TH_LOG("first difference at %d", first_diff(src, dst, size));

	/* And pwrite() and the ioctl, at the last byte. */
	c = 0x3c;
	ASSERT_EQ(1, edu_pwrite(fd, &c, 1, size - 1));
	c = 0;
	ASSERT_EQ(0, edu_dma(fd, FROM_DEV, &c, size - 1, 1));
	EXPECT_EQ(0x3c, c);
}

TEST_F(edu, dma_ioctl_rejects_bad_requests)
{
	static unsigned char buf[2 * EDU_DMA_BUF_SIZE];
	__u32 size = self->size;
	const struct edu_dma_xfer bad[] = {
		/* Not exactly one direction, unknown flags. */
		{ .len = 1 },
		{ .len = 1, .flags = TO_DEV | FROM_DEV },
		{ .len = 1, .flags = 0x8 },
		{ .len = 1, .flags = TO_DEV | 0x8 },
		{ .len = 1, .flags = FROM_DEV | 0x80000000 },
		/* Lengths and offsets: never shortened, no wrap-around. */
		{ .len = 0, .flags = TO_DEV },
		{ .len = 0, .flags = FROM_DEV },
		{ .len = size + 1, .flags = FROM_DEV },
		{ .len = 0xffffffff, .flags = TO_DEV },
		{ .dev_offset = size, .len = 1, .flags = TO_DEV },
		{ .dev_offset = size - 1, .len = 2, .flags = FROM_DEV },
		{ .dev_offset = 1, .len = size, .flags = TO_DEV },
		{ .dev_offset = 0xffffffff, .len = 2, .flags = TO_DEV },
		{ .dev_offset = 0xffffffff, .len = 1, .flags = FROM_DEV },
		{ .dev_offset = 2, .len = 0xffffffff, .flags = TO_DEV },
		{ .dev_offset = 0x80000000, .len = 0x80000000, .flags = TO_DEV },
		/* mmap_offset without EDU_DMA_F_MMAP, reserved. */
		{ .len = 1, .mmap_offset = 1, .flags = TO_DEV },
		{ .len = 1, .mmap_offset = 0x80000000, .flags = FROM_DEV },
		{ .len = 1, .flags = TO_DEV, .reserved = 1 },
		{ .len = 1, .flags = FROM_DEV, .reserved = 1ull << 63 },
	};
	__u64 bad_addrs[] = { 0, 1, 0, KERNEL_ADDR, 0 };
	const __u32 dirs[] = { TO_DEV, FROM_DEV };
	struct edu_dma_xfer req;
	unsigned char *none, *ro, *edge;
	unsigned int i;
	__u64 addr;

	none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ro = none + 4096;
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, edge);
	ASSERT_EQ(0, mprotect(edge + 4096, 4096, PROT_NONE));
	bad_addrs[2] = (uintptr_t)none;
	bad_addrs[4] = (uintptr_t)(edge + 4096 - 8);

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = bad[i];
		req.addr = (uintptr_t)buf;
		EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_DMA, &req))
			TH_LOG("#%u: dev_offset 0x%x len 0x%x mmap_offset 0x%x flags 0x%x",
			       i, req.dev_offset, req.len, req.mmap_offset, req.flags);
	}

	/* Addresses no copy can use, either way; a buffer running into a hole. */
	for (i = 0; i < ARRAY_LEN(bad_addrs) * ARRAY_LEN(dirs); i++) {
		addr = bad_addrs[i / ARRAY_LEN(dirs)];
		req = (struct edu_dma_xfer){ .addr = addr, .len = 16, .flags = dirs[i % 2] };
		EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_DMA, &req))
			TH_LOG("addr 0x%llx flags 0x%x", req.addr, req.flags);
	}
	EXPECT_EQ(-EFAULT, edu_dma(self->fd, FROM_DEV, ro, 0, 16));
	/* The request itself. */
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_DMA, NULL));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_DMA, none));
	EXPECT_EQ(-EFAULT, edu_ioctl(self->fd, EDU_IOC_DMA, edge + 4096 - 16));
	/* The number with another size or direction. */
	req = (struct edu_dma_xfer){ .addr = (uintptr_t)buf, .len = 1, .flags = TO_DEV };
	EXPECT_EQ(-ENOTTY, edu_ioctl(self->fd, _IOWR(EDU_IOC_MAGIC, 0x06, struct edu_dma_xfer),
				     &req));
	EXPECT_EQ(-ENOTTY, edu_ioctl(self->fd, _IOW(EDU_IOC_MAGIC, 0x06, __u64), &req));
	/* Zero copy before any mmap(). */
	EXPECT_EQ(-ENXIO, edu_dma_mmap(self->fd, TO_DEV, 0, 0, 1));
	EXPECT_EQ(-ENXIO, edu_dma_mmap(self->fd, FROM_DEV, 0, 0, 1));

	/* Nothing of that broke the device. */
	fill_random(buf, 16, new_seed());
	ASSERT_EQ(0, edu_dma(self->fd, TO_DEV, buf, 0, 16));
	ASSERT_EQ(0, edu_dma(self->fd, FROM_DEV, buf + 16, 0, 16));
	EXPECT_EQ(edu_crc32(buf, 16), edu_crc32(buf + 16, 16));
	munmap(none, 8192);
	munmap(edge, 8192);
}

/* Zero copy: the mapping to the device and back, at offsets on both sides. */
TEST_F(edu, mmap_round_trip)
{
	static unsigned char pat[EDU_MAP_SIZE], whole[EDU_DMA_BUF_SIZE];
	int fd = self->fd, size = self->size;
	unsigned char part[500], c;
	unsigned char *p, *q, *one;

	p = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	fill_random(pat, sizeof(pat), new_seed());
	memcpy(p, pat, EDU_MAP_SIZE);
	ASSERT_EQ(0, edu_dma_mmap(fd, TO_DEV, 0, 0, size));
	memset(p, 0, EDU_MAP_SIZE);
	ASSERT_EQ(0, edu_dma_mmap(fd, FROM_DEV, 0, 0, size));
	EXPECT_EQ(edu_crc32(pat, size), edu_crc32(p, size))
		TH_LOG("first difference at %d", first_diff(pat, p, size));
	EXPECT_EQ(-1, nonzero_at(p + size, EDU_MAP_SIZE - size));

	/* Mapping 1000.. to device 17.., device 17.. to mapping 3000.. */
	fill_random(part, sizeof(part), new_seed());
	memcpy(p + 1000, part, sizeof(part));
	memset(p + 3000, 0, sizeof(part) + 16);
	ASSERT_EQ(0, edu_dma_mmap(fd, TO_DEV, 1000, 17, sizeof(part)));
	ASSERT_EQ(0, edu_dma_mmap(fd, FROM_DEV, 3000, 17, sizeof(part)));
	EXPECT_EQ(edu_crc32(part, sizeof(part)), edu_crc32(p + 3000, sizeof(part)));
	EXPECT_EQ(edu_crc32(part, sizeof(part)), edu_crc32(p + 1000, sizeof(part)));
	EXPECT_EQ(-1, nonzero_at(p + 3000 + sizeof(part), 16));
	/* pread() sees what the mapping sent, and only that. */
	memcpy(pat + 17, part, sizeof(part));
	ASSERT_EQ(size, edu_pread(fd, whole, size, 0));
	EXPECT_EQ(edu_crc32(pat, size), edu_crc32(whole, size))
		TH_LOG("first difference at %d", first_diff(pat, whole, size));

	/* A second mapping of the file is the same buffer; so is a 1-byte one. */
	q = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("second mmap: %s", strerror(errno));
	EXPECT_EQ(-1, first_diff(p, q, EDU_MAP_SIZE));
	p[5] ^= 0xff;
	EXPECT_EQ(p[5], q[5]);
	one = mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, one) TH_LOG("1-byte mmap: %s", strerror(errno));
	EXPECT_EQ(p[0], one[0]);

	/* Without the first mapping the other still works: its last byte. */
	EXPECT_EQ(0, munmap(p, EDU_MAP_SIZE));
	q[EDU_MAP_SIZE - 1] = 0xc3;
	ASSERT_EQ(0, edu_dma_mmap(fd, TO_DEV, EDU_MAP_SIZE - 1, size - 1, 1));
	c = 0;
	ASSERT_EQ(1, edu_pread(fd, &c, 1, size - 1));
	EXPECT_EQ(0xc3, c);

	EXPECT_EQ(0, munmap(q, EDU_MAP_SIZE));
	EXPECT_EQ(0, munmap(one, 1));
	EXPECT_EQ(0, close(fd));
	self->fd = -1;
}

TEST_F(edu, mmap_rejects_bad_requests)
{
	__u32 size = self->size;
	const struct edu_dma_xfer bad[] = {
		/* Past the mapping, or wrapping around. */
		{ .mmap_offset = EDU_MAP_SIZE - 100, .len = 200, .flags = TO_DEV },
		{ .mmap_offset = EDU_MAP_SIZE, .len = 1, .flags = FROM_DEV },
		{ .mmap_offset = 0xffffffff, .len = 2, .flags = FROM_DEV },
		{ .mmap_offset = 0x80000000, .len = 0x80000000, .flags = TO_DEV },
		/* Past the device buffer, empty. */
		{ .len = size + 1, .flags = TO_DEV },
		{ .dev_offset = size, .len = 1, .flags = FROM_DEV },
		{ .dev_offset = 0xffffffff, .len = 2, .flags = TO_DEV },
		{ .len = 0, .flags = TO_DEV },
		/* Directions, flags, an address besides the mapping, reserved. */
		{ .len = 1 },
		{ .len = 1, .flags = TO_DEV | FROM_DEV },
		{ .len = 1, .flags = FROM_DEV | 0x8 },
		{ .addr = 0x1000, .len = 1, .flags = TO_DEV },
		{ .len = 1, .flags = TO_DEV, .reserved = 1 },
	};
	struct edu_dma_xfer req;
	unsigned int i;
	void *p;

	/* Bigger than the buffer, past its start, private. */
	EXPECT_EQ(-EINVAL, edu_mmap_errno(self->fd, 2 * EDU_MAP_SIZE, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, edu_mmap_errno(self->fd, EDU_MAP_SIZE, MAP_SHARED, EDU_MAP_SIZE));
	EXPECT_EQ(-EINVAL, edu_mmap_errno(self->fd, 1, MAP_SHARED, EDU_MAP_SIZE));
	EXPECT_EQ(-EINVAL, edu_mmap_errno(self->fd, EDU_MAP_SIZE, MAP_PRIVATE, 0));
	/* The refused ones gave the file no buffer. */
	EXPECT_EQ(-ENXIO, edu_dma_mmap(self->fd, TO_DEV, 0, 0, 1));

	p = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = bad[i];
		req.flags |= EDU_DMA_F_MMAP;
		EXPECT_EQ(-EINVAL, edu_ioctl(self->fd, EDU_IOC_DMA, &req))
			TH_LOG("#%u: addr 0x%llx dev_offset 0x%x len 0x%x mmap_offset 0x%x",
			       i, req.addr, req.dev_offset, req.len, req.mmap_offset);
	}
	EXPECT_EQ(0, munmap(p, EDU_MAP_SIZE));
}

/* Each open file has a buffer of its own, which outlives close(). */
TEST_F(edu, mmap_per_file)
{
	unsigned char *p, *q;
	int fd2;

	fd2 = edu_open(variant->index);
	ASSERT_LE(0, fd2);
	p = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	/* Another file of the same device has no buffer yet. */
	EXPECT_EQ(-ENXIO, edu_dma_mmap(fd2, TO_DEV, 0, 0, 1));
	q = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap of a second file: %s", strerror(errno));
	memset(p, 0x11, EDU_MAP_SIZE);
	memset(q, 0x22, EDU_MAP_SIZE);
	EXPECT_EQ(-1, first_not(p, 0x11, EDU_MAP_SIZE));

	/* The mapping keeps the file: close() first, munmap() later. */
	EXPECT_EQ(0, close(fd2));
	q[7] = 0x33;
	EXPECT_EQ(0x33, q[7]);
	EXPECT_EQ(0, munmap(q, EDU_MAP_SIZE));
	EXPECT_EQ(0, munmap(p, EDU_MAP_SIZE));
}

struct nonblock_try {
	ssize_t rd;
	ssize_t wr;
	int dma;
	int polled;
	short revents;
};

/* Every way to start a transfer on a nonblocking file, and poll() with no wait. */
static void nonblock_try(int fd, void *buf, int size, struct nonblock_try *r)
{
	r->rd = edu_pread(fd, buf, size, 0);
	r->wr = edu_pwrite(fd, buf, size, 0);
	r->dma = edu_dma(fd, FROM_DEV, buf, 0, size);
	r->polled = poll_inout(fd, 0, &r->revents);
}

/*
 * O_NONBLOCK: while another thread's transfer is in flight every new one
 * fails with EAGAIN and poll() reports nothing; when it ends poll()
 * reports POLLIN | POLLOUT. The transfer is held in flight (force_timeout)
 * until the engine's watchdog fails it, so the checks certainly see it.
 */
TEST_F_TIMEOUT(edu, nonblock_and_poll, 120)
{
	static unsigned char wbuf[EDU_DMA_BUF_SIZE], rbuf[EDU_DMA_BUF_SIZE];
	struct nonblock_try busy = { 0 };
	struct xfer_thread t;
	struct edu_hold h;
	unsigned int depth;
	int nb, waited, active;
	short revents, woke = 0;

	nb = edu_open_flags(variant->index, O_NONBLOCK);
	ASSERT_LE(0, nb);

	/* Idle: ready at once, and nonblocking transfers go through. */
	EXPECT_EQ(1, poll_inout(nb, 0, &revents));
	EXPECT_EQ(POLLIN | POLLOUT, revents & POLL_MASK) TH_LOG("revents 0x%x", revents);
	EXPECT_EQ(1, poll_inout(self->fd, 0, &revents));
	EXPECT_EQ(POLLIN | POLLOUT, revents & POLL_MASK) TH_LOG("revents 0x%x", revents);
	EXPECT_EQ(16, edu_pread(nb, rbuf, 16, 0));

	fill_random(wbuf, sizeof(wbuf), new_seed());
	ASSERT_EQ(0, edu_hold_next(&h, variant->index));
	ASSERT_EQ(0, xfer_start(&t, self->fd, true, wbuf, self->size));
	ASSERT_TRUE(edu_queue_reaches(variant->index, 1, 1)) TH_LOG("the transfer never started");
	nonblock_try(nb, rbuf, self->size, &busy);
	/* All of it happened while the transfer was in flight. */
	ASSERT_EQ(0, edu_queue_state(variant->index, &depth, &active));
	EXPECT_TRUE(depth == 1 && active == 1) TH_LOG("depth %u active %d", depth, active);
	waited = poll_inout(nb, 60000, &woke);
	ASSERT_EQ(0, pthread_join(t.thread, NULL));
	EXPECT_EQ(-ETIMEDOUT, t.ret);
	EXPECT_EQ(0, edu_hold_end(&h));
	EXPECT_EQ(-EAGAIN, busy.rd);
	EXPECT_EQ(-EAGAIN, busy.wr);
	EXPECT_EQ(-EAGAIN, busy.dma);
	EXPECT_EQ(0, busy.polled) TH_LOG("poll() while busy: revents 0x%x", busy.revents);
	EXPECT_EQ(1, waited) TH_LOG("poll() until idle");
	EXPECT_EQ(POLLIN | POLLOUT, woke & POLL_MASK) TH_LOG("revents 0x%x", woke);

	/* Idle again. */
	EXPECT_EQ(16, edu_pwrite(nb, wbuf, 16, 0));
	EXPECT_EQ(0, close(nb));
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

/*
 * A signal (handler without SA_RESTART) ends a read waiting for its
 * transfer with EINTR, whether the transfer is in the device or queued
 * behind another. Both are held there (force_timeout) until the signals
 * are sent, so they certainly land during the waits: the queued request
 * is withdrawn, the one in the device is failed by the engine's watchdog
 * (one more dma_timeouts), nothing is transferred, and the device still
 * works with its data intact.
 */
TEST_F_TIMEOUT(edu, signal_during_transfer, 120)
{
	static unsigned char pat[EDU_DMA_BUF_SIZE], got[2][EDU_DMA_BUF_SIZE];
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */
	struct edu_stats before, after;
	int size = self->size, i;
	struct xfer_thread t[2];
	struct edu_hold h;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fill_random(pat, size, new_seed());
	ASSERT_EQ(size, edu_pwrite(self->fd, pat, size, 0));
	ASSERT_EQ(0, edu_ioctl(self->fd, EDU_IOC_RESET_STATS, NULL));
	ASSERT_EQ(0, edu_get_stats(self->fd, &before));

	ASSERT_EQ(0, edu_hold_next(&h, variant->index));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, xfer_start(&t[i], self->fd, false, got[i], size));
		ASSERT_TRUE(edu_queue_reaches(variant->index, i + 1, 1))
			TH_LOG("read %d not queued", i);
	}
	/* The queued one first: the one in the device keeps it busy. */
	for (i = 1; i >= 0; i--) {
		ASSERT_EQ(0, pthread_kill(t[i].thread, SIGUSR1));
		ASSERT_EQ(0, pthread_join(t[i].thread, NULL));
		EXPECT_EQ(-EINTR, t[i].ret) TH_LOG("read %d", i);
	}
	ASSERT_TRUE(edu_queue_reaches(variant->index, 0, 0))
		TH_LOG("the held transfer never ended");
	EXPECT_EQ(0, edu_hold_end(&h));

	ASSERT_EQ(0, edu_get_stats(self->fd, &after));
	EXPECT_EQ(before.dma_timeouts + 1, after.dma_timeouts);
	EXPECT_EQ(before.dma_xfers_from_dev, after.dma_xfers_from_dev);
	EXPECT_EQ(before.dma_errors, after.dma_errors);
	/* Since the reset: the two reads, one in the device and one queued. */
	EXPECT_EQ(2ull, after.dma_queue_hwm);
	ASSERT_EQ(size, edu_pread(self->fd, got[0], size, 0));
	EXPECT_EQ(edu_crc32(pat, size), edu_crc32(got[0], size))
		TH_LOG("first difference at %d", first_diff(pat, got[0], size));
}

/*
 * close() every fd of a file while two threads read through dup()s of
 * it, one transferring and one queued: a syscall holds its own reference
 * to the file, so the close frees nothing under them. The first is held
 * in the device (force_timeout) and the engine still has both after the
 * close, so the close certainly came during the transfers; the held one
 * ends by the engine's watchdog (ETIMEDOUT), then the queued one runs
 * and reads the data.
 */
TEST_F_TIMEOUT(edu, close_during_transfer, 120)
{
	static unsigned char pat[EDU_DMA_BUF_SIZE], got[2][EDU_DMA_BUF_SIZE];
	int size = self->size, fd, fd2, active;
	struct xfer_thread t[2];
	unsigned int i, depth;
	struct edu_hold h;

	fill_random(pat, size, new_seed());
	ASSERT_EQ(size, edu_pwrite(self->fd, pat, size, 0));
	fd = edu_open(variant->index);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edu_hold_next(&h, variant->index));
	for (i = 0; i < ARRAY_LEN(t); i++) {
		fd2 = dup(fd);
		ASSERT_LE(0, fd2);
		ASSERT_EQ(0, xfer_start(&t[i], fd2, false, got[i], size));
		ASSERT_TRUE(edu_queue_reaches(variant->index, i + 1, 1))
			TH_LOG("read %u not queued", i);
	}
	for (i = 0; i < ARRAY_LEN(t); i++)
		EXPECT_EQ(0, close(t[i].fd));
	EXPECT_EQ(0, close(fd));
	ASSERT_EQ(0, edu_queue_state(variant->index, &depth, &active));
	EXPECT_TRUE(depth == 2 && active == 1) TH_LOG("after close(): depth %u active %d",
						      depth, active);

	for (i = 0; i < ARRAY_LEN(t); i++)
		ASSERT_EQ(0, pthread_join(t[i].thread, NULL));
	EXPECT_EQ(0, edu_hold_end(&h));
	EXPECT_EQ(-ETIMEDOUT, t[0].ret);
	EXPECT_EQ(size, t[1].ret);
	EXPECT_EQ(edu_crc32(pat, size), edu_crc32(got[1], size));

	/* The device works from a new open. */
	fd = edu_open(variant->index);
	ASSERT_LE(0, fd);
	fill_random(pat, 64, new_seed());
	ASSERT_EQ(64, edu_pwrite(fd, pat, 64, 0));
	ASSERT_EQ(64, edu_pread(fd, got[0], 64, 0));
	EXPECT_EQ(edu_crc32(pat, 64), edu_crc32(got[0], 64));
	EXPECT_EQ(0, close(fd));
}

#define REGION_LEN	1000
#define REGION_ROUNDS	5
#define REGION_WORKERS	4
#define REGION_GAP	2000

/* One process owning @REGION_LEN bytes at @offset of eduN. */
struct region_worker {
	unsigned int index;
	off_t offset;
	unsigned int rounds_ok;
	int bad_round;
	ssize_t bad_ret;
	__u32 last_crc;
};

/* Child: write random data to its region, read it back, compare; exit status. */
static int region_rounds(struct region_worker *w, int start)
{
	unsigned char wbuf[REGION_LEN], rbuf[REGION_LEN];
	int fd, round;
	ssize_t n;
	char go;

	/* End of file: every worker is there. */
	if (read(start, &go, 1) < 0)
		return 10;
	fd = edu_open(w->index);
	if (fd < 0)
		return 11;
	for (round = 0; round < REGION_ROUNDS; round++) {
		fill_random(wbuf, sizeof(wbuf), getpid() * 31 + round);
		memset(rbuf, 0, sizeof(rbuf));
		w->bad_round = round;
		n = edu_pwrite(fd, wbuf, sizeof(wbuf), w->offset);
		if (n == REGION_LEN)
			n = edu_pread(fd, rbuf, sizeof(rbuf), w->offset);
		w->bad_ret = n;
		if (n != REGION_LEN)
			return 1;
		if (edu_crc32(wbuf, sizeof(wbuf)) != edu_crc32(rbuf, sizeof(rbuf)))
			return 2;
		w->last_crc = edu_crc32(wbuf, sizeof(wbuf));
		w->rounds_ok++;
	}
	w->bad_round = -1;
	close(fd);
	return 0;
}

/* Two processes per device, each on a region of its own, all at once. */
TEST(concurrent_regions)
{
	static unsigned char whole[EDU_DMA_BUF_SIZE];
	pid_t pids[REGION_WORKERS];
	struct region_worker *w, *v;
	int fds[2], start[2], ret, status, size;
	struct edu_stats stats;
	unsigned int i;
	long long t0;

	ret = edu_open_both(fds);
	if (ret == -ENOENT)
		SKIP(return, "needs /dev/edu0 and /dev/edu1");
	ASSERT_EQ(0, ret) TH_LOG("open: %s", strerror(-ret));
	size = edu_buf_size();
	if (size < REGION_GAP + REGION_LEN)
		SKIP(return, "buf_size %d is too small for the regions", size);
	w = mmap(NULL, REGION_WORKERS * sizeof(*w), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, w);
	ASSERT_EQ(0, pipe2(start, O_CLOEXEC));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, edu_ioctl(fds[i], EDU_IOC_RESET_STATS, NULL));

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < REGION_WORKERS; i++) {
		w[i].index = i / 2;
		w[i].offset = i % 2 ? REGION_GAP : 0;
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(start[1]);
			_exit(region_rounds(&w[i], start[0]));
		}
	}
	t0 = now_ns();
	close(start[0]);
	close(start[1]);
	for (i = 0; i < REGION_WORKERS; i++) {
		v = &w[i];
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("edu%u at %jd: status 0x%x, round %d returned %zd", v->index,
			       (intmax_t)v->offset, status, v->bad_round, v->bad_ret);
		EXPECT_EQ((unsigned int)REGION_ROUNDS, v->rounds_ok)
			TH_LOG("edu%u at %jd", v->index, (intmax_t)v->offset);
	}
	TH_LOG("%d processes x %d rounds: %lld ms", REGION_WORKERS, REGION_ROUNDS,
	       (now_ns() - t0) / 1000000);

	/* Each region holds what its owner wrote last: nobody wrote over it. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(size, edu_pread(fds[i], whole, size, 0));
		EXPECT_EQ(w[2 * i].last_crc, edu_crc32(whole + w[2 * i].offset, REGION_LEN))
			TH_LOG("edu%u at %jd", i, (intmax_t)w[2 * i].offset);
		EXPECT_EQ(w[2 * i + 1].last_crc, edu_crc32(whole + w[2 * i + 1].offset, REGION_LEN))
			TH_LOG("edu%u at %jd", i, (intmax_t)w[2 * i + 1].offset);
		ASSERT_EQ(0, edu_get_stats(fds[i], &stats));
		TH_LOG("edu%u: dma_queue_hwm %llu", i, stats.dma_queue_hwm);
		/* Since the reset: at most its two workers' transfers at once. */
		EXPECT_LE(1ull, stats.dma_queue_hwm);
		EXPECT_GE(2ull, stats.dma_queue_hwm);
	}
	munmap(w, REGION_WORKERS * sizeof(*w));
	close(fds[0]);
	close(fds[1]);
}

/* The "bufs" line of eduN's debugfs queue: buffers mapped for it, or -errno. */
static int queue_bufs(unsigned int index)
{
	struct edu_queue q;
	int ret = edu_queue_read(index, &q);

	if (ret)
		return ret;
	return q.bufs < 0 ? -EIO : q.bufs;
}

#define EDU_BUFS_MAX_DEFAULT	256

/*
 * The DMA buffers files pin (a mapping's, a transfer's bounce buffer)
 * are bounded per device by dma_bufs_max: past it mmap() and transfers
 * fail with ENOBUFS, and closing a file gives its buffer back. debugfs
 * queue counts the same buffers.
 */
TEST(dma_buffers_bounded)
{
	unsigned char data[16] = { 0 };
	int max, base, fd, extra, i;
	char line[32];
	int *fds;
	void **maps;

	fd = edu_open(0);
	if (fd == -ENOENT)
		SKIP(return, "no /dev/edu0");
	ASSERT_LE(0, fd);
	max = read_line("/sys/module/edu/parameters/dma_bufs_max", line, sizeof(line)) ?
	      EDU_BUFS_MAX_DEFAULT : atoi(line);
	ASSERT_LT(0, max);
	base = queue_bufs(0);
	ASSERT_LE(0, base);
	fds = calloc(max, sizeof(*fds));
	maps = calloc(max, sizeof(*maps));
	ASSERT_TRUE(fds && maps);

	for (i = 0; i < max; i++) {
		fds[i] = edu_open(0);
		ASSERT_LE(0, fds[i]) TH_LOG("open %d: %s", i, strerror(-fds[i]));
		maps[i] = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		ASSERT_NE(MAP_FAILED, maps[i]) TH_LOG("mmap %d of %d: %s", i, max, strerror(errno));
	}
	EXPECT_EQ(base + max, queue_bufs(0));

	/* One more buffer for the device: refused, for a mapping and a transfer alike. */
	extra = edu_open(0);
	ASSERT_LE(0, extra);
	EXPECT_EQ(-ENOBUFS, edu_mmap_errno(extra, EDU_MAP_SIZE, MAP_SHARED, 0));
	EXPECT_EQ(-ENOBUFS, edu_pwrite(extra, data, sizeof(data), 0));
	EXPECT_EQ(-ENOBUFS, edu_pread(extra, data, sizeof(data), 0));
	EXPECT_EQ(base + max, queue_bufs(0));

	/* A mapped file's own transfers need no new buffer. */
	EXPECT_EQ(0, edu_dma_mmap(fds[0], TO_DEV, 0, 0, 16));

	/* The last reference to a buffer is its file's: closing it frees a slot. */
	munmap(maps[0], EDU_MAP_SIZE);
	close(fds[0]);
	EXPECT_EQ(base + max - 1, queue_bufs(0));
	EXPECT_EQ((ssize_t)sizeof(data), edu_pwrite(extra, data, sizeof(data), 0));
	EXPECT_EQ(0, edu_mmap_errno(extra, EDU_MAP_SIZE, MAP_SHARED, 0));

	close(extra);
	for (i = 1; i < max; i++) {
		munmap(maps[i], EDU_MAP_SIZE);
		close(fds[i]);
	}
	EXPECT_EQ(base, queue_bufs(0));
	free(fds);
	free(maps);
	close(fd);
}

static void __attribute__((constructor)) seed_random(void)
{
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
}

TEST_HARNESS_MAIN
