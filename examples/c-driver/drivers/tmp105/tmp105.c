/* TMP105 temperature sensor driver, in C on the kernel-services header.
 *
 * TMP105_BASE (the SBCon controller's registers, from the board's data),
 * TMP105_ADDRESS (device.toml's define) and TMP105_CONFIG_RESOLUTION_BITS
 * (device.toml's option, checked against drivers/tmp105/Kconfig) come
 * from bluegen. The bus is
 * shared by every thread that reads: a kernel mutex (priority inheritance)
 * serialises the transfers (and the one-time set-up of the resolution). */
#include <bluegen/driver.h>

#include "sbcon.h"
#include "tmp105.h"

static bg_mutex_t bus = BG_MUTEX_INITIALIZER;
/* The sensor powers up at 9 bits (0.5 °C); the first read sets the
 * option's resolution (9 to 12 bits, Kconfig's range). */
static int configured;

int tmp105_read(int32_t *millicelsius)
{
	const uint8_t pointer = 0; /* the temperature register */
	uint8_t raw[2];
	int r = bg_mutex_lock(&bus, BG_FOREVER);
	if (r != BG_OK)
		return r;
	int failed = 0;
	if (!configured) {
		/* Configuration register, R1:R0 (bits 6:5) = bits - 9. */
		const uint8_t config[2] = { 1, (uint8_t)((TMP105_CONFIG_RESOLUTION_BITS - 9) << 5) };
		failed = sbcon_write_read(TMP105_BASE, TMP105_ADDRESS, config, 2, raw, 0);
		configured = !failed;
	}
	if (!failed)
		failed = sbcon_write_read(TMP105_BASE, TMP105_ADDRESS, &pointer, 1, raw, 2);
	bg_mutex_unlock(&bus);
	if (failed)
		return BG_EAGAIN;
	/* Two's complement in the top `bits` bits, 2^-(bits - 8) °C a step. */
	int16_t value = (int16_t)((raw[0] << 8) | raw[1]);
	*millicelsius = (int32_t)(value >> (16 - TMP105_CONFIG_RESOLUTION_BITS)) * 1000 / (1 << (TMP105_CONFIG_RESOLUTION_BITS - 8));
	return BG_OK;
}

int tmp105_bus_lock(void)
{
	return bg_mutex_lock(&bus, BG_FOREVER);
}

void tmp105_bus_unlock(void)
{
	bg_mutex_unlock(&bus);
}

uintptr_t tmp105_bus_base(void)
{
	return TMP105_BASE;
}
