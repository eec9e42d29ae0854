// SPDX-License-Identifier: GPL-2.0-only
/*
 * A user page that never faults in must not hold up remove.
 *
 * Each test hands /dev/eduN a buffer in a userfaultfd-registered page
 * that nobody serves (as FUSE or a stuck uffd handler would), waits until
 * the driver's user copy is blocked on it (the uffd reports the fault),
 * then unbinds the device from a child process. The unbind must finish
 * within a bound (the watchdog below); only then is the page released
 * (served as zeros, the uffd closed), and the blocked call must return, with an error or
 * its result. The device is bound again at the end.
 *
 * Runs as root (CAP_SYS_PTRACE lets the uffd catch the kernel's own
 * faults: vm.unprivileged_userfaultfd does not apply), on a device that
 * nobody else uses meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/edu.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "edu_hold.h"

/* The device the tests unbind: edu1, so edu0 stays for everyone else. */
#define EDU_INDEX		1
/* Unbind of an idle device takes well under a second; a blocked one never ends. */
#define UNBIND_BOUND_S		30
#define FAULT_BOUND_MS		30000
#define XFER_LEN		64

enum uffd_call { CALL_WRITE, CALL_READ, CALL_DMA_TO, CALL_DMA_FROM, CALL_FACTORIAL };

struct blocked_call {
	pthread_t thread;
	enum uffd_call call;
	int fd;
	char *page;
	long ret;
	int err;
};

static void *blocked_call_run(void *arg)
{
	struct blocked_call *c = arg;
	struct edu_dma_xfer xfer = { .addr = (uintptr_t)c->page, .len = XFER_LEN };

	switch (c->call) {
	case CALL_WRITE:
		c->ret = pwrite(c->fd, c->page, XFER_LEN, 0);
		break;
	case CALL_READ:
		c->ret = pread(c->fd, c->page, XFER_LEN, 0);
		break;
	case CALL_DMA_TO:
	case CALL_DMA_FROM:
		xfer.flags = c->call == CALL_DMA_TO ? EDU_DMA_TO_DEVICE : EDU_DMA_FROM_DEVICE;
		c->ret = ioctl(c->fd, EDU_IOC_DMA, &xfer);
		break;
	case CALL_FACTORIAL:
		/* The argument itself is in the page. */
		c->ret = ioctl(c->fd, EDU_IOC_FACTORIAL, c->page);
		break;
	}
	c->err = c->ret < 0 ? errno : 0;
	return NULL;
}

/* A uffd over one fresh anonymous page: missing faults wait for it. */
static int uffd_page(char **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long psize = sysconf(_SC_PAGESIZE);
	int uffd;

	/* Not UFFD_USER_MODE_ONLY: the faults to catch are the kernel's. */
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -errno;
	*page = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)*page;
	reg.range.len = psize;
	if (*page == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		int err = -errno;

		close(uffd);
		return err;
	}
	return uffd;
}

/* Wait until a thread faults on the page: 0, or -ETIMEDOUT. */
static int uffd_wait_fault(int uffd, char *page)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, FAULT_BOUND_MS) != 1)
		return -ETIMEDOUT;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
		return -EIO;
	return (msg.arg.pagefault.address & ~(sysconf(_SC_PAGESIZE) - 1L)) == (uintptr_t)page ?
	       0 : -EIO;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -errno;
}

/*
 * Unbind @pci in a child: its pid. The child lets go of its copy of
 * @uffd first: a uffd open anywhere keeps its faults waiting.
 */
static pid_t unbind_start(const char *pci, int uffd)
{
	pid_t pid = fork();

	if (!pid) {
		close(uffd);
		_exit(sysfs_write("/sys/bus/pci/drivers/edu/unbind", pci) ? 1 : 0);
	}
	return pid;
}

/* Serve the page (zeros) and wake the faulting thread, then close the uffd. */
static void uffd_release(int uffd, char *page)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (uintptr_t)page, .len = sysconf(_SC_PAGESIZE) },
	};

	ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
	close(uffd);
}

/* The watchdog: true when the unbind ended within the bound. */
static bool unbind_ends(pid_t pid, int *status)
{
	const char *scale = getenv("EDU_TIME_SCALE");
	long ms = UNBIND_BOUND_S * 1000L * (scale ? strtol(scale, NULL, 10) : 1);
	struct timespec tick = { .tv_nsec = 10000000 };
	long i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static bool node_back(void)
{
	char path[32];
	int i;

	snprintf(path, sizeof(path), "/dev/edu%d", EDU_INDEX);
	for (i = 0; i < 60000; i++) {
		if (!access(path, F_OK))
			return true;
		usleep(1000);
	}
	return false;
}

FIXTURE(uffd) {
	char pci[256];
	int fd;
};

FIXTURE_VARIANT(uffd) {
	enum uffd_call call;
};

FIXTURE_VARIANT_ADD(uffd, write) { .call = CALL_WRITE };
FIXTURE_VARIANT_ADD(uffd, read) { .call = CALL_READ };
FIXTURE_VARIANT_ADD(uffd, dma_ioctl_to_device) { .call = CALL_DMA_TO };
FIXTURE_VARIANT_ADD(uffd, dma_ioctl_from_device) { .call = CALL_DMA_FROM };
FIXTURE_VARIANT_ADD(uffd, factorial_ioctl) { .call = CALL_FACTORIAL };

FIXTURE_SETUP(uffd)
{
	char path[32];

	if (edu_pci_addr(EDU_INDEX, self->pci, sizeof(self->pci)))
		SKIP(return, "no edu%d", EDU_INDEX);
	snprintf(path, sizeof(path), "/dev/edu%d", EDU_INDEX);
	self->fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(uffd)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(uffd, unbind_not_blocked, 300)
{
	struct blocked_call c = { .call = variant->call, .fd = self->fd };
	bool ended;
	int uffd, status = -1;
	pid_t pid;

	/* Debian's kernels have userfaultfd; only a missing privilege skips. */
	uffd = uffd_page(&c.page);
	if (uffd == -EPERM)
		SKIP(return, "userfaultfd: %s", strerror(-uffd));
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(-uffd));

	ASSERT_EQ(0, pthread_create(&c.thread, NULL, blocked_call_run, &c));
	ASSERT_EQ(0, uffd_wait_fault(uffd, c.page)) TH_LOG("the call never touched the page");

	pid = unbind_start(self->pci, uffd);
	ASSERT_LT(0, pid);
	ended = unbind_ends(pid, &status);
	/* Release the page either way, so that a failing run still ends. */
	uffd_release(uffd, c.page);
	if (!ended)
		waitpid(pid, &status, 0);
	pthread_join(c.thread, NULL);
	TH_LOG("%s: call returned %ld (%s); unbind %s", self->pci, c.ret,
	       c.ret < 0 ? strerror(c.err) : "ok", ended ? "ended" : "blocked until the page came");

	EXPECT_TRUE(ended) TH_LOG("unbind waited for a user page fault");
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* Either the call finished first, or it met the removed device. */
	if (c.ret < 0)
		EXPECT_EQ(ENODEV, c.err);

	close(self->fd);
	self->fd = -1;
	munmap(c.page, sysconf(_SC_PAGESIZE));
	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/edu/bind", self->pci));
	ASSERT_TRUE(node_back());
}

TEST_HARNESS_MAIN
