/* <semaphore.h> of the posix component (Kconfig POSIX_SEMAPHORES). */
#ifndef BLUEGEN_SEMAPHORE_H
#define BLUEGEN_SEMAPHORE_H

#include <fcntl.h>
#include <time.h>
#include <bluegen/posix_types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	struct __bluegen_in_place __sem;
} sem_t;

#define SEM_FAILED ((sem_t *)0)
#define SEM_VALUE_MAX 0x7fffffff

int sem_init(sem_t *sem, int pshared, unsigned value);
int sem_destroy(sem_t *sem);
sem_t *sem_open(const char *name, int oflag, ...);
int sem_close(sem_t *sem);
int sem_unlink(const char *name);
int sem_wait(sem_t *sem);
int sem_trywait(sem_t *sem);
int sem_timedwait(sem_t *sem, const struct timespec *abstime);
int sem_post(sem_t *sem);
int sem_getvalue(sem_t *sem, int *value);

#ifdef __cplusplus
}
#endif

#endif
