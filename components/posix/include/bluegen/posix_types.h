/* The posix component's object types: sizes and alignments of its Rust #[repr(C)] types. */
#ifndef BLUEGEN_POSIX_TYPES_H
#define BLUEGEN_POSIX_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Room for a kernel object, built on first use: all-zero is "not yet". */
struct __bluegen_in_place {
	uintptr_t __room[2];
	unsigned __init;
};

typedef unsigned long pthread_t;
typedef unsigned int pthread_key_t;

typedef struct {
	size_t __stacksize;
	void *__stackaddr;
	int __detachstate;
	int __inheritsched;
	int __policy;
	int __priority;
	int __init;
} pthread_attr_t;

typedef struct {
	struct __bluegen_in_place __lock;
	void *__guard;
	uintptr_t __owner;
	int __kind;
	unsigned __depth;
} pthread_mutex_t;

typedef struct {
	int __kind;
	int __protocol;
	int __init;
} pthread_mutexattr_t;

typedef struct {
	struct __bluegen_in_place __sem;
	unsigned __waiters;
	unsigned __clock;
} pthread_cond_t;

typedef struct {
	unsigned __clock;
	int __init;
} pthread_condattr_t;

typedef struct {
	int __state;
} pthread_once_t;

typedef struct {
	pthread_mutex_t __mutex;
	pthread_cond_t __cond;
	unsigned __count;
	unsigned __waiting;
	unsigned __cycle;
} pthread_barrier_t;

typedef struct {
	int __init;
} pthread_barrierattr_t;

typedef struct {
	pthread_mutex_t __mutex;
	pthread_cond_t __readers;
	pthread_cond_t __writers;
	unsigned __active;
	unsigned __writers_waiting;
	uintptr_t __writer;
} pthread_rwlock_t;

typedef struct {
	int __init;
} pthread_rwlockattr_t;

typedef struct {
	uintptr_t __owner;
} pthread_spinlock_t;

#endif
