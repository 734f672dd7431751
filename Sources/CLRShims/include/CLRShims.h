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

#endif
