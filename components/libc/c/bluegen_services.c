/* bg_log of <bluegen/driver.h>: one formatted console line (bluegen's libc component).
 *
 * The line is built whole in a buffer on the caller's stack, then written
 * with one bg_console_write, so lines of threads and handlers do not mix
 * inside a line. A line that does not fit is cut, and still ends in a
 * newline. */

#include <stdarg.h>
#include <stdio.h>
#include <bluegen/driver.h>

/* The longest line, newline included. */
#define BG_LOG_LINE 160

void bg_log(const char *tag, const char *fmt, ...)
{
	char line[BG_LOG_LINE];
	/* Room for the text: the last byte is for the newline. */
	const size_t room = sizeof line - 1;
	int n = snprintf(line, room, "[%s] ", tag ? tag : "");
	size_t used = n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
	if (fmt) {
		va_list args;
		va_start(args, fmt);
		n = vsnprintf(line + used, room - used, fmt, args);
		va_end(args);
		if (n > 0)
			used += (size_t)n < room - used ? (size_t)n : room - used - 1;
	}
	line[used++] = '\n';
	bg_console_write(line, used);
}
