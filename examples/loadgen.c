/* SPDX-License-Identifier: MIT */
/*
 * examples/loadgen.c - a closed-loop load generator for examples/echo-server:
 * it measures the server's throughput in requests per second.
 *
 * Usage: loadgen PORT CONNECTIONS SECONDS [THREADS]
 *
 * Opens CONNECTIONS (1..1000) TCP connections to 127.0.0.1:PORT (and never
 * anywhere else), spreads them over THREADS (default 1) threads with an
 * epoll set each, and keeps every connection busy with one 64-byte request
 * at a time: a new request goes out as soon as the previous answer is in.
 * After SECONDS (a positive decimal) it prints exactly one line to stdout,
 *
 *   requests/s: <float>
 *
 * and a summary line to stderr, and exits 0. Each answer is checked (its
 * first 56 bytes echo the request; see examples/echo-server.c). A refused
 * or reset connection, an early close, a wrong answer or no answer at all
 * is a one-line message on stderr and exit 1; bad arguments exit 2. The run
 * is always bounded: an alarm ends the process with exit 1 at SECONDS + 5
 * even if a connect or a send hangs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOADGEN_MSG_SIZE 64 /* bytes in a request and in an answer */
#define LOADGEN_ECHOED 56   /* request bytes the answer must echo */
#define LOADGEN_MAX_CONNS 1000
#define LOADGEN_MAX_THREADS 64
#define LOADGEN_GRACE_S 5 /* the hard stop comes this long after SECONDS */

/* One connection: the request in flight and how much of its answer is in. */
struct loadgen_conn {
	int fd;
	uint64_t seq; /* requests sent on this connection */
	size_t have;  /* answer bytes received so far */
	unsigned char req[LOADGEN_MSG_SIZE];
	unsigned char ans[LOADGEN_MSG_SIZE];
};

/* One thread, its connections and its result. */
struct loadgen_worker {
	pthread_t thread;
	struct loadgen_conn *conns;
	unsigned nconns;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC end of the measurement */
	unsigned port;
	unsigned long answers; /* complete, correct answers received */
	char err[160];	       /* empty, or what went wrong */
};

/* Set by the first thread that fails, so the others stop early. */
static volatile int loadgen_failed;

static uint64_t
loadgen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* SIGALRM: the hard stop. Only async-signal-safe calls here. */
static void
loadgen_on_alarm(int sig)
{
	static const char msg[] =
		"loadgen: no end in sight after SECONDS + 5 s, giving up\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* Fill in the next request of c: a recognisable, per-request pattern. */
static void
loadgen_conn_next(struct loadgen_conn *c, unsigned id)
{
	int i;

	c->seq++;
	for (i = 0; i < LOADGEN_MSG_SIZE; i++)
		c->req[i] =
			(unsigned char)(id * 31u + c->seq * 7u + (unsigned)i);
	memcpy(c->req, &c->seq, sizeof(c->seq));
	c->have = 0;
}

/* Send c's request, all of it (the socket blocks). Returns 0 or -errno. */
static int
loadgen_conn_send(struct loadgen_conn *c)
{
	size_t off = 0;
	ssize_t n;

	while (off < sizeof(c->req)) {
		n = send(c->fd, c->req + off, sizeof(c->req) - off,
			 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/*
 * Record the first error of worker w, as "127.0.0.1:PORT: what", and tell
 * the other threads to stop.
 */
static void
loadgen_fail(struct loadgen_worker *w, const char *what, int errnum)
{
	if (!w->err[0]) {
		if (errnum)
			snprintf(w->err, sizeof(w->err), "127.0.0.1:%u: %s: %s",
				 w->port, what, strerror(errnum));
		else
			snprintf(w->err, sizeof(w->err), "127.0.0.1:%u: %s",
				 w->port, what);
	}
	loadgen_failed = 1;
}

/*
 * Take what has arrived on c. Once a whole answer is in and correct, count
 * it and send the next request. Returns 0, or -1 with w->err set.
 */
static int
loadgen_conn_readable(struct loadgen_worker *w, struct loadgen_conn *c,
		      unsigned id)
{
	ssize_t n;
	int err;

	n = recv(c->fd, c->ans + c->have, sizeof(c->ans) - c->have,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		loadgen_fail(w, "recv", errno);
		return -1;
	}
	if (n == 0) {
		loadgen_fail(w, "the server closed the connection", 0);
		return -1;
	}
	c->have += (size_t)n;
	if (c->have < sizeof(c->ans))
		return 0;
	if (memcmp(c->ans, c->req, LOADGEN_ECHOED) != 0) {
		loadgen_fail(w, "wrong answer (is this an echo-server?)", 0);
		return -1;
	}
	w->answers++;
	loadgen_conn_next(c, id);
	err = loadgen_conn_send(c);
	if (err < 0) {
		loadgen_fail(w, "send", -err);
		return -1;
	}
	return 0;
}

/* Thread start routine: ping-pong on w's connections until the deadline. */
static void *
loadgen_worker_main(void *arg)
{
	struct loadgen_worker *w = arg;
	struct epoll_event ev = { .events = EPOLLIN }, events[64];
	struct loadgen_conn *c;
	uint64_t now_ns;
	int epoll_fd, n, i, err;
	unsigned k;

	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0) {
		loadgen_fail(w, "epoll_create1", errno);
		return NULL;
	}
	for (k = 0; k < w->nconns; k++) {
		c = &w->conns[k];
		ev.data.u32 = k;
		if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
			loadgen_fail(w, "epoll_ctl", errno);
			goto out_close;
		}
		loadgen_conn_next(c, k);
		err = loadgen_conn_send(c);
		if (err < 0) {
			loadgen_fail(w, "send", -err);
			goto out_close;
		}
	}

	while (!loadgen_failed) {
		now_ns = loadgen_now_ns();
		if (now_ns >= w->deadline_ns)
			break;
		/* Wake at least every 100 ms to look at the clock. */
		n = epoll_wait(epoll_fd, events, 64, 100);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			loadgen_fail(w, "epoll_wait", errno);
			break;
		}
		for (i = 0; i < n; i++) {
			k = events[i].data.u32;
			if (loadgen_conn_readable(w, &w->conns[k], k) < 0)
				goto out_close;
		}
	}

out_close:
	close(epoll_fd);
	return NULL;
}

/* Open a blocking TCP connection to 127.0.0.1:port; returns fd or -errno. */
static int
loadgen_connect(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1, err;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Parse a decimal in [min, max] into *val; return 0 or -EINVAL. */
static int
loadgen_parse_uint(const char *s, unsigned min, unsigned max, unsigned *val)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -EINVAL;
	*val = (unsigned)v;
	return 0;
}

/* Parse SECONDS (0 < s <= 86400) into *secs; return 0 or -EINVAL. */
static int
loadgen_parse_seconds(const char *s, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(s, &end);
	if (errno || end == s || *end || !(*secs > 0 && *secs <= 86400))
		return -EINVAL;
	return 0;
}

int
main(int argc, char **argv)
{
	static const char usage[] =
		"usage: loadgen PORT CONNECTIONS SECONDS [THREADS]\n";
	struct loadgen_worker *workers = NULL;
	struct loadgen_conn *conns = NULL;
	unsigned port, nconns, nthreads = 1, i, opened = 0, started = 0;
	unsigned long answers = 0;
	uint64_t start_ns, end_ns;
	double secs, elapsed_s;
	int fd, err, status = 1;

	if (argc < 4 || argc > 5 ||
	    loadgen_parse_uint(argv[1], 1, 65535, &port) < 0 ||
	    loadgen_parse_uint(argv[2], 1, LOADGEN_MAX_CONNS, &nconns) < 0 ||
	    loadgen_parse_seconds(argv[3], &secs) < 0 ||
	    (argc == 5 && loadgen_parse_uint(argv[4], 1, LOADGEN_MAX_THREADS,
					     &nthreads) < 0)) {
		fputs(usage, stderr);
		return 2;
	}
	if (nthreads > nconns)
		nthreads = nconns;

	signal(SIGALRM, loadgen_on_alarm);
	/* SECONDS rounded up, plus the grace. */
	alarm((unsigned)secs + (secs > (unsigned)secs) + LOADGEN_GRACE_S);

	conns = calloc(nconns, sizeof(*conns));
	workers = calloc(nthreads, sizeof(*workers));
	if (!conns || !workers) {
		fprintf(stderr, "loadgen: out of memory\n");
		goto out_free;
	}
	for (opened = 0; opened < nconns; opened++) {
		fd = loadgen_connect(port);
		if (fd < 0) {
			fprintf(stderr, "loadgen: 127.0.0.1:%u: connect: %s\n",
				port, strerror(-fd));
			goto out_close;
		}
		conns[opened].fd = fd;
	}

	/* Thread i gets connections [i * nconns / nthreads, (i + 1) * ...). */
	start_ns = loadgen_now_ns();
	for (i = 0; i < nthreads; i++) {
		struct loadgen_worker *w = &workers[i];
		unsigned first = i * nconns / nthreads;

		w->conns = &conns[first];
		w->nconns = (i + 1) * nconns / nthreads - first;
		w->deadline_ns = start_ns + (uint64_t)(secs * 1e9);
		w->port = port;
	}
	for (started = 0; started < nthreads; started++) {
		err = pthread_create(&workers[started].thread, NULL,
				     loadgen_worker_main, &workers[started]);
		if (err) {
			fprintf(stderr, "loadgen: pthread_create: %s\n",
				strerror(err));
			loadgen_failed = 1;
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	end_ns = loadgen_now_ns();
	if (started < nthreads)
		goto out_close;
	for (i = 0; i < nthreads; i++) {
		if (workers[i].err[0]) {
			fprintf(stderr, "loadgen: %s\n", workers[i].err);
			goto out_close;
		}
		answers += workers[i].answers;
	}
	if (answers == 0) {
		fprintf(stderr, "loadgen: 127.0.0.1:%u: no answers in %g s\n",
			port, secs);
		goto out_close;
	}

	elapsed_s = (double)(end_ns - start_ns) / 1e9;
	printf("requests/s: %.1f\n", (double)answers / elapsed_s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "loadgen: stdout: %s\n", strerror(errno));
		goto out_close;
	}
	fprintf(stderr,
		"loadgen: %lu requests on %u connections in %.2f s"
		" (%u thread%s)\n",
		answers, nconns, elapsed_s, nthreads, nthreads == 1 ? "" : "s");
	status = 0;

out_close:
	for (i = 0; i < opened; i++)
		close(conns[i].fd);
out_free:
	free(workers);
	free(conns);
	return status;
}
