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

// Table GEMM for a narrow operand whose raw values all lie in [vmin, vmax], vmax - vmin <= 31:
//   s[row * lds + col] = sum over t < k of r(p[t * ldp + row] * q[t * ldq + col]), wrapping modulo 2^32,
// for row < rows, col < cols (nothing else of s is written). Per row and pair of K indices, the rounded products of
// p with the 32 values vmin... form two 32-entry int16 tables; one vpermi2w looks up 16 columns of both K indices and
// one vpdpwssd against ones adds them. `wide` and `r` are those of `lrsim_int_dot32` (int32 lanes) or
// `lrsim_int_dot16` (int16 lanes) for the same products: the tables hold exactly the products those kernels form.
// `idx` is q in the kernel's index layout, made once per GEMM by `lrsim_int_lut16_index` (shared by every call over
// the rows; pairs of K indices [pair0, pair1) per call): ((k + 1) / 2) * lrsim_int_lut16_blocks(cols) * 32 int16
// values.
// Returns 1 when done, 0 when some rounded product of a present value does not fit int16 (s is then undefined),
// -1 when the instruction set has no such kernel (only AVX-512 has: call the dot kernels instead).
int lrsim_int_lut16(int isa, const int32_t *p, long ldp, const int16_t *idx, int32_t *s, long lds, long rows,
                    long cols, long k, int32_t vmin, int32_t vmax, int wide, const lrsim_int_rounding *r);
void lrsim_int_lut16_index(const int16_t *q, long ldq, long cols, long k, int32_t vmin, long pair0, long pair1,
                           int16_t *idx);
long lrsim_int_lut16_blocks(long cols);

// Float values quantized into a fixed-point format of at most 22 bits with F >= 0, deterministically:
//   out[i] = overflow(round(x[i] * scale)) as a raw value (NaN -> 0), exactly `FixedArithmetic.quantize`.
// scale = 2^F; lo, hi: the saturation bounds (hi = rawMax; lo = rawMin, or -rawMax for symmetric saturation);
// modulus = 2^W and its inverse for WRAP; is_signed: WRAP into [-2^(W-1), 2^(W-1)).
typedef struct {
    float scale, lo, hi, modulus, inverse_modulus;
    int32_t rounding, overflow, is_signed;
} lrsim_float_quantize;

enum {
    LRSIM_QROUND_FLOOR = 0, LRSIM_QROUND_TOWARD_ZERO = 1, LRSIM_QROUND_HALF_EVEN = 2, LRSIM_QROUND_HALF_AWAY = 3,
    LRSIM_QROUND_HALF_UP = 4, LRSIM_QROUND_HALF_DOWN = 5, LRSIM_QROUND_HALF_TO_ZERO = 6, LRSIM_QROUND_HALF_TO_ODD = 7,
};
enum { LRSIM_QOVERFLOW_SATURATE = 0, LRSIM_QOVERFLOW_TO_ZERO = 1, LRSIM_QOVERFLOW_WRAP = 2 };

void lrsim_float_quantize64(int isa, const float *x, long n, int64_t *out, const lrsim_float_quantize *q);

// out[i] = (x[i] < 0) ^ flip: the sign bytes of a noise row (1 = -1), flipped for an antithetic copy.
void lrsim_sign_bytes(int isa, const float *x, long n, uint8_t flip, uint8_t *out);
// acc[i] += signs[i] == 0 ? plus : minus, wrapping modulo 2^32: one copy's term of the sign-encoded copy reduction.
void lrsim_sign_accumulate32(int isa, const uint8_t *signs, long n, int32_t plus, int32_t minus, int32_t *acc);
// Requantization in int64 lanes (`Int64Requantizer`): out[i] = clip(round(v)) with
//   v = (a[i] << shift_a) + ((scale * b[i]) << shift_b), or v = a[i] when b is NULL, in wrapping 64-bit arithmetic
// (the caller bounds |v| below 2^62). kind is one of LRSIM_ROUND_FLOOR ... SHIFT_LEFT with the formulas above on
// 64-bit lanes; clip one of the LRSIM_CLIP_* values, ZERO_EXTEND being ((uint64)q << up) >> up and ZERO mapping
// values outside [lo, hi] to 0.
typedef struct {
    int32_t kind;
    int32_t clip;
    int64_t shift, bias, sign_bias, up, lo, hi;
} lrsim_int64_rounding;
enum { LRSIM_CLIP_ZERO_EXTEND = 3, LRSIM_CLIP_ZERO = 4 };
void lrsim_requantize_sum64(int isa, const int64_t *a, int64_t shift_a, const int64_t *b, int64_t scale,
                            int64_t shift_b, long n, int64_t *out, const lrsim_int64_rounding *r);
// x[i] = max(x[i], 0) in place: a relu on raw values.
void lrsim_relu64(int isa, int64_t *x, long n);

// Peak-rate probe: `iterations` rounds of 8 independent multiply-add instructions on full-width registers of the
// ISA (vpdpwssd zmm, vpmaddwd+vpaddd ymm, or scalar multiply-adds); returns a value that depends on every result.
int32_t lrsim_int_peak_probe(int isa, long iterations);
// int16 multiply-accumulates one probe iteration performs on `isa` (8 instructions of 32, 16 or 1).
int lrsim_int_probe_macs(int isa);

#ifdef __cplusplus
}
#endif

#endif
