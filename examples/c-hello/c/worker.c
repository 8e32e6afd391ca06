/* The `worker` C thread: sets its own errno, which main's does not see. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "hello.h"

volatile int worker_done;

void worker(void)
{
	errno = WORKER_ERRNO;
	printf("worker: errno = %d\n", errno);
	worker_done = 1;
}
