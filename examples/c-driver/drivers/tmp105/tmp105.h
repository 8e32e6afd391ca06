/* TMP105 temperature sensor on an SBCon I2C bus: the C driver's interface. */
#ifndef TMP105_H
#define TMP105_H

#include <stdint.h>

/* 0, or a negative error: BG_EAGAIN when the sensor does not answer. */
int tmp105_read(int32_t *millicelsius);

#endif
