// SPDX-License-Identifier: GPL-2.0-only
/* xdp.sh: every frame gets XDP_DROP. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
