/* Benchmark bench-posix: the POSIX layer's costs, in the counter units of
 * the kernel's benchmark counter (bluegen bench divides by the board's
 * units per instruction), next to the native API's (bench-switch,
 * bench-queue), with the same shapes:
 *
 *   posix_mutex_pair_instructions     an uncontended pthread_mutex_lock + unlock
 *   posix_sem_switch_instructions     sem_post -> sem_wait ping-pong between main and
 *                                     a pthread: per round two posts, two waits and
 *                                     two thread switches, counted per switch
 *   posix_mq_roundtrip_instructions   mq_send -> mq_receive of a 4-byte message to a
 *                                     pthread and back (two sends, two receives, two
 *                                     switches), per round trip
 *
 * The pthreads rank below main (a device thread), so in each round main
 * blocks first and the peer's post or send switches back to main.
 *
 * Each part is guarded by its option group's feature macro (which bluegen
 * defines exactly for the groups that are on), so `bluegen size
 * --feature-cost` (and `bluegen bench`, through bench.toml) can build the
 * device without each group and measure what the group costs in use. The
 * groups without a timed figure (timers, clock selection, barriers,
 * reader-writer locks, spin locks) are used once each, in `others`. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#if defined(_POSIX_THREADS)
#include <pthread.h>
#endif
#if defined(_POSIX_THREADS) && defined(_POSIX_SEMAPHORES)
#include <semaphore.h>
#endif
#if defined(_POSIX_THREADS) && defined(_POSIX_MESSAGE_PASSING)
#include <mqueue.h>
#endif

#define ROUNDS 1000

/* The kernel's benchmark counter (components/libc). */
extern uint64_t bluegen_counter(void);

#if defined(_POSIX_THREADS)
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
#endif
#if defined(_POSIX_THREADS) && defined(_POSIX_SEMAPHORES)
static sem_t ping, pong;
#endif
#if defined(_POSIX_THREADS) && defined(_POSIX_MESSAGE_PASSING)
static mqd_t to, back;
#endif

static __attribute__((unused)) void report(const char *metric, uint64_t units, unsigned count)
{
	printf("BENCH %s=%lu/%u\n", metric, (unsigned long)units, count);
}

#if defined(_POSIX_THREADS) && defined(_POSIX_SEMAPHORES)
static void *sem_peer(void *arg)
{
	(void)arg;
	for (;;) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

#endif

#if defined(_POSIX_THREADS) && defined(_POSIX_MESSAGE_PASSING)
static void *mq_peer(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t v;
		if (mq_receive(to, (char *)&v, sizeof v, NULL) != (ssize_t)sizeof v)
			break;
		v++;
		mq_send(back, (const char *)&v, sizeof v, 0);
	}
	return NULL;
}
#endif

/* The groups without a figure, once each; 0 when each did its job. */
static int others(void)
{
	int failed = 0;
#if defined(_POSIX_TIMERS)
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec v = { { 0, 0 }, { 1, 0 } };
	timer_t t;
	failed |= timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 || timer_settime(t, 0, &v, NULL) != 0
		  || timer_gettime(t, &v) != 0 || v.it_value.tv_sec != 1 || timer_delete(t) != 0;
#endif
#if defined(_POSIX_CLOCK_SELECTION)
	struct timespec now;
	failed |= clock_gettime(CLOCK_MONOTONIC, &now) != 0 || clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL) != 0;
#endif
#if defined(_POSIX_BARRIERS)
	pthread_barrier_t barrier;
	failed |= pthread_barrier_init(&barrier, NULL, 1) != 0 || pthread_barrier_wait(&barrier) != PTHREAD_BARRIER_SERIAL_THREAD
		  || pthread_barrier_destroy(&barrier) != 0;
#endif
#if defined(_POSIX_READER_WRITER_LOCKS)
	static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	failed |= pthread_rwlock_rdlock(&rw) != 0 || pthread_rwlock_unlock(&rw) != 0 || pthread_rwlock_wrlock(&rw) != 0
		  || pthread_rwlock_unlock(&rw) != 0;
#endif
#if defined(_POSIX_SPIN_LOCKS)
	pthread_spinlock_t spin;
	failed |= pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE) != 0 || pthread_spin_lock(&spin) != 0
		  || pthread_spin_unlock(&spin) != 0 || pthread_spin_destroy(&spin) != 0;
#endif
	return failed;
}

int main(void)
{
	uint64_t start;

	/* printf stays in every variant, so that a group's cost is its own. */
	printf("bench-posix: %d rounds\n", ROUNDS);
	(void)start;
	if (others() != 0) {
		printf("bench-posix: a group without a figure failed\n");
		return 1;
	}
#if defined(_POSIX_THREADS)
	/* The mutex is built on its first lock: once outside the count. */
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
	start = bluegen_counter();
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		pthread_mutex_unlock(&lock);
	}
	report("posix_mutex_pair_instructions", bluegen_counter() - start, ROUNDS);
#endif

#if defined(_POSIX_THREADS) && defined(_POSIX_SEMAPHORES)
	pthread_t a;
	if (sem_init(&ping, 0, 0) != 0 || sem_init(&pong, 0, 0) != 0 || pthread_create(&a, NULL, sem_peer, NULL) != 0) {
		printf("bench-posix: semaphore set-up failed\n");
		return 1;
	}
	start = bluegen_counter();
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	report("posix_sem_switch_instructions", bluegen_counter() - start, 2 * ROUNDS);
#endif

#if defined(_POSIX_THREADS) && defined(_POSIX_MESSAGE_PASSING)
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = sizeof(uint32_t) };
	pthread_t b;
	to = mq_open("/to", O_RDWR | O_CREAT, 0600, &attr);
	back = mq_open("/back", O_RDWR | O_CREAT, 0600, &attr);
	if (to == (mqd_t)-1 || back == (mqd_t)-1 || pthread_create(&b, NULL, mq_peer, NULL) != 0) {
		printf("bench-posix: message queue set-up failed\n");
		return 1;
	}
	uint32_t x = 0;
	start = bluegen_counter();
	for (int i = 0; i < ROUNDS; i++) {
		mq_send(to, (const char *)&x, sizeof x, 0);
		if (mq_receive(back, (char *)&x, sizeof x, NULL) != (ssize_t)sizeof x)
			break;
	}
	uint64_t units = bluegen_counter() - start;
	if (x != ROUNDS) {
		printf("bench-posix: the message queues lost messages (%lu of %d)\n", (unsigned long)x, ROUNDS);
		return 1;
	}
	report("posix_mq_roundtrip_instructions", units, ROUNDS);
#endif
	return 0;
}
