// Headers, plus the helpers that must run on a dedicated thread (entering a network namespace).
#define _GNU_SOURCE
#include "CBagpipeLinux.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

// One job for the helper thread: enter the namespace, then make a socket (`path` NULL) or open `path`.
struct cbagpipe_job {
    int namespace_fd;
    int domain, type, protocol;
    const char *path;
    int flags;
    int result, error;
};

static void *cbagpipe_thread(void *argument) {
    struct cbagpipe_job *job = argument;
    if (setns(job->namespace_fd, CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    job->result = job->path ? open(job->path, job->flags | O_CLOEXEC) : socket(job->domain, job->type, job->protocol);
    if (job->result < 0) job->error = errno;
    return NULL;
}

static int cbagpipe_run(struct cbagpipe_job *job, int *error) {
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, cbagpipe_thread, job);
    if (rc != 0) {
        *error = rc;
        return -1;
    }
    pthread_join(thread, NULL);
    if (job->result < 0) *error = job->error;
    return job->result;
}

int cbagpipe_socket_in_namespace(int namespace_fd, int domain, int type, int protocol, int *error) {
    struct cbagpipe_job job = {namespace_fd, domain, type, protocol, NULL, 0, -1, 0};
    return cbagpipe_run(&job, error);
}

int cbagpipe_open_in_namespace(int namespace_fd, const char *path, int flags, int *error) {
    struct cbagpipe_job job = {namespace_fd, 0, 0, 0, path, flags, -1, 0};
    return cbagpipe_run(&job, error);
}
#endif
