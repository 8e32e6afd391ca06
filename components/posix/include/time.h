/* <time.h>: picolibc's, plus the clocks of the posix component's POSIX_TIMERS group. */
#ifndef BLUEGEN_TIME_H
#define BLUEGEN_TIME_H

#include_next <time.h>

/*
 * picolibc declares these only under _POSIX_TIMERS, which also promises
 * timer_create and the other timer_* functions. The component has the
 * clocks and sleeps but not those yet, so bluegen leaves _POSIX_TIMERS
 * undefined (sysconf(_SC_TIMERS) is -1 too) and defines
 * __BLUEGEN_POSIX_CLOCKS instead.
 */
#if defined(__BLUEGEN_POSIX_CLOCKS) && !defined(_POSIX_TIMERS)
#ifdef __cplusplus
extern "C" {
#endif
int clock_settime(clockid_t clock_id, const struct timespec *tp);
int clock_gettime(clockid_t clock_id, struct timespec *tp);
int clock_getres(clockid_t clock_id, struct timespec *res);
int nanosleep(const struct timespec *rqtp, struct timespec *rmtp);
#ifdef __cplusplus
}
#endif
#endif

#endif
