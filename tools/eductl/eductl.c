// SPDX-License-Identifier: GPL-2.0-only
/*
 * eductl - command-line tool for the edu driver's devices /dev/eduN.
 *
 *   eductl [-j] [-d DEV] COMMAND [ARGS]
 *
 * Devices are found in sysfs (/sys/class/edu/eduN, or $EDUCTL_SYSFS_ROOT so
 * tests can fake an empty or odd machine). Most commands talk to the driver
 * through the ioctls of <linux/edu.h>, whose ABI is identical for 32-bit and
 * 64-bit processes, so a -m32 build exercises the driver's compat path.
 * show, set, nlstats, nlfactorial, dma-test and monitor use its generic
 * netlink family "edu" instead (netlink.c); a build without libnl
 * (EDUCTL_NO_NETLINK, eductl32) has them fail with exit status 1.
 *
 * Exit status (never anything else):
 *   0  success
 *   1  the operation failed: no such device, device or kernel error, dead device
 *   2  usage error: bad option, command or argument
 */
#define _GNU_SOURCE		/* strerrorname_np() */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/edu.h>

#include "netlink.h"

#ifndef EDU_VERSION
#define EDU_VERSION "unknown"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define PROG			"eductl"
#define SYSFS_ROOT_DEFAULT	"/sys/class/edu"
#define LIVENESS_DEFAULT	0x12345678u
#define IRQ_REASONS_DEFAULT	0x00010000u

/*
 * The ioctl structures are ABI: a layout change must be a deliberate new
 * ioctl, never an accident. The offsets catch a __u64 that i386 (4-byte
 * alignment) would place differently from x86_64.
 */
static_assert(sizeof(struct edu_info) == 96, "struct edu_info is ABI");
static_assert(sizeof(struct edu_liveness) == 16, "struct edu_liveness is ABI");
static_assert(sizeof(struct edu_factorial) == 16, "struct edu_factorial is ABI");
static_assert(sizeof(struct edu_irq_raise) == 16, "struct edu_irq_raise is ABI");
static_assert(sizeof(struct edu_stats) == 352, "struct edu_stats is ABI");
static_assert(offsetof(struct edu_info, reserved) == 64, "struct edu_info is ABI");
static_assert(offsetof(struct edu_irq_raise, latency_ns) == 8, "struct edu_irq_raise is ABI");
static_assert(offsetof(struct edu_stats, factorials) == 272, "struct edu_stats is ABI");

enum {
	RC_OK = 0,
	RC_FAIL = 1,
	RC_USAGE = 2,
};

static bool json;			/* -j */
static const char *device_arg;		/* -d DEV, NULL: the first device */
static const char *command_name;	/* for usage errors */

/*
 * Messages are macros around fprintf()/printf(), as pr_err() is in the
 * kernel: the compiler checks each format against its arguments.
 */
#define report_error(fmt, ...) \
	fprintf(stderr, PROG ": Error: " fmt "\n", ##__VA_ARGS__)

/* ---- output: one path for text and JSON ---- */

/*
 * Commands print every value once, through print_string(), print_u64() or
 * print_hex32(): in JSON mode under @key (NULL: an array element), in text
 * mode through @fmt. Values only JSON shows go through json_print_*(), text
 * only decoration through print_text(). The print_*() are macros so that
 * the compiler checks each @fmt against its value.
 */
#define JSON_MAX_DEPTH	8	/* eductl nests 2 deep */

static unsigned int json_depth;
static bool json_need_comma[JSON_MAX_DEPTH];

static void json_put_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			/* Bytes >= 0x80 as code points: the output stays valid UTF-8. */
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* Start a value: the comma before it, and its key inside an object. */
static void json_begin_value(const char *key)
{
	if (json_depth) {
		if (json_need_comma[json_depth - 1])
			putchar(',');
		json_need_comma[json_depth - 1] = true;
	}
	if (key) {
		json_put_string(key);
		putchar(':');
	}
}

static void json_open(const char *key, char bracket)
{
	assert(json_depth < JSON_MAX_DEPTH);
	json_begin_value(key);
	putchar(bracket);
	json_need_comma[json_depth++] = false;
}

static void json_close(char bracket)
{
	assert(json_depth > 0);
	putchar(bracket);
	if (!--json_depth)
		putchar('\n');
}

static void open_object(const char *key)
{
	if (json)
		json_open(key, '{');
}

static void close_object(void)
{
	if (json)
		json_close('}');
}

static void open_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

static void close_array(void)
{
	if (json)
		json_close(']');
}

static void json_print_string(const char *key, const char *val)
{
	if (json) {
		json_begin_value(key);
		json_put_string(val);
	}
}

static void json_print_u64(const char *key, unsigned long long val)
{
	if (json) {
		json_begin_value(key);
		printf("%llu", val);
	}
}

static void json_print_bool(const char *key, bool val)
{
	if (json) {
		json_begin_value(key);
		fputs(val ? "true" : "false", stdout);
	}
}

#define print_text(fmt, ...)				\
	do {						\
		if (!json)				\
			printf(fmt, ##__VA_ARGS__);	\
	} while (0)

#define print_string(key, fmt, val)			\
	do {						\
		const char *_s = (val);			\
							\
		json_print_string(key, _s);		\
		print_text(fmt, _s);			\
	} while (0)

#define print_u64(key, fmt, val)			\
	do {						\
		unsigned long long _v = (val);		\
							\
		json_print_u64(key, _v);		\
		print_text(fmt, _v);			\
	} while (0)

/* Register values read best as hex: a string "0x%08x" in JSON as in text. */
#define print_hex32(key, fmt, val)				\
	do {							\
		char _hex[16];					\
								\
		snprintf(_hex, sizeof(_hex), "0x%08x", (__u32)(val));	\
		print_string(key, fmt, _hex);			\
	} while (0)

/* A full disk or a closed pipe must not look like success. */
static int finish_output(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		report_error("writing the output failed: %s", strerror(errno ? errno : EIO));
		return RC_FAIL;
	}
	return rc;
}

/* ---- argument parsing ---- */

/*
 * A u32 written as decimal or 0x-prefixed hex, nothing else: strtoull()
 * alone would accept leading blanks, a sign (and negate!), octal and
 * trailing junk.
 */
static bool parse_u32(const char *s, __u32 *val)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > UINT_MAX)
		return false;
	*val = v;
	return true;
}

/* The end of a usage error: what the command takes. Returns RC_USAGE. */
static int usage_hint(const char *synopsis)
{
	fprintf(stderr, "; usage: " PROG " %s%s%s\n", command_name, *synopsis ? " " : "",
		synopsis);
	return RC_USAGE;
}

/* A bad argument of the command: what is wrong, then what the command takes. */
#define usage_error(synopsis, fmt, ...)						\
	(fprintf(stderr, PROG ": Error: %s: " fmt, command_name, ##__VA_ARGS__),	\
	 usage_hint(synopsis))

static int parse_number_arg(const char *synopsis, const char *arg, __u32 *val)
{
	if (parse_u32(arg, val))
		return RC_OK;
	return usage_error(synopsis, "\"%s\" is not a number from 0 to %u (decimal or 0x hex)",
			   arg, UINT_MAX);
}

/* ---- devices ---- */

struct edu_device {
	char name[32];		/* eduN */
	unsigned int index;	/* N */
	char pci[64];		/* PCI address, "" if sysfs does not tell */
	char node[48];		/* /dev/eduN */
	bool has_devt;		/* sysfs gave the node's number */
	dev_t devt;
};

struct edu_device_list {
	struct edu_device *devs;
	size_t count;
};

static const char *sysfs_root(void)
{
	const char *root = getenv("EDUCTL_SYSFS_ROOT");

	return root && *root ? root : SYSFS_ROOT_DEFAULT;
}

/* "eduN" with N a plain decimal number, as the driver names its devices. */
static bool parse_device_name(const char *name, unsigned int *index)
{
	const char *digits = name + 3;
	size_t len;

	if (strncmp(name, "edu", 3))
		return false;
	len = strspn(digits, "0123456789");
	if (!len || digits[len] || len > 9 || (digits[0] == '0' && len > 1))
		return false;
	*index = strtoul(digits, NULL, 10);
	return true;
}

/* The PCI address is the name of the parent device the "device" link points to. */
static void read_pci_address(int dirfd, char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t len;

	buf[0] = '\0';
	len = readlinkat(dirfd, "device", target, sizeof(target) - 1);
	if (len <= 0)
		return;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	len = strlen(base);
	/* Too long to be a PCI address: better unknown than cut. */
	if ((size_t)len < size)
		memcpy(buf, base, len + 1);
}

/* sysfs "dev" holds MAJOR:MINOR of the node the driver created. */
static bool read_devt(int dirfd, dev_t *devt)
{
	unsigned int maj, min;
	char buf[32];
	ssize_t len;
	int fd;

	fd = openat(dirfd, "dev", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return false;
	*devt = makedev(maj, min);
	return true;
}

/* @rootfd: the class directory; @name: eduN as parse_device_name() accepts it */
static void describe_device(int rootfd, struct edu_device *dev, const char *name,
			    unsigned int index)
{
	int dirfd;

	/* The same string as @name: parse_device_name() allows no leading zeros. */
	snprintf(dev->name, sizeof(dev->name), "edu%u", index);
	snprintf(dev->node, sizeof(dev->node), "/dev/edu%u", index);
	dev->index = index;
	dev->pci[0] = '\0';
	dev->has_devt = false;
	dirfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;
	read_pci_address(dirfd, dev->pci, sizeof(dev->pci));
	dev->has_devt = read_devt(dirfd, &dev->devt);
	close(dirfd);
}

static int compare_index(const void *a, const void *b)
{
	const struct edu_device *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static bool add_device(struct edu_device_list *list, int rootfd, const char *name)
{
	struct edu_device *devs;
	unsigned int index;

	if (!parse_device_name(name, &index))
		return true;
	devs = realloc(list->devs, (list->count + 1) * sizeof(*devs));
	if (!devs)
		return false;
	list->devs = devs;
	describe_device(rootfd, &devs[list->count++], name, index);
	return true;
}

/*
 * All bound devices, lowest N first. No class directory means the module is
 * not loaded: an empty list, not an error.
 */
static int find_devices(struct edu_device_list *list)
{
	const char *root = sysfs_root();
	struct dirent *de;
	DIR *d;

	list->devs = NULL;
	list->count = 0;
	d = opendir(root);
	if (!d) {
		if (errno == ENOENT)
			return RC_OK;
		report_error("cannot read %s: %s", root, strerror(errno));
		return RC_FAIL;
	}
	while ((de = readdir(d))) {
		if (!add_device(list, dirfd(d), de->d_name)) {
			report_error("out of memory");
			closedir(d);
			return RC_FAIL;
		}
	}
	closedir(d);
	/* qsort() wants a valid pointer even for no elements. */
	if (list->count > 1)
		qsort(list->devs, list->count, sizeof(*list->devs), compare_index);
	return RC_OK;
}

/* "00:04.0" means domain 0000, as lspci prints it. */
static void normalize_pci_address(const char *arg, char *buf, size_t size)
{
	const char *colon = strchr(arg, ':');

	if (colon && !strchr(colon + 1, ':'))
		snprintf(buf, size, "0000:%s", arg);
	else
		snprintf(buf, size, "%s", arg);
}

/*
 * -d DEV: a name (edu0), a node (/dev/edu0, or any path to the same
 * character device, e.g. a udev symlink) or a PCI address.
 */
static bool device_matches(const struct edu_device *dev, const char *arg)
{
	char pci[64];
	struct stat st;

	if (!strcmp(arg, dev->name) || !strcmp(arg, dev->node))
		return true;
	if (strchr(arg, '/'))
		return dev->has_devt && !stat(arg, &st) && S_ISCHR(st.st_mode) &&
		       st.st_rdev == dev->devt;
	if (!strchr(arg, ':') || !dev->pci[0])
		return false;
	normalize_pci_address(arg, pci, sizeof(pci));
	return !strcasecmp(pci, dev->pci);
}

static void report_device_not_found(void)
{
	report_error("device \"%s\" not found (" PROG " list shows the devices)", device_arg);
}

static const struct edu_device *select_device(const struct edu_device_list *list)
{
	size_t i;

	if (!device_arg) {
		if (list->count)
			return &list->devs[0];
		report_error("no edu device found: is the module loaded? try: modprobe edu");
		return NULL;
	}
	for (i = 0; i < list->count; i++)
		if (device_matches(&list->devs[i], device_arg))
			return &list->devs[i];
	report_device_not_found();
	return NULL;
}

static void report_open_error(const struct edu_device *dev, int err)
{
	struct stat st;
	struct group *gr;

	switch (err) {
	case EACCES:
	case EPERM:
		gr = !stat(dev->node, &st) ? getgrgid(st.st_gid) : NULL;
		report_error("%s: %s: run as root or join the group owning the node%s%s%s",
			     dev->node, strerror(err), gr ? " (" : "", gr ? gr->gr_name : "",
			     gr ? ")" : "");
		break;
	case ENOENT:
		report_error("%s: %s: sysfs has %s but /dev has no node (is devtmpfs mounted?)",
			     dev->node, strerror(err), dev->name);
		break;
	case ENODEV:
	case ENXIO:
		report_error("%s: %s: the device was removed", dev->node, strerror(err));
		break;
	default:
		report_error("%s: %s", dev->node, strerror(err));
	}
}

/* A stale static /dev could send our ioctls to another driver: check first. */
static bool is_node_of(int fd, const struct edu_device *dev)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		report_error("%s is not a character device", dev->node);
		return false;
	}
	if (dev->has_devt && st.st_rdev != dev->devt) {
		report_error("%s is %u:%u, sysfs says %s is %u:%u: a stale node (devtmpfs?)",
			     dev->node, major(st.st_rdev), minor(st.st_rdev), dev->name,
			     major(dev->devt), minor(dev->devt));
		return false;
	}
	return true;
}

static void free_devices(struct edu_device_list *list)
{
	free(list->devs);
	list->devs = NULL;
	list->count = 0;
}

/* Find and choose the device (-d DEV or the first) into *@dev: RC_OK or RC_FAIL. */
static int find_device(struct edu_device *dev)
{
	struct edu_device_list list;
	const struct edu_device *sel = NULL;

	if (!find_devices(&list))
		sel = select_device(&list);
	if (sel)
		*dev = *sel;
	free_devices(&list);
	return sel ? RC_OK : RC_FAIL;
}

/*
 * Find, choose and open the device: the fd, *@dev telling which device it
 * is; or -1, the error reported.
 */
static int open_device(struct edu_device *dev, int flags)
{
	int fd;

	if (find_device(dev))
		return -1;
	fd = open(dev->node, flags | O_CLOEXEC);
	if (fd < 0) {
		report_open_error(dev, errno);
		return -1;
	}
	if (!is_node_of(fd, dev)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One ioctl on the selected device, and what its failures mean to the user. */
struct ioctl_call {
	const char *what;		/* "factorial": "factorial on edu0 failed: ..." */
	unsigned long req;
	void *arg;
	int open_flags;			/* O_RDONLY for the ioctls that only read */
	const char *einval_hint;	/* what EINVAL means for this call */
	const char *eperm_message;	/* what to say instead on EPERM */
};

static void report_ioctl_error(const struct ioctl_call *call, const char *name, int err)
{
	const char *hint = "";

	switch (err) {
	case ENODEV:
		report_error("%s on %s failed: the device was removed", call->what, name);
		return;
	case EPERM:
		if (call->eperm_message) {
			report_error("%s: %s", name, call->eperm_message);
			return;
		}
		break;
	case ENOTTY:
		hint = " (the driver does not know this command: is it older than " PROG "?)";
		break;
	case ETIMEDOUT:
		hint = " (the device did not interrupt in time: see dmesg)";
		break;
	case EINVAL:
		hint = call->einval_hint ? call->einval_hint : "";
		break;
	}
	report_error("%s on %s failed: %s%s", call->what, name, strerror(err), hint);
}

/* RC_OK, or RC_FAIL with the failure reported. */
static int call_ioctl(int fd, const struct ioctl_call *call, const struct edu_device *dev)
{
	if (!ioctl(fd, call->req, call->arg))
		return RC_OK;
	report_ioctl_error(call, dev->name, errno);
	return RC_FAIL;
}

/* Open the device, make @call, close; *@dev tells which device it was. */
static int device_ioctl(const struct ioctl_call *call, struct edu_device *dev)
{
	int fd, rc;

	fd = open_device(dev, call->open_flags);
	if (fd < 0)
		return RC_FAIL;
	rc = call_ioctl(fd, call, dev);
	close(fd);
	return rc;
}

/* ---- commands ---- */

static int cmd_help(int argc, char **argv);

static int check_no_more_args(int argc, char **argv, int max, const char *synopsis)
{
	if (argc <= max + 1)
		return RC_OK;
	return usage_error(synopsis, "unexpected argument \"%s\"", argv[max + 1]);
}

static void print_device(const struct edu_device *dev)
{
	open_object(NULL);
	print_string("name", "%-8s", dev->name);
	/* Unknown: "" in JSON, a placeholder keeping the text columns. */
	json_print_string("pci", dev->pci);
	print_text(" %-14s", dev->pci[0] ? dev->pci : "-");
	print_string("dev", " %s\n", dev->node);
	close_object();
}

static int cmd_list(int argc, char **argv)
{
	struct edu_device_list list;
	size_t i, shown = 0;
	int rc;

	rc = check_no_more_args(argc, argv, 0, "");
	if (rc)
		return rc;
	rc = find_devices(&list);
	if (rc) {
		free_devices(&list);
		return rc;
	}
	open_array(NULL);
	for (i = 0; i < list.count; i++) {
		/* -d narrows the list to one device. */
		if (device_arg && !device_matches(&list.devs[i], device_arg))
			continue;
		print_device(&list.devs[i]);
		shown++;
	}
	close_array();
	free_devices(&list);
	if (device_arg && !shown) {
		report_device_not_found();
		return RC_FAIL;
	}
	return RC_OK;
}

static const char *irq_mode_name(__u32 mode)
{
	switch (mode) {
	case EDU_IRQ_MODE_INTX:
		return "intx";
	case EDU_IRQ_MODE_MSI:
		return "msi";
	default:
		return "unknown";
	}
}

/* The kernel NUL-terminates, but a field is never trusted to be. */
static void copy_field(char *buf, size_t size, const char *field, size_t field_size)
{
	size_t len = strnlen(field, field_size);

	if (len >= size)
		len = size - 1;
	memcpy(buf, field, len);
	buf[len] = '\0';
}

static void print_info(const struct edu_device *dev, const struct edu_info *info)
{
	char version[EDU_VERSION_LEN + 1], pci[EDU_PCI_ADDR_LEN + 1], hw[24];

	copy_field(version, sizeof(version), info->driver_version, sizeof(info->driver_version));
	copy_field(pci, sizeof(pci), info->pci_addr, sizeof(info->pci_addr));
	snprintf(hw, sizeof(hw), "%u.%u", info->hw_major, info->hw_minor);

	open_object(NULL);
	print_string("name", "%s\n", dev->name);
	print_string("pci", "\tpci %s\n", pci);
	print_u64("index", "\tindex %llu\n", info->index);
	print_hex32("hw_id", "\thw_id %s\n", info->hw_id);
	print_string("hw_version", "\thw_version %s\n", hw);
	print_string("irq_mode", "\tirq_mode %s\n", irq_mode_name(info->irq_mode));
	print_u64("irq_vector", "\tirq_vector %llu\n", info->irq_vector);
	print_u64("dma_bits", "\tdma_bits %llu\n", info->dma_bits);
	print_string("driver_version", "\tdriver_version %s\n", version);
	close_object();
}

static int cmd_info(int argc, char **argv)
{
	struct edu_info info = { 0 };
	const struct ioctl_call call = {
		.what = "info", .req = EDU_IOC_INFO, .arg = &info, .open_flags = O_RDONLY,
	};
	struct edu_device dev;
	int rc;

	rc = check_no_more_args(argc, argv, 0, "");
	if (rc)
		return rc;
	rc = device_ioctl(&call, &dev);
	if (rc)
		return rc;
	print_info(&dev, &info);
	return RC_OK;
}

static int cmd_liveness(int argc, char **argv)
{
	static const char synopsis[] = "[VALUE]";
	struct edu_liveness req = { .value = LIVENESS_DEFAULT };
	const struct ioctl_call call = {
		.what = "liveness check", .req = EDU_IOC_LIVENESS, .arg = &req,
		.open_flags = O_RDWR,
	};
	struct edu_device dev;
	bool alive;
	int rc;

	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (!rc && argc > 1)
		rc = parse_number_arg(synopsis, argv[1], &req.value);
	if (rc)
		return rc;
	rc = device_ioctl(&call, &dev);
	if (rc)
		return rc;

	alive = req.result == (__u32)~req.value;
	open_object(NULL);
	print_hex32("value", "value %s", req.value);
	print_hex32("result", " result %s", req.result);
	json_print_bool("alive", alive);
	print_text(": %s\n", alive ? "alive" : "dead");
	close_object();
	if (alive)
		return RC_OK;
	report_error("%s is dead: it answered 0x%08x to 0x%08x, a live device answers 0x%08x",
		     dev.name, req.result, req.value, (__u32)~req.value);
	return RC_FAIL;
}

static void print_factorial(__u32 n, __u32 result)
{
	open_object(NULL);
	print_u64("n", "%llu! = ", n);
	print_u64("result", "%llu (mod 2^32)\n", result);
	close_object();
}

static int cmd_factorial(int argc, char **argv)
{
	static const char synopsis[] = "N";
	struct edu_factorial req = { 0 };
	char hint[64];
	const struct ioctl_call call = {
		.what = "factorial", .req = EDU_IOC_FACTORIAL, .arg = &req, .open_flags = O_RDWR,
		.einval_hint = hint,
	};
	struct edu_device dev;
	int rc;

	if (argc < 2)
		return usage_error(synopsis, "missing N");
	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (!rc)
		rc = parse_number_arg(synopsis, argv[1], &req.n);
	if (rc)
		return rc;
	snprintf(hint, sizeof(hint), " (N is at most %u)", EDU_FACTORIAL_MAX);
	rc = device_ioctl(&call, &dev);
	if (rc)
		return rc;
	print_factorial(req.n, req.result);
	return RC_OK;
}

static int irq_raise(int argc, char **argv)
{
	static const char synopsis[] = "raise [REASONS]";
	struct edu_irq_raise req = { .reasons = IRQ_REASONS_DEFAULT };
	char hint[80];
	const struct ioctl_call call = {
		.what = "raising an interrupt", .req = EDU_IOC_RAISE_IRQ, .arg = &req,
		.open_flags = O_RDWR, .einval_hint = hint,
	};
	struct edu_device dev;
	int rc;

	if (argc > 3)
		return usage_error(synopsis, "unexpected argument \"%s\"", argv[3]);
	if (argc > 2) {
		rc = parse_number_arg(synopsis, argv[2], &req.reasons);
		if (rc)
			return rc;
	}
	snprintf(hint, sizeof(hint), " (REASONS must be nonzero and within 0x%08x)",
		 EDU_IRQ_REASONS_USER);
	rc = device_ioctl(&call, &dev);
	if (rc)
		return rc;

	open_object(NULL);
	print_hex32("reasons", "reasons %s", req.reasons);
	json_print_u64("latency_ns", req.latency_ns);
	print_text(" latency %llu.%03llu us\n", (unsigned long long)req.latency_ns / 1000,
		   (unsigned long long)req.latency_ns % 1000);
	close_object();
	return RC_OK;
}

static int cmd_irq(int argc, char **argv)
{
	static const char synopsis[] = "raise [REASONS]";

	if (argc < 2)
		return usage_error(synopsis, "missing subcommand");
	if (!strcmp(argv[1], "raise"))
		return irq_raise(argc, argv);
	return usage_error(synopsis, "unknown subcommand \"%s\"", argv[1]);
}

static const char *irq_reason_name(unsigned int bit)
{
	switch (1u << bit) {
	case EDU_IRQ_REASON_FACTORIAL:
		return " (factorial)";
	case EDU_IRQ_REASON_DMA:
		return " (dma)";
	default:
		return "";
	}
}

/*
 * The counters of struct edu_stats and of the netlink EDU_A_STATS nest, in
 * the order stats and nlstats print them, under the same keys.
 */
static const struct stat_field {
	const char *key;
	size_t offset;		/* in struct edu_stats */
	unsigned int attr;	/* enum edu_stat_attr */
} stat_fields[] = {
	{ "irqs", offsetof(struct edu_stats, irqs), EDU_A_STAT_IRQS },
	{ "irqs_spurious", offsetof(struct edu_stats, irqs_spurious), EDU_A_STAT_IRQS_SPURIOUS },
	{ "factorials", offsetof(struct edu_stats, factorials), EDU_A_STAT_FACTORIALS },
	{ "timeouts", offsetof(struct edu_stats, timeouts), EDU_A_STAT_TIMEOUTS },
	{ "dma_bytes_to_dev", offsetof(struct edu_stats, dma_bytes_to_dev),
	  EDU_A_STAT_DMA_BYTES_TO_DEV },
	{ "dma_bytes_from_dev", offsetof(struct edu_stats, dma_bytes_from_dev),
	  EDU_A_STAT_DMA_BYTES_FROM_DEV },
	{ "dma_xfers_to_dev", offsetof(struct edu_stats, dma_xfers_to_dev),
	  EDU_A_STAT_DMA_XFERS_TO_DEV },
	{ "dma_xfers_from_dev", offsetof(struct edu_stats, dma_xfers_from_dev),
	  EDU_A_STAT_DMA_XFERS_FROM_DEV },
	{ "dma_errors", offsetof(struct edu_stats, dma_errors), EDU_A_STAT_DMA_ERRORS },
	{ "dma_timeouts", offsetof(struct edu_stats, dma_timeouts), EDU_A_STAT_DMA_TIMEOUTS },
	{ "dma_queue_hwm", offsetof(struct edu_stats, dma_queue_hwm), EDU_A_STAT_DMA_QUEUE_HWM },
};

/* "key value" lines; in JSON, members of the open object. */
static void print_counter(const char *key, __u64 val)
{
	print_text("%s ", key);
	print_u64(key, "%llu\n", val);
}

static void print_stats(const struct edu_stats *st)
{
	unsigned int bit;
	size_t i;
	__u64 val;

	open_object(NULL);
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
		memcpy(&val, (const char *)st + stat_fields[i].offset, sizeof(val));
		print_counter(stat_fields[i].key, val);
	}
	/* JSON: all 32, indexed by bit; text: only the reasons seen. */
	open_array("irq_reasons");
	for (bit = 0; bit < EDU_IRQ_REASONS; bit++) {
		json_print_u64(NULL, st->irq_reasons[bit]);
		if (st->irq_reasons[bit])
			print_text("irq_reason 0x%08x %llu%s\n", 1u << bit,
				   (unsigned long long)st->irq_reasons[bit], irq_reason_name(bit));
	}
	close_array();
	close_object();
}

/*
 * --reset zeroes the counters after reading them, on the same open file:
 * only what happens between the two ioctls goes unseen.
 */
static int cmd_stats(int argc, char **argv)
{
	static const char synopsis[] = "[--reset]";
	struct edu_stats st = { 0 };
	const struct ioctl_call get = {
		.what = "reading statistics", .req = EDU_IOC_GET_STATS, .arg = &st,
	};
	const struct ioctl_call reset = {
		.what = "resetting statistics", .req = EDU_IOC_RESET_STATS,
		.eperm_message = "resetting statistics needs CAP_SYS_ADMIN (run as root)",
	};
	struct edu_device dev;
	bool do_reset = false;
	int fd, rc;

	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (rc)
		return rc;
	if (argc > 1) {
		if (strcmp(argv[1], "--reset"))
			return usage_error(synopsis, "unknown argument \"%s\"", argv[1]);
		do_reset = true;
	}
	fd = open_device(&dev, do_reset ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return RC_FAIL;
	rc = call_ioctl(fd, &get, &dev);
	if (!rc) {
		print_stats(&st);
		if (do_reset)
			rc = call_ioctl(fd, &reset, &dev);
	}
	close(fd);
	return rc;
}

/* ---- generic netlink commands ---- */

/* Send @req (see netlink.h): RC_OK, or RC_FAIL with the error reported. */
static int netlink_call(struct ednl *nl, const struct ednl_request *req, ednl_handler handler,
			void *arg)
{
	return ednl_request(nl, req, handler, arg) ? RC_FAIL : RC_OK;
}

/*
 * The socket, and in *@dev the device (-d DEV or the first, found in sysfs
 * as for the ioctls): the family names it by its index. NULL on failure.
 */
static struct ednl *netlink_open_device(struct edu_device *dev)
{
	struct ednl *nl = ednl_open();

	if (nl && find_device(dev)) {
		ednl_close(nl);
		return NULL;
	}
	return nl;
}

/* The reply of a doit, kept for after the request (without its strings). */
struct reply {
	bool got;
	struct ednl_msg msg;
};

static int keep_reply(const struct ednl_msg *msg, void *arg)
{
	struct reply *r = arg;

	r->msg = *msg;
	memset(r->msg.str, 0, sizeof(r->msg.str));
	r->got = true;
	return 0;
}

/* The reply came and has @attr, named @attr_name as in the YNL spec: RC_OK. */
static int check_reply(const struct reply *r, const char *what, unsigned int attr,
		       const char *attr_name)
{
	if (!r->got)
		report_error("%s failed: the kernel sent no reply", what);
	else if (!r->msg.has[attr])
		report_error("%s failed: the kernel's reply lacks %s", what, attr_name);
	else
		return RC_OK;
	return RC_FAIL;
}

/* A u32 of the device if the kernel sent it: " key N" in text. */
static void print_dev_u32(const struct ednl_msg *m, unsigned int attr, const char *key)
{
	if (m->has[attr]) {
		print_text(" %s", key);
		print_u64(key, " %llu", m->u32[attr]);
	}
}

static const char *pm_state_name(__u32 state)
{
	switch (state) {
	case EDU_PM_ACTIVE:
		return "active";
	case EDU_PM_SUSPENDED:
		return "suspended";
	default:
		return "unknown";
	}
}

/* EDU_A_DEV_PEER as sysfs "peer" reads it: "eduN", "self" or "none". */
static void print_peer(__u32 peer, __u32 index)
{
	char name[32];

	if (peer == EDU_PEER_NONE)
		snprintf(name, sizeof(name), "none");
	else if (peer == index)
		snprintf(name, sizeof(name), "self");
	else
		snprintf(name, sizeof(name), "edu%u", peer);
	print_string("peer", " peer %s", name);
}

/* One device of EDU_CMD_DEV_GET: a line, or an object. */
static int print_dev(const struct ednl_msg *m, void *arg)
{
	unsigned int *count = arg;
	char name[32];

	if (!m->has[EDU_A_DEV_INDEX]) {
		report_error("the kernel described a device without its index (dev-index)");
		return -1;
	}
	if (m->str[EDU_A_DEV_NAME])
		snprintf(name, sizeof(name), "%s", m->str[EDU_A_DEV_NAME]);
	else
		snprintf(name, sizeof(name), "edu%u", m->u32[EDU_A_DEV_INDEX]);

	open_object(NULL);
	print_string("name", "%s", name);
	json_print_u64("index", m->u32[EDU_A_DEV_INDEX]);
	if (m->str[EDU_A_DEV_PCI])
		print_string("pci", " pci %s", m->str[EDU_A_DEV_PCI]);
	if (m->has[EDU_A_DEV_HW_ID])
		print_hex32("hw_id", " hw_id %s", m->u32[EDU_A_DEV_HW_ID]);
	/* Text: "irq msi 28", the mode and the number. */
	if (m->has[EDU_A_DEV_IRQ_MODE] || m->has[EDU_A_DEV_IRQ])
		print_text(" irq");
	if (m->has[EDU_A_DEV_IRQ_MODE])
		print_string("irq_mode", " %s", irq_mode_name(m->u32[EDU_A_DEV_IRQ_MODE]));
	if (m->has[EDU_A_DEV_IRQ])
		print_u64("irq", " %llu", m->u32[EDU_A_DEV_IRQ]);
	print_dev_u32(m, EDU_A_DEV_DMA_BITS, "dma_bits");
	print_dev_u32(m, EDU_A_DEV_BUF_SIZE, "buf_size");
	print_dev_u32(m, EDU_A_DEV_DMA_TIMEOUT_MS, "dma_timeout_ms");
	if (m->has[EDU_A_DEV_PM_STATE])
		print_string("pm_state", " pm %s", pm_state_name(m->u32[EDU_A_DEV_PM_STATE]));
	if (m->has[EDU_A_DEV_PEER])
		print_peer(m->u32[EDU_A_DEV_PEER], m->u32[EDU_A_DEV_INDEX]);
	print_text("\n");
	close_object();
	(*count)++;
	return 0;
}

/* Without -d a dump: every device, a JSON array; with -d one object. */
static int cmd_show(int argc, char **argv)
{
	struct ednl_request req = { .cmd = EDU_CMD_DEV_GET };
	unsigned int count = 0;
	struct edu_device dev;
	struct ednl *nl;
	char what[64];
	int rc;

	rc = check_no_more_args(argc, argv, 0, "");
	if (rc)
		return rc;
	if (!device_arg) {
		nl = ednl_open();
		if (!nl)
			return RC_FAIL;
		req.what = "listing the devices";
		req.dump = true;
		open_array(NULL);
		rc = netlink_call(nl, &req, print_dev, &count);
		close_array();
		ednl_close(nl);
		return rc;
	}
	nl = netlink_open_device(&dev);
	if (!nl)
		return RC_FAIL;
	snprintf(what, sizeof(what), "show on %s", dev.name);
	req.what = what;
	ednl_add_u32(&req, EDU_A_DEV_INDEX, dev.index);
	rc = netlink_call(nl, &req, print_dev, &count);
	if (!rc && !count) {
		report_error("%s failed: the kernel sent no reply", what);
		rc = RC_FAIL;
	}
	ednl_close(nl);
	return rc;
}

/* The value of "set peer": N, "self" (@self, the device's own index) or "none". */
static int parse_peer_arg(const char *synopsis, const char *arg, __u32 self, __u32 *peer)
{
	if (!strcmp(arg, "none")) {
		*peer = EDU_PEER_NONE;
		return RC_OK;
	}
	if (!strcmp(arg, "self")) {
		*peer = self;
		return RC_OK;
	}
	if (parse_u32(arg, peer) && *peer != EDU_PEER_NONE)
		return RC_OK;
	return usage_error(synopsis, "peer \"%s\" is not a device index N (of eduN), self or none",
			   arg);
}

/*
 * "set SETTING VALUE...", one request: the kernel applies all or nothing.
 * Values go to the kernel unchecked beyond their syntax: the ranges are
 * the kernel's to enforce, and its extack message says what they are.
 */
static int cmd_set(int argc, char **argv)
{
	static const char synopsis[] = "{ dma_timeout_ms MS | peer N|self|none }...";
	struct ednl_request req = { .cmd = EDU_CMD_DEV_SET };
	const char *timeout = NULL, *peer = NULL;
	struct edu_device dev;
	struct ednl *nl;
	__u32 ms, index;
	char what[96];
	int i, rc;

	if (argc < 2)
		return usage_error(synopsis, "missing what to set");
	for (i = 1; i < argc; i += 2) {
		const char **val;

		if (!strcmp(argv[i], "dma_timeout_ms"))
			val = &timeout;
		else if (!strcmp(argv[i], "peer"))
			val = &peer;
		else
			return usage_error(synopsis, "unknown setting \"%s\"", argv[i]);
		if (*val)
			return usage_error(synopsis, "%s given twice", argv[i]);
		if (i + 1 >= argc)
			return usage_error(synopsis, "missing the value of %s", argv[i]);
		*val = argv[i + 1];
	}
	if (timeout) {
		rc = parse_number_arg(synopsis, timeout, &ms);
		if (rc)
			return rc;
	}
	/* "self" needs the device's index: the syntax first, without it. */
	if (peer) {
		rc = parse_peer_arg(synopsis, peer, 0, &index);
		if (rc)
			return rc;
	}
	nl = netlink_open_device(&dev);
	if (!nl)
		return RC_FAIL;
	snprintf(what, sizeof(what), "setting %s on %s",
		 timeout && peer ? "dma_timeout_ms and peer" : timeout ? "dma_timeout_ms" : "peer",
		 dev.name);
	req.what = what;
	ednl_add_u32(&req, EDU_A_DEV_INDEX, dev.index);
	if (timeout)
		ednl_add_u32(&req, EDU_A_DEV_DMA_TIMEOUT_MS, ms);
	if (peer) {
		parse_peer_arg(synopsis, peer, dev.index, &index);
		ednl_add_u32(&req, EDU_A_DEV_PEER, index);
	}
	rc = netlink_call(nl, &req, NULL, NULL);
	ednl_close(nl);
	return rc;
}

/* The counters the kernel sent, as stats prints them (no irq_reasons here). */
static void print_nl_stats(const struct ednl_msg *m)
{
	size_t i;

	open_object(NULL);
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		if (m->has_stat[stat_fields[i].attr])
			print_counter(stat_fields[i].key, m->stat[stat_fields[i].attr]);
	close_object();
}

static int cmd_nlstats(int argc, char **argv)
{
	static const char synopsis[] = "[--reset]";
	struct ednl_request get = { .cmd = EDU_CMD_STATS_GET };
	struct ednl_request reset = { .cmd = EDU_CMD_STATS_RESET };
	char get_what[64], reset_what[64];
	struct reply r = { 0 };
	struct edu_device dev;
	bool do_reset = false;
	struct ednl *nl;
	int rc;

	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (rc)
		return rc;
	if (argc > 1) {
		if (strcmp(argv[1], "--reset"))
			return usage_error(synopsis, "unknown argument \"%s\"", argv[1]);
		do_reset = true;
	}
	nl = netlink_open_device(&dev);
	if (!nl)
		return RC_FAIL;
	snprintf(get_what, sizeof(get_what), "reading statistics on %s", dev.name);
	snprintf(reset_what, sizeof(reset_what), "resetting statistics on %s", dev.name);
	get.what = get_what;
	reset.what = reset_what;
	ednl_add_u32(&get, EDU_A_DEV_INDEX, dev.index);
	ednl_add_u32(&reset, EDU_A_DEV_INDEX, dev.index);

	rc = netlink_call(nl, &get, keep_reply, &r);
	if (!rc)
		rc = check_reply(&r, get_what, EDU_A_STATS, "stats");
	if (!rc) {
		print_nl_stats(&r.msg);
		if (do_reset)
			rc = netlink_call(nl, &reset, NULL, NULL);
	}
	ednl_close(nl);
	return rc;
}

static int cmd_nlfactorial(int argc, char **argv)
{
	static const char synopsis[] = "N";
	struct ednl_request req = { .cmd = EDU_CMD_FACTORIAL };
	struct reply r = { 0 };
	struct edu_device dev;
	struct ednl *nl;
	char what[64];
	__u32 n;
	int rc;

	if (argc < 2)
		return usage_error(synopsis, "missing N");
	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (!rc)
		rc = parse_number_arg(synopsis, argv[1], &n);
	if (rc)
		return rc;
	nl = netlink_open_device(&dev);
	if (!nl)
		return RC_FAIL;
	snprintf(what, sizeof(what), "factorial on %s", dev.name);
	req.what = what;
	ednl_add_u32(&req, EDU_A_DEV_INDEX, dev.index);
	ednl_add_u32(&req, EDU_A_FACT_N, n);
	rc = netlink_call(nl, &req, keep_reply, &r);
	if (!rc)
		rc = check_reply(&r, what, EDU_A_FACT_RESULT, "fact-result");
	if (!rc)
		print_factorial(n, r.msg.u32[EDU_A_FACT_RESULT]);
	ednl_close(nl);
	return rc;
}

static int cmd_dma_test(int argc, char **argv)
{
	static const char synopsis[] = "[LEN]";
	struct ednl_request req = { .cmd = EDU_CMD_DMA_TEST };
	struct reply r = { 0 };
	struct edu_device dev;
	struct ednl *nl;
	char what[64];
	__u32 len = 0;
	int rc;

	rc = check_no_more_args(argc, argv, 1, synopsis);
	if (!rc && argc > 1)
		rc = parse_number_arg(synopsis, argv[1], &len);
	if (rc)
		return rc;
	nl = netlink_open_device(&dev);
	if (!nl)
		return RC_FAIL;
	snprintf(what, sizeof(what), "dma test on %s", dev.name);
	req.what = what;
	ednl_add_u32(&req, EDU_A_DEV_INDEX, dev.index);
	if (argc > 1)
		ednl_add_u32(&req, EDU_A_DMA_TEST_LEN, len);
	rc = netlink_call(nl, &req, keep_reply, &r);
	/* The kernel tells the length it tested: without LEN, its choice. */
	if (!rc && r.got && r.msg.has[EDU_A_DMA_TEST_LEN])
		len = r.msg.u32[EDU_A_DMA_TEST_LEN];
	else if (!rc && argc < 2)
		rc = check_reply(&r, what, EDU_A_DMA_TEST_LEN, "dma-test-len");
	if (!rc) {
		open_object(NULL);
		json_print_bool("ok", true);
		print_u64("len", "dma test ok (%llu bytes)\n", len);
		close_object();
	}
	ednl_close(nl);
	return rc;
}

struct monitor {
	bool counting;		/* --count N */
	__u32 left;		/* events until exit */
};

static const char *event_name(__u8 cmd)
{
	switch (cmd) {
	case EDU_CMD_DEV_ADD_NTF:
		return "add";
	case EDU_CMD_DEV_DEL_NTF:
		return "del";
	case EDU_CMD_DMA_ERROR_NTF:
		return "dma-error";
	case EDU_CMD_PM_NTF:
		return "pm";
	default:
		return NULL;
	}
}

/* A negative errno: its text in text, its name (or number) in JSON. */
static void print_errno(const char *key, __s32 err)
{
	int e = err < 0 ? -err : err;
	const char *name = strerrorname_np(e);

	print_text(" %s", strerror(e));
	if (name)
		json_print_string(key, name);
	else
		json_print_u64(key, e);
}

/*
 * One notification: "add edu1 0000:00:05.0", or a JSON object on a line of
 * its own; flushed at once, as a reader on a pipe waits for it. The device
 * is what the event says: by the time it is read, sysfs may have changed.
 */
static int print_event(const struct ednl_msg *m, void *arg)
{
	struct edu_device dev = { .name = "", .pci = "" };
	const char *event = event_name(m->cmd);
	struct monitor *mon = arg;

	if (!event)
		return 0;	/* a notification newer than eductl */
	if (m->has[EDU_A_DEV_INDEX]) {
		dev.index = m->u32[EDU_A_DEV_INDEX];
		snprintf(dev.name, sizeof(dev.name), "edu%u", dev.index);
		snprintf(dev.node, sizeof(dev.node), "/dev/edu%u", dev.index);
	}
	if (m->str[EDU_A_DEV_NAME])
		snprintf(dev.name, sizeof(dev.name), "%s", m->str[EDU_A_DEV_NAME]);
	if (m->str[EDU_A_DEV_PCI])
		snprintf(dev.pci, sizeof(dev.pci), "%s", m->str[EDU_A_DEV_PCI]);
	/* -d narrows to one device, even one that does not exist yet. */
	if (device_arg && !device_matches(&dev, device_arg))
		return 0;

	open_object(NULL);
	print_string("event", "%s", event);
	json_print_string("name", dev.name);
	print_text(" %s", dev.name[0] ? dev.name : "-");
	if (m->has[EDU_A_DEV_INDEX])
		json_print_u64("index", dev.index);
	json_print_string("pci", dev.pci);
	print_text(" %s", dev.pci[0] ? dev.pci : "-");
	if (m->cmd == EDU_CMD_DMA_ERROR_NTF && m->has[EDU_A_DMA_ERROR])
		print_errno("error", (__s32)m->u32[EDU_A_DMA_ERROR]);
	if (m->cmd == EDU_CMD_PM_NTF && m->has[EDU_A_DEV_PM_STATE])
		print_string("pm_state", " %s", pm_state_name(m->u32[EDU_A_DEV_PM_STATE]));
	print_text("\n");
	close_object();
	/* A failed write ends the monitor; finish_output() reports it. */
	if (fflush(stdout) || ferror(stdout))
		return -1;
	if (mon->counting && !--mon->left)
		return 1;
	return 0;
}

/* Until SIGINT or SIGTERM (exit 0), or N events with --count N. */
static int cmd_monitor(int argc, char **argv)
{
	static const char synopsis[] = "[--count N]";
	struct monitor mon = { 0 };
	struct ednl *nl;
	int rc;

	if (argc > 1) {
		if (strcmp(argv[1], "--count"))
			return usage_error(synopsis, "unknown argument \"%s\"", argv[1]);
		if (argc < 3)
			return usage_error(synopsis, "--count needs N");
		rc = check_no_more_args(argc, argv, 2, synopsis);
		if (!rc)
			rc = parse_number_arg(synopsis, argv[2], &mon.left);
		if (rc)
			return rc;
		if (!mon.left)
			return usage_error(synopsis, "--count 0: N must be at least 1");
		mon.counting = true;
	}
	nl = ednl_open();
	if (!nl)
		return RC_FAIL;
	rc = ednl_monitor(nl, print_event, &mon) ? RC_FAIL : RC_OK;
	ednl_close(nl);
	return rc;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *help;
} commands[] = {
	{ "list", cmd_list, "", "show the devices: name, PCI address, node" },
	{ "info", cmd_info, "", "show what the device and its driver are" },
	{ "liveness", cmd_liveness, "[VALUE]",
	  "check the device answers ~VALUE (default 0x12345678)" },
	{ "factorial", cmd_factorial, "N", "compute N! mod 2^32 on the device" },
	{ "irq", cmd_irq, "raise [REASONS]",
	  "raise an interrupt (default reasons 0x10000), show the latency" },
	{ "stats", cmd_stats, "[--reset]",
	  "show the counters; --reset zeroes them afterwards (root)" },
	{ "show", cmd_show, "", "show the devices' settings (with -d: one device)" },
	{ "set", cmd_set, "SETTING VALUE...",
	  "dma_timeout_ms MS, peer N|self|none: in one go (root)" },
	{ "nlstats", cmd_nlstats, "[--reset]", "stats, through netlink (--reset: root)" },
	{ "nlfactorial", cmd_nlfactorial, "N", "factorial, through netlink (root)" },
	{ "dma-test", cmd_dma_test, "[LEN]",
	  "DMA round trip of LEN bytes (default all): clobbers the buffer (root)" },
	{ "monitor", cmd_monitor, "[--count N]",
	  "print device events until interrupted (or N of them)" },
	{ "help", cmd_help, "", "show this help" },
};

static void print_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
		"Control the devices of the edu driver (QEMU's edu PCI device), /dev/eduN.\n"
		"\n"
		"Options:\n"
		"  -j, --json          print JSON\n"
		"  -d, --device DEV    the device: a name (edu0), a node (/dev/edu0) or a PCI\n"
		"                      address (0000:00:04.0 or 00:04.0); default: the first\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-11s %-18s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f,
		"\n"
		"show, set, nlstats, nlfactorial, dma-test and monitor talk to the driver's\n"
		"generic netlink family \"edu\", the others to /dev/eduN. monitor -j\n"
		"prints a JSON object per line; monitor -d DEV shows only that device's events.\n"
		"Numbers are decimal or 0x hex.\n"
		"Environment: EDUCTL_SYSFS_ROOT, where to find the devices (default "
		SYSFS_ROOT_DEFAULT ").\n"
		"Exit status: 0 success; 1 the operation failed (no such device, device or\n"
		"kernel error, dead device); 2 usage error.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_help(stdout);
	return RC_OK;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* ---- main ---- */

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "device", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * getopt's own messages would not say "Error:"; it leaves optopt 0 for an
 * unknown long option and our own letter for a long one misused (--json=1).
 */
static int bad_option(char **argv, int opt)
{
	if (opt == ':')
		report_error("option -d/--device needs a value, try \"" PROG " help\"");
	else if (optopt && !strchr("jdhV", optopt))
		report_error("unknown option \"-%c\", try \"" PROG " help\"", optopt);
	else
		report_error("bad option \"%s\", try \"" PROG " help\"", argv[optind - 1]);
	return RC_USAGE;
}

/*
 * Global options end at the command ("+"), so "factorial -1" reaches the
 * command as an argument. Returns -1 to go on with the command, else the
 * exit status.
 */
static int parse_options(int argc, char **argv)
{
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jd:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'd':
			device_arg = optarg;
			break;
		case 'h':
			print_help(stdout);
			return RC_OK;
		case 'V':
			printf(PROG " %s\n", EDU_VERSION);
			return RC_OK;
		default:
			return bad_option(argv, opt);
		}
	}
	if (optind < argc)
		return -1;
	print_help(stderr);
	return RC_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	int rc;

	rc = parse_options(argc, argv);
	if (rc >= 0)
		return finish_output(rc);
	cmd = find_command(argv[optind]);
	if (!cmd) {
		report_error("unknown command \"%s\", try \"" PROG " help\"", argv[optind]);
		return RC_USAGE;
	}
	command_name = cmd->name;
	rc = cmd->run(argc - optind, argv + optind);
	return finish_output(rc);
}
