/* picolibc's standard streams on the kernel's console (bluegen's libc component).
 *
 * picolibc's stdio writes through a FILE's `put` function; the app (here:
 * this file) defines stdin, stdout and stderr. stdout and stderr write each
 * byte to the console through the Rust side's __bluegen_libc_write; stdin
 * has no input and reads end of file. */

#include <stdio.h>

void __bluegen_libc_write(const char *bytes, size_t len);

static int bluegen_console_put(char c, FILE *file)
{
	(void)file;
	__bluegen_libc_write(&c, 1);
	return (unsigned char)c;
}

static int bluegen_no_input(FILE *file)
{
	(void)file;
	return _FDEV_EOF;
}

static FILE bluegen_console = FDEV_SETUP_STREAM(bluegen_console_put, NULL, NULL, _FDEV_SETUP_WRITE);
static FILE bluegen_input = FDEV_SETUP_STREAM(NULL, bluegen_no_input, NULL, _FDEV_SETUP_READ);

FILE *const stdin = &bluegen_input;
FILE *const stdout = &bluegen_console;
FILE *const stderr = &bluegen_console;
