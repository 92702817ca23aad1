/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nfqdelay: fixed one-way delay for the benchmark's emulated LAN, where the
 * kernel has no netem. Packets sent to NFQUEUE QUEUE are held for DELAY_US
 * microseconds and then accepted in arrival order. A timerfd armed for the
 * oldest held packet and the queue's netlink socket are the only two event
 * sources. Packets that do not fit the FIFO pass at once (never dropped).
 *
 * usage: nfqdelay QUEUE DELAY_US      (stops on SIGTERM/SIGINT, releasing all)
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define HELD_MAX 32768u

struct held { uint32_t id; uint64_t due_ns; };

static struct held fifo[HELD_MAX];
static size_t head, count;
static uint64_t delay_ns;
static volatile sig_atomic_t quit;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *d, void *data)
{
	(void)msg; (void)data;
	uint32_t id = ntohl(nfq_get_msg_packet_hdr(d)->packet_id);
	if (count == HELD_MAX)
		return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
	fifo[(head + count) % HELD_MAX] = (struct held){ id, mono_ns() + delay_ns };
	count++;
	return 0;
}

/* accept every packet that is due; arm the timer for the next one */
static void release_due(struct nfq_q_handle *q, int tfd, int all)
{
	uint64_t now = mono_ns();
	while (count > 0 && (all || fifo[head].due_ns <= now)) {
		nfq_set_verdict(q, fifo[head].id, NF_ACCEPT, 0, NULL);
		head = (head + 1) % HELD_MAX;
		count--;
	}
	struct itimerspec its = { 0 };
	if (count > 0) {
		its.it_value.tv_sec = (time_t)(fifo[head].due_ns / 1000000000u);
		its.it_value.tv_nsec = (long)(fifo[head].due_ns % 1000000000u);
	}
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_signal(int sig) { (void)sig; quit = 1; }

static int parse_u32(const char *s, uint32_t *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t qnum, us;
	if (argc != 3 || parse_u32(argv[1], &qnum) < 0 || parse_u32(argv[2], &us) < 0) {
		fprintf(stderr, "usage: %s QUEUE DELAY_US\n", argv[0]);
		return 2;
	}
	delay_ns = (uint64_t)us * 1000u;
	struct nfq_handle *h = nfq_open();
	struct nfq_q_handle *q = h ? nfq_create_queue(h, (uint16_t)qnum, on_packet, NULL) : NULL;
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!q || tfd < 0) {
		perror("nfqdelay: setup");
		return 1;
	}
	nfq_set_mode(q, NFQNL_COPY_META, 0);
	nfq_set_queue_maxlen(q, HELD_MAX);
	nfq_set_queue_flags(q, NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN);
	nfnl_rcvbufsiz(nfq_nfnlh(h), 16u << 20);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static char buf[1u << 16];
	struct pollfd pfd[2] = { { nfq_fd(h), POLLIN, 0 }, { tfd, POLLIN, 0 } };
	while (!quit) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			uint64_t ticks;
			(void)!read(tfd, &ticks, sizeof ticks);
		}
		for (;;) {
			ssize_t n = recv(pfd[0].fd, buf, sizeof buf, MSG_DONTWAIT);
			if (n <= 0)
				break;
			nfq_handle_packet(h, buf, (int)n);
		}
		release_due(q, tfd, 0);
	}
	release_due(q, tfd, 1);
	nfq_destroy_queue(q);
	nfq_close(h);
	return 0;
}
