/* The SBCon I2C controller, bit-banged: what tmp105.c needs of the bus. */
#ifndef SBCON_H
#define SBCON_H

#include <stdint.h>

/* One write of `out` then a read into `in` (a repeated start between),
 * to 7-bit address `address`; 0, or -1 when a byte is not acknowledged. */
int sbcon_write_read(uintptr_t base, uint8_t address, const uint8_t *out, unsigned n_out, uint8_t *in, unsigned n_in);

#endif
