// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu - power management: system sleep and runtime PM.
 *
 * QEMU's edu has no PCI power management capability, so the PCI core
 * keeps it in D0 whatever is asked; a real device would lose its state
 * when powered down. The callbacks are written for such a device. Suspend
 * stops the network interface, lets the DMA transfer in flight end and
 * starts no other, saves the device buffer (system sleep only) and
 * silences the device. Resume checks that the device is still there and
 * alive, puts back what it forgot (the factorial interrupt enable, the
 * buffer) and restarts the engine and the interface. debugfs's
 * pm_lose_state makes any suspend, runtime too, save the buffer and then
 * wipe it, as a power cut would, so the tests can see that resume really
 * restores it; pm_wipes counts the wipes, so they can also see that the
 * buffer really was wiped (QEMU would keep it otherwise, and a save that
 * failed would go unnoticed).
 *
 * Runtime PM: every operation that touches the hardware holds a usage
 * reference (edu_pm_get/edu_pm_put), and an interface that is up holds
 * one, so the runtime callbacks never run under a user of the device.
 * As for any PCI device, runtime PM starts forbidden (power/control is
 * "on"); once userspace allows it ("auto", as the packaged udev rule
 * does) an idle device suspends after power/autosuspend_delay_ms.
 * Runtime suspend keeps the buffer: the device stays powered in D0
 * (unless pm_lose_state pretends otherwise).
 */
#include <linux/interrupt.h>
#include <linux/pm_runtime.h>

#include "edu.h"

#define EDU_AUTOSUSPEND_MS	1000

/**
 * edu_pm_get() - resume the device (if suspended) and keep it active
 * @edu: the device
 *
 * Context: process; may sleep until the device is resumed.
 * Return: 0 or the error of the resume.
 */
int edu_pm_get(struct edu_dev *edu)
{
	int ret = pm_runtime_resume_and_get(&edu->pdev->dev);

	return ret < 0 ? ret : 0;
}

/* Drop edu_pm_get()'s reference: the device may autosuspend when idle. */
void edu_pm_put(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

/* What a power cut would do to the device buffer (debugfs pm_lose_state). */
static void edu_pm_wipe(struct edu_dev *edu)
{
	struct edu_dma_buf *zeros = edu_dma_buf_alloc(edu, edu_buf_size);

	if (!zeros)
		return;
	memset(zeros->cpu, 0, edu_buf_size);
	if (edu_dma_save_restore(edu, zeros, true))
		dev_warn(&edu->pdev->dev, "pm_lose_state: wiping the buffer failed\n");
	else
		atomic_inc(&edu->pm_wipes);
	edu_dma_buf_put(zeros);
}

/*
 * The engine is paused: copy the device buffer to RAM for resume. A
 * device whose buffer cannot be saved must not suspend: it would come
 * back without its data.
 */
static int edu_pm_save(struct edu_dev *edu)
{
	struct edu_dma_buf *buf;
	int ret;

	buf = edu_dma_buf_alloc(edu, edu_buf_size);
	if (!buf)
		return -ENOMEM;
	ret = edu_dma_save_restore(edu, buf, false);
	if (ret) {
		edu_dma_buf_put(buf);
		return ret;
	}
	edu->pm_saved = buf;
	return 0;
}

static void edu_pm_restore(struct edu_dev *edu)
{
	struct edu_dma_buf *buf = edu->pm_saved;
	int ret;

	if (!buf)
		return;
	edu->pm_saved = NULL;
	ret = edu_dma_save_restore(edu, buf, true);
	if (ret)
		dev_warn(&edu->pdev->dev, "restoring the device buffer failed (%d)\n", ret);
	edu_dma_buf_put(buf);
}

static void edu_pm_notify(struct edu_dev *edu, enum edu_pm_state state)
{
	atomic64_inc(state == EDU_PM_SUSPENDED ? &edu->stats.pm_suspends :
		     &edu->stats.pm_resumes);
	edu_nl_notify(edu, EDU_CMD_PM_NTF, EDU_A_DEV_PM_STATE, state);
}

/*
 * Stop everything that can reach the device. The engine keeps requests
 * queued meanwhile (only kernel users can queue during system sleep: user
 * tasks are frozen) and runs them after resume. A save that fails
 * refuses the suspend: system sleep with its error, runtime suspend with
 * -EAGAIN, which leaves the device active for a later try.
 */
static int edu_pm_quiesce(struct edu_dev *edu, bool save)
{
	/* A power cut does not wait for the save to succeed. */
	bool lose = READ_ONCE(edu->pm_lose_state);
	int ret;

	edu_net_suspend(edu);
	ret = edu_dma_pause(edu);
	if (ret) {
		dev_err(&edu->pdev->dev, "cannot suspend: a DMA transfer does not end\n");
		edu_net_resume(edu);
		return ret;
	}
	if (save || lose) {
		ret = edu_pm_save(edu);
		if (ret) {
			dev_err(&edu->pdev->dev,
				"cannot suspend: saving the device buffer failed (%d)\n", ret);
			edu_dma_unpause(edu);
			edu_net_resume(edu);
			return save ? ret : -EAGAIN;
		}
	}
	if (lose)
		edu_pm_wipe(edu);
	edu_hw_quiesce(edu);
	synchronize_irq(edu->irq);
	edu_pm_notify(edu, EDU_PM_SUSPENDED);
	return 0;
}

/* The device has no reset: check it, then put its state back explicitly. */
static int edu_pm_restart(struct edu_dev *edu)
{
	int ret;

	ret = edu_hw_check_identity(edu);
	if (!ret)
		ret = edu_hw_check_liveness(edu);
	if (ret)
		return ret;

	edu_hw_quiesce(edu);
	edu_hw_start(edu);
	edu_pm_restore(edu);
	edu_dma_unpause(edu);
	edu_net_resume(edu);
	edu_pm_notify(edu, EDU_PM_ACTIVE);
	return 0;
}

/* Suspend to RAM, hibernation's freeze and poweroff: the device may lose power. */
static int edu_pm_suspend(struct device *dev)
{
	return edu_pm_quiesce(dev_get_drvdata(dev), true);
}

static int edu_pm_resume(struct device *dev)
{
	return edu_pm_restart(dev_get_drvdata(dev));
}

static int edu_pm_runtime_suspend(struct device *dev)
{
	return edu_pm_quiesce(dev_get_drvdata(dev), false);
}

const struct dev_pm_ops edu_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(edu_pm_suspend, edu_pm_resume)
	RUNTIME_PM_OPS(edu_pm_runtime_suspend, edu_pm_resume, NULL)
};

/**
 * edu_pm_init() - enable runtime PM with autosuspend
 * @edu: the device, fully set up (the last step of probe)
 *
 * The PCI core resumed the device and holds a usage reference for probe;
 * dropping it here lets the device suspend once userspace allows it.
 */
void edu_pm_init(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;

	pm_runtime_set_autosuspend_delay(dev, EDU_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

/**
 * edu_pm_remove() - undo edu_pm_init()
 * @edu: the device, resumed by the PCI core for remove
 *
 * Takes back the reference the PCI core drops after remove, so the
 * device cannot runtime-suspend while remove tears it down.
 */
void edu_pm_remove(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_dont_use_autosuspend(dev);
	if (edu->pm_saved) {
		edu_dma_buf_put(edu->pm_saved);
		edu->pm_saved = NULL;
	}
}
