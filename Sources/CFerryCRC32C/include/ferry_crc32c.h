#ifndef FERRY_CRC32C_H
#define FERRY_CRC32C_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/// True when this CPU has a CRC-32C instruction (x86-64 SSE4.2, or AArch64 CRC): then
/// `ferry_crc32c_update_hardware` may be called. Checked once; the answer never changes.
bool ferry_crc32c_hardware_available(void);

/// Feeds `count` bytes to a running, pre-inverted CRC-32C register and returns the new register.
/// Only call it when `ferry_crc32c_hardware_available()` is true.
uint32_t ferry_crc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count);

#endif
