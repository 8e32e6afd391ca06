/* <sys/signal.h>: picolibc's, with the full struct sigevent of the posix component's timers. */
#ifndef BLUEGEN_SYS_SIGNAL_H
#define BLUEGEN_SYS_SIGNAL_H

/*
 * picolibc's struct sigevent lacks the SIGEV_THREAD members that POSIX
 * gives it (sigev_notify_function, sigev_notify_attributes). Its own is
 * renamed away here and this one, with the layout of the component's
 * Rust `sigevent`, takes its place; nothing in picolibc's library uses
 * the type.
 */
#define sigevent __picolibc_sigevent
#include_next <sys/signal.h>
#undef sigevent

#include <bluegen/posix_types.h>

#ifndef SIGEV_THREAD
#define SIGEV_NONE 1
#define SIGEV_SIGNAL 2
#define SIGEV_THREAD 3
union sigval {
	int sival_int;
	void *sival_ptr;
};
#endif

struct sigevent {
	int sigev_notify;
	int sigev_signo;
	union sigval sigev_value;
	void (*sigev_notify_function)(union sigval);
	pthread_attr_t *sigev_notify_attributes;
};

#endif
