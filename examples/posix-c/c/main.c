/* Example device posix-c: producer and consumer pthreads with a mutex, a condvar, a semaphore and a message queue. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ITEMS 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static int made, taken;
static sem_t producer_done;
static mqd_t reports;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITEMS; i++) {
		usleep(10000);
		pthread_mutex_lock(&lock);
		made++;
		pthread_cond_signal(&more);
		pthread_mutex_unlock(&lock);
	}
	sem_post(&producer_done);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&lock);
		while (taken == made)
			pthread_cond_wait(&more, &lock);
		taken++;
		pthread_mutex_unlock(&lock);
		char report[32];
		int n = snprintf(report, sizeof report, "consumed item %d", i + 1);
		mq_send(reports, report, (size_t)n, 1);
	}
	return NULL;
}

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = ITEMS, .mq_msgsize = 32 };
	pthread_t p, c;

	sem_init(&producer_done, 0, 0);
	reports = mq_open("/reports", O_RDWR | O_CREAT, 0600, &attr);
	if (reports < 0 || pthread_create(&c, NULL, consumer, NULL) != 0 || pthread_create(&p, NULL, producer, NULL) != 0) {
		printf("posix-c: setup failed (errno %d)\n", errno);
		return 1;
	}
	for (int i = 0; i < ITEMS; i++) {
		char report[32];
		unsigned prio;
		ssize_t n = mq_receive(reports, report, sizeof report, &prio);
		printf("main: %.*s\n", (int)n, report);
	}
	sem_wait(&producer_done);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	printf("main: %d made, %d taken\n", made, taken);
	mq_close(reports);
	mq_unlink("/reports");
	return made == ITEMS && taken == ITEMS ? 0 : 1;
}
