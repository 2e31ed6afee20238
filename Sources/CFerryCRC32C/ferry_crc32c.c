// CRC-32C with the CPU's own instruction: x86-64 SSE4.2 `crc32` or the AArch64 CRC extension. Computes
// exactly what FerryStorage's slicing-by-8 table code computes (the Castagnoli polynomial, reflected),
// about eight times faster; the Swift side keeps the table code as the fallback and the reference.
#include "ferry_crc32c.h"
#include <string.h>

#if defined(__x86_64__)

bool ferry_crc32c_hardware_available(void) {
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t ferry_crc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    uint64_t wide = reg;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);  // unaligned load
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>

bool ferry_crc32c_hardware_available(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
}

__attribute__((target("crc")))
uint32_t ferry_crc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        reg = __builtin_aarch64_crc32cx(reg, word);
        bytes += 8;
        count -= 8;
    }
    while (count > 0) {
        reg = __builtin_aarch64_crc32cb(reg, *bytes);
        bytes += 1;
        count -= 1;
    }
    return reg;
}

#else

bool ferry_crc32c_hardware_available(void) { return false; }

uint32_t ferry_crc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    (void)bytes; (void)count;
    return reg;  // never called: hardware_available() is false
}

#endif
