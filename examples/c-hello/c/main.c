/* C's `main` of example device `c-hello`: printf, errno, malloc, exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello.h"

int main(void)
{
	int failures = 0;

	for (int i = 0; i < REPEAT; i++)
		printf("%s, %d of %d\n", GREETING, i + 1, REPEAT);

	/* errno is per thread: the worker set its own, this one is still 0. */
	printf("main: worker done = %d, errno = %d\n", worker_done, errno);
	if (!worker_done || errno != 0)
		failures++;

	/* strtoul reports an overflow in errno. */
	unsigned long big = strtoul("99999999999999999999999", NULL, 10);
	printf("main: strtoul overflow: errno = %s\n", errno == ERANGE ? "ERANGE" : "wrong");
	if (errno != ERANGE || big != (unsigned long)-1)
		failures++;

	/* malloc and free on the kernel heap. */
	char *text = malloc(32);
	if (text == NULL) {
		failures++;
	} else {
		strcpy(text, "malloc'd");
		text = realloc(text, 64);
		strcat(text, " and realloc'd");
		printf("main: %s\n", text);
		free(text);
	}

	printf("main: %s\n", failures == 0 ? "all good" : "FAILED");
	return failures;
}
