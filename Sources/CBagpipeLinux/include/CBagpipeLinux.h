#ifndef C_BAGPIPE_LINUX_H
#define C_BAGPIPE_LINUX_H

// Linux headers the Swift code needs and that Glibc's module does not export in every build mode:
// TCP MD5 signatures (RFC 2385), and rtnetlink (structs, attribute numbers) for the dataplane drivers.
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

/// Creates a socket of `domain`/`type`/`protocol` inside the network namespace `namespace_fd` (an open
/// /run/netns/<name> or /proc/<pid>/ns/net) and returns it, or -1 with `*error` set to an errno.
/// A socket stays in the namespace it was created in, so only this short-lived helper thread has to enter
/// the namespace (setns(2) affects the calling thread only); the caller's threads never change namespace.
int cbagpipe_socket_in_namespace(int namespace_fd, int domain, int type, int protocol, int *error);

/// Opens `path` from inside the network namespace `namespace_fd` and returns the descriptor, or -1 with
/// `*error` set. For /proc/sys/net: the entry found at open is the namespace's, and stays so for the descriptor.
int cbagpipe_open_in_namespace(int namespace_fd, const char *path, int flags, int *error);
#endif

#endif
