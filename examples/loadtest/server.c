/* SPDX-License-Identifier: MIT */
/*
 * examples/loadtest/server.c - a small HTTP/1.1 server on 127.0.0.1 that
 * does real work per request (parse the request, hash a key with SHA-256,
 * build a JSON answer), the target of examples/loadtest/run.sh: a server
 * to profile under load from wrk.
 *
 * Usage: loadtest-server [-t THREADS] PORT
 *
 * PORT 0 picks a free port. THREADS (default 2, at most 64) event loops
 * each own an epoll instance and a listening socket bound to 127.0.0.1:PORT
 * with SO_REUSEPORT, so the kernel spreads connections over them. When
 * every socket listens it prints "listening on 127.0.0.1:PORT" (the real
 * port) to stdout and flushes. SIGTERM or SIGINT stops it: it prints
 * "loadtest-server: N requests" to stderr and exits 0. Bad arguments exit
 * 2; setup failures exit 1.
 *
 * HTTP: HTTP/1.1 with keep-alive and pipelining (HTTP/1.0 closes unless it
 * asks for keep-alive), Content-Length bodies up to 64 KiB, request heads
 * up to 8 KiB. No chunked bodies, no TLS. Routes:
 *
 *   GET  /hash/KEY?rounds=N   SHA-256 of the percent-decoded KEY, applied N
 *                             times (default 1, at most 100000): the digest
 *                             of the digest of ... of KEY
 *   POST /hash?rounds=N       the same over the request body
 *   GET  /health              {"status":"ok"}
 *
 * A hash answers 200 with
 *   {"key":"KEY","bytes":LEN,"rounds":N,"sha256":"HEX","worker":W}
 * ("key" only for GET, as a JSON string). Other paths answer 404, other
 * methods 405, a malformed request 400 (and the connection closes), every
 * one with a JSON body {"error":"..."}.
 *
 * Where the CPU goes (user space), per event-loop thread:
 *
 *   (C library thread start, e.g. start_thread)
 *    `- server_loop                     epoll_wait, accept4
 *        `- conn_readable               recv, then each complete request:
 *            |- http_parse_request      request line and headers
 *            |- route_request
 *            |   `- handle_hash         url_decode, query_rounds
 *            |       |- sha256_digest   `- sha256_block: the hot spot
 *            |       `- json_add_string
 *            `- conn_flush              send
 *
 * Functions are plain static functions the compiler may inline, as in any
 * server, except sha256_block, kept a real frame so the README's walk
 * through the profile and the test that checks it can name the hot spot.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define SERVER_DEFAULT_THREADS 2
#define SERVER_MAX_THREADS 64
#define SERVER_MAX_EVENTS 64
#define HTTP_MAX_HEAD 8192	   /* request line and headers */
#define HTTP_MAX_BODY 65536	   /* Content-Length */
#define HTTP_MAX_HEADERS 64	   /* header lines in one request */
#define HASH_MAX_ROUNDS 100000	   /* ?rounds= */
#define CONN_IN_START 4096	   /* input buffer, grown as needed */
#define CONN_OUT_HIGH (256 * 1024) /* stop reading above this backlog */

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

struct sha256 {
	uint32_t h[8];
	uint64_t len;	       /* bytes hashed so far */
	unsigned char buf[64]; /* a partial block */
	size_t nbuf;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t
sha256_ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state: the hot spot of every hash request. */
__attribute__((noinline)) static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = sha256_ror(w[i - 15], 7) ^
			      sha256_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = sha256_ror(w[i - 2], 17) ^
			      sha256_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh +
		     (sha256_ror(e, 6) ^ sha256_ror(e, 11) ^
		      sha256_ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (sha256_ror(a, 2) ^ sha256_ror(a, 13) ^
		      sha256_ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void
sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
					0xa54ff53a, 0x510e527f, 0x9b05688c,
					0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->nbuf = 0;
}

static void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	if (s->nbuf) {
		size_t n = 64 - s->nbuf < len ? 64 - s->nbuf : len;

		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += n, p += n, len -= n;
		if (s->nbuf < 64)
			return;
		sha256_block(s->h, s->buf);
		s->nbuf = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s->h, p);
	memcpy(s->buf, p, len);
	s->nbuf = len;
}

static void
sha256_final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
	int i;

	for (i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, pad, npad + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

/* SHA-256 of data, then of that digest, rounds times in all. */
static void
sha256_digest(const void *data, size_t len, unsigned rounds,
	      unsigned char out[32])
{
	struct sha256 s;
	unsigned r;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
	for (r = 1; r < rounds; r++) {
		sha256_init(&s);
		sha256_update(&s, out, 32);
		sha256_final(&s, out);
	}
}

/* ---- output buffers -------------------------------------------------------- */

struct buf {
	char *data;
	size_t len, cap;
};

static void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	while (b->len + more > b->cap)
		b->cap = b->cap ? 2 * b->cap : 1024;
	b->data = realloc(b->data, b->cap);
	if (!b->data) {
		fprintf(stderr, "loadtest-server: out of memory\n");
		abort();
	}
}

static void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void __attribute__((format(printf, 2, 3)))
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* s (len bytes, any content) as a JSON string literal. Bytes that are not
 * printable ASCII are escaped as \u00XX, so the answer is always JSON. */
static void
json_add_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_reserve(b, 2 + 6 * len);
	b->data[b->len++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			b->data[b->len++] = '\\';
			b->data[b->len++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			memcpy(b->data + b->len, "\\u00", 4);
			b->data[b->len + 4] = hex[c >> 4];
			b->data[b->len + 5] = hex[c & 15];
			b->len += 6;
		} else {
			b->data[b->len++] = (char)c;
		}
	}
	b->data[b->len++] = '"';
}

/* ---- HTTP ------------------------------------------------------------------ */

struct http_request {
	const char *method, *target; /* in the connection's input buffer */
	size_t method_len, target_len;
	const char *body;
	size_t body_len;
	bool keep_alive;
};

/* An error answer: status, reason, message, and whether to close after. */
struct http_error {
	int status;
	const char *reason;
	const char *msg;
};

/*
 * Parse one request at p (len bytes). Returns its length in bytes with req
 * filled, 0 when more bytes are needed, or -1 with err filled when the
 * request is malformed (the connection answers 400 and closes).
 */
static long
http_parse_request(const char *p, size_t len, struct http_request *req,
		   struct http_error *err)
{
	const char *end, *line, *eol, *sp1, *sp2;
	size_t head_len, content_len = 0, nheaders = 0;
	bool http10, has_conn = false, conn_close = false, conn_keep = false;

	*err = (struct http_error){ 400, "Bad Request", "malformed request" };
	end = memmem(p, len, "\r\n\r\n", 4);
	if (!end) {
		if (len > HTTP_MAX_HEAD) {
			err->msg = "request head over 8 KiB";
			return -1;
		}
		return 0;
	}
	head_len = (size_t)(end - p) + 4;
	if (head_len > HTTP_MAX_HEAD) {
		err->msg = "request head over 8 KiB";
		return -1;
	}
	/* The request line: METHOD SP TARGET SP HTTP/1.x */
	eol = memmem(p, head_len, "\r\n", 2);
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1 || sp1 == p)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || sp1[1] != '/')
		return -1;
	if ((size_t)(eol - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) ||
	    (sp2[8] != '0' && sp2[8] != '1')) {
		err->msg = "not HTTP/1.0 or HTTP/1.1";
		return -1;
	}
	http10 = sp2[8] == '0';
	req->method = p;
	req->method_len = (size_t)(sp1 - p);
	req->target = sp1 + 1;
	req->target_len = (size_t)(sp2 - sp1 - 1);
	/* Headers: NAME ":" OWS VALUE OWS CRLF, until the empty line. */
	for (line = eol + 2; line < end + 2; line = eol + 2) {
		const char *colon, *v, *ve;
		size_t nlen;

		eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon || colon == line || ++nheaders > HTTP_MAX_HEADERS) {
			err->msg = "malformed header";
			return -1;
		}
		nlen = (size_t)(colon - line);
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		     ve--)
			;
		if (nlen == 14 && !strncasecmp(line, "Content-Length", 14)) {
			size_t n = 0;

			if (v == ve)
				return -1;
			for (; v < ve; v++) {
				if (!isdigit((unsigned char)*v)) {
					err->msg = "bad Content-Length";
					return -1;
				}
				/* Past the limit, only the digits matter. */
				if (n <= HTTP_MAX_BODY)
					n = n * 10 + (size_t)(*v - '0');
			}
			if (n > HTTP_MAX_BODY) {
				*err = (struct http_error){
					413, "Payload Too Large",
					"body over 64 KiB"
				};
				return -1;
			}
			content_len = n;
		} else if (nlen == 17 &&
			   !strncasecmp(line, "Transfer-Encoding", 17)) {
			*err = (struct http_error){
				501, "Not Implemented",
				"Transfer-Encoding is not supported"
			};
			return -1;
		} else if (nlen == 10 && !strncasecmp(line, "Connection", 10)) {
			has_conn = true;
			conn_close = (size_t)(ve - v) == 5 &&
				     !strncasecmp(v, "close", 5);
			conn_keep = (size_t)(ve - v) == 10 &&
				    !strncasecmp(v, "keep-alive", 10);
		}
	}
	if (len - head_len < content_len)
		return 0;
	req->body = p + head_len;
	req->body_len = content_len;
	req->keep_alive = http10 ? has_conn && conn_keep : !conn_close;
	return (long)(head_len + content_len);
}

/* Append a whole response: status line, headers and body. */
static void
http_add_response(struct buf *out, int status, const char *reason,
		  const struct buf *body, bool keep_alive)
{
	buf_addf(out,
		 "HTTP/1.1 %d %s\r\n"
		 "Content-Type: application/json\r\n"
		 "Content-Length: %zu\r\n"
		 "%s\r\n",
		 status, reason, body->len,
		 keep_alive ? "" : "Connection: close\r\n");
	buf_add(out, body->data, body->len);
}

/* Percent-decode s into out (at least len bytes); -1 on a bad escape. */
static long
url_decode(const char *s, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			return -1;
		out[n++] = (char)strtol((char[]){ s[i + 1], s[i + 2], 0 }, NULL,
					16);
		i += 2;
	}
	return (long)n;
}

/* ?rounds=N from a query string (len bytes after '?'); 1 when absent, -1
 * when malformed or out of range. */
static long
query_rounds(const char *q, size_t len)
{
	const char *end = q + len;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;

		if (pe - q > 7 && !memcmp(q, "rounds=", 7)) {
			long n = 0;

			for (q += 7; q < pe; q++) {
				if (!isdigit((unsigned char)*q) ||
				    n > HASH_MAX_ROUNDS)
					return -1;
				n = n * 10 + (*q - '0');
			}
			return n >= 1 && n <= HASH_MAX_ROUNDS ? n : -1;
		}
		q = pe + 1;
	}
	return 1;
}

/* GET /hash/KEY or POST /hash: the digest as a JSON object in body. */
static int
handle_hash(const struct http_request *req, bool get, size_t path_len,
	    int worker, struct buf *body, struct http_error *err)
{
	const char *q = memchr(req->target, '?', req->target_len);
	size_t qlen = q ? req->target_len - (size_t)(q + 1 - req->target) : 0;
	char key[HTTP_MAX_HEAD];
	unsigned char digest[32];
	const char *data = req->body;
	long rounds, klen = (long)req->body_len;
	int i;

	rounds = query_rounds(q ? q + 1 : "", qlen);
	if (rounds < 0) {
		*err = (struct http_error){ 400, "Bad Request",
					    "rounds must be 1 to 100000" };
		return -1;
	}
	if (get) {
		/* The key is the rest of the path: /hash/KEY */
		klen = url_decode(req->target + 6, path_len - 6, key);
		if (klen < 0) {
			*err = (struct http_error){ 400, "Bad Request",
						    "bad percent escape" };
			return -1;
		}
		data = key;
	}
	sha256_digest(data, (size_t)klen, (unsigned)rounds, digest);
	buf_add(body, "{", 1);
	if (get) {
		buf_add(body, "\"key\":", 6);
		json_add_string(body, key, (size_t)klen);
		buf_add(body, ",", 1);
	}
	buf_addf(body, "\"bytes\":%ld,\"rounds\":%ld,\"sha256\":\"", klen,
		 rounds);
	for (i = 0; i < 32; i++)
		buf_addf(body, "%02x", digest[i]);
	buf_addf(body, "\",\"worker\":%d}", worker);
	return 0;
}

/* Answer one request into out. Returns the status it answered. */
static int
route_request(const struct http_request *req, int worker, struct buf *out)
{
	const char *q = memchr(req->target, '?', req->target_len);
	size_t path_len = q ? (size_t)(q - req->target) : req->target_len;
	bool get = req->method_len == 3 && !memcmp(req->method, "GET", 3);
	bool post = req->method_len == 4 && !memcmp(req->method, "POST", 4);
	struct http_error err = { 404, "Not Found", "no such path" };
	struct buf body = { 0 };
	int rc = -1;

	if (path_len > 6 && !memcmp(req->target, "/hash/", 6)) {
		if (get)
			rc = handle_hash(req, true, path_len, worker, &body,
					 &err);
		else
			err = (struct http_error){ 405, "Method Not Allowed",
						   "use GET /hash/KEY" };
	} else if (path_len == 5 && !memcmp(req->target, "/hash", 5)) {
		if (post)
			rc = handle_hash(req, false, path_len, worker, &body,
					 &err);
		else
			err = (struct http_error){ 405, "Method Not Allowed",
						   "use POST /hash" };
	} else if (path_len == 7 && !memcmp(req->target, "/health", 7)) {
		buf_addf(&body, "{\"status\":\"ok\"}");
		rc = 0;
	}
	if (rc == 0) {
		http_add_response(out, 200, "OK", &body, req->keep_alive);
	} else {
		body.len = 0;
		buf_addf(&body, "{\"error\":\"%s\"}", err.msg);
		http_add_response(out, err.status, err.reason, &body,
				  req->keep_alive);
	}
	free(body.data);
	return rc == 0 ? 200 : err.status;
}

/* ---- connections and event loops ------------------------------------------- */

struct worker {
	int index;
	int epfd;
	int listen_fd;
	int stop_fd; /* eventfd: readable once the server stops */
	pthread_t thread;
	atomic_ulong requests;
};

/* One client connection, owned by the loop that accepted it. */
struct conn {
	int fd;
	char *in; /* bytes received, not yet answered */
	size_t in_len, in_cap;
	struct buf out; /* answers not yet sent, from out_off */
	size_t out_off;
	bool closing;	/* close once out is sent */
	bool peer_done; /* the peer closed its side: nothing more comes */
	bool draining;	/* out is sent: read and drop until the peer closes */
	size_t drained; /* bytes dropped so far */
	bool want_out;	/* registered for EPOLLOUT */
};

static void
conn_free(struct conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out.data);
	free(c);
}

/*
 * After the last answer of a closing connection: drop what the peer still
 * sends until it closes too. Closing a socket with unread input sends a
 * reset, which can destroy the answer (a 413 for a body still arriving)
 * before the peer reads it. Returns -1 when the connection is done with.
 */
static int
conn_drain(struct conn *c)
{
	char scratch[16384];

	for (;;) {
		ssize_t n = recv(c->fd, scratch, sizeof(scratch), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		c->drained += (size_t)n;
		if (c->drained > 2 * (HTTP_MAX_HEAD + HTTP_MAX_BODY))
			return -1;
	}
}

/* Send what is queued. Returns -1 when the connection is done with. */
static int
conn_flush(struct worker *w, struct conn *c)
{
	bool want;

	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off,
				 c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		c->out.len = c->out_off = 0;
		if (c->closing && c->peer_done)
			return -1;
		if (c->closing && !c->draining) {
			shutdown(c->fd, SHUT_WR);
			c->draining = true;
			if (conn_drain(c) < 0)
				return -1;
		}
	}
	want = c->out_off < c->out.len;
	if (want != c->want_out) {
		struct epoll_event ev = {
			.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0),
			.data.ptr = c,
		};

		if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			return -1;
		c->want_out = want;
	}
	return 0;
}

/* Answer every complete request in the input buffer. */
static void
conn_serve(struct worker *w, struct conn *c)
{
	size_t off = 0;

	while (!c->closing && off < c->in_len) {
		struct http_request req;
		struct http_error err;
		long n = http_parse_request(c->in + off, c->in_len - off, &req,
					    &err);

		if (n == 0)
			break;
		if (n < 0) {
			struct buf body = { 0 };

			buf_addf(&body, "{\"error\":\"%s\"}", err.msg);
			http_add_response(&c->out, err.status, err.reason,
					  &body, false);
			free(body.data);
			c->closing = true;
			break;
		}
		route_request(&req, w->index, &c->out);
		atomic_fetch_add_explicit(&w->requests, 1,
					  memory_order_relaxed);
		if (!req.keep_alive)
			c->closing = true;
		off += (size_t)n;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* Read what arrived and answer it. Returns -1 when the connection is
 * done with (closed by the peer, an error, or answered and closing). */
static int
conn_readable(struct worker *w, struct conn *c)
{
	if (c->draining)
		return conn_drain(c);
	for (;;) {
		ssize_t n;

		if (c->closing || c->out.len - c->out_off > CONN_OUT_HIGH)
			break;
		if (c->in_len == c->in_cap) {
			if (c->in_cap >= HTTP_MAX_HEAD + HTTP_MAX_BODY)
				break; /* conn_serve() has refused it */
			c->in_cap = c->in_cap ? 2 * c->in_cap : CONN_IN_START;
			c->in = realloc(c->in, c->in_cap);
			if (!c->in) {
				fprintf(stderr,
					"loadtest-server: out of memory\n");
				abort();
			}
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		if (n == 0) {
			/* The peer is done sending: answer what came, then
			 * close (nothing is left to drain). */
			c->closing = c->peer_done = true;
			break;
		}
		c->in_len += (size_t)n;
		conn_serve(w, c);
	}
	return conn_flush(w, c);
}

static void
server_accept(struct worker *w)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
		struct conn *c;
		int one = 1;
		int fd = accept4(w->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or a connection already reset */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			conn_free(c);
	}
}

static void *
server_loop(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[SERVER_MAX_EVENTS];
	int i, n;

	for (;;) {
		n = epoll_wait(w->epfd, evs, SERVER_MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("loadtest-server: epoll_wait");
			exit(1);
		}
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == (void *)&w->stop_fd)
				return NULL;
			if (c == (void *)&w->listen_fd) {
				server_accept(w);
				continue;
			}
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				conn_free(c);
				continue;
			}
			if (((evs[i].events & EPOLLOUT) &&
			     conn_flush(w, c) < 0) ||
			    conn_readable(w, c) < 0) {
				/* Removed from epoll when the fd closes. */
				conn_free(c);
			}
		}
	}
}

/* Listen on 127.0.0.1:*port with SO_REUSEPORT; *port 0 takes a free one
 * and is set to it. Returns the socket, or -1 with a message printed. */
static int
server_listen(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("loadtest-server: socket");
		return -1;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)*port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "loadtest-server: 127.0.0.1:%d: %s\n", *port,
			strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int
server_parse_args(int argc, char **argv, int *port, int *nthreads)
{
	char *end;
	long v;
	int i = 1;

	if (argc == 4 && !strcmp(argv[1], "-t")) {
		v = strtol(argv[2], &end, 10);
		if (end == argv[2] || *end || v < 1 || v > SERVER_MAX_THREADS)
			return -1;
		*nthreads = (int)v;
		i = 3;
	} else if (argc != 2) {
		return -1;
	}
	v = strtol(argv[i], &end, 10);
	if (end == argv[i] || *end || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct worker w[SERVER_MAX_THREADS];
	int port = 0, nthreads = SERVER_DEFAULT_THREADS, stop_fd, i, sig;
	unsigned long total = 0;
	sigset_t set;

	if (server_parse_args(argc, argv, &port, &nthreads) < 0) {
		fprintf(stderr, "usage: loadtest-server [-t THREADS] PORT\n");
		return 2;
	}
	/* Only the main thread takes SIGINT and SIGTERM, in sigwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	stop_fd = eventfd(0, EFD_CLOEXEC);
	if (stop_fd < 0) {
		perror("loadtest-server: eventfd");
		return 1;
	}
	for (i = 0; i < nthreads; i++) {
		struct epoll_event ev = { .events = EPOLLIN };

		memset(&w[i], 0, sizeof(w[i]));
		w[i].index = i;
		w[i].stop_fd = stop_fd;
		w[i].listen_fd = server_listen(&port);
		w[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w[i].listen_fd < 0 || w[i].epfd < 0)
			return 1;
		ev.data.ptr = &w[i].listen_fd;
		if (epoll_ctl(w[i].epfd, EPOLL_CTL_ADD, w[i].listen_fd, &ev) <
		    0)
			return 1;
		ev.data.ptr = &w[i].stop_fd;
		if (epoll_ctl(w[i].epfd, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
			return 1;
	}
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&w[i].thread, NULL, server_loop, &w[i])) {
			fprintf(stderr, "loadtest-server: cannot start a "
					"thread\n");
			return 1;
		}
	}
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	sigwait(&set, &sig);
	if (eventfd_write(stop_fd, 1) < 0)
		return 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		total += atomic_load(&w[i].requests);
	}
	fprintf(stderr, "loadtest-server: %lu requests\n", total);
	return 0;
}
