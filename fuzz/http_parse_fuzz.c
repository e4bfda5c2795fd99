/*
 * http_parse_fuzz.c: a libFuzzer target for http/http_parse.c.
 *
 * Feeds the input to http_parse_request() with the default limits.  When
 * a head is accepted and announces a chunked body, it also runs the
 * chunked decoder over the bytes after the head, whole and split in two.
 * It checks what http_parse.h promises and stops with __builtin_trap()
 * when a promise is broken:
 *
 * - the verdict is a head length, 0, or one of the documented statuses;
 * - an accepted head is at most the input, and every pointer of the
 *   request lies inside it (or is the static "/" or "");
 * - field names are tokens without '_', values carry no OWS at either
 *   end and no CR, LF or NUL;
 * - parsing the same bytes again gives the same verdict and request;
 * - a prefix of the input gives 0 or the verdict of the whole, so a
 *   prefix of an accepted input never yields a different head length;
 * - the decoder consumes no more than it was given, produces no more than
 *   it consumed, takes all input when it asks for more, stays done or
 *   failed, and decodes a body split in two exactly as the whole.
 *
 * Prefixes and decoder inputs are copied into buffers of their exact
 * size, so AddressSanitizer sees a read past their end.  Built and run by
 * `make fuzz` (fuzz/README.md); it is not part of forkd.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The optimiser merges traps, so a crash report cannot tell which check
 * failed; build with -DFUZZ_DEBUG to have it print the line first.
 */
#ifdef FUZZ_DEBUG
#include <stdio.h>
#define CHECK(cond)	do {						\
	if (!(cond)) {							\
		fprintf(stderr, "http_parse_fuzz.c:%d: %s\n", __LINE__,	\
		    #cond);						\
		__builtin_trap();					\
	}								\
} while (0)
#else
#define CHECK(cond)	do {						\
	if (!(cond))							\
		__builtin_trap();					\
} while (0)
#endif

/* RFC 9110 5.6.2 tchar. */
static int
is_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_verdict(int r)
{
	switch (r) {
	case 0:
	case -400:
	case -414:
	case -417:
	case -431:
	case -501:
	case -505:
		return 1;
	}
	return r > 0;
}

/* Returns 1 when p[0..n) lies inside b[0..len). */
static int
inside(const char *p, size_t n, const char *b, size_t len)
{
	uintptr_t	x = (uintptr_t)p, lo = (uintptr_t)b;

	return x >= lo && x <= lo + len && n <= lo + len - x;
}

/* Returns p's offset in b[0..len), or -1 when it points elsewhere. */
static intptr_t
offset(const char *p, const char *b, size_t len)
{
	return inside(p, 0, b, len) ? (intptr_t)(p - b) : -1;
}

/* Returns 1 when pointer p of buffer a means pointer q of buffer b. */
static int
same_ptr(const char *p, const char *a, const char *q, const char *b,
    size_t len)
{
	intptr_t	x = offset(p, a, len), y = offset(q, b, len);

	return x != -1 || y != -1 ? x == y : p == q;
}

/* Returns 1 when x, parsed from a, is the same request as y from b. */
static int
same_request(const struct http_request *x, const char *a,
    const struct http_request *y, const char *b, size_t head)
{
	size_t	i;

	if (x->method_len != y->method_len || x->target_len != y->target_len ||
	    x->path_len != y->path_len || x->query_len != y->query_len ||
	    x->authority_len != y->authority_len ||
	    x->minor_version != y->minor_version ||
	    x->nheaders != y->nheaders ||
	    x->content_length != y->content_length ||
	    x->chunked != y->chunked || x->keep_alive != y->keep_alive ||
	    x->expect_continue != y->expect_continue ||
	    x->head_len != y->head_len)
		return 0;
	if (!same_ptr(x->method, a, y->method, b, head) ||
	    !same_ptr(x->target, a, y->target, b, head) ||
	    !same_ptr(x->path, a, y->path, b, head) ||
	    !same_ptr(x->query, a, y->query, b, head) ||
	    !same_ptr(x->authority, a, y->authority, b, head))
		return 0;
	for (i = 0; i < x->nheaders; i++)
		if (x->headers[i].name_len != y->headers[i].name_len ||
		    x->headers[i].value_len != y->headers[i].value_len ||
		    !same_ptr(x->headers[i].name, a, y->headers[i].name, b,
		    head) ||
		    !same_ptr(x->headers[i].value, a, y->headers[i].value, b,
		    head))
			return 0;
	return 1;
}

/* Traps unless r, accepted from b with head length head, keeps http_parse.h. */
static void
check_request(const struct http_request *r, const char *b, size_t head)
{
	const struct http_header	*h;
	size_t				 i, k;
	int				 c;

	CHECK(r->head_len == head);
	CHECK(r->method_len > 0 && inside(r->method, r->method_len, b, head));
	for (k = 0; k < r->method_len; k++)
		CHECK(is_tchar((unsigned char)r->method[k]));
	CHECK(r->target_len > 0 && inside(r->target, r->target_len, b, head));
	CHECK(r->path_len > 0);
	CHECK(inside(r->path, r->path_len, b, head) ||
	    (r->path_len == 1 && r->path[0] == '/'));
	CHECK(inside(r->query, r->query_len, b, head));
	CHECK(r->authority_len == 0 ||
	    inside(r->authority, r->authority_len, b, head));
	CHECK(r->minor_version == 0 || r->minor_version == 1);
	CHECK(r->nheaders <= HTTP_MAX_HEADERS);
	for (i = 0; i < r->nheaders; i++) {
		h = &r->headers[i];
		CHECK(h->name_len > 0 && inside(h->name, h->name_len, b, head));
		CHECK(inside(h->value, h->value_len, b, head));
		for (k = 0; k < h->name_len; k++) {
			c = (unsigned char)h->name[k];
			CHECK(is_tchar(c) && c != '_');
		}
		for (k = 0; k < h->value_len; k++) {
			c = (unsigned char)h->value[k];
			CHECK(c != '\r' && c != '\n' && c != '\0');
		}
		if (h->value_len > 0) {
			CHECK(h->value[0] != ' ' && h->value[0] != '\t');
			c = h->value[h->value_len - 1];
			CHECK(c != ' ' && c != '\t');
		}
	}
	CHECK(r->content_length >= -1);
	CHECK(!r->chunked || r->content_length == -1);
	CHECK(!r->expect_continue || r->minor_version == 1);
}

/*
 * Parses data[0..k) from a copy of exactly k bytes and traps unless the
 * verdict is 0 or whole's verdict r (and, for a head, whole's request).
 */
static void
check_prefix(const uint8_t *data, size_t k, int r,
    const struct http_request *whole)
{
	struct http_request	 req;
	char			*copy;
	int			 rk;

	if ((copy = malloc(k > 0 ? k : 1)) == NULL)
		return;
	if (k > 0)
		memcpy(copy, data, k);
	rk = http_parse_request(copy, k, &req, NULL);
	CHECK(rk == 0 || rk == r);
	if (rk > 0)
		CHECK(same_request(&req, copy, whole, (const char *)data,
		    (size_t)r));
	free(copy);
}

/*
 * Decodes the n bytes at body whole and split at k, and traps when the
 * decoder breaks its contract or the two disagree.
 */
static void
check_chunked(const uint8_t *body, size_t n, size_t k)
{
	struct http_chunked	 c1, c2;
	char			*a, *b;
	size_t			 len1, used1, lena, useda, lenb, usedb;
	size_t			 len, used;
	int			 rc1, rca, rcb, rc;

	a = malloc(n > 0 ? n : 1);
	b = malloc(n > 0 ? n : 1);
	if (a == NULL || b == NULL)
		goto out;
	if (n > 0) {
		memcpy(a, body, n);
		memcpy(b, body, n);
	}

	/* Whole. */
	http_chunked_init(&c1);
	len1 = n;
	used1 = SIZE_MAX;
	rc1 = http_chunked_decode(&c1, a, &len1, &used1);
	CHECK(rc1 == 1 || rc1 == 0 || rc1 == -400);
	if (rc1 < 0)
		CHECK(len1 == n && used1 == SIZE_MAX);	/* unchanged */
	else {
		CHECK(used1 <= n && len1 <= used1);
		CHECK(rc1 == 1 || used1 == n);
	}
	/* Done stays done and takes nothing; failed stays failed. */
	if (rc1 != 0) {
		len = rc1 == 1 ? n - used1 : n;
		used = 0;
		rc = http_chunked_decode(&c1, b + (rc1 == 1 ? used1 : 0), &len,
		    &used);
		if (rc1 == 1)
			CHECK(rc == 1 && len == 0 && used == 0);
		else
			CHECK(rc == -400);
		if (n > 0)
			memcpy(b, body, n);	/* in case it wrote */
	}

	/* Split at k: the state machine must not see the seam. */
	http_chunked_init(&c2);
	lena = k;
	useda = 0;
	rca = http_chunked_decode(&c2, b, &lena, &useda);
	if (rca < 0) {
		CHECK(rc1 < 0);
		goto out;
	}
	if (rca == 1) {
		CHECK(rc1 == 1 && useda == used1 && lena == len1 &&
		    memcmp(a, b, lena) == 0);
		goto out;
	}
	CHECK(useda == k && lena <= k);
	lenb = n - k;
	usedb = 0;
	rcb = http_chunked_decode(&c2, b + k, &lenb, &usedb);
	CHECK(rcb == rc1);
	if (rcb >= 0)
		CHECK(k + usedb == used1 && lena + lenb == len1 &&
		    memcmp(a, b, lena) == 0 &&
		    memcmp(a + lena, b + k, lenb) == 0);
 out:
	free(a);
	free(b);
}

/* A number from the input, to pick prefix and split points. */
static size_t
mix(const uint8_t *data, size_t size)
{
	size_t	h = 14695981039346656037ULL & SIZE_MAX, i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * (1099511628211ULL & SIZE_MAX);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request	 req, again;
	const char			*buf = (const char *)data;
	size_t				 h = mix(data, size), head;
	int				 r, r2;

	r = http_parse_request(buf, size, &req, NULL);
	CHECK(is_verdict(r));
	if (r > 0) {
		head = (size_t)r;
		CHECK(head <= size);
		check_request(&req, buf, head);
	}

	/* Deterministic: the same bytes, the same verdict and request. */
	r2 = http_parse_request(buf, size, &again, NULL);
	CHECK(r2 == r);
	if (r > 0)
		CHECK(same_request(&again, buf, &req, buf, (size_t)r));

	/* Prefixes give 0 or the whole's verdict. */
	if (size > 0) {
		check_prefix(data, size - 1, r, &req);
		check_prefix(data, h % size, r, &req);
		check_prefix(data, size / 2, r, &req);
	}
	if (r > 0) {
		check_prefix(data, (size_t)r - 1, r, &req);
		check_prefix(data, (size_t)r, r, &req);
		if ((size_t)r < size)
			check_prefix(data, (size_t)r + 1, r, &req);
	}

	if (r > 0 && req.chunked)
		check_chunked(data + r, size - (size_t)r,
		    (h >> 16) % (size - (size_t)r + 1));
	return 0;
}
