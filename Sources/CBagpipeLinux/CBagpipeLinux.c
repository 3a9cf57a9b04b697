// Headers, plus the helpers that must run on a dedicated thread (entering a network namespace).
#define _GNU_SOURCE
#include "CBagpipeLinux.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

struct cbagpipe_socket_job {
    int namespace_fd, domain, type, protocol;
    int result, error;
};

static void *cbagpipe_socket_thread(void *argument) {
    struct cbagpipe_socket_job *job = argument;
    if (setns(job->namespace_fd, CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    job->result = socket(job->domain, job->type, job->protocol);
    if (job->result < 0) job->error = errno;
    return NULL;
}

int cbagpipe_socket_in_namespace(int namespace_fd, int domain, int type, int protocol, int *error) {
    struct cbagpipe_socket_job job = {namespace_fd, domain, type, protocol, -1, 0};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, cbagpipe_socket_thread, &job);
    if (rc != 0) {
        *error = rc;
        return -1;
    }
    pthread_join(thread, NULL);
    if (job.result < 0) *error = job.error;
    return job.result;
}

struct cbagpipe_open_job {
    int namespace_fd;
    const char *path;
    int flags;
    int result, error;
};

static void *cbagpipe_open_thread(void *argument) {
    struct cbagpipe_open_job *job = argument;
    if (setns(job->namespace_fd, CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    job->result = open(job->path, job->flags | O_CLOEXEC);
    if (job->result < 0) job->error = errno;
    return NULL;
}

int cbagpipe_open_in_namespace(int namespace_fd, const char *path, int flags, int *error) {
    struct cbagpipe_open_job job = {namespace_fd, path, flags, -1, 0};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, cbagpipe_open_thread, &job);
    if (rc != 0) {
        *error = rc;
        return -1;
    }
    pthread_join(thread, NULL);
    if (job.result < 0) *error = job.error;
    return job.result;
}
#endif
