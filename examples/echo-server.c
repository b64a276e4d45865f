/* SPDX-License-Identifier: MIT */
/*
 * examples/echo-server.c - a switch-heavy epoll TCP server on 127.0.0.1,
 * the target of the overhead benchmarks (driven by examples/loadgen.c).
 *
 * Usage: echo-server PORT [THREADS]
 *
 * PORT 0 picks a free port. THREADS (default 4, at most 64) event-loop
 * threads each own an epoll instance and a listening socket bound to
 * 127.0.0.1:PORT with SO_REUSEPORT, so the kernel spreads new connections
 * over them. When every socket listens, it prints "listening on
 * 127.0.0.1:PORT" (the real port) to stdout and flushes. SIGTERM or SIGINT
 * stops it: it closes everything, prints "echo-server: N requests" to
 * stderr and exits 0. Bad arguments exit 2; setup failures exit 1.
 *
 * Protocol: the client sends 64-byte requests (ECHO_MSG_SIZE) and the server
 * answers each with 64 bytes: the first 56 bytes of the request, then an
 * 8-byte hash of the whole request (little-endian). A client may pipeline;
 * loadgen sends one request at a time per connection.
 *
 * Per request the server does a small, fixed amount of real work: it hashes
 * the 64 request bytes ECHO_WORK_ROUNDS times, ~2.3 us of CPU. The work is
 * small next to the system calls around it, and each connection has one
 * request in flight, so a loop often runs dry and sleeps in epoll_wait:
 * with loadgen on 32 connections, about one context switch per two
 * requests, ~35,000 a second on two CPUs. That is the case where per-thread
 * perf events cost the most, as the kernel switches them with their thread.
 *
 * Call structure of a server thread (the CPU it spends in user space):
 *
 *   (C library thread start, e.g. start_thread)
 *    `- echo_loop_main                epoll_wait, accept4
 *        `- echo_conn_readable        recv
 *            `- echo_conn_serve       send
 *                `- echo_work         the hash rounds: the user hot spot
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
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* A frame a profiler should see: never inlined, cloned or merged. */
#if defined(__clang__)
#define ECHO_FRAME __attribute__((noinline))
#else
#define ECHO_FRAME __attribute__((noipa))
#endif

#define ECHO_MSG_SIZE 64 /* bytes in a request and in a response */
#define ECHO_ECHOED 56	 /* request bytes copied into the response */
#ifndef ECHO_WORK_ROUNDS
#define ECHO_WORK_ROUNDS 32 /* hash passes over a request: ~2.3 us */
#endif
/*
 * Four loops rather than one per CPU: with a closed-loop client, fewer
 * connections per loop mean a loop runs dry and sleeps more often. On two
 * CPUs, 4 loops switched ~35,000 times a second under loadgen with 32
 * connections, 2 loops ~26,000.
 */
#define ECHO_DEFAULT_THREADS 4
#define ECHO_MAX_THREADS 64
#define ECHO_MAX_EVENTS 64 /* epoll events taken per epoll_wait */
#define ECHO_BUF_SIZE 4096 /* per-connection input and output buffers */

/* One client connection, owned by the loop that accepted it. */
struct echo_conn {
	int fd;
	size_t in_len;	/* bytes in in[] not yet answered */
	size_t out_off; /* first byte of out[] not yet written */
	size_t out_len; /* bytes in out[] */
	int want_out;	/* registered for EPOLLOUT (output is pending) */
	struct echo_conn *prev, *next; /* the loop's list of connections */
	unsigned char in[ECHO_BUF_SIZE];
	unsigned char out[ECHO_BUF_SIZE];
};

/* One event-loop thread and what it owns. */
struct echo_loop {
	pthread_t thread;
	int epoll_fd;
	int listen_fd;
	int stop_fd; /* eventfd shared by all loops; readable = stop */
	unsigned long requests;	 /* answered, read by main after join */
	struct echo_conn *conns; /* open connections, to close at the end */
};

/*
 * The request's hash: ECHO_WORK_ROUNDS passes of FNV-1a over its bytes, each
 * pass seeded with the previous one's result. A serial multiply chain, so
 * the cost per request is fixed.
 */
ECHO_FRAME static uint64_t
echo_work(const unsigned char *req)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int round, i;

	/*
	 * GCC builds no frame in a leaf that never touches the stack, even
	 * with -fno-omit-frame-pointer, and a frame-pointer unwind from such a
	 * leaf loses its caller; asking for the frame address makes one.
	 */
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	for (round = 0; round < ECHO_WORK_ROUNDS; round++) {
		for (i = 0; i < ECHO_MSG_SIZE; i++) {
			h ^= req[i];
			h *= 0x100000001b3ULL;
		}
		h ^= (uint64_t)round;
	}
	return h;
}

static void
echo_conn_close(struct echo_loop *loop, struct echo_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		loop->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close(c->fd); /* also removes it from the epoll set */
	free(c);
}

/*
 * Write what is pending in c->out. Returns 0 (all written, or the socket is
 * full and EPOLLOUT will say when to go on) or -1 if the connection died.
 */
static int
echo_conn_flush(struct echo_loop *loop, struct echo_conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;

	/* While output is pending, stop reading: the client must drain it. */
	if (c->want_out != (c->out_len > 0)) {
		c->want_out = c->out_len > 0;
		ev.events = c->want_out ? EPOLLOUT : EPOLLIN;
		if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			return -1;
	}
	return 0;
}

/*
 * Answer every complete request in c->in while c->out has room, and write
 * the answers. Returns 0, or -1 if the connection died (the caller closes
 * it).
 */
ECHO_FRAME static int
echo_conn_serve(struct echo_loop *loop, struct echo_conn *c)
{
	const unsigned char *req;
	size_t off;
	uint64_t h;
	int i;

	for (;;) {
		off = 0;
		while (c->in_len - off >= ECHO_MSG_SIZE &&
		       sizeof(c->out) - c->out_len >= ECHO_MSG_SIZE) {
			req = c->in + off;
			h = echo_work(req);
			memcpy(c->out + c->out_len, req, ECHO_ECHOED);
			for (i = 0; i < ECHO_MSG_SIZE - ECHO_ECHOED; i++)
				c->out[c->out_len + ECHO_ECHOED + i] =
					(unsigned char)(h >> (8 * i));
			c->out_len += ECHO_MSG_SIZE;
			off += ECHO_MSG_SIZE;
			loop->requests++;
		}
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
		if (echo_conn_flush(loop, c) < 0)
			return -1;
		/* Done, or blocked on output until EPOLLOUT. */
		if (c->out_len > 0 || c->in_len < ECHO_MSG_SIZE)
			return 0;
	}
}

/*
 * Read what the client sent and serve it; close the connection on EOF or
 * error. Input is read only while no output is pending, and then c->in
 * holds less than one request, so there is always room to read into.
 */
ECHO_FRAME static void
echo_conn_readable(struct echo_loop *loop, struct echo_conn *c)
{
	ssize_t n;

	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		echo_conn_close(loop, c);
		return;
	}
	c->in_len += (size_t)n;
	if (echo_conn_serve(loop, c) < 0)
		echo_conn_close(loop, c);
}

/* Accept every pending connection and add it to the loop. */
static void
echo_loop_accept(struct echo_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct echo_conn *c;
	int fd, one = 1;

	for (;;) {
		fd = accept4(loop->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				fprintf(stderr, "echo-server: accept: %s\n",
					strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			fprintf(stderr, "echo-server: out of memory\n");
			close(fd);
			return;
		}
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			fprintf(stderr, "echo-server: epoll_ctl: %s\n",
				strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		c->next = loop->conns;
		if (c->next)
			c->next->prev = c;
		loop->conns = c;
	}
}

/*
 * Thread start routine: serve the loop's connections until the stop eventfd
 * becomes readable, then close them all. The listening socket and the
 * eventfd are marked in the epoll set by &loop->listen_fd and
 * &loop->stop_fd; any other data.ptr is a struct echo_conn.
 */
ECHO_FRAME static void *
echo_loop_main(void *arg)
{
	struct echo_loop *loop = arg;
	struct epoll_event events[ECHO_MAX_EVENTS];
	struct echo_conn *c;
	int n, i, stop = 0;

	while (!stop) {
		n = epoll_wait(loop->epoll_fd, events, ECHO_MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "echo-server: epoll_wait: %s\n",
				strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			if (events[i].data.ptr == &loop->stop_fd) {
				stop = 1;
			} else if (events[i].data.ptr == &loop->listen_fd) {
				echo_loop_accept(loop);
			} else {
				c = events[i].data.ptr;
				if (events[i].events & EPOLLOUT) {
					if (echo_conn_serve(loop, c) < 0)
						echo_conn_close(loop, c);
				} else {
					echo_conn_readable(loop, c);
				}
			}
		}
	}
	while (loop->conns)
		echo_conn_close(loop, loop->conns);
	__asm__ volatile("" ::: "memory"); /* no tail call above */
	return NULL;
}

/*
 * Open a listening socket on 127.0.0.1:*port with SO_REUSEPORT. When *port
 * is 0, the kernel picks one and *port is set to it. Returns the socket, or
 * -1 with a message printed.
 */
static int
echo_listen(unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)*port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "echo-server: socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) {
		fprintf(stderr, "echo-server: setsockopt: %s\n",
			strerror(errno));
		goto out_close;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "echo-server: 127.0.0.1:%u: bind: %s\n", *port,
			strerror(errno));
		goto out_close;
	}
	if (listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		fprintf(stderr, "echo-server: listen: %s\n", strerror(errno));
		goto out_close;
	}
	*port = ntohs(sa.sin_port);
	return fd;

out_close:
	close(fd);
	return -1;
}

/* Set up loop: its epoll set with its listening socket and stop_fd. */
static int
echo_loop_init(struct echo_loop *loop, unsigned *port, int stop_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	loop->stop_fd = stop_fd;
	loop->listen_fd = echo_listen(port);
	if (loop->listen_fd < 0)
		return -1;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		goto out_err;
	ev.data.ptr = &loop->listen_fd;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->listen_fd, &ev) < 0)
		goto out_err;
	ev.data.ptr = &loop->stop_fd;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
		goto out_err;
	return 0;

out_err:
	fprintf(stderr, "echo-server: epoll: %s\n", strerror(errno));
	return -1;
}

static void
echo_loop_fini(struct echo_loop *loop)
{
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	if (loop->listen_fd >= 0)
		close(loop->listen_fd);
}

/* Parse a decimal in [min, max] into *val; return 0 or -EINVAL. */
static int
echo_parse_uint(const char *s, unsigned min, unsigned max, unsigned *val)
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

int
main(int argc, char **argv)
{
	struct echo_loop loops[ECHO_MAX_THREADS];
	unsigned port, nthreads = ECHO_DEFAULT_THREADS, i, started = 0;
	unsigned long requests = 0;
	uint64_t one = 1;
	sigset_t stop_sigs;
	int stop_fd, sig, err, status = 1;

	if (argc < 2 || argc > 3 ||
	    echo_parse_uint(argv[1], 0, 65535, &port) < 0 ||
	    (argc == 3 &&
	     echo_parse_uint(argv[2], 1, ECHO_MAX_THREADS, &nthreads) < 0)) {
		fprintf(stderr, "usage: echo-server PORT [THREADS]\n");
		return 2;
	}

	/* Block the stop signals in every thread; main takes them in sigwait. */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);

	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (stop_fd < 0) {
		fprintf(stderr, "echo-server: eventfd: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < nthreads; i++)
		loops[i] =
			(struct echo_loop){ .epoll_fd = -1, .listen_fd = -1 };
	for (i = 0; i < nthreads; i++) {
		if (echo_loop_init(&loops[i], &port, stop_fd) < 0)
			goto out_stop;
	}
	for (started = 0; started < nthreads; started++) {
		err = pthread_create(&loops[started].thread, NULL,
				     echo_loop_main, &loops[started]);
		if (err) {
			fprintf(stderr, "echo-server: pthread_create: %s\n",
				strerror(err));
			goto out_stop;
		}
	}
	printf("listening on 127.0.0.1:%u\n", port);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "echo-server: stdout: %s\n", strerror(errno));
		goto out_stop;
	}

	while (sigwait(&stop_sigs, &sig) != 0)
		;
	status = 0;

out_stop:
	if (write(stop_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "echo-server: eventfd: %s\n", strerror(errno));
	for (i = 0; i < started; i++) {
		pthread_join(loops[i].thread, NULL);
		requests += loops[i].requests;
	}
	for (i = 0; i < nthreads; i++)
		echo_loop_fini(&loops[i]);
	close(stop_fd);
	if (status == 0)
		fprintf(stderr, "echo-server: %lu requests\n", requests);
	return status;
}
