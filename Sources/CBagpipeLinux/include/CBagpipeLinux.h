#ifndef C_BAGPIPE_LINUX_H
#define C_BAGPIPE_LINUX_H

// Linux headers the Swift code needs and that Glibc's module does not export in every build mode:
// TCP MD5 signatures (RFC 2385) today; rtnetlink for the dataplane drivers later.
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#endif
