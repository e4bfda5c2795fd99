/*
 * grow.h: room for one more element in a malloc'd array, by doubling.
 * Header-only: the tracker's tables on both sides of the fork use it.
 */
#ifndef FORKD_GROW_H
#define FORKD_GROW_H

#include <errno.h>
#include <stdlib.h>

/*
 * Makes *p (capacity *cap elements of size bytes) hold at least need
 * elements, starting at first when empty.  Returns 0, or -ENOMEM with
 * *p and *cap unchanged.
 */
static inline int
grow_array(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t	 c = *cap ? *cap : first;
	void	*q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((q = realloc(*p, c * size)) == NULL)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

#endif
