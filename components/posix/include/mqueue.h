/* <mqueue.h> of the posix component (Kconfig POSIX_MESSAGE_PASSING). */
#ifndef BLUEGEN_MQUEUE_H
#define BLUEGEN_MQUEUE_H

#include <fcntl.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int mqd_t;

struct mq_attr {
	long mq_flags;
	long mq_maxmsg;
	long mq_msgsize;
	long mq_curmsgs;
};

#define MQ_OPEN_MAX 8
#define MQ_PRIO_MAX 32

mqd_t mq_open(const char *name, int oflag, ...);
int mq_close(mqd_t mq);
int mq_unlink(const char *name);
int mq_getattr(mqd_t mq, struct mq_attr *attr);
int mq_setattr(mqd_t mq, const struct mq_attr *attr, struct mq_attr *old);
int mq_send(mqd_t mq, const char *msg, size_t len, unsigned prio);
int mq_timedsend(mqd_t mq, const char *msg, size_t len, unsigned prio, const struct timespec *abstime);
ssize_t mq_receive(mqd_t mq, char *msg, size_t len, unsigned *prio);
ssize_t mq_timedreceive(mqd_t mq, char *msg, size_t len, unsigned *prio, const struct timespec *abstime);

#ifdef __cplusplus
}
#endif

#endif
