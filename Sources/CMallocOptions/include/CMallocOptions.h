#ifndef CMALLOCOPTIONS_H
#define CMALLOCOPTIONS_H

// Why C: `mallopt` and its `M_*` parameters are declared in <malloc.h>, which Swift's Glibc module does
// not include. Wrapped so that Swift needs no per-platform conditions: -1 means "not glibc".
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// The glibc malloc parameters the service sets.
typedef enum {
    CMALLOC_MMAP_THRESHOLD,  // M_MMAP_THRESHOLD
    CMALLOC_TRIM_THRESHOLD,  // M_TRIM_THRESHOLD
} cmalloc_threshold;

/// Sets a glibc malloc threshold (bytes): 1 when set, 0 when glibc refused the value, -1 when not glibc.
static inline int cmalloc_set_threshold(cmalloc_threshold threshold, int bytes) {
#if defined(__GLIBC__)
    return mallopt(threshold == CMALLOC_MMAP_THRESHOLD ? M_MMAP_THRESHOLD : M_TRIM_THRESHOLD, bytes);
#else
    (void)threshold;
    (void)bytes;
    return -1;
#endif
}

/// Bytes glibc malloc currently holds in `mmap`ed chunks (`mallinfo2().hblkhd`); 0 when not glibc.
static inline size_t cmalloc_mmapped_bytes(void) {
#if defined(__GLIBC__)
    return mallinfo2().hblkhd;
#else
    return 0;
#endif
}

#endif
