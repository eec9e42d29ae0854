// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma_bench - DMA throughput through /dev/eduN with pread/pwrite of the
 * whole usable buffer, on 1, 2 and 4 devices at once (one thread each).
 *
 * The device completes one transfer per 100 ms of virtual time whatever
 * its size, so its ceiling is buf_size bytes per 100 ms. Reported: each
 * device's throughput as a fraction of that ceiling, and the aggregate
 * with N devices as a multiple of the aggregate with one.
 *
 * Usage: dma_bench [-t SECONDS] [-j FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_DEVICES	4
#define TRANSFER_S	0.1	/* the device's time per transfer */

struct worker {
	pthread_t thread;
	char path[32];
	double seconds;
	size_t size;
	double bytes_per_s;
};

static void die(const char *what)
{
	fprintf(stderr, "dma_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	char *buf = malloc(w->size);
	double start, end;
	size_t bytes = 0;
	int fd, i;

	fd = open(w->path, O_RDWR);
	if (fd < 0 || !buf)
		die(w->path);
	memset(buf, 0x5a, w->size);
	start = now();
	end = start + w->seconds;
	for (i = 0; now() < end; i++) {
		ssize_t n = i & 1 ? pread(fd, buf, w->size, 0) : pwrite(fd, buf, w->size, 0);

		if (n != (ssize_t)w->size)
			die("transfer");
		bytes += n;
	}
	w->bytes_per_s = bytes / (now() - start);
	close(fd);
	free(buf);
	return NULL;
}

static size_t usable_size(void)
{
	FILE *f = fopen("/sys/module/edu/parameters/buf_size", "r");
	unsigned int size;

	if (!f || fscanf(f, "%u", &size) != 1)
		die("/sys/module/edu/parameters/buf_size");
	fclose(f);
	return size;
}

static double run(int ndev, size_t size, double seconds, double *per_dev_min)
{
	struct worker w[MAX_DEVICES];
	double total = 0;
	int i;

	*per_dev_min = 1e300;
	for (i = 0; i < ndev; i++) {
		snprintf(w[i].path, sizeof(w[i].path), "/dev/edu%d", i);
		w[i].seconds = seconds;
		w[i].size = size;
		if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			die("pthread_create");
	}
	for (i = 0; i < ndev; i++) {
		pthread_join(w[i].thread, NULL);
		total += w[i].bytes_per_s;
		if (w[i].bytes_per_s < *per_dev_min)
			*per_dev_min = w[i].bytes_per_s;
	}
	return total;
}

int main(int argc, char **argv)
{
	static const int counts[] = { 1, 2, 4 };
	double agg[3], worst[3], seconds = 3, ceiling;
	const char *json = NULL;
	FILE *f = NULL;
	size_t size;
	int i, opt, n = 0;

	while ((opt = getopt(argc, argv, "t:j:")) != -1) {
		if (opt == 't')
			seconds = atof(optarg);
		else if (opt == 'j')
			json = optarg;
		else
			return fprintf(stderr, "usage: dma_bench [-t SECONDS] [-j FILE]\n"), 2;
	}
	size = usable_size();
	ceiling = size / TRANSFER_S;
	for (i = 0; i < 3 && access(counts[i] == 1 ? "/dev/edu0" : counts[i] == 2 ?
				    "/dev/edu1" : "/dev/edu3", F_OK) == 0; i++) {
		agg[i] = run(counts[i], size, seconds, &worst[i]);
		n++;
	}
	if (!n)
		return fprintf(stderr, "dma_bench: no /dev/edu0: is the module loaded?\n"), 1;

	printf("| devices | aggregate B/s | ceiling B/s | slowest device / ceiling |");
	printf(" aggregate / 1 device |\n");
	printf("|---|---|---|---|---|\n");
	for (i = 0; i < n; i++)
		printf("| %d | %.0f | %.0f | %.3f | %.2fx |\n", counts[i], agg[i],
		       ceiling * counts[i], worst[i] / ceiling, agg[i] / agg[0]);

	if (json) {
		f = fopen(json, "w");
		if (!f)
			die(json);
		fprintf(f, "{\"benchmark\": \"dma\", \"transfer_bytes\": %zu, ", size);
		fprintf(f, "\"ceiling_per_device_Bps\": %.1f, \"runs\": [", ceiling);
		for (i = 0; i < n; i++) {
			fprintf(f, "%s\n {\"devices\": %d, \"aggregate_Bps\": %.1f, ", i ? "," : "",
				counts[i], agg[i]);
			fprintf(f, "\"slowest_fraction_of_ceiling\": %.4f, \"scaling\": %.3f}",
				worst[i] / ceiling, agg[i] / agg[0]);
		}
		fprintf(f, "\n]}\n");
		fclose(f);
	}
	return 0;
}
