// Tiny C shims for what Swift cannot yet say directly. Header-only `static inline` functions: they inline into the
// Swift caller and are compiled with its target CPU.
#ifndef CLRSHIMS_H
#define CLRSHIMS_H

// Correctly rounded IEEE square root without errno semantics. Swift's `Float.squareRoot()` on Linux lowers to
// `sqrtss` plus a `sqrtf` libcall for negative inputs (to set errno), which stops LLVM from vectorizing any loop
// that contains it; `__builtin_elementwise_sqrt` lowers to `llvm.sqrt`, the same correctly rounded result
// (NaN for negative inputs), and vectorizes.
static inline __attribute__((always_inline)) float lrsim_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }
static inline __attribute__((always_inline)) double lrsim_sqrt(double x) { return __builtin_elementwise_sqrt(x); }

// Atomics on plain, pointer-stable `long` words (the worker pool's mailboxes), and the spin-wait hint.
static inline __attribute__((always_inline)) long lrsim_load_acquire(const long *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline __attribute__((always_inline)) void lrsim_store_release(long *p, long value) {
    __atomic_store_n(p, value, __ATOMIC_RELEASE);
}
// Returns 1 and stores `desired` when *p == expected, else returns 0.
static inline __attribute__((always_inline)) int lrsim_compare_exchange(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline __attribute__((always_inline)) void lrsim_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// Keep large freed blocks in the heap: glibc otherwise maps blocks above its mmap threshold afresh and trims freed
// heap tops, so a loop that frees and reallocates megabytes page-faults them in again on every iteration.
// <stdlib.h> first: glibc defines __GLIBC__ in a header (features.h), so without one the test below was always false
// and these settings never reached the allocator (850k page faults, 2 system seconds per MLP epoch).
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
static inline void lrsim_keep_large_blocks(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#else
static inline void lrsim_keep_large_blocks(int mmap_threshold, int trim_threshold) { (void)mmap_threshold; (void)trim_threshold; }
#endif

#endif
