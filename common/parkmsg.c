/*
 * parkmsg.c: the park and ready-queue messages (parkmsg.h), for both sides.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "parkmsg.h"

int
park_send(int sock, const struct park_hdr *hdr, const void *bytes, int fd)
{
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	struct cmsghdr	*c;

	if (hdr->len > PARK_BYTES_MAX)
		return -EMSGSIZE;
	iov[0].iov_base = (void *)hdr;
	iov[0].iov_len = sizeof(*hdr);
	iov[1].iov_base = (void *)bytes;
	iov[1].iov_len = hdr->len;
	memset(&msg, 0, sizeof(msg));
	memset(&cm, 0, sizeof(cm));
	msg.msg_iov = iov;
	msg.msg_iovlen = hdr->len > 0 ? 2 : 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return -errno;
	return 0;
}

int
park_recv(int sock, struct park_hdr *hdr, char *bytes)
{
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	struct cmsghdr	*c;
	ssize_t		 n;
	int		 fd = -1;

	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(*hdr);
	iov[1].iov_base = bytes;
	iov[1].iov_len = PARK_BYTES_MAX;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n == -1)
		return -errno;
	if (n == 0)
		return -EPIPE;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(*hdr) || hdr->magic != PARK_MAGIC ||
	    hdr->len > PARK_BYTES_MAX || (size_t)n != sizeof(*hdr) + hdr->len) {
		if (fd >= 0)
			close(fd);
		return -EBADMSG;
	}
	return fd;
}
