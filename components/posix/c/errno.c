/* errno of the calling thread, for the posix component's Rust code. */
#include <errno.h>

/* picolibc keeps errno in thread-local storage, which Rust cannot name. */
void __bluegen_posix_set_errno(int value)
{
	errno = value;
}
