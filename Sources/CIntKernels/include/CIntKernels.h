// Integer SIMD kernels for the fixed-point datapath, with run-time instruction-set dispatch.
//
// The Swift compiler cannot be asked for `vpmaddwd` / `vpdpwssd` (LLVM does not form them from Swift SIMD code), and
// the package is built for a baseline CPU, so these few kernels are C with intrinsics in functions compiled for each
// instruction set (`__attribute__((target(...)))`); `lrsim_int_best_isa` picks one at run time with CPUID. Every
// path computes the same integers: the SIMD lanes never overflow (the caller checks the bounds below), and the
// int32 sums wrap modulo 2^32, which is order-independent.
#ifndef CINTKERNELS_H
#define CINTKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Instruction sets, in increasing order. A kernel called with an ISA the CPU lacks falls back to the best it has.
enum {
    LRSIM_ISA_SCALAR = 0,
    LRSIM_ISA_AVX2 = 1,
    LRSIM_ISA_AVX512_VNNI = 2,
};

// The best instruction set this CPU (and OS) supports.
int lrsim_int_best_isa(void);

// Per-product rounding and overflow of a rounded fixed-point product, applied to each exact product v = a * b:
//   kind 0 EXACT:      the product itself (no rounding, no clip; int16 lanes multiply-add pairs directly)
//   kind 1 FLOOR:      v >> shift
//   kind 2 SIGN_BIAS:  (v + bias + (sign_bias & (v >> (lane bits - 1)))) >> shift
//   kind 3 PARITY:     (v + bias + (((v >> shift) & 1) ^ sign_bias)) >> shift          (ties to even / odd)
//   kind 4 SHIFT_LEFT: v << shift
//   clip 0 NONE, 1 SIGN_EXTEND: (q << up) >> up (WRAP into a narrower signed format), 2 CLAMP: min(max(q, lo), hi)
// Bounds the caller guarantees (lane bits L = 16 or 32): |a * b| + 2^shift < 2^(L-1) for right shifts,
// |a * b| << shift < 2^(L-1) for SHIFT_LEFT, lo/hi/up meaningful in L-bit lanes; EXACT needs only int16 operands.
typedef struct {
    int32_t kind;
    int32_t clip;
    int32_t shift;
    int32_t bias;
    int32_t sign_bias;
    int32_t up;
    int32_t lo;
    int32_t hi;
} lrsim_int_rounding;

enum {
    LRSIM_ROUND_EXACT = 0, LRSIM_ROUND_FLOOR = 1, LRSIM_ROUND_SIGN_BIAS = 2, LRSIM_ROUND_PARITY = 3,
    LRSIM_ROUND_SHIFT_LEFT = 4,
};
enum { LRSIM_CLIP_NONE = 0, LRSIM_CLIP_SIGN_EXTEND = 1, LRSIM_CLIP_CLAMP = 2 };

// c[i * ldc + j] = sum over t < kp of r(a[i * kp + t] * b[j * kp + t]), wrapping modulo 2^32, for i < m, j < n.
// Both operands are packed row by row with kp values per row (zero padding contributes 0 for every rounding).
// int16 operands: kp a multiple of 32, m a multiple of 2, n a multiple of 4 (pad with zero rows).
void lrsim_int_dot16(int isa, const int16_t *a, const int16_t *b, int32_t *c, long m, long n, long kp, long ldc,
                     const lrsim_int_rounding *r);
// int32 operands (products below 2^30): kp a multiple of 16, m a multiple of 2, n a multiple of 4.
void lrsim_int_dot32(int isa, const int32_t *a, const int32_t *b, int32_t *c, long m, long n, long kp, long ldc,
                     const lrsim_int_rounding *r);

// Peak-rate probe: `iterations` rounds of 8 independent multiply-add instructions on full-width registers of the
// ISA (vpdpwssd zmm, vpmaddwd+vpaddd ymm, or scalar multiply-adds); returns a value that depends on every result.
int32_t lrsim_int_peak_probe(int isa, long iterations);
// int16 multiply-accumulates one probe iteration performs on `isa` (8 instructions of 32, 16 or 1).
int lrsim_int_probe_macs(int isa);

#ifdef __cplusplus
}
#endif

#endif
