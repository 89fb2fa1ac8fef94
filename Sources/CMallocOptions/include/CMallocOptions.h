#ifndef CMALLOCOPTIONS_H
#define CMALLOCOPTIONS_H

// Why C: `mallopt` and its `M_*` parameters are declared in <malloc.h>, which Swift's Glibc module does
// not include. Wrapped so that Swift needs no per-platform conditions: -1 means "not glibc".
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Sets glibc malloc's M_MMAP_THRESHOLD: 1 when set, 0 when glibc refused the value, -1 when not glibc.
static inline int cmalloc_set_mmap_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return -1;
#endif
}

/// Sets glibc malloc's M_TRIM_THRESHOLD: 1 when set, 0 when glibc refused the value, -1 when not glibc.
static inline int cmalloc_set_trim_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_TRIM_THRESHOLD, bytes);
#else
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
