// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asynchronous I/O on /dev/eduN, with the kselftest harness: io_uring
 * (liburing) batches across every device, IOCB_NOWAIT (RWF_NOWAIT and
 * io_uring's own non-blocking attempt), bad offsets and buffers through
 * io_uring, cancelling requests in flight, and POSIX AIO.
 *
 * Runs as root in a guest where the driver is bound to one or more edu
 * devices and nobody else uses them: buffer contents are checked
 * exactly. Each transfer takes about 100 ms in QEMU, so every test moves
 * little, and the batch test runs the devices in parallel.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "edu_hold.h"

#define MAX_DEVICES	16
/* What the driver reaches by default: QEMU up to 7.2 aborts on the last byte. */
#define EDU_BUF_SIZE	4095
#define XFER_LEN	512
/* user_data of the cancel requests themselves */
#define UD_CANCEL	1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every /dev/eduN that opens, in index order; returns how many. */
static int open_devices(int fds[MAX_DEVICES])
{
	int i, n = 0;

	for (i = 0; i < MAX_DEVICES; i++) {
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/edu%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	return n;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

/* An address in the process's range that nothing is mapped at. */
static void *unmapped_addr(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4096);
	return p;
}

FIXTURE(uring) {
	int fds[MAX_DEVICES];
	int n;
	struct io_uring ring;
};

FIXTURE_SETUP(uring)
{
	int ret;

	self->n = open_devices(self->fds);
	if (!self->n)
		SKIP(return, "no /dev/edu0: is the module loaded?");
	ret = io_uring_queue_init(64, &self->ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(uring)
{
	int i;

	if (!self->n)
		return;
	io_uring_queue_exit(&self->ring);
	for (i = 0; i < self->n; i++)
		close(self->fds[i]);
}

/* Wait for @count completions, storing res by user_data (< @max). */
static int reap(struct io_uring *ring, int count, int *res, unsigned int max)
{
	struct io_uring_cqe *cqe;
	int i, ret;

	for (i = 0; i < count; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			return ret;
		if (cqe->user_data < max)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/* Queue one read or write SQE; -ENOSPC when the ring is full. */
static struct io_uring_sqe *prep_rw(struct io_uring *ring, bool write, int fd, void *buf,
				    unsigned int len, __u64 off, __u64 user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return NULL;
	if (write)
		io_uring_prep_write(sqe, fd, buf, len, off);
	else
		io_uring_prep_read(sqe, fd, buf, len, off);
	io_uring_sqe_set_data64(sqe, user_data);
	return sqe;
}

/* One request through io_uring: its res. */
static int uring_rw(struct io_uring *ring, bool write, int fd, void *buf, unsigned int len,
		    __u64 off)
{
	int res = -EBADMSG, ret;

	if (!prep_rw(ring, write, fd, buf, len, off, 0))
		return -ENOSPC;
	ret = io_uring_submit(ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = reap(ring, 1, &res, 1);
	return ret ? ret : res;
}

/*
 * One submission: a write then a read (linked, so in that order) on
 * every device at a different offset; the devices run in parallel.
 */
TEST_F(uring, batch_all_devices)
{
	static unsigned char out[MAX_DEVICES][XFER_LEN], in[MAX_DEVICES][XFER_LEN];
	int res[2 * MAX_DEVICES], i, ret;
	double start;

	for (i = 0; i < self->n; i++) {
		struct io_uring_sqe *sqe;
		__u64 off = 100 + 37 * i;

		fill(out[i], XFER_LEN, i + 1);
		memset(in[i], 0, XFER_LEN);
		sqe = prep_rw(&self->ring, true, self->fds[i], out[i], XFER_LEN, off, 2 * i);
		ASSERT_NE(NULL, sqe);
		sqe->flags |= IOSQE_IO_LINK;
		ASSERT_NE(NULL, prep_rw(&self->ring, false, self->fds[i], in[i], XFER_LEN, off,
					2 * i + 1));
	}
	start = now_s();
	ret = io_uring_submit(&self->ring);
	ASSERT_EQ(2 * self->n, ret);
	memset(res, 0, sizeof(res));
	ASSERT_EQ(0, reap(&self->ring, 2 * self->n, res, 2 * MAX_DEVICES));
	TH_LOG("%d devices, %d transfers in %.2f s", self->n, 2 * self->n, now_s() - start);
	for (i = 0; i < self->n; i++) {
		EXPECT_EQ(XFER_LEN, res[2 * i]) TH_LOG("edu%d write", i);
		EXPECT_EQ(XFER_LEN, res[2 * i + 1]) TH_LOG("edu%d read", i);
		EXPECT_EQ(0, memcmp(out[i], in[i], XFER_LEN)) TH_LOG("edu%d data", i);
	}
}

/* Vectored I/O: readv/writev through io_uring with three segments. */
TEST_F(uring, vectored)
{
	unsigned char a[100], b[300], c[50], all[450], back[450];
	struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct io_uring_sqe *sqe;
	int res = 0;

	fill(all, sizeof(all), 77);
	memcpy(a, all, 100);
	memcpy(b, all + 100, 300);
	memcpy(c, all + 400, 50);
	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_writev(sqe, self->fds[0], iov, 3, 1000);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, reap(&self->ring, 1, &res, 1));
	ASSERT_EQ(450, res);

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(c, 0, sizeof(c));
	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_readv(sqe, self->fds[0], iov, 3, 1000);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, reap(&self->ring, 1, &res, 1));
	ASSERT_EQ(450, res);
	memcpy(back, a, 100);
	memcpy(back + 100, b, 300);
	memcpy(back + 400, c, 50);
	EXPECT_EQ(0, memcmp(all, back, sizeof(all)));
}

/*
 * RWF_NOWAIT: a transfer always waits for the device, so EAGAIN before
 * anything is queued; what needs no transfer is answered at once.
 */
TEST_F(uring, nowait)
{
	unsigned char buf[64] = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_sqe *sqe;
	int res = 0;

	EXPECT_EQ(-1, preadv2(self->fds[0], &iov, 1, 0, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, pwritev2(self->fds[0], &iov, 1, 0, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	/* At the end of the file: EOF and ENOSPC, no transfer needed. */
	EXPECT_EQ(0, preadv2(self->fds[0], &iov, 1, EDU_BUF_SIZE, RWF_NOWAIT));
	EXPECT_EQ(-1, pwritev2(self->fds[0], &iov, 1, EDU_BUF_SIZE, RWF_NOWAIT));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, preadv2(self->fds[0], &iov, 1, -5, RWF_NOWAIT));
	EXPECT_EQ(EINVAL, errno);

	/* io_uring with RWF_NOWAIT: EAGAIN is final, no retry. */
	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_read(sqe, self->fds[0], buf, sizeof(buf), 0);
	sqe->rw_flags = RWF_NOWAIT;
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, reap(&self->ring, 1, &res, 1));
	EXPECT_EQ(-EAGAIN, res);

	/* Without it io_uring retries where it may block: completed. */
	EXPECT_EQ((int)sizeof(buf), uring_rw(&self->ring, false, self->fds[0], buf, sizeof(buf),
					     0));
}

/* Offsets and lengths the file does not have, buffers the process does not own. */
TEST_F(uring, bad_inputs)
{
	unsigned char buf[64];
	void *hole = unmapped_addr();
	int fd = self->fds[0];

	ASSERT_NE(NULL, hole);
	memset(buf, 0x11, sizeof(buf));
	/* At and past the end: EOF for reads, ENOSPC for writes. */
	EXPECT_EQ(0, uring_rw(&self->ring, false, fd, buf, sizeof(buf), EDU_BUF_SIZE));
	EXPECT_EQ(-ENOSPC, uring_rw(&self->ring, true, fd, buf, sizeof(buf), EDU_BUF_SIZE));
	EXPECT_EQ(0, uring_rw(&self->ring, false, fd, buf, sizeof(buf), 1ull << 62));
	EXPECT_EQ(-ENOSPC, uring_rw(&self->ring, true, fd, buf, sizeof(buf), 1ull << 62));
	/* Negative offsets (-1 would mean "the file position"). */
	EXPECT_EQ(-EINVAL, uring_rw(&self->ring, false, fd, buf, sizeof(buf), (__u64)-2));
	EXPECT_EQ(-EINVAL, uring_rw(&self->ring, true, fd, buf, sizeof(buf), 1ull << 63));
	/* Zero length: nothing to do. */
	EXPECT_EQ(0, uring_rw(&self->ring, false, fd, buf, 0, 0));
	EXPECT_EQ(0, uring_rw(&self->ring, true, fd, buf, 0, 0));
	/* A kernel address (refused by io_uring) and a hole (by the driver's copy). */
	EXPECT_EQ(-EFAULT, uring_rw(&self->ring, false, fd, (void *)0xffffffffffff0000ull,
				    sizeof(buf), 0));
	EXPECT_EQ(-EFAULT, uring_rw(&self->ring, true, fd, hole, sizeof(buf), 0));
	EXPECT_EQ(-EFAULT, uring_rw(&self->ring, false, fd, hole, sizeof(buf), 0));
	/* Crossing the end: shortened. */
	EXPECT_EQ(5, uring_rw(&self->ring, true, fd, buf, sizeof(buf), EDU_BUF_SIZE - 5));
}

/* The open mode holds for io_uring as for write() and read(): EBADF. */
TEST_F(uring, open_mode)
{
	unsigned char buf[16] = { 0 };
	int ro, wo;

	ro = open("/dev/edu0", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	wo = open("/dev/edu0", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-EBADF, uring_rw(&self->ring, true, ro, buf, sizeof(buf), 0));
	EXPECT_EQ(-EBADF, uring_rw(&self->ring, false, wo, buf, sizeof(buf), 0));
	EXPECT_EQ((int)sizeof(buf), uring_rw(&self->ring, false, ro, buf, sizeof(buf), 0));
	EXPECT_EQ((int)sizeof(buf), uring_rw(&self->ring, true, wo, buf, sizeof(buf), 0));
	close(ro);
	close(wo);
}

/*
 * Three reads on one device: the first held in the device (force_timeout,
 * see edu_hold.h), the other two waiting behind it in io_uring (their
 * IOCB_NOWAIT attempt fails with EAGAIN, and io_uring polls the file,
 * which is not ready while the engine is busy). Then the first and the
 * last are cancelled, so the cancels certainly meet a read in flight:
 * they end with EINTR (interrupted in the driver's wait) or ECANCELED,
 * not with the held transfer's ETIMEDOUT; the middle one completes once
 * the engine's watchdog has failed the held one, and the device still
 * moves data afterwards.
 */
TEST_F_TIMEOUT(uring, cancel_in_flight, 120)
{
	static unsigned char bufs[3][XFER_LEN], out[XFER_LEN], in[XFER_LEN];
	int res[UD_CANCEL + 2], i, ret, fd = self->fds[0];
	struct io_uring_sqe *sqe;
	struct edu_hold h;
	unsigned int depth;
	int active;

	ASSERT_EQ(0, edu_hold_next(&h, 0));
	/* The first alone, so that it is the one the device holds. */
	ASSERT_NE(NULL, prep_rw(&self->ring, false, fd, bufs[0], XFER_LEN, 0, 0));
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_TRUE(edu_queue_reaches(0, 1, 1)) TH_LOG("read 0 never reached the device");
	for (i = 1; i < 3; i++)
		ASSERT_NE(NULL, prep_rw(&self->ring, false, fd, bufs[i], XFER_LEN, 0, i));
	ASSERT_EQ(2, io_uring_submit(&self->ring));
	/* Read 0 is still in the device: nothing ended it. */
	ASSERT_EQ(0, edu_queue_state(0, &depth, &active));
	ASSERT_TRUE(depth >= 1 && active == 1) TH_LOG("depth %u active %d", depth, active);

	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_cancel64(sqe, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_CANCEL);
	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_cancel64(sqe, 2, 0);
	io_uring_sqe_set_data64(sqe, UD_CANCEL + 1);
	ASSERT_EQ(2, io_uring_submit(&self->ring));

	for (i = 0; i < UD_CANCEL + 2; i++)
		res[i] = 1;
	ret = reap(&self->ring, 5, res, UD_CANCEL + 2);
	ASSERT_EQ(0, ret);
	TH_LOG("reads %d %d %d, cancels %d %d", res[0], res[1], res[2], res[UD_CANCEL],
	       res[UD_CANCEL + 1]);
	/* Read 0 was running in an io-wq worker: interrupted in the driver. */
	EXPECT_EQ(-EALREADY, res[UD_CANCEL]);
	EXPECT_EQ(-EINTR, res[0]);
	/* Read 2: found and cancelled (0), or running and interrupted (EALREADY). */
	EXPECT_TRUE(res[UD_CANCEL + 1] == 0 || res[UD_CANCEL + 1] == -EALREADY)
		TH_LOG("cancel 2: %d", res[UD_CANCEL + 1]);
	EXPECT_TRUE(res[2] == -ECANCELED || res[2] == -EINTR) TH_LOG("read 2: %d", res[2]);
	EXPECT_EQ(XFER_LEN, res[1]);
	EXPECT_EQ(0, edu_hold_end(&h));

	/* The device and its queue are healthy: a round trip, both ways. */
	fill(out, XFER_LEN, 99);
	EXPECT_EQ(XFER_LEN, uring_rw(&self->ring, true, fd, out, XFER_LEN, 3000));
	EXPECT_EQ(XFER_LEN, pread(fd, in, XFER_LEN, 3000));
	EXPECT_EQ(0, memcmp(out, in, XFER_LEN));
}

/* POSIX AIO (glibc's threads doing pread/pwrite) works on the device too. */
TEST_F(uring, posix_aio)
{
	unsigned char out[256], in[256] = { 0 };
	struct aiocb cb = {
		.aio_fildes = self->fds[self->n - 1],
		.aio_buf = out,
		.aio_nbytes = sizeof(out),
		.aio_offset = 2000,
	};
	const struct aiocb *list[1] = { &cb };

	fill(out, sizeof(out), 5);
	ASSERT_EQ(0, aio_write(&cb));
	while (aio_error(&cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ((ssize_t)sizeof(out), aio_return(&cb));

	cb.aio_buf = in;
	ASSERT_EQ(0, aio_read(&cb));
	while (aio_error(&cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ((ssize_t)sizeof(in), aio_return(&cb));
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
}

TEST_HARNESS_MAIN
