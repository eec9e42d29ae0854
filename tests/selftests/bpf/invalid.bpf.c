// SPDX-License-Identifier: GPL-2.0-only
/* xdp.sh: an action XDP does not know; the driver treats it as aborted. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_invalid(struct xdp_md *ctx)
{
	return 42;
}

char LICENSE[] SEC("license") = "GPL";
