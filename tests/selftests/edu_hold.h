/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A DMA transfer held in flight, for the C tests that must act while a
 * transfer waits (a signal, a close(), a cancel, O_NONBLOCK): debugfs
 * force_timeout keeps eduN's device from starting its next transfer, and
 * the engine's watchdog fails it with ETIMEDOUT only after
 * dma_timeout_ms, made long (3 s, times EDU_TIME_SCALE on slower
 * kernels) so that what the test does meanwhile certainly happens while
 * it waits. debugfs queue says when the engine has the requests.
 *
 * Needs root, debugfs mounted and the edu driver bound to eduN.
 */
#ifndef EDU_HOLD_H
#define EDU_HOLD_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EDU_HOLD_MS		3000
#define EDU_HOLD_MAX_MS		60000	/* the driver's largest dma_timeout_ms */

/* PCI address of eduN: the name of its sysfs device link; 0 or -errno. */
static inline int edu_pci_addr(unsigned int index, char *buf, size_t len)
{
	char path[64], link[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/edu/edu%u/device", index);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	snprintf(buf, len, "%s", base ? base + 1 : link);
	return 0;
}

/*
 * eduN's file @name: in its PCI device's sysfs directory, or with @debug
 * in its debugfs directory (/sys/kernel/debug/edu/<pci address>/).
 */
static inline int edu_knob_path(unsigned int index, bool debug, const char *name, char *path,
				size_t len)
{
	char pci[256];
	int ret;

	if (!debug) {
		snprintf(path, len, "/sys/class/edu/edu%u/device/%s", index, name);
		return 0;
	}
	ret = edu_pci_addr(index, pci, sizeof(pci));
	if (!ret)
		snprintf(path, len, "/sys/kernel/debug/edu/%s/%s", pci, name);
	return ret;
}

/* Write @val to eduN's file @name: 0 or -errno. */
static inline int edu_knob_write(unsigned int index, bool debug, const char *name,
				 unsigned int val)
{
	char path[384], text[16];
	int fd, len, ret;

	ret = edu_knob_path(index, debug, name, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(text, sizeof(text), "%u\n", val);
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* eduN's file @name as a number in @val: 0 or -errno. */
static inline int edu_knob_read(unsigned int index, bool debug, const char *name,
				unsigned int *val)
{
	char path[384];
	FILE *f;
	int ret;

	ret = edu_knob_path(index, debug, name, path, sizeof(path));
	if (ret)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = fscanf(f, "%u", val) == 1 ? 0 : -EIO;
	fclose(f);
	return ret;
}

/* What eduN's debugfs queue shows of its DMA engine (-1: no such line). */
struct edu_queue {
	int depth;
	int active;
	int bufs;
};

/* Read eduN's debugfs queue in one pass: 0 or -errno. */
static inline int edu_queue_read(unsigned int index, struct edu_queue *q)
{
	char path[384], line[64];
	FILE *f;
	int ret;

	*q = (struct edu_queue){ -1, -1, -1 };
	ret = edu_knob_path(index, true, "queue", path, sizeof(path));
	if (ret)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "depth %d", &q->depth) != 1 &&
		    sscanf(line, "active %d", &q->active) != 1)
			sscanf(line, "bufs %d", &q->bufs);
	fclose(f);
	return 0;
}

/* eduN's DMA engine as debugfs queue shows it: 0 or -errno. */
static inline int edu_queue_state(unsigned int index, unsigned int *depth, int *active)
{
	struct edu_queue q;
	int ret = edu_queue_read(index, &q);

	if (ret)
		return ret;
	if (q.depth < 0 || q.active < 0)
		return -EIO;
	*depth = q.depth;
	*active = q.active;
	return 0;
}

/*
 * Wait until eduN's engine has @depth requests, @active of them in the
 * device: a bound on the wait (60 s), not on how fast it gets there.
 */
static inline bool edu_queue_reaches(unsigned int index, unsigned int depth, int active)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	unsigned int d;
	int a, i;

	for (i = 0; i < 60000; i++) {
		if (!edu_queue_state(index, &d, &a) && d == depth && a == active)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

struct edu_hold {
	unsigned int index;
	unsigned int old_ms;
};

/* Hold eduN's next transfer in flight: 0 or -errno. */
static inline int edu_hold_next(struct edu_hold *h, unsigned int index)
{
	const char *scale = getenv("EDU_TIME_SCALE");
	unsigned long ms = EDU_HOLD_MS * (scale ? strtoul(scale, NULL, 10) : 1);
	int ret;

	h->index = index;
	ret = edu_knob_read(index, false, "dma_timeout_ms", &h->old_ms);
	if (ms < EDU_HOLD_MS)
		ms = EDU_HOLD_MS;
	if (ms > EDU_HOLD_MAX_MS)
		ms = EDU_HOLD_MAX_MS;
	if (!ret)
		ret = edu_knob_write(index, false, "dma_timeout_ms", ms);
	return ret ? ret : edu_knob_write(index, true, "force_timeout", 1);
}

/* Hold no more (a transfer still held ends by the watchdog): 0 or -errno. */
static inline int edu_hold_end(struct edu_hold *h)
{
	int ret = edu_knob_write(h->index, true, "force_timeout", 0);

	return ret ? ret : edu_knob_write(h->index, false, "dma_timeout_ms", h->old_ms);
}

#endif /* EDU_HOLD_H */
