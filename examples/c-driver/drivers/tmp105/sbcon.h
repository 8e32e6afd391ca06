/* The SBCon I2C controller, bit-banged: transfers, and the bus primitives. */
#ifndef SBCON_H
#define SBCON_H

#include <stdint.h>

/* One write of `out` then a read into `in` (a repeated start between),
 * to 7-bit address `address`; 0, or -1 when a byte is not acknowledged. */
int sbcon_write_read(uintptr_t base, uint8_t address, const uint8_t *out, unsigned n_out, uint8_t *in, unsigned n_in);

/* The bus primitives, for a caller that runs its own transfers (the Rust
 * binding's embedded-hal I2c): a start (or a repeated start), a stop, a
 * byte out (1 when the receiver acknowledged it, else 0) and a byte in
 * (acknowledged when `ack` is nonzero). They touch only the controller's
 * registers at `base`. */
void sbcon_start(uintptr_t base);
void sbcon_stop(uintptr_t base);
int sbcon_byte_out(uintptr_t base, uint8_t byte);
uint8_t sbcon_byte_in(uintptr_t base, int ack);

#endif
