/*
 * hexdigit.h: the value of one hexadecimal digit, either case.
 * Header-only: the JSON reader's \u escapes, the HTTP path's %XX and
 * /proc's addresses read hex digits the same way.
 */
#ifndef FORKD_HEXDIGIT_H
#define FORKD_HEXDIGIT_H

/* Returns 0 to 15, or -1 if c is not a hex digit. */
static inline int
hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
