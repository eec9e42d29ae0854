// SPDX-License-Identifier: GPL-2.0-only
/*
 * uring_bench - DMA throughput of one thread driving every /dev/eduN
 * (up to 4) through io_uring, beside the same load done by one blocking
 * thread per device, and the baseline: one blocking thread on one device.
 *
 * Each device alternates pwrite and pread of the whole usable buffer,
 * one request in flight per device. The device completes one transfer
 * per 100 ms of virtual time, so N devices can reach N times one
 * device's rate when the driver keeps them all busy at once.
 *
 * Usage: uring_bench [-t SECONDS] [-j FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_DEVICES	4

struct worker {
	pthread_t thread;
	int fd;
	double seconds;
	size_t size;
	double bytes;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "uring_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static size_t usable_size(void)
{
	FILE *f = fopen("/sys/module/edu/parameters/buf_size", "r");
	unsigned int size;

	if (!f || fscanf(f, "%u", &size) != 1)
		die("/sys/module/edu/parameters/buf_size", errno);
	fclose(f);
	return size;
}

/* One blocking thread on one device: alternate pwrite and pread. */
static void *blocking_work(void *arg)
{
	struct worker *w = arg;
	char *buf = malloc(w->size);
	double end = now() + w->seconds;
	int i;

	if (!buf)
		die("malloc", ENOMEM);
	memset(buf, 0x5a, w->size);
	for (i = 0; now() < end; i++) {
		ssize_t n = i & 1 ? pread(w->fd, buf, w->size, 0) : pwrite(w->fd, buf, w->size, 0);

		if (n != (ssize_t)w->size)
			die("transfer", n < 0 ? errno : EIO);
		w->bytes += n;
	}
	free(buf);
	return NULL;
}

/* Aggregate B/s of one blocking thread per device. */
static double run_blocking(const int *fds, int ndev, size_t size, double seconds)
{
	struct worker w[MAX_DEVICES] = { 0 };
	double start = now(), bytes = 0;
	int i;

	for (i = 0; i < ndev; i++) {
		w[i].fd = fds[i];
		w[i].seconds = seconds;
		w[i].size = size;
		if (pthread_create(&w[i].thread, NULL, blocking_work, &w[i]))
			die("pthread_create", EAGAIN);
	}
	for (i = 0; i < ndev; i++) {
		pthread_join(w[i].thread, NULL);
		bytes += w[i].bytes;
	}
	return bytes / (now() - start);
}

static void queue_one(struct io_uring *ring, int fd, char *buf, size_t size, int dev, int nth)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	if (nth & 1)
		io_uring_prep_read(sqe, fd, buf, size, 0);
	else
		io_uring_prep_write(sqe, fd, buf, size, 0);
	io_uring_sqe_set_data64(sqe, dev);
}

/* Aggregate B/s of one thread keeping one io_uring request per device in flight. */
static double run_uring(const int *fds, int ndev, size_t size, double seconds)
{
	static char bufs[MAX_DEVICES][4096];
	int count[MAX_DEVICES] = { 0 }, inflight = 0, i, ret;
	double start, end, bytes = 0;
	struct io_uring ring;

	ret = io_uring_queue_init(2 * MAX_DEVICES, &ring, 0);
	if (ret)
		die("io_uring_queue_init", -ret);
	start = now();
	end = start + seconds;
	for (i = 0; i < ndev; i++, inflight++)
		queue_one(&ring, fds[i], bufs[i], size, i, count[i]++);
	while (inflight) {
		struct io_uring_cqe *cqe;
		int dev;

		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0)
			die("io_uring_submit_and_wait", -ret);
		ret = io_uring_peek_cqe(&ring, &cqe);
		if (ret)
			die("io_uring_peek_cqe", -ret);
		dev = cqe->user_data;
		if (cqe->res != (int)size)
			die("transfer", cqe->res < 0 ? -cqe->res : EIO);
		bytes += size;
		io_uring_cqe_seen(&ring, cqe);
		inflight--;
		if (now() < end) {
			queue_one(&ring, fds[dev], bufs[dev], size, dev, count[dev]++);
			inflight++;
		}
	}
	bytes /= now() - start;
	io_uring_queue_exit(&ring);
	return bytes;
}

int main(int argc, char **argv)
{
	double seconds = 3, one, threads, uring, uring_one;
	int fds[MAX_DEVICES], ndev = 0, opt, i;
	const char *json = NULL;
	size_t size;

	while ((opt = getopt(argc, argv, "t:j:")) != -1) {
		if (opt == 't')
			seconds = atof(optarg);
		else if (opt == 'j')
			json = optarg;
		else
			return fprintf(stderr, "usage: uring_bench [-t SECONDS] [-j FILE]\n"), 2;
	}
	for (i = 0; i < MAX_DEVICES; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/edu%d", i);
		fds[ndev] = open(path, O_RDWR | O_CLOEXEC);
		if (fds[ndev] < 0)
			break;
		ndev++;
	}
	if (!ndev)
		return fprintf(stderr, "uring_bench: no /dev/edu0: is the module loaded?\n"), 1;
	size = usable_size();

	/* The first transfers resume the devices (runtime PM): not measured. */
	run_blocking(fds, ndev, size, 0.5);
	one = run_blocking(fds, 1, size, seconds);
	uring_one = run_uring(fds, 1, size, seconds);
	threads = run_blocking(fds, ndev, size, seconds);
	uring = run_uring(fds, ndev, size, seconds);

	printf("| load | devices | aggregate B/s | / 1 device, 1 blocking thread |\n");
	printf("|---|---|---|---|\n");
	printf("| 1 blocking thread (baseline) | 1 | %.0f | 1.00x |\n", one);
	printf("| io_uring, 1 thread | 1 | %.0f | %.2fx |\n", uring_one, uring_one / one);
	printf("| %d blocking threads | %d | %.0f | %.2fx |\n", ndev, ndev, threads, threads / one);
	printf("| io_uring, 1 thread | %d | %.0f | %.2fx |\n", ndev, uring, uring / one);

	if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			die(json, errno);
		fprintf(f, "{\"benchmark\": \"uring\", \"transfer_bytes\": %zu, \"devices\": %d, ",
			size, ndev);
		fprintf(f, "\"one_device_blocking_Bps\": %.1f, \"one_device_uring_Bps\": %.1f, ",
			one, uring_one);
		fprintf(f, "\"threads_blocking_Bps\": %.1f, \"one_thread_uring_Bps\": %.1f}\n",
			threads, uring);
		fclose(f);
	}
	for (i = 0; i < ndev; i++)
		close(fds[i]);
	return 0;
}
