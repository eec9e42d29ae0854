// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - device operations: identity and liveness checks, factorial,
 * software-raised interrupts, statistics.
 *
 * Callers that can race with remove hold edu->unplug_lock for reading;
 * every wait here also ends when remove sets edu->gone.
 */
#include <linux/bitfield.h>
#include <linux/edu.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "edu.h"
#include "trace.h"

int edu_hw_check_identity(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	u32 id = edu_read(edu, EDU_REG_ID);

	if (PCI_POSSIBLE_ERROR(id))
		return dev_err_probe(dev, -ENODEV, "device does not respond (ID 0x%08x)\n", id);

	if (FIELD_GET(EDU_ID_MAGIC_MASK, id) != EDU_ID_MAGIC ||
	    FIELD_GET(EDU_ID_MAJOR_MASK, id) != EDU_ID_MAJOR_SUPPORTED)
		return dev_err_probe(dev, -ENODEV,
				     "unsupported hardware ID 0x%08x, expected 0x%02xxx00%02x\n",
				     id, EDU_ID_MAJOR_SUPPORTED, EDU_ID_MAGIC);

	edu->hw_id = id;
	return 0;
}

static u32 edu_hw_liveness(struct edu_dev *edu, u32 value)
{
	guard(mutex)(&edu->hw_lock);
	edu_write(edu, EDU_REG_LIVENESS, value);
	return edu_read(edu, EDU_REG_LIVENESS);
}

/**
 * edu_liveness() - write @value to the liveness register, read it back
 * @edu: the device, resumed for the access
 * @value: any
 * @result: what the device answers (~@value when it is alive)
 *
 * Return: 0 or the error of a failed resume.
 */
int edu_liveness(struct edu_dev *edu, u32 value, u32 *result)
{
	int ret = edu_pm_get(edu);

	if (ret)
		return ret;
	*result = edu_hw_liveness(edu, value);
	edu_pm_put(edu);
	return 0;
}

/*
 * A live device answers each write to the liveness register with its NOT.
 * Context: probe and resume: the caller keeps the device powered.
 */
int edu_hw_check_liveness(struct edu_dev *edu)
{
	u32 patterns[] = { get_random_u32(), 0x55555555, 0xaaaaaaaa };
	unsigned int i;
	u32 got;

	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		got = edu_hw_liveness(edu, patterns[i]);
		if (got != ~patterns[i])
			return dev_err_probe(&edu->pdev->dev, -EIO,
					     "liveness check failed: wrote 0x%08x, read 0x%08x, expected 0x%08x\n",
					     patterns[i], got, ~patterns[i]);
	}
	return 0;
}

/* Interrupts are wired up: let factorial completion raise one. */
void edu_hw_start(struct edu_dev *edu)
{
	edu_write(edu, EDU_REG_STATUS, EDU_STATUS_IRQ_FACT);
}

/*
 * The device has no reset: a previous driver (or a guest reboot) may have
 * left the factorial interrupt enabled or reasons raised. Disable and ack
 * everything so a stale level-triggered INTx cannot fire at us.
 */
void edu_hw_quiesce(struct edu_dev *edu)
{
	edu_write(edu, EDU_REG_STATUS, 0);
	edu_write(edu, EDU_REG_IRQ_ACK, EDU_IRQ_ALL);
}

typedef bool (*edu_done_fn)(struct edu_dev *edu, u32 arg);

/*
 * Busy-wait for done(): the benchmark baseline (EDU_FLAG_POLL). It yields
 * to whatever else wants the CPU, the interrupt thread included, which
 * without preemption would otherwise wait for this loop to give up.
 */
static long edu_poll(struct edu_dev *edu, edu_done_fn done, u32 arg, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;

	while (!READ_ONCE(edu->gone) && !done(edu, arg)) {
		if (signal_pending(current))
			return -ERESTARTSYS;
		if (time_after(jiffies, deadline))
			return 0;
		cond_resched();
		cpu_relax();
	}
	return 1;
}

/*
 * Wait until done() holds, the device is removed, a signal arrives or
 * timeout_ms pass; sleeping until the interrupt thread wakes irq_wq, or
 * busy-polling when @poll.
 */
static int edu_wait(struct edu_dev *edu, edu_done_fn done, u32 arg, unsigned int timeout_ms,
		    bool poll)
{
	unsigned long timeout = msecs_to_jiffies(timeout_ms);
	long left;

	if (poll)
		left = edu_poll(edu, done, arg, timeout);
	else
		left = wait_event_interruptible_timeout(edu->irq_wq,
							READ_ONCE(edu->gone) || done(edu, arg),
							timeout);
	if (left < 0)
		return left;
	if (READ_ONCE(edu->gone))
		return -ENODEV;
	if (!left) {
		atomic64_inc(&edu->stats.timeouts);
		return -ETIMEDOUT;
	}
	return 0;
}

static bool edu_fact_idle(struct edu_dev *edu, u32 unused)
{
	return !(edu_read(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING);
}

/**
 * edu_factorial() - compute n! (mod 2^32) in the device
 * @edu: the device
 * @n: 0..EDU_FACTORIAL_MAX
 * @poll: busy-poll instead of sleeping until the interrupt
 * @result: where to store n!
 *
 * The device ignores a new n while it computes, and a computation
 * abandoned by a signal or a timeout goes on, so first wait until it is
 * idle. Completion comes from the factorial interrupt, which wakes
 * irq_wq; the wait condition reads the status register once per wake-up.
 *
 * Context: process; sleeps; resumes the device.
 * Return: 0, -EINVAL for n out of range, -ERESTARTSYS on a signal,
 * -ETIMEDOUT, -ENODEV once the device is removed, or the error of a
 * failed resume.
 */
int edu_factorial(struct edu_dev *edu, u32 n, bool poll, u32 *result)
{
	int ret;

	if (n > EDU_FACTORIAL_MAX)
		return -EINVAL;

	ret = edu_pm_get(edu);
	if (ret)
		return ret;
	if (mutex_lock_interruptible(&edu->fact_lock)) {
		edu_pm_put(edu);
		return -ERESTARTSYS;
	}

	ret = edu_wait(edu, edu_fact_idle, 0, EDU_FACT_TIMEOUT_MS, poll);
	if (!ret) {
		edu_write(edu, EDU_REG_FACTORIAL, n);
		ret = edu_wait(edu, edu_fact_idle, 0, EDU_FACT_TIMEOUT_MS, poll);
	}
	if (!ret) {
		*result = edu_read(edu, EDU_REG_FACTORIAL);
		atomic64_inc(&edu->stats.factorials);
	}
	mutex_unlock(&edu->fact_lock);
	edu_pm_put(edu);
	trace_edu_factorial(edu->index, n, ret ? 0 : *result, ret);
	return ret;
}

static bool edu_user_seen(struct edu_dev *edu, u32 reasons)
{
	return (atomic_read(&edu->user_seen) & reasons) == reasons;
}

/**
 * edu_raise_irq() - make the device interrupt us, wait for the thread
 * @edu: the device
 * @reasons: nonzero, within EDU_IRQ_REASONS_USER
 * @poll: busy-poll instead of sleeping until the interrupt thread wakes us
 * @latency_ns: time from the raise to the wake-up
 *
 * Context: process; sleeps; resumes the device.
 * Return: 0, -EINVAL for bad reasons, -ERESTARTSYS, -ETIMEDOUT, -ENODEV
 * or the error of a failed resume.
 */
int edu_raise_irq(struct edu_dev *edu, u32 reasons, bool poll, u64 *latency_ns)
{
	ktime_t start;
	int ret;

	if (!reasons || (reasons & ~EDU_IRQ_REASONS_USER))
		return -EINVAL;

	ret = edu_pm_get(edu);
	if (ret)
		return ret;
	if (mutex_lock_interruptible(&edu->raise_lock)) {
		edu_pm_put(edu);
		return -ERESTARTSYS;
	}

	atomic_andnot(reasons, &edu->user_seen);
	start = ktime_get();
	edu_write(edu, EDU_REG_IRQ_RAISE, reasons);
	ret = edu_wait(edu, edu_user_seen, reasons, EDU_IRQ_TIMEOUT_MS, poll);
	*latency_ns = ktime_to_ns(ktime_sub(ktime_get(), start));

	mutex_unlock(&edu->raise_lock);
	edu_pm_put(edu);
	return ret;
}

void edu_stats_read(struct edu_dev *edu, struct edu_stats *stats)
{
	unsigned int i;

	stats->irqs = atomic64_read(&edu->stats.irqs);
	stats->irqs_spurious = atomic64_read(&edu->stats.irqs_spurious);
	for (i = 0; i < EDU_IRQ_REASONS; i++)
		stats->irq_reasons[i] = atomic64_read(&edu->stats.reasons[i]);
	stats->factorials = atomic64_read(&edu->stats.factorials);
	stats->timeouts = atomic64_read(&edu->stats.timeouts);
	stats->dma_bytes_to_dev = atomic64_read(&edu->stats.dma_bytes[0]);
	stats->dma_bytes_from_dev = atomic64_read(&edu->stats.dma_bytes[1]);
	stats->dma_xfers_to_dev = atomic64_read(&edu->stats.dma_xfers[0]);
	stats->dma_xfers_from_dev = atomic64_read(&edu->stats.dma_xfers[1]);
	stats->dma_errors = atomic64_read(&edu->stats.dma_errors);
	stats->dma_timeouts = atomic64_read(&edu->stats.dma_timeouts);
	stats->dma_queue_hwm = atomic64_read(&edu->stats.dma_queue_hwm);
}

/* Not a snapshot: counters that move meanwhile keep their increments. */
void edu_stats_reset(struct edu_dev *edu)
{
	unsigned int i;

	atomic64_set(&edu->stats.irqs, 0);
	atomic64_set(&edu->stats.irqs_spurious, 0);
	for (i = 0; i < EDU_IRQ_REASONS; i++)
		atomic64_set(&edu->stats.reasons[i], 0);
	atomic64_set(&edu->stats.factorials, 0);
	atomic64_set(&edu->stats.timeouts, 0);
	for (i = 0; i < 2; i++) {
		atomic64_set(&edu->stats.dma_bytes[i], 0);
		atomic64_set(&edu->stats.dma_xfers[i], 0);
	}
	atomic64_set(&edu->stats.dma_errors, 0);
	atomic64_set(&edu->stats.dma_timeouts, 0);
	atomic64_set(&edu->stats.dma_queue_hwm, 0);
	atomic64_set(&edu->stats.pm_suspends, 0);
	atomic64_set(&edu->stats.pm_resumes, 0);
}

/**
 * edu_hw_self_test() - the hardware checks behind ethtool -t
 * @edu: the device
 * @results: four results, 0 for a pass or a positive errno: liveness,
 *	factorial, DMA round trip (overwrites the device buffer), interrupt
 *
 * Context: process; sleeps (about two DMA transfers).
 */
void edu_hw_self_test(struct edu_dev *edu, u64 *results)
{
	u8 pattern[64], back[64];
	u64 latency;
	u32 result;
	int ret;

	ret = edu_liveness(edu, 0x5a5aa5a5, &result);
	results[0] = ret ? -ret : result == ~0x5a5aa5a5u ? 0 : EIO;

	ret = edu_factorial(edu, 10, false, &result);
	results[1] = ret ? -ret : result == 3628800 ? 0 : EIO;

	get_random_bytes(pattern, sizeof(pattern));
	ret = edu_dma_write(edu, 0, pattern, sizeof(pattern));
	if (!ret)
		ret = edu_dma_read(edu, 0, back, sizeof(back));
	results[2] = ret ? -ret : memcmp(pattern, back, sizeof(back)) ? EIO : 0;

	ret = edu_raise_irq(edu, EDU_IRQ_REASONS_USER & (EDU_IRQ_REASONS_USER << 15), false,
			    &latency);
	results[3] = -ret;
}
