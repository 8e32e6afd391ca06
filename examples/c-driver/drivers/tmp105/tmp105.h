/* TMP105 temperature sensor on an SBCon I2C bus: the C driver's interface. */
#ifndef TMP105_H
#define TMP105_H

#include <stdint.h>

/* 0, or a negative error: BG_EAGAIN when the sensor does not answer. */
int tmp105_read(int32_t *millicelsius);

/* The sensor's bus, for other users of it (the Rust binding's embedded-hal
 * I2c runs its transfers with sbcon.h's primitives): tmp105_bus_lock takes
 * it, waiting (BG_OK, or a negative error: not from an interrupt
 * handler), tmp105_bus_unlock gives it back, and tmp105_bus_base is the
 * controller's address (TMP105_BASE) for the primitives. */
int tmp105_bus_lock(void);
void tmp105_bus_unlock(void);
uintptr_t tmp105_bus_base(void);

#endif
