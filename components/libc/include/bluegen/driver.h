/* <bluegen/driver.h>: the kernel's services for C drivers (bluegen's libc component).
 *
 * A stable ABI between C drivers and the bluegen kernel, implemented in
 * Rust by the libc component (src/driver.rs and src/driver/; bg_log in
 * c/bluegen_services.c). Each group below exists only when the Kconfig symbol it is
 * built on is on; bluegen then defines its macro on the C command line:
 *
 *   BLUEGEN_INTERRUPTS  interrupts: bg_irq_*          (Kconfig INTERRUPTS)
 *   BLUEGEN_PREEMPT     time: bg_ticks, bg_sleep_ms … (Kconfig PREEMPT)
 *   BLUEGEN_SEMAPHORE   bg_sem_*                      (Kconfig SEMAPHORE)
 *   BLUEGEN_MUTEX       bg_mutex_*                    (Kconfig MUTEX)
 *   BLUEGEN_EVENTS      bg_events_*                   (Kconfig EVENTS)
 *   BLUEGEN_QUEUE       bg_queue_*                    (Kconfig QUEUE)
 *
 * The console, the heap, critical sections and bg_log are always there.
 *
 * Conventions. Functions that can fail return 0 (BG_OK) or a negative
 * error code (picolibc's errno values, negated). Object pointers may be
 * null (the call returns BG_EINVAL, or 0 where it returns a count);
 * otherwise they point at a live object of this header's type that is
 * all-zero (its BG_*_INITIALIZER, or static storage: built on first use)
 * or was set up by its bg_*_init, and that is not moved, copied or freed
 * while in use. A bg_*_init must not run on an object in use.
 *
 * Timeouts are milliseconds: BG_NO_WAIT fails at once (BG_EAGAIN) when
 * the call cannot succeed now, BG_FOREVER waits however long it takes,
 * and any other value waits at least that long: rounded up to whole ticks
 * (Kconfig TICK_HZ), plus the tick in progress. A timeout that runs out
 * returns BG_ETIMEDOUT.
 *
 * Interrupt handlers may call only what is marked "handlers: yes", and the
 * waits only with BG_NO_WAIT (with INTERRUPTS, the kernel fails the run
 * naming the handler when a handler would block).
 */
#ifndef BLUEGEN_DRIVER_H
#define BLUEGEN_DRIVER_H

/* The services are the libc component's C_SERVICES: on with any C driver
 * ([drivers.<name>] with sources), or with `c-services = true`. */
#if !defined(BLUEGEN_C_SERVICES)
#error "<bluegen/driver.h> needs the kernel services for C: set `c-services = true` in device.toml's [features] (a C driver turns them on)"
#endif

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define __bg_static_assert static_assert
#else
#define __bg_static_assert _Static_assert
#endif

/* Error codes. */
#define BG_OK 0
#define BG_EPERM (-1)       /* not allowed here: unlock by a non-owner, a lock in a handler */
#define BG_EAGAIN (-11)     /* not available now, and BG_NO_WAIT */
#define BG_EINVAL (-22)     /* a bad argument: a null object, an interrupt that cannot be pended */
#define BG_EDEADLK (-45)    /* the caller holds the mutex already */
#define BG_ETIMEDOUT (-116) /* the timeout ran out */

/* Timeouts (milliseconds otherwise). */
#define BG_NO_WAIT 0u
#define BG_FOREVER 0xffffffffu

/* ---- Console and log ------------------------------------------------ */

/* Writes the n bytes at s to the console (nothing without Kconfig
 * CONSOLE); returns when the driver took them. Handlers: yes. */
void bg_console_write(const char *s, size_t n);

/* Writes "[tag] message\n" to the console in one bg_console_write, the
 * message formatted by picolibc's vsnprintf from fmt; a line longer than
 * 160 bytes (newline included) is cut, and still ends in a newline.
 * Uses about 200 bytes of the caller's stack and takes no lock.
 * Handlers: yes. */
void bg_log(const char *tag, const char *fmt, ...) __attribute__((__format__(__printf__, 2, 3)));

/* ---- Memory --------------------------------------------------------- */

/* size bytes from the heap (Kconfig HEAP_SIZE), aligned for any C type,
 * or null: malloc's. Handlers: no. */
void *bg_alloc(size_t size);

/* Gives back a block of bg_alloc (or malloc); null does nothing.
 * Handlers: no. */
void bg_free(void *p);

/* ---- Critical sections ---------------------------------------------- */

/* Runs fn(arg) with interrupts masked, then restores the mask as it was,
 * so sections nest. fn must be short, must not block, and must not wait
 * for time (the tick cannot advance); a thread switch it causes happens
 * after the section. A null fn does nothing. Handlers: yes. */
void bg_critical(void (*fn)(void *arg), void *arg);

/* ---- Interrupts ----------------------------------------------------- */
#ifdef BLUEGEN_INTERRUPTS

/* Pends interrupt irq (its number on the board) from software, so that its handler runs as soon as
 * its priority allows: BG_OK, or BG_EINVAL when the architecture cannot
 * pend it (a RISC-V PLIC source, an undeclared RISC-V software
 * interrupt) or irq is out of range. Handlers: yes. */
int bg_irq_pend(unsigned irq);

/* Enables declared interrupt irq (every declared one is enabled at boot),
 * so that its handler runs; a pend or a raise that came while it was
 * disabled runs now (from a thread, before the call returns): BG_OK, or
 * BG_EINVAL when the device does not declare irq or the architecture
 * cannot mask it. Handlers: yes. */
int bg_irq_enable(unsigned irq);

/* Disables declared interrupt irq until bg_irq_enable, in effect when the
 * call returns (NVIC ICER; on RISC-V the PLIC enable bit, or the kernel's
 * mask of software interrupts); a pend or a raise meanwhile stays pending
 * and runs once when it is enabled again: BG_OK, or BG_EINVAL as for
 * bg_irq_enable. Handlers: yes (a handler may disable its own). */
int bg_irq_disable(unsigned irq);

#endif

/* ---- Time ----------------------------------------------------------- */
#ifdef BLUEGEN_PREEMPT

/* Ticks since the scheduler started; does not wrap. Handlers: yes. */
uint64_t bg_ticks(void);

/* Ticks per second (Kconfig TICK_HZ). Handlers: yes. */
uint32_t bg_tick_hz(void);

/* Microseconds since the scheduler started, at tick resolution; does not
 * wrap. Handlers: yes. */
uint64_t bg_uptime_us(void);

/* Sleeps at least ms milliseconds (rounded up to ticks, plus the tick in
 * progress); other threads run meanwhile. 0 yields to ready threads of
 * the same priority. Handlers: no. */
void bg_sleep_ms(uint32_t ms);

/* Busy-waits at least us microseconds, at tick resolution: rounded up to
 * ticks plus the tick in progress, so a short delay spins for up to two
 * tick periods. The tick must advance meanwhile: never inside
 * bg_critical, nor in a handler the tick cannot preempt. */
void bg_delay_us(uint32_t us);

#endif

/* ---- Semaphores ----------------------------------------------------- */
#ifdef BLUEGEN_SEMAPHORE

/* A counting semaphore (at most 2^32 - 1 counts). */
typedef struct {
	uintptr_t __room[2];
	unsigned __init;
} bg_sem_t;

__bg_static_assert(sizeof(bg_sem_t) == 3 * sizeof(uintptr_t), "bg_sem_t: the Rust side's size");

/* A count of 0, built on first use. */
#define BG_SEM_INITIALIZER { { 0, 0 }, 0 }

/* Sets *s to a semaphore holding count. BG_OK or BG_EINVAL. Handlers: no. */
int bg_sem_init(bg_sem_t *s, unsigned count);

/* Takes one count, waiting at most timeout_ms for a give: BG_OK,
 * BG_ETIMEDOUT, or BG_EAGAIN when BG_NO_WAIT found none. Handlers: with
 * BG_NO_WAIT. */
int bg_sem_take(bg_sem_t *s, uint32_t timeout_ms);

/* Gives one count, to the highest-priority waiter if any (which runs at
 * once if it outranks the caller): BG_OK, or BG_EAGAIN when the count is
 * at its maximum. Handlers: yes. */
int bg_sem_give(bg_sem_t *s);

/* The count now (0 for null). Handlers: yes. */
unsigned bg_sem_count(bg_sem_t *s);

#endif

/* ---- Mutexes -------------------------------------------------------- */
#ifdef BLUEGEN_MUTEX

/* A mutex with priority inheritance: while a thread waits for it, its
 * owner runs at the waiter's priority. Not recursive. */
typedef struct {
	uintptr_t __room[2];
	unsigned __init;
	void *__guard;
	uintptr_t __owner;
} bg_mutex_t;

__bg_static_assert(sizeof(bg_mutex_t) == 5 * sizeof(uintptr_t), "bg_mutex_t: the Rust side's size");

/* Unlocked, built on first use. */
#define BG_MUTEX_INITIALIZER { { 0, 0 }, 0, 0, 0 }

/* Sets *m to an unlocked mutex. BG_OK or BG_EINVAL. Handlers: no. */
int bg_mutex_init(bg_mutex_t *m);

/* Locks it, waiting at most timeout_ms while another thread holds it:
 * BG_OK, BG_ETIMEDOUT, BG_EAGAIN (held, with BG_NO_WAIT), BG_EDEADLK
 * (the caller holds it already) or BG_EPERM (called from a handler).
 * Handlers: no. */
int bg_mutex_lock(bg_mutex_t *m, uint32_t timeout_ms);

/* Unlocks it, handing it to the highest-priority waiter: BG_OK, or
 * BG_EPERM when the caller does not own it (or is a handler). Handlers: no. */
int bg_mutex_unlock(bg_mutex_t *m);

#endif

/* ---- Event flags ---------------------------------------------------- */
#ifdef BLUEGEN_EVENTS

/* 32 event flags that threads wait for, any or all of a mask. */
typedef struct {
	uintptr_t __room[2];
	unsigned __init;
} bg_events_t;

__bg_static_assert(sizeof(bg_events_t) == 3 * sizeof(uintptr_t), "bg_events_t: the Rust side's size");

/* No flag set, built on first use. */
#define BG_EVENTS_INITIALIZER { { 0, 0 }, 0 }

/* Sets *e to no flag set. BG_OK or BG_EINVAL. Handlers: no. */
int bg_events_init(bg_events_t *e);

/* Sets the flags of bits and wakes every waiter they satisfy. BG_OK or
 * BG_EINVAL. Handlers: yes. */
int bg_events_set(bg_events_t *e, uint32_t bits);

/* Clears the flags of bits. BG_OK or BG_EINVAL. Handlers: yes. */
int bg_events_clear(bg_events_t *e, uint32_t bits);

/* The flags set now (0 for null). Handlers: yes. */
uint32_t bg_events_get(bg_events_t *e);

/* Waits at most timeout_ms until any flag of bits is set (every one of
 * them when all is non-zero); then stores the flags seen in *got (unless
 * got is null), clears those of bits and returns BG_OK. Else
 * BG_ETIMEDOUT, BG_EAGAIN with BG_NO_WAIT, or BG_EINVAL (bits is 0).
 * Handlers: with BG_NO_WAIT. */
int bg_events_wait(bg_events_t *e, uint32_t bits, int all, uint32_t timeout_ms, uint32_t *got);

#endif

/* ---- Queues --------------------------------------------------------- */
#ifdef BLUEGEN_QUEUE

/* The messages a queue holds. */
#define BG_QUEUE_CAPACITY 8

/* A queue of up to BG_QUEUE_CAPACITY uint32_t messages, first in first out. */
typedef struct {
	uintptr_t __room[BG_QUEUE_CAPACITY * 4 / sizeof(uintptr_t) + 4];
	unsigned __init;
} bg_queue_t;

__bg_static_assert(sizeof(bg_queue_t) == BG_QUEUE_CAPACITY * 4 + 5 * sizeof(uintptr_t), "bg_queue_t: the Rust side's size");

/* Empty, built on first use. */
#define BG_QUEUE_INITIALIZER { { 0 }, 0 }

/* Sets *q to an empty queue. BG_OK or BG_EINVAL. Handlers: no. */
int bg_queue_init(bg_queue_t *q);

/* Appends item, waiting at most timeout_ms for room: BG_OK, BG_ETIMEDOUT,
 * or BG_EAGAIN (full, with BG_NO_WAIT). Handlers: with BG_NO_WAIT. */
int bg_queue_send(bg_queue_t *q, uint32_t item, uint32_t timeout_ms);

/* Takes the oldest message into *item, waiting at most timeout_ms for
 * one: BG_OK, BG_ETIMEDOUT, BG_EAGAIN (empty, with BG_NO_WAIT) or
 * BG_EINVAL (item is null). Handlers: with BG_NO_WAIT. */
int bg_queue_recv(bg_queue_t *q, uint32_t *item, uint32_t timeout_ms);

/* The messages waiting now (0 for null). Handlers: yes. */
unsigned bg_queue_count(bg_queue_t *q);

#endif

#ifdef __cplusplus
}
#endif

#endif
