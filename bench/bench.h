/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What edu's C benchmarks share.
 */
#ifndef EDU_BENCH_H
#define EDU_BENCH_H

#include <time.h>

/* Monotonic time in seconds. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* EDU_BENCH_H */
