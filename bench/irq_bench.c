// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq_bench - interrupt-path benchmarks for every /dev/eduN:
 *   - factorial ioctl rate (n = 10): completion by interrupt versus the
 *     busy-polling baseline (EDU_FLAG_POLL) in the same run;
 *   - software-raised interrupt latency (raise -> caller woken, measured
 *     by the driver), p50 and p99, interrupt versus polling baseline.
 * Prints a table and, with -j FILE, writes the figures as JSON.
 *
 * Usage: irq_bench [-t SECONDS] [-n RAISES] [-j FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <linux/edu.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct result {
	char name[32];
	double fact_rate[2];		/* [0] interrupt, [1] poll: ioctls per second */
	double lat_p50[2], lat_p99[2];	/* microseconds */
};

static double factorial_rate(int fd, __u32 flags, double seconds)
{
	struct edu_factorial req = { .n = 10, .flags = flags };
	double start = now(), end = start + seconds;
	unsigned long count = 0;

	while (now() < end) {
		if (ioctl(fd, EDU_IOC_FACTORIAL, &req) || req.result != 3628800) {
			perror("irq_bench: factorial");
			exit(1);
		}
		count++;
	}
	return count / (now() - start);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void raise_latency(int fd, __u32 flags, int count, double *p50, double *p99)
{
	__u64 *lat = calloc(count, sizeof(*lat));
	int i;

	if (!lat) {
		perror("irq_bench");
		exit(1);
	}
	for (i = 0; i < count; i++) {
		struct edu_irq_raise req = { .reasons = 0x10000, .flags = flags };

		if (ioctl(fd, EDU_IOC_RAISE_IRQ, &req)) {
			perror("irq_bench: raise");
			exit(1);
		}
		lat[i] = req.latency_ns;
	}
	qsort(lat, count, sizeof(*lat), cmp_u64);
	*p50 = lat[count / 2] / 1e3;
	*p99 = lat[(count * 99) / 100] / 1e3;
	free(lat);
}

static void bench_device(const char *path, struct result *r, double seconds, int raises)
{
	int fd = open(path, O_RDWR);
	int mode;

	if (fd < 0) {
		fprintf(stderr, "irq_bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	snprintf(r->name, sizeof(r->name), "%s", strrchr(path, '/') + 1);
	for (mode = 0; mode < 2; mode++) {
		__u32 flags = mode ? EDU_FLAG_POLL : 0;

		r->fact_rate[mode] = factorial_rate(fd, flags, seconds);
		raise_latency(fd, flags, raises, &r->lat_p50[mode], &r->lat_p99[mode]);
	}
	close(fd);
}

static void print_table(const struct result *r, size_t n)
{
	size_t i;

	printf("| device | factorial/s (irq) | factorial/s (poll baseline) | ratio |");
	printf(" raise p50 us (irq / poll) | raise p99 us (irq / poll) |\n");
	printf("|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		printf("| %s | %.0f | %.0f | %.2f |", r[i].name, r[i].fact_rate[0],
		       r[i].fact_rate[1], r[i].fact_rate[0] / r[i].fact_rate[1]);
		printf(" %.1f / %.1f | %.1f / %.1f |\n", r[i].lat_p50[0], r[i].lat_p50[1],
		       r[i].lat_p99[0], r[i].lat_p99[1]);
	}
}

static void json_field(FILE *f, const char *key, double val, bool last)
{
	fprintf(f, "\"%s\": %.3f%s", key, val, last ? "}" : ", ");
}

static void write_json(const char *file, const struct result *r, size_t n)
{
	FILE *f = fopen(file, "w");
	size_t i;

	if (!f) {
		fprintf(stderr, "irq_bench: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	fprintf(f, "{\"benchmark\": \"irq\", \"devices\": [");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n {\"device\": \"%s\", ", i ? "," : "", r[i].name);
		json_field(f, "factorial_per_s", r[i].fact_rate[0], false);
		json_field(f, "factorial_per_s_poll", r[i].fact_rate[1], false);
		json_field(f, "factorial_ratio", r[i].fact_rate[0] / r[i].fact_rate[1], false);
		json_field(f, "raise_p50_us", r[i].lat_p50[0], false);
		json_field(f, "raise_p50_us_poll", r[i].lat_p50[1], false);
		json_field(f, "raise_p99_us", r[i].lat_p99[0], false);
		json_field(f, "raise_p99_us_poll", r[i].lat_p99[1], true);
	}
	fprintf(f, "\n]}\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	double seconds = 2;
	int raises = 2000;
	struct result *res;
	glob_t g;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "t:n:j:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atof(optarg);
			break;
		case 'n':
			raises = atoi(optarg);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			fprintf(stderr, "usage: irq_bench [-t SECONDS] [-n RAISES] [-j FILE]\n");
			return 2;
		}
	}
	if (seconds <= 0 || raises < 100) {
		fprintf(stderr, "irq_bench: need -t > 0 and -n >= 100\n");
		return 2;
	}
	if (glob("/dev/edu[0-9]*", 0, NULL, &g)) {
		fprintf(stderr, "irq_bench: no /dev/eduN: is the module loaded?\n");
		return 1;
	}
	res = calloc(g.gl_pathc, sizeof(*res));
	if (!res)
		return 1;
	for (i = 0; i < g.gl_pathc; i++)
		bench_device(g.gl_pathv[i], &res[i], seconds, raises);
	print_table(res, g.gl_pathc);
	if (json)
		write_json(json, res, g.gl_pathc);
	return 0;
}
