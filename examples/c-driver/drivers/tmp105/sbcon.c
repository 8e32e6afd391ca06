/* The SBCon I2C controller of the mps2 boards, bit-banged from C.
 *
 * Two registers: writing a 1 bit to CONTROLS (offset 0) releases that line
 * (it floats high), to CONTROLC (offset 4) pulls it low; reading offset 0
 * gives the lines' levels. SCL is bit 0, SDA bit 1. */
#include "sbcon.h"

#define CONTROLS 0x0
#define CONTROLC 0x4
#define SCL (1u << 0)
#define SDA (1u << 1)

static void wait(void)
{
	for (volatile int i = 0; i < 16; i++)
		;
}

static void set(uintptr_t base, unsigned offset, uint32_t lines)
{
	*(volatile uint32_t *)(base + offset) = lines;
	wait();
}

static int sda(uintptr_t base)
{
	return (*(volatile uint32_t *)(base + CONTROLS) & SDA) != 0;
}

void sbcon_start(uintptr_t base)
{
	set(base, CONTROLS, SDA);
	set(base, CONTROLS, SCL);
	set(base, CONTROLC, SDA);
	set(base, CONTROLC, SCL);
}

void sbcon_stop(uintptr_t base)
{
	set(base, CONTROLC, SDA);
	set(base, CONTROLS, SCL);
	set(base, CONTROLS, SDA);
}

static void bit_out(uintptr_t base, int one)
{
	set(base, one ? CONTROLS : CONTROLC, SDA);
	set(base, CONTROLS, SCL);
	set(base, CONTROLC, SCL);
}

static int bit_in(uintptr_t base)
{
	set(base, CONTROLS, SDA);
	set(base, CONTROLS, SCL);
	int one = sda(base);
	set(base, CONTROLC, SCL);
	return one;
}

int sbcon_byte_out(uintptr_t base, uint8_t byte)
{
	for (int bit = 7; bit >= 0; bit--)
		bit_out(base, (byte >> bit) & 1);
	return !bit_in(base);
}

uint8_t sbcon_byte_in(uintptr_t base, int ack)
{
	uint8_t byte = 0;
	for (int i = 0; i < 8; i++)
		byte = (uint8_t)((byte << 1) | bit_in(base));
	bit_out(base, !ack);
	return byte;
}

int sbcon_write_read(uintptr_t base, uint8_t address, const uint8_t *out, unsigned n_out, uint8_t *in, unsigned n_in)
{
	sbcon_start(base);
	int ok = sbcon_byte_out(base, (uint8_t)(address << 1));
	for (unsigned i = 0; ok && i < n_out; i++)
		ok = sbcon_byte_out(base, out[i]);
	if (ok && n_in > 0) {
		sbcon_start(base);
		ok = sbcon_byte_out(base, (uint8_t)(address << 1 | 1));
		for (unsigned i = 0; ok && i < n_in; i++)
			in[i] = sbcon_byte_in(base, i + 1 < n_in);
	}
	sbcon_stop(base);
	return ok ? 0 : -1;
}
