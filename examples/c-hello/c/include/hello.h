/* Shared by the C threads of example device `c-hello`. */
#ifndef HELLO_H
#define HELLO_H

/* The errno the worker thread leaves set in its own thread-local errno. */
#define WORKER_ERRNO 33 /* EDOM */

/* Set by the worker once it ran. */
extern volatile int worker_done;

#endif
