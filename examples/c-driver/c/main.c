/* C's `main` of example device `c-driver`: reads the C driver, prints, ends the run. */
#include <stdio.h>

#include "tmp105.h"

int main(void)
{
	int32_t mc;
	int r = tmp105_read(&mc);
	if (r != 0) {
		printf("c thread: the sensor does not answer (%d)\n", r);
		return 1;
	}
	long a = mc < 0 ? -(long)mc : (long)mc;
	printf("c thread: temperature %s%ld.%03ld C\n", mc < 0 ? "-" : "", a / 1000, a % 1000);
	return 0;
}
