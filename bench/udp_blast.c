// SPDX-License-Identifier: GPL-2.0-only
/*
 * udp_blast - send 64-byte UDP datagrams as fast as one thread can
 * (sendmmsg, batches of 64) to ADDR:PORT for SECONDS, then print the
 * number sent and the seconds it took. The generator of xdp_bench.sh:
 * whatever receives them (XDP_DROP, a closed port) is measured on the
 * receiving side, so a refused send (ECONNREFUSED from an ICMP port
 * unreachable) is counted as not sent and the loop goes on.
 *
 * Usage: udp_blast ADDR PORT SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BATCH	64
#define PAYLOAD	64

int main(int argc, char **argv)
{
	static char payload[PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { payload, sizeof(payload) };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long long sent = 0;
	double start, end, secs;
	char *endp;
	int fd, i, n;
	long port;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: udp_blast ADDR PORT SECONDS\n");
		return 2;
	}
	port = strtol(argv[2], &endp, 10);
	secs = strtod(argv[3], NULL);
	if (*endp || port < 1 || port > 65535 || secs <= 0 || secs > 3600) {
		fprintf(stderr, "udp_blast: bad port or seconds\n");
		return 2;
	}
	dst.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("udp_blast: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	end = start + secs;
	do {
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0) {
			sent += n;
		} else if (n < 0 && errno != ECONNREFUSED && errno != ENOBUFS && errno != EAGAIN) {
			perror("udp_blast: sendmmsg");
			return 1;
		}
	} while (now() < end);
	printf("%llu %.3f\n", sent, now() - start);
	close(fd);
	return 0;
}
