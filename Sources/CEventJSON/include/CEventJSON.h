#ifndef CEVENTJSON_H
#define CEVENTJSON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

/// Offset from `p` of the first byte that is '"', '\\', below 0x20 or at/above 0x80: where a JSON string's
/// plain run ends and the scanner must look closer (end of string, escape, control character, UTF-8).
///
/// Why C: finding that byte 16 at a time needs a byte-mask instruction (SSE2 `pmovmskb`, NEON narrowing)
/// that Swift's portable SIMD types do not expose; the 64-bit SWAR fallback in Swift costs about four times
/// as many instructions. `static inline` in a header so that Swift code importing it inlines the loop.
///
/// Memory contract: such a byte must exist at or after `p` within readable memory, and the 15 bytes after
/// it must be readable too. The decoder guarantees both with zero padding after the payload (zero is a
/// control character).
static inline size_t cejson_string_stop_offset(const uint8_t *p) {
    size_t offset = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (;;) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(const void *)(p + offset));
        // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches every non-ASCII byte.
        __m128i stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
            _mm_cmplt_epi8(chunk, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(stops);
        if (mask != 0) return offset + (size_t)__builtin_ctz(mask);
        offset += 16;
    }
#elif defined(__ARM_NEON)
    const uint8x16_t quote = vdupq_n_u8('"');
    const uint8x16_t backslash = vdupq_n_u8('\\');
    const uint8x16_t space = vdupq_n_u8(0x20);
    const uint8x16_t high = vdupq_n_u8(0x80);
    for (;;) {
        uint8x16_t chunk = vld1q_u8(p + offset);
        uint8x16_t stops = vorrq_u8(
            vorrq_u8(vceqq_u8(chunk, quote), vceqq_u8(chunk, backslash)),
            vorrq_u8(vcltq_u8(chunk, space), vcgeq_u8(chunk, high)));
        // Narrow each 16-bit lane to 8 bits: 4 bits per byte in a 64-bit mask.
        uint64_t mask = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(stops), 4)), 0);
        if (mask != 0) return offset + (size_t)(__builtin_ctzll(mask) >> 2);
        offset += 16;
    }
#else
    for (;;) {
        uint8_t byte = p[offset];
        if (byte == '"' || byte == '\\' || byte < 0x20 || byte >= 0x80) return offset;
        offset += 1;
    }
#endif
}

#endif
