/*
 * httpopts.h: the workers' HTTP limits and deadlines.  The supervisor's
 * flags set them and PROTO_CONFIG carries them to the zygote, one row of
 * common/zygopts.c's table each (where their defaults are).
 */
#ifndef FORKD_HTTPOPTS_H
#define FORKD_HTTPOPTS_H

#include <stdint.h>

struct httpopts {
	uint64_t	max_line;	/* request line -> 414 */
	uint64_t	max_field;	/* one header field line -> 431 */
	uint64_t	max_fields;	/* header count -> 431 */
	uint64_t	max_head;	/* whole head -> 431 */
	uint64_t	max_body;	/* body -> 413 */
	uint64_t	header_timeout;	/* s: the whole head must arrive -> 408 */
	uint64_t	body_timeout;	/* s: idle while a body arrives */
	uint64_t	keepalive;	/* s: idle between requests */
	uint64_t	max_requests;	/* per connection */
	uint64_t	park_after;	/* ms busy before the others park; 0 */
};

#endif
